package dev.tally.core.billing;

/** Joins JSON field paths: {@code charges[1]} + {@code key} is {@code charges[1].key}; {@code tiers} + {@code [0]} is {@code tiers[0]}. */
final class Paths {
    private Paths() {
    }

    static String join(String prefix, String field) {
        if (prefix.isEmpty()) {
            return field;
        }
        if (field.isEmpty()) {
            return prefix;
        }
        return field.startsWith("[") ? prefix + field : prefix + "." + field;
    }
}
