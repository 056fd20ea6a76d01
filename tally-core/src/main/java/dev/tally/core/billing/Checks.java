package dev.tally.core.billing;

/** Validation shared by the billing records; every failure names the field in its JSON spelling. */
final class Checks {
    private Checks() {
    }

    /** A charge's key matches {@link Plan#KEY} and its name is not blank. */
    static void keyAndName(String key, String name) {
        if (key == null) {
            throw new InvalidBillingException("key", "is required");
        }
        if (!Plan.KEY.matcher(key).matches()) {
            throw new InvalidBillingException("key", Plan.KEY_RULE + ", got \"" + key + "\"");
        }
        if (name == null || name.isBlank()) {
            throw new InvalidBillingException("name", "must not be blank");
        }
    }
}
