package dev.tally.core.billing;

/**
 * One charge of a {@link Plan}: either a {@link FlatCharge} (a fixed fee per billing period) or a
 * {@link UsageCharge} (a meter's usage priced by a price model) or a {@link LicensedCharge} (a price per unit of a
 * subscription quantity such as seats). Guarantees a key matching {@link Plan#KEY} (so it
 * can appear in line ids and URLs) and a non-blank name, which invoice lines show.
 */
public sealed interface Charge permits FlatCharge, UsageCharge, LicensedCharge {

    /** The charge's key, unique within its plan, e.g. {@code "base"} or {@code "tokens"}. */
    String key();

    /** The name shown on invoices, e.g. {@code "Platform fee"}. */
    String name();
}
