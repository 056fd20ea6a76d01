package dev.tally.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.Reading;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.aggregate.ValueWindow;
import dev.tally.core.event.Json;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.expression.Expression;
import dev.tally.core.meter.DataPath;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.PropertyFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The one home of the fixtures the tally-core tests share: a fixed day and
 * clock, JSON written with single quotes, contributions to aggregation states,
 * usage events, meter definitions and CloudEvent bodies.
 */
public final class CoreFixtures {

    /** Midnight UTC of the day most tests happen on. */
    public static final Instant DAY = Instant.parse("2026-11-23T00:00:00Z");
    /** "Now" for tests that need a clock: noon of {@link #DAY}. */
    public static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    /** Events are parsed exactly as the reader parses them. */
    public static final ObjectMapper MAPPER = Json.newMapper();

    private CoreFixtures() {
    }

    public static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }

    /** An instant on {@link #DAY}: {@code at("00:30")} or {@code at("23:59:59.5")}. */
    public static Instant at(String time) {
        return Instant.parse("2026-11-23T" + (time.length() == 5 ? time + ":00" : time) + "Z");
    }

    public static Clock clockAt(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    // ---- JSON

    /** Parses JSON written with single quotes for readability (there must be no quote inside a string). */
    public static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An event's {@code data} object written with single quotes. */
    public static ObjectNode data(String singleQuoted) {
        return (ObjectNode) json(singleQuoted);
    }

    public static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- aggregation

    /** One event's contribution as an aggregation state receives it. */
    public record Sample(Instant time, String tieBreak, BigDecimal value, String distinct) {
        public Sample(Instant time, String tieBreak, String value) {
            this(time, tieBreak, new BigDecimal(value), value);
        }

        public Reading reading() {
            return new Reading(time, tieBreak, value);
        }
    }

    public static AggregateState stateOf(Aggregation aggregation, List<Sample> samples) {
        AggregateState state = AggregateState.empty(aggregation);
        for (Sample s : samples) {
            state.add(s.time(), s.tieBreak(), s.value(), s.distinct());
        }
        return state;
    }

    /** Samples of {@code value}s at the given instants, tie-broken by their position. */
    public static List<Sample> samples(Instant time, String... values) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(new Sample(time, "e" + i, values[i]));
        }
        return out;
    }

    public static ValueWindow window(Instant from, Instant end, TimeUnitOfMeasure unit) {
        return new ValueWindow(from, end, Optional.empty(), unit);
    }

    public static ValueWindow window(Instant from, Instant end, Optional<Reading> carryIn, TimeUnitOfMeasure unit) {
        return new ValueWindow(from, end, carryIn, unit);
    }

    /** The bytes a checkpoint holds for the states, written one after the other. */
    public static byte[] serialize(AggregateState... states) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            for (AggregateState s : states) {
                s.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** Reads states of the given aggregations back; fails unless exactly every byte is consumed. */
    public static List<AggregateState> deserialize(byte[] bytes, Aggregation... aggregations) {
        List<AggregateState> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            for (Aggregation a : aggregations) {
                out.add(AggregateState.readFrom(a, in));
            }
            if (in.available() != 0) {
                throw new AssertionError(in.available() + " bytes left unread");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    // ---- events

    /** A usage event from source {@code src} with the given id. */
    public static UsageEvent event(String id, String type, Instant time, String singleQuotedData) {
        return new UsageEvent("src", id, type, "customer-1", time, data(singleQuotedData));
    }

    /** A valid CloudEvent (time one hour before {@link #NOW}); tests change or remove attributes. */
    public static ObjectNode cloudEvent(String id) {
        ObjectNode e = MAPPER.createObjectNode();
        e.put("specversion", "1.0");
        e.put("id", id);
        e.put("source", "/billing/test");
        e.put("type", "api.call");
        e.put("subject", "customer-1");
        e.put("time", NOW.minusSeconds(3600).toString());
        e.putObject("data").put("calls", 1);
        return e;
    }

    public static ArrayNode batch(JsonNode... events) {
        ArrayNode a = MAPPER.createArrayNode();
        Arrays.stream(events).forEach(a::add);
        return a;
    }

    // ---- meters

    /** A meter definition: {@code meter("tokens").type("llm").sum("usage.tokens").build()}. */
    public static MeterBuilder meter(String key) {
        return new MeterBuilder(key);
    }

    public static final class MeterBuilder {
        private final String key;
        private String name;
        private int version = 1;
        private Instant from = Instant.EPOCH;
        private String type = "api.call";
        private Aggregation aggregation = Aggregation.COUNT;
        private Optional<DataPath> valuePath = Optional.empty();
        private Optional<Expression> expression = Optional.empty();
        private final List<PropertyFilter> filters = new ArrayList<>();
        private final List<DataPath> groupBy = new ArrayList<>();
        private TimeUnitOfMeasure unit = TimeUnitOfMeasure.HOUR;
        private Optional<dev.tally.core.meter.AggregateRounding> rounding = Optional.empty();
        private Optional<dev.tally.core.meter.DurationSpec> duration = Optional.empty();

        private MeterBuilder(String key) {
            this.key = key;
            this.name = key;
        }

        public MeterBuilder name(String n) {
            name = n;
            return this;
        }

        public MeterBuilder type(String t) {
            type = t;
            return this;
        }

        public MeterBuilder version(int v, Instant effectiveFrom) {
            version = v;
            from = effectiveFrom;
            return this;
        }

        public MeterBuilder count() {
            return of(Aggregation.COUNT);
        }

        public MeterBuilder sum(String path) {
            return of(Aggregation.SUM, path);
        }

        /** An aggregation without a value source (count). */
        public MeterBuilder of(Aggregation a) {
            aggregation = a;
            valuePath = Optional.empty();
            expression = Optional.empty();
            return this;
        }

        /** An aggregation reading the value at {@code path}. */
        public MeterBuilder of(Aggregation a, String path) {
            of(a);
            valuePath = Optional.of(DataPath.parse(path));
            return this;
        }

        /** An aggregation computing its value with an expression. */
        public MeterBuilder computing(Aggregation a, String source) {
            of(a);
            expression = Optional.of(Expression.parse(source));
            return this;
        }

        public MeterBuilder filter(String path, String... values) {
            filters.add(new PropertyFilter(DataPath.parse(path), new LinkedHashSet<>(List.of(values))));
            return this;
        }

        public MeterBuilder groupBy(String... paths) {
            for (String p : paths) {
                groupBy.add(DataPath.parse(p));
            }
            return this;
        }

        public MeterBuilder unit(TimeUnitOfMeasure u) {
            unit = u;
            return this;
        }

        /** The period total rounded before pricing. */
        public MeterBuilder rounding(dev.tally.core.meter.AggregateRounding.Mode mode, int precision) {
            rounding = Optional.of(new dev.tally.core.meter.AggregateRounding(mode, precision));
            return this;
        }

        /**
         * A duration meter: sessions keyed by {@code data.session}, kinds at {@code data.action} ("start",
         * "heartbeat", "stop"), closed after {@code timeout} without a mark.
         */
        public MeterBuilder duration(java.time.Duration timeout) {
            of(Aggregation.DURATION);
            duration = Optional.of(new dev.tally.core.meter.DurationSpec(DataPath.parse("session"),
                    DataPath.parse("action"), "start", "stop", "heartbeat", timeout));
            return this;
        }

        public Meter build() {
            return new Meter(key, version, name, type, aggregation, valuePath, expression, filters, groupBy, unit,
                    from, rounding, aggregation == dev.tally.core.aggregate.Aggregation.PERSISTENT_COUNT
                            ? Optional.of(dev.tally.core.meter.PersistentCount.DEFAULT) : Optional.empty(), duration);
        }
    }
}
