package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.event.EventOutcome;
import dev.tally.core.meter.DataPath;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.PropertyFilter;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.ingest.EventStatus;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenMeter-compatible API under {@code /api/v1}: the events, meters and meter-query routes of OpenMeter's
 * API, in its shapes (camelCase, upper-case aggregations, JSONPath value properties, numeric values), as a thin
 * adapter over Tally's own ingest and meters (same keys, scopes and tenant). What it cannot represent faithfully
 * it refuses with a 400 that says so, never silently (query parameters are declared with each route in
 * {@link TallyServer}, which refuses any other); docs/COMPATIBILITY.md lists what is covered.
 */
final class OpenMeterApi {
    private static final Set<String> CREATE_FIELDS = Set.of("slug", "name", "description", "metadata",
            "aggregation", "eventType", "eventFrom", "valueProperty", "groupBy");
    private static final Set<String> AGGREGATIONS = Set.of("SUM", "COUNT", "UNIQUE_COUNT", "AVG", "MIN", "MAX",
            "LATEST");
    private static final Pattern GROUP_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");
    /** {@code $.a.b} or {@code $['a']['b']} (mixed): object fields only, no wildcards, indexes or filters. */
    private static final Pattern JSON_PATH_STEP = Pattern.compile("\\.([^.\\[\\]'\"]+)|\\['([^'\\\\]+)'\\]|\\[\"([^\"\\\\]+)\"\\]");
    private static final int MAX_PAGE_SIZE = 1000;

    private final Engine engine;
    private final ObjectMapper mapper;
    private final EventsApi events;

    OpenMeterApi(Engine engine, ObjectMapper mapper, EventsApi events) {
        this.engine = engine;
        this.mapper = mapper;
        this.events = events;
    }

    // ---- events

    /**
     * {@code POST /api/v1/events}: 204 when every event is stored or already was (a duplicate). An event that
     * breaks a CloudEvents rule fails the request with nothing stored (as OpenMeter validates the whole request);
     * an event a meter cannot read is reported in a 400 too, after the valid ones were stored (retrying the same
     * events is safe: those are then duplicates).
     */
    void ingest(Request r) throws IOException {
        List<EventOutcome> outcomes = events.read(r);
        List<FieldViolation> invalid = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof EventOutcome.Rejected x) {
                invalid.add(new FieldViolation(eventField(i, x.id()), x.reason().code() + ": " + x.detail()));
            }
        }
        if (!invalid.isEmpty()) {
            throw new HttpError(400, "invalid-events", "Invalid events", invalid.size() + " of " + outcomes.size()
                    + " events are invalid; no event of this request was stored", invalid);
        }
        IngestResult result = events.ingest(r, outcomes);
        if (result.rejected() > 0) {
            List<FieldViolation> rejected = new ArrayList<>();
            for (int i = 0; i < result.results().size(); i++) {
                EventStatus s = result.results().get(i);
                if (s.kind() == EventStatus.Kind.REJECTED) {
                    rejected.add(new FieldViolation(eventField(i, s.id()),
                            s.reason().map(x -> x.code()).orElse("rejected") + ": " + s.detail().orElse("")));
                }
            }
            throw new HttpError(400, "invalid-events", "Invalid events", result.rejected() + " of "
                    + outcomes.size() + " events were rejected by a meter and not stored; the other "
                    + (result.accepted() + result.duplicates()) + " were stored (sending them again is safe:"
                    + " they are then duplicates)", rejected);
        }
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }

    private static String eventField(int index, Optional<String> id) {
        return "events[" + index + "]" + id.map(v -> " (id " + v + ")").orElse("");
    }

    // ---- meters

    void listMeters(Request r) throws IOException {
        int page = r.integer("page", 1, Integer.MAX_VALUE).orElse(1);
        int pageSize = r.integer("pageSize", 1, MAX_PAGE_SIZE).orElse(100);
        String orderBy = r.param("orderBy").orElse("key");
        boolean descending = switch (r.param("order").orElse("ASC")) {
            case "ASC" -> false;
            case "DESC" -> true;
            default -> throw HttpError.badRequest("order", "must be ASC or DESC");
        };
        r.param("includeDeleted").ifPresent(v -> {
            if (!v.equals("true") && !v.equals("false")) {
                throw HttpError.badRequest("includeDeleted", "must be true or false");
            }
        });
        engine.syncWithOthers();
        Map<String, List<Instant>> times = engine.meterVersionTimes(r.tenant());
        List<ObjectNode> meters = new ArrayList<>();
        engine.meters(r.tenant()).versionsByKey().forEach((key, versions) ->
                meters.add(write(versions, times.getOrDefault(key, List.of()))));
        Comparator<ObjectNode> order = switch (orderBy) {
            case "key" -> Comparator.comparing(o -> o.path("slug").asText());
            case "name" -> Comparator.comparing(o -> o.path("name").asText());
            case "aggregation" -> Comparator.comparing(o -> o.path("aggregation").asText());
            case "createdAt" -> Comparator.comparing(o -> o.path("createdAt").asText());
            case "updatedAt" -> Comparator.comparing(o -> o.path("updatedAt").asText());
            default -> throw HttpError.badRequest("orderBy", "must be key, name, aggregation, createdAt or updatedAt");
        };
        order = order.thenComparing(o -> o.path("slug").asText());
        meters.sort(descending ? order.reversed() : order);
        ArrayNode out = mapper.createArrayNode();
        long skip = (long) (page - 1) * pageSize;
        meters.stream().skip(skip).limit(pageSize).forEach(out::add);
        Responses.json(r.exchange, 200, out, mapper);
    }

    void getMeter(Request r) throws IOException {
        engine.syncWithOthers();
        String slug = r.path("meterIdOrSlug");
        List<Meter> versions = versions(r.tenant(), slug);
        Responses.json(r.exchange, 200, write(versions,
                engine.meterVersionTimes(r.tenant()).getOrDefault(slug, List.of())), mapper);
    }

    private List<Meter> versions(String tenant, String slug) {
        List<Meter> versions = engine.meters(tenant).versionsByKey().get(slug);
        if (versions == null) {
            throw HttpError.notFound("no meter '" + slug + "'");
        }
        return versions;
    }

    /**
     * {@code POST /api/v1/meters}: an OpenMeter meter becomes version 1 of a Tally meter (slug as key, value
     * property and group-by JSONPaths as data paths, eventFrom as effective_from).
     */
    void createMeter(Request r) throws IOException {
        JsonNode body = JsonBody.object(r, MetersApi.MAX_BODY);
        List<FieldViolation> errors = new ArrayList<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!CREATE_FIELDS.contains(f)) {
                errors.add(new FieldViolation(f, "unknown field"));
            }
        }
        for (String unsupported : List.of("description", "metadata")) {
            JsonNode v = body.get(unsupported);
            if (v != null && !v.isNull() && !(v.isTextual() && v.textValue().isEmpty()) && !(v.isObject() && v.isEmpty())) {
                errors.add(new FieldViolation(unsupported, "Tally meters have no " + unsupported
                        + "; leave it out (see docs/COMPATIBILITY.md)"));
            }
        }
        ObjectNode tally = mapper.createObjectNode();
        String slug = text(body, "slug", errors).orElse(null);
        if (slug == null) {
            errors.add(new FieldViolation("slug", "is required"));
        } else {
            tally.put("key", slug);
        }
        text(body, "name", errors).ifPresent(n -> tally.put("name", n));
        text(body, "eventType", errors).ifPresentOrElse(t -> tally.put("event_type", t),
                () -> errors.add(new FieldViolation("eventType", "is required")));
        Optional<String> aggregation = text(body, "aggregation", errors);
        if (aggregation.isEmpty()) {
            errors.add(new FieldViolation("aggregation", "is required"));
        } else if (!AGGREGATIONS.contains(aggregation.get())) {
            errors.add(new FieldViolation("aggregation", "must be one of SUM, COUNT, UNIQUE_COUNT, AVG, MIN, MAX, LATEST"));
        } else {
            tally.put("aggregation", aggregation.get().toLowerCase(Locale.ROOT));
        }
        Optional<String> valueProperty = text(body, "valueProperty", errors);
        // OpenMeter ignores valueProperty for COUNT; Tally's count takes none
        if (valueProperty.isPresent() && !aggregation.equals(Optional.of("COUNT"))) {
            dataPath(valueProperty.get()).ifPresentOrElse(p -> tally.put("value_path", p),
                    () -> errors.add(new FieldViolation("valueProperty", "must be a JSONPath of object fields,"
                            + " e.g. $.tokens or $.usage.tokens (no wildcards, indexes or filters)")));
        }
        JsonNode groupBy = body.get("groupBy");
        if (groupBy != null && !groupBy.isNull()) {
            if (!groupBy.isObject()) {
                errors.add(new FieldViolation("groupBy", "must be an object of name -> JSONPath"));
            } else {
                ArrayNode dims = tally.putArray("group_by");
                groupBy.fields().forEachRemaining(e -> {
                    String field = "groupBy." + e.getKey();
                    Optional<String> path = e.getValue().isTextual() ? dataPath(e.getValue().textValue()) : Optional.empty();
                    if (!GROUP_KEY.matcher(e.getKey()).matches()) {
                        errors.add(new FieldViolation(field, "a group-by name is 1-64 letters, digits or '_'"));
                    } else if (path.isEmpty()) {
                        errors.add(new FieldViolation(field, "must be a JSONPath of object fields, e.g. $." + e.getKey()));
                    } else if (!path.get().equals(e.getKey())) {
                        errors.add(new FieldViolation(field, "Tally names a group-by dimension by its data path:"
                                + " use \"" + e.getKey() + "\": \"$." + e.getKey() + "\" (a name other than the"
                                + " top-level field it reads is not supported)"));
                    } else {
                        dims.add(path.get());
                    }
                });
            }
        }
        text(body, "eventFrom", errors).ifPresent(f -> tally.put("effective_from", f));
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Meter created;
        try {
            created = engine.createMeter(r.tenant(), tally);
        } catch (ValidationException e) {
            List<FieldViolation> mapped = new ArrayList<>();
            for (FieldViolation v : e.violations()) {
                mapped.add(new FieldViolation(openMeterField(v.field()), v.message()));
            }
            throw new ValidationException(mapped);
        }
        Responses.json(r.exchange, 201, write(versions(r.tenant(), created.key()),
                engine.meterVersionTimes(r.tenant()).getOrDefault(created.key(), List.of())), mapper);
    }

    private static String openMeterField(String tallyField) {
        return switch (tallyField) {
            case "key" -> "slug";
            case "event_type" -> "eventType";
            case "value_path" -> "valueProperty";
            case "effective_from" -> "eventFrom";
            default -> tallyField.startsWith("group_by") ? "groupBy" : tallyField;
        };
    }

    /** A JSONPath such as {@code $.usage.tokens} or {@code $['usage']['tokens']} as a dotted data path. */
    static Optional<String> dataPath(String jsonPath) {
        if (!jsonPath.startsWith("$") || jsonPath.length() < 3) {
            return Optional.empty();
        }
        Matcher m = JSON_PATH_STEP.matcher(jsonPath);
        List<String> steps = new ArrayList<>();
        int at = 1;
        while (at < jsonPath.length()) {
            if (!m.find(at) || m.start() != at) {
                return Optional.empty();
            }
            String step = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (step.contains(".") || step.equals("*")) {
                return Optional.empty();
            }
            steps.add(step);
            at = m.end();
        }
        try {
            return Optional.of(DataPath.parse(String.join(".", steps)).text());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode body, String field, List<FieldViolation> errors) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            errors.add(new FieldViolation(field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(n.textValue());
    }

    /** A Tally meter in OpenMeter's shape; its id is its slug (Tally keys meters by key only). */
    private ObjectNode write(List<Meter> versions, List<Instant> created) {
        Meter first = versions.get(0);
        Meter latest = versions.get(versions.size() - 1);
        ObjectNode o = mapper.createObjectNode();
        o.put("id", latest.key());
        o.put("slug", latest.key());
        o.put("name", latest.name());
        o.put("aggregation", latest.aggregation().name());
        o.put("eventType", latest.eventType());
        latest.valuePath().ifPresent(p -> o.put("valueProperty", "$." + p.text()));
        ObjectNode groupBy = o.putObject("groupBy");
        latest.groupBy().forEach(p -> groupBy.put(p.text(), "$." + p.text()));
        if (!first.effectiveFrom().equals(Instant.EPOCH)) {
            o.put("eventFrom", first.effectiveFrom().toString());
        }
        if (!created.isEmpty()) {
            o.put("createdAt", created.get(0).toString());
            o.put("updatedAt", created.get(created.size() - 1).toString());
        }
        ObjectNode annotations = mapper.createObjectNode();
        latest.expression().ifPresent(e -> annotations.put("tally.dev/expression", e.source()));
        if (!latest.filters().isEmpty()) {
            ObjectNode filters = annotations.putObject("tally.dev/filters");
            for (PropertyFilter f : latest.filters()) {
                ArrayNode values = filters.putArray(f.path().text());
                f.values().stream().sorted().forEach(values::add);
            }
        }
        if (latest.aggregation() == Aggregation.TIME_WEIGHTED_SUM || latest.aggregation() == Aggregation.DURATION) {
            annotations.put("tally.dev/time_unit", latest.timeUnit().name().toLowerCase(Locale.ROOT));
        }
        annotations.put("tally.dev/version", latest.version());
        o.set("annotations", annotations);
        return o;
    }

    // ---- query

    /**
     * {@code GET /api/v1/meters/{slug}/query}: rows per window, group and (when asked for by {@code groupBy=subject}
     * or a {@code subject} filter) subject, with numeric values. The range is half-open [from, to); from defaults
     * to the beginning (1970), to to now.
     */
    void query(Request r) throws IOException {
        if (!r.params("filterCustomerId").isEmpty()) {
            throw HttpError.badRequest("filterCustomerId", "is not supported: Tally's customers are their subjects"
                    + " (external ids); filter with subject");
        }
        if (!r.params("advancedMeterGroupByFilters").isEmpty()) {
            throw HttpError.badRequest("advancedMeterGroupByFilters", "is not supported; use filterGroupBy[name]=value");
        }
        String slug = r.path("meterIdOrSlug");
        ZoneId zone;
        try {
            zone = r.param("windowTimeZone").map(ZoneId::of).orElse(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw HttpError.badRequest("windowTimeZone", "is not an IANA time zone such as Europe/Berlin");
        }
        Optional<String> windowSize = r.param("windowSize");
        Window window = windowSize.map(w -> switch (w) {
            case "HOUR" -> Window.HOUR;
            case "DAY" -> Window.DAY;
            case "MONTH" -> Window.MONTH;
            case "MINUTE" -> throw HttpError.badRequest("windowSize", "MINUTE is not supported (Tally keeps usage"
                    + " per hour); use HOUR, DAY or MONTH");
            default -> throw HttpError.badRequest("windowSize", "must be HOUR, DAY or MONTH");
        }).orElse(Window.NONE);
        Instant to = r.instant("to").orElse(engine.clock().instant());
        Instant from = r.instant("from").orElse(Instant.EPOCH);
        if (!from.isBefore(to)) {
            throw HttpError.badRequest("from", "must be before 'to'");
        }
        boolean bySubject = false;
        List<String> dims = new ArrayList<>();
        for (String g : r.params("groupBy")) {
            if (g.isBlank()) {
                throw HttpError.badRequest("groupBy", "must name a group-by of the meter or subject");
            }
            if (g.equals("subject")) {
                bySubject = true;
            } else if (!dims.contains(g)) {
                dims.add(g);
            }
        }
        Map<String, Set<String>> filters = new LinkedHashMap<>();
        r.query.forEach((k, values) -> {
            if (k.startsWith("filterGroupBy[")) {
                if (!k.endsWith("]") || k.length() <= "filterGroupBy[]".length()) {
                    throw HttpError.badRequest(k, "write it as filterGroupBy[name]=value");
                }
                filters.computeIfAbsent(k.substring("filterGroupBy[".length(), k.length() - 1),
                        x -> new HashSet<>()).addAll(values);
            }
        });
        List<String> subjects = new ArrayList<>(new TreeSet<>(r.params("subject")));
        if (subjects.contains("")) {
            throw HttpError.badRequest("subject", "must not be empty");
        }
        engine.syncWithOthers();
        versions(r.tenant(), slug);
        boolean perSubject = bySubject || !subjects.isEmpty();
        boolean askedSubjects = !subjects.isEmpty();
        if (perSubject && !askedSubjects) {
            subjects.addAll(new TreeSet<>(engine.usageSubjects(r.tenant())));
        }
        ArrayNode data = mapper.createArrayNode();
        try {
            if (!perSubject) {
                addRows(data, engine.usage(r.tenant(), new UsageRequest(slug, Optional.empty(), from, to, window, zone,
                        dims, filters)), dims, Optional.empty(), true);
            } else {
                for (String subject : subjects) {
                    addRows(data, engine.usage(r.tenant(), new UsageRequest(slug, Optional.of(subject), from, to,
                            window, zone, dims, filters)), dims, Optional.of(subject), askedSubjects);
                }
            }
        } catch (ValidationException e) {
            List<FieldViolation> mapped = new ArrayList<>();
            for (FieldViolation v : e.violations()) {
                String f = v.field();
                mapped.add(new FieldViolation(f.equals("group_by") ? "groupBy" : f.equals("window") ? "windowSize"
                        : f.startsWith("filter[") ? "filterGroupBy" + f.substring("filter".length()) : f,
                        v.message().replace("group_by dimension", "groupBy")));
            }
            throw new ValidationException(mapped);
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("from", from.toString());
        out.put("to", to.toString());
        windowSize.ifPresent(w -> out.put("windowSize", w));
        out.set("data", data);
        Responses.json(r.exchange, 200, out, mapper);
    }

    /** OpenMeter rows; an empty row (no events) is kept only where it answers a subject that was asked for. */
    private void addRows(ArrayNode data, List<UsageRow> rows, List<String> dims, Optional<String> subject,
            boolean keepEmpty) {
        for (UsageRow row : rows) {
            if (row.events() == 0 && !keepEmpty) {
                continue;
            }
            ObjectNode o = data.addObject();
            o.put("value", row.value().scale() < 0 ? row.value().setScale(0) : row.value());
            o.put("windowStart", row.windowStart().toString());
            o.put("windowEnd", row.windowEnd().toString());
            subject.ifPresentOrElse(s -> o.put("subject", s), () -> o.putNull("subject"));
            ObjectNode groupBy = o.putObject("groupBy");
            for (int i = 0; i < dims.size(); i++) {
                Optional<String> v = row.group().get(i);
                if (v.isPresent()) {
                    groupBy.put(dims.get(i), v.get());
                } else {
                    groupBy.putNull(dims.get(i));
                }
            }
        }
    }
}
