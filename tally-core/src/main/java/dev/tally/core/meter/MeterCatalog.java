package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.duration.MarkKind;
import dev.tally.core.event.RejectionReason;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.expression.ExpressionEvaluationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of every version of every meter of one tenant, indexed
 * by event type, that evaluates events against the versions in force at their
 * time. {@link #generation()} increases with every change, so holders can tell
 * a stale snapshot. Thread-safe.
 */
public final class MeterCatalog {
    public static final MeterCatalog EMPTY = new MeterCatalog(0, List.of());

    private final long generation;
    private final Map<String, List<Meter>> versionsByKey;
    private final Map<String, List<String>> keysByType;

    public MeterCatalog(long generation, Collection<Meter> meters) {
        this.generation = generation;
        Map<String, List<Meter>> byKey = new LinkedHashMap<>();
        for (Meter m : meters) {
            byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m);
        }
        Map<String, List<String>> byType = new HashMap<>();
        byKey.replaceAll((k, v) -> {
            List<Meter> sorted = new ArrayList<>(v);
            sorted.sort(Comparator.comparingInt(Meter::version));
            for (Meter m : sorted) {
                List<String> keys = byType.computeIfAbsent(m.eventType(), t -> new ArrayList<>());
                if (!keys.contains(k)) {
                    keys.add(k);
                }
            }
            return List.copyOf(sorted);
        });
        this.versionsByKey = Map.copyOf(byKey);
        byType.replaceAll((t, keys) -> List.copyOf(keys));
        this.keysByType = Map.copyOf(byType);
    }

    public long generation() {
        return generation;
    }

    /** Every meter key, each with its versions in ascending order. */
    public Map<String, List<Meter>> versionsByKey() {
        return versionsByKey;
    }

    /** The latest version of a meter. */
    public Optional<Meter> latest(String key) {
        List<Meter> v = versionsByKey.get(key);
        return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    /** The version of a meter in force at an instant: the last whose effective time is not after it. */
    public Optional<Meter> inForceAt(String key, Instant at) {
        return Optional.ofNullable(versionAt(versionsByKey.get(key), at));
    }

    private static Meter versionAt(List<Meter> versions, Instant at) {
        if (versions == null) {
            return null;
        }
        Meter found = null;
        for (Meter m : versions) {
            if (m.effectiveFrom().isAfter(at)) {
                break;
            }
            found = m;
        }
        return found;
    }

    /** Whether any version of any meter reads events of this type. */
    public boolean knowsType(String type) {
        return keysByType.containsKey(type);
    }

    /** The contributions an event makes, or why it must be rejected. */
    public Evaluation evaluate(UsageEvent e) {
        List<String> keys = keysByType.get(e.type());
        if (keys == null) {
            return Evaluation.Contributions.NONE;
        }
        List<Contribution> out = null;
        for (String key : keys) {
            Meter m = versionAt(versionsByKey.get(key), e.time());
            if (m == null || !m.eventType().equals(e.type())) {
                continue;
            }
            Object c = contribution(m, e.data());
            if (c instanceof Evaluation.Rejected r) {
                return r;
            }
            if (c != null) {
                if (out == null) {
                    out = new ArrayList<>(keys.size());
                }
                out.add((Contribution) c);
            }
        }
        return out == null ? Evaluation.Contributions.NONE : new Evaluation.Contributions(out);
    }

    /**
     * The contributions an event makes to every meter that can take it, skipping any meter it lacks a value
     * for: how stored events are replayed after a meter is added or changed (they were accepted under the
     * meters of their day and are never rejected afterwards).
     */
    public List<Contribution> contributionsLenient(UsageEvent e) {
        List<String> keys = keysByType.get(e.type());
        if (keys == null) {
            return List.of();
        }
        List<Contribution> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            contributionFor(key, e).ifPresent(out::add);
        }
        return out;
    }

    /** The contribution an event makes to one meter (the version in force at its time), if any. */
    public Optional<Contribution> contributionFor(String key, UsageEvent e) {
        Meter m = versionAt(versionsByKey.get(key), e.time());
        if (m == null || !m.eventType().equals(e.type())) {
            return Optional.empty();
        }
        return contribution(m, e.data()) instanceof Contribution c ? Optional.of(c) : Optional.empty();
    }

    /** A Contribution, an Evaluation.Rejected, or null when the meter's filters exclude the event. */
    static Object contribution(Meter m, ObjectNode data) {
        for (PropertyFilter f : m.filters()) {
            if (!f.matches(data)) {
                return null;
            }
        }
        BigDecimal value = BigDecimal.ZERO;
        String distinct = "";
        if (m.duration().isPresent()) {
            // a duration mark: the kind's code as the value, the session key as the distinct text
            DurationSpec d = m.duration().get();
            Optional<String> kindText = d.kindText(data);
            Optional<String> key = d.keyText(data);
            if (kindText.isEmpty() || key.isEmpty()) {
                return new Evaluation.Rejected(RejectionReason.VALUE_MISSING, "meter '" + m.key() + "' needs data."
                        + (kindText.isEmpty() ? d.kindPath() : d.key()).text());
            }
            Optional<MarkKind> kind = d.kind(kindText.get());
            if (kind.isEmpty()) {
                return null; // another action of the same event type: not this meter's
            }
            value = kind.get().code();
            distinct = key.get();
        } else if (m.expression().isPresent()) {
            try {
                value = m.expression().get().evaluate(data);
            } catch (ExpressionEvaluationException ex) {
                RejectionReason reason = switch (ex.reason()) {
                    case "missing_field" -> RejectionReason.VALUE_MISSING;
                    case "not_a_number" -> RejectionReason.VALUE_NOT_NUMERIC;
                    default -> RejectionReason.EXPRESSION_ERROR;
                };
                return new Evaluation.Rejected(reason, "meter '" + m.key() + "': " + ex.getMessage());
            }
        } else if (m.valuePath().isPresent()) {
            DataPath path = m.valuePath().get();
            JsonNode v = path.lookup(data);
            if (v == null) {
                return new Evaluation.Rejected(RejectionReason.VALUE_MISSING,
                        "meter '" + m.key() + "' needs data." + path.text());
            }
            if (m.aggregation() == Aggregation.UNIQUE_COUNT) {
                distinct = DataPath.text(v);
            } else if (m.aggregation() == Aggregation.PERSISTENT_COUNT) {
                distinct = DataPath.text(v);
                Object sign = PersistentOperations.sign(m, data);
                if (sign instanceof Evaluation.Rejected r) {
                    return r;
                }
                value = (BigDecimal) sign;
            } else {
                Optional<BigDecimal> n = DataPath.number(v);
                if (n.isEmpty()) {
                    return new Evaluation.Rejected(RejectionReason.VALUE_NOT_NUMERIC,
                            "meter '" + m.key() + "' needs a number at data." + path.text());
                }
                value = n.get();
            }
        }
        GroupKey group = GroupKey.NONE;
        List<DataPath> dims = m.groupBy();
        if (!dims.isEmpty()) {
            String[] values = new String[dims.size()];
            for (int i = 0; i < values.length; i++) {
                JsonNode g = dims.get(i).lookup(data);
                values[i] = g == null ? null : DataPath.text(g);
            }
            group = new GroupKey(values);
        }
        return new Contribution(m, group, value, distinct);
    }
}
