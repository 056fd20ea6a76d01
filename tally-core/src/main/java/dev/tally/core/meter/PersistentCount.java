package dev.tally.core.meter;

import dev.tally.core.aggregate.PersistentMeasure;
import java.util.Objects;

/**
 * How a {@code persistent_count} meter version reads its events and what it reports. The unit is the meter's
 * {@code value_path} (e.g. {@code user_id}); {@code operationPath} names the property that says {@code add} or
 * {@code remove} (absent means {@code add}, as in Lago); {@code measure} is what a window's value is. Guarantees
 * non-null parts; the defaults are {@link #OPERATION_PATH} and {@link PersistentMeasure#PRORATED_BY_DAY}.
 */
public record PersistentCount(DataPath operationPath, PersistentMeasure measure) {
    /** The default operation property, Lago's name. */
    public static final String OPERATION_PATH = "operation_type";
    public static final String ADD = "add";
    public static final String REMOVE = "remove";

    public static final PersistentCount DEFAULT =
            new PersistentCount(DataPath.parse(OPERATION_PATH), PersistentMeasure.PRORATED_BY_DAY);

    public PersistentCount {
        Objects.requireNonNull(operationPath);
        Objects.requireNonNull(measure);
    }
}
