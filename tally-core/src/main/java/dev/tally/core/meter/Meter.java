package dev.tally.core.meter;

import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.expression.Expression;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One version of a meter. Guarantees a consistent definition: an aggregation
 * that needs a number has exactly one source of it (a value path or an
 * expression); a unique count has a value path; keys are URL-safe. Versions of
 * one key partition time: version {@code n} is in force from its
 * {@code effectiveFrom} until the next version's. A duration meter has a {@link DurationSpec} (and only it has
 * one). An optional {@link AggregateRounding} rounds the period total
 * of each charge on the meter before pricing; it belongs to the version, like everything that decides how usage counts.
 * A persistent count has {@link PersistentCount} settings (and no other aggregation has them) and a value path, the unit.
 */
public record Meter(String key, int version, String name, String eventType, Aggregation aggregation,
        Optional<DataPath> valuePath, Optional<Expression> expression, List<PropertyFilter> filters,
        List<DataPath> groupBy, TimeUnitOfMeasure timeUnit, Instant effectiveFrom, Optional<AggregateRounding> rounding,
        Optional<PersistentCount> persistent, Optional<DurationSpec> duration) {

    public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    public static final int MAX_GROUP_BY = 10;

    public Meter {
        Objects.requireNonNull(key);
        Objects.requireNonNull(name);
        Objects.requireNonNull(eventType);
        Objects.requireNonNull(aggregation);
        Objects.requireNonNull(valuePath);
        Objects.requireNonNull(expression);
        Objects.requireNonNull(timeUnit);
        Objects.requireNonNull(effectiveFrom);
        Objects.requireNonNull(rounding);
        Objects.requireNonNull(persistent);
        Objects.requireNonNull(duration);
        filters = List.copyOf(filters);
        groupBy = List.copyOf(groupBy);
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key must be 1-64 lowercase letters, digits, '_', '.' or '-'");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1");
        }
        if (eventType.isBlank()) {
            throw new IllegalArgumentException("event_type must not be blank");
        }
        if (valuePath.isPresent() && expression.isPresent()) {
            throw new IllegalArgumentException("give either value_path or expression, not both");
        }
        if (aggregation.needsNumber() && valuePath.isEmpty() && expression.isEmpty()) {
            throw new IllegalArgumentException(aggregation.wireName() + " needs a value_path or an expression");
        }
        if (aggregation == Aggregation.UNIQUE_COUNT && valuePath.isEmpty()) {
            throw new IllegalArgumentException("unique_count needs a value_path");
        }
        if (aggregation == Aggregation.PERSISTENT_COUNT && (valuePath.isEmpty() || expression.isPresent())) {
            throw new IllegalArgumentException("persistent_count needs a value_path (the unit) and no expression");
        }
        if ((aggregation == Aggregation.PERSISTENT_COUNT) != persistent.isPresent()) {
            throw new IllegalArgumentException("the persistent settings belong to persistent_count, and only to it");
        }
        if (aggregation == Aggregation.COUNT && (valuePath.isPresent() || expression.isPresent())) {
            throw new IllegalArgumentException("count takes no value_path or expression");
        }
        if (aggregation == Aggregation.DURATION && (duration.isEmpty() || valuePath.isPresent()
                || expression.isPresent())) {
            throw new IllegalArgumentException("duration needs a duration object and takes no value_path or expression");
        }
        if (aggregation != Aggregation.DURATION && duration.isPresent()) {
            throw new IllegalArgumentException("duration applies to the duration aggregation only");
        }
        if (groupBy.size() > MAX_GROUP_BY) {
            throw new IllegalArgumentException("at most " + MAX_GROUP_BY + " group_by dimensions");
        }
    }

    /** A version with the default persistent settings if it is a persistent count, and not a duration meter. */
    public Meter(String key, int version, String name, String eventType, Aggregation aggregation,
            Optional<DataPath> valuePath, Optional<Expression> expression, List<PropertyFilter> filters,
            List<DataPath> groupBy, TimeUnitOfMeasure timeUnit, Instant effectiveFrom, Optional<AggregateRounding> rounding) {
        this(key, version, name, eventType, aggregation, valuePath, expression, filters, groupBy, timeUnit,
                effectiveFrom, rounding, aggregation == Aggregation.PERSISTENT_COUNT
                        ? Optional.of(PersistentCount.DEFAULT) : Optional.empty(), Optional.empty());
    }

    /** A version without aggregate rounding. */
    public Meter(String key, int version, String name, String eventType, Aggregation aggregation,
            Optional<DataPath> valuePath, Optional<Expression> expression, List<PropertyFilter> filters,
            List<DataPath> groupBy, TimeUnitOfMeasure timeUnit, Instant effectiveFrom) {
        this(key, version, name, eventType, aggregation, valuePath, expression, filters, groupBy, timeUnit,
                effectiveFrom, Optional.empty());
    }

    /** The period total as priced: rounded by {@link #rounding()} if the version has one, else unchanged. */
    public java.math.BigDecimal billable(java.math.BigDecimal periodTotal) {
        return rounding.map(r -> r.apply(periodTotal)).orElse(periodTotal);
    }

    /** The names of the group-by dimensions, in order. */
    public List<String> dimensions() {
        return groupBy.stream().map(DataPath::text).toList();
    }

    /** The same definition as a new version in force from {@code from}. */
    public Meter asVersion(int newVersion, Instant from) {
        return new Meter(key, newVersion, name, eventType, aggregation, valuePath, expression, filters, groupBy,
                timeUnit, from, rounding, persistent, duration);
    }

    /** Whether two versions measure the same thing (everything but version and effective time). */
    public boolean sameDefinition(Meter o) {
        return name.equals(o.name) && eventType.equals(o.eventType) && aggregation == o.aggregation
                && valuePath.equals(o.valuePath) && expression.equals(o.expression) && filters.equals(o.filters)
                && groupBy.equals(o.groupBy) && timeUnit == o.timeUnit && rounding.equals(o.rounding)
                && persistent.equals(o.persistent) && duration.equals(o.duration);
    }
}
