package dev.tally.engine.billing;

/**
 * Asked before a billing run finalizes a draft whose grace period is over: while it holds the customer, the draft
 * stays a draft (refreshed with late usage like any other) and a later run finalizes it once the hold ends. An
 * operator's explicit finalize is not held. It may read the database: it joins the run's transaction.
 */
@FunctionalInterface
public interface FinalizationHold {
    /** Holds nothing. */
    FinalizationHold NONE = (tenant, customer) -> false;

    /** Whether the customer's drafts must stay drafts for now. */
    boolean holds(String tenant, String customer);
}
