package dev.tally.engine.entitlement;

/**
 * A further condition on a feature the customer's plan grants, applied after the plan's own rule (for example a
 * positive live credit balance, {@code dev.tally.engine.credit.live.BalanceRequirements}). It may only turn an
 * allowed answer into a denied one or leave it as it is; it must answer from memory, as checks do.
 */
public interface EntitlementGate {
    /** Leaves every answer as it is. */
    EntitlementGate NONE = (tenant, answer) -> answer;

    /** The answer after this condition. */
    EntitlementAnswer apply(String tenant, EntitlementAnswer answer);
}
