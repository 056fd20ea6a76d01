package dev.tally.export;

import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a tenant's daily export writes: the datasets, the format, the usage meters (all of the tenant's meters when
 * empty) and the time zone whose calendar days are exported (the day [00:00, 24:00) local time).
 */
public record DailySchedule(Set<Dataset> datasets, ExportFormat format, List<String> meters, ZoneId zone) {
    public DailySchedule {
        datasets = Set.copyOf(datasets);
        meters = List.copyOf(meters);
        Objects.requireNonNull(format);
        Objects.requireNonNull(zone);
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException("a schedule exports at least one dataset");
        }
    }
}
