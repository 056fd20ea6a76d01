package dev.tally.core.pricing;

/**
 * How a partial package is counted by {@link PackagePrice}: {@link #UP} charges a started package in
 * full (ceiling), {@link #DOWN} charges only complete packages (floor).
 */
public enum PackageRounding {
    /** A started package is charged in full: 101 units in packages of 100 are 2 packages. */
    UP("up"),
    /** Only complete packages are charged: 199 units in packages of 100 are 1 package. */
    DOWN("down");

    private final String jsonName;

    PackageRounding(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The value as it travels in JSON: {@code "up"} or {@code "down"}. */
    public String jsonName() {
        return jsonName;
    }
}
