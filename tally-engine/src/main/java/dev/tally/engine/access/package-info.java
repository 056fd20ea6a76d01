/**
 * Who may do what: API keys (scopes, expiry, revocation, per-key rate limits),
 * tenants, and customer-portal tokens that read exactly one customer.
 */
package dev.tally.engine.access;
