/**
 * Dunning: what Tally does about an invoice that is not paid. A tenant's {@link
 * dev.tally.engine.payment.dunning.DunningPolicy} names reminder days before the due date, reminders after each failed
 * attempt, a retry schedule (days after the invoice went into dunning), and the end: mark the invoice uncollectible
 * and optionally suspend the customer's entitlements (soft, grace or hard) until it is paid. {@link
 * dev.tally.engine.payment.dunning.Dunning} runs the schedule from the scheduler; each step is a row under a unique
 * (tenant, invoice, step) key inserted in the transaction that does the step, so it happens once across restarts and
 * processes. {@link dev.tally.engine.payment.dunning.Overdue} is the one rule of what is overdue.
 */
package dev.tally.engine.payment.dunning;
