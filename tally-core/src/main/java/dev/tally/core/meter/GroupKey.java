package dev.tally.core.meter;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The values of a meter's group-by dimensions for one event, in the meter's
 * dimension order; a dimension the event does not carry is absent (shown as
 * JSON null). Immutable; equal keys group together.
 */
public final class GroupKey {
    public static final GroupKey NONE = new GroupKey(new String[0]);

    private final String[] values;
    private final int hash;

    GroupKey(String[] values) {
        this.values = values;
        this.hash = Arrays.hashCode(values);
    }

    /** A key from values, where an empty Optional is an absent dimension. */
    public static GroupKey of(List<Optional<String>> values) {
        return new GroupKey(values.stream().map(o -> o.orElse(null)).toArray(String[]::new));
    }

    public int size() {
        return values.length;
    }

    public Optional<String> get(int i) {
        return Optional.ofNullable(values[i]);
    }

    /** This key restricted to the given dimension indexes, in that order. */
    public GroupKey project(int[] indexes) {
        String[] v = new String[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            v[i] = indexes[i] < values.length ? values[indexes[i]] : null;
        }
        return new GroupKey(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupKey g && hash == g.hash && Arrays.equals(values, g.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
