package dev.tally.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.exportschedule.StoredSchedule;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.export.s3.S3ObjectStore;
import dev.tally.export.s3.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tenants' daily exports as configured through the API. A schedule is JSON:
 * {@code {"destination":{"type":"directory","path":"acme"} | {"type":"s3","bucket":..,"region":..,"endpoint":..,
 * "path_style":true,"prefix":..,"access_key_id":..,"secret_access_key":..}, "datasets":["events","usage"],
 * "format":"parquet", "meters":[], "time_zone":"UTC"}}. A directory path is relative to the server's export root
 * (a tenant never names an arbitrary server path). {@link #runDue} exports every day after the last one exported up
 * to yesterday in the schedule's zone (at most {@link #MAX_CATCH_UP} days), each day idempotently.
 */
public final class ScheduledExports {
    public static final int MAX_CATCH_UP = 7;
    private final Engine engine;
    private final ObjectMapper mapper;
    private final Path exportRoot;
    private final Clock clock;

    public ScheduledExports(Engine engine, ObjectMapper mapper, Path exportRoot, Clock clock) {
        this.engine = engine;
        this.mapper = mapper;
        this.exportRoot = exportRoot;
        this.clock = clock;
    }

    /** The validated schedule without its secret, and the secret if the body has one. */
    public record Parsed(ObjectNode config, Optional<String> secret) {
    }

    public Parsed parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object");
        }
        ObjectNode config = body.deepCopy();
        JsonNode dest = config.path("destination");
        Optional<String> secret = Optional.empty();
        switch (dest.path("type").asText("")) {
            case "directory" -> directory(dest.path("path").asText(""));
            case "s3" -> {
                ObjectNode d = (ObjectNode) dest;
                if (d.hasNonNull("secret_access_key")) {
                    secret = Optional.of(d.get("secret_access_key").asText());
                    d.remove("secret_access_key");
                }
                s3Settings(d, secret.or(() -> Optional.of("x")));
            }
            default -> throw new ValidationException("destination.type", "must be directory or s3");
        }
        schedule(config);
        return new Parsed(config, secret);
    }

    private Path directory(String rel) {
        if (rel.isEmpty()) {
            throw new ValidationException("destination.path", "is required");
        }
        Path root = exportRoot.toAbsolutePath().normalize();
        Path p = root.resolve(rel).normalize();
        if (Path.of(rel).isAbsolute() || !p.startsWith(root)) {
            throw new ValidationException("destination.path", "must be a relative path inside the export root");
        }
        return p;
    }

    static S3Settings s3Settings(JsonNode d, Optional<String> secret) {
        try {
            Optional<String> keyId = Optional.ofNullable(d.path("access_key_id").textValue());
            return new S3Settings(Optional.ofNullable(d.path("endpoint").textValue()).map(URI::create),
                    d.path("region").asText("us-east-1"), d.path("bucket").asText(""), d.path("prefix").asText(""),
                    d.path("path_style").asBoolean(false), keyId, keyId.isPresent() ? secret : Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new ValidationException("destination", e.getMessage());
        }
    }

    static DailySchedule schedule(JsonNode config) {
        Set<Dataset> datasets = EnumSet.noneOf(Dataset.class);
        for (JsonNode d : config.path("datasets")) {
            Dataset ds = Dataset.fromWireName(d.asText()).filter(x -> x != Dataset.INVOICE_LINES)
                    .orElseThrow(() -> new ValidationException("datasets", "must be events and/or usage"));
            datasets.add(ds);
        }
        if (datasets.isEmpty()) {
            throw new ValidationException("datasets", "must name events and/or usage");
        }
        ExportFormat format = ExportFormat.fromWireName(config.path("format").asText("parquet"))
                .orElseThrow(() -> new ValidationException("format", "must be csv, jsonl or parquet"));
        List<String> meters = new ArrayList<>();
        config.path("meters").forEach(m -> meters.add(m.asText()));
        ZoneId zone;
        try {
            zone = ZoneId.of(config.path("time_zone").asText("UTC"));
        } catch (DateTimeException e) {
            throw new ValidationException("time_zone", "is not an IANA time zone");
        }
        return new DailySchedule(datasets, format, meters, zone);
    }

    ObjectStore store(String tenant, JsonNode config) {
        JsonNode d = config.path("destination");
        if (d.path("type").asText().equals("directory")) {
            return new DirectoryObjectStore(directory(d.path("path").asText()));
        }
        return new S3ObjectStore(s3Settings(d, engine.exportSchedules().secret(tenant)));
    }

    /** Exports the due days of the tenant's schedule; returns the objects written or confirmed. */
    public List<ObjectInfo> runDue(String tenant) {
        Optional<StoredSchedule> stored = engine.exportSchedules().get(tenant);
        if (stored.isEmpty()) {
            return List.of();
        }
        DailySchedule s = schedule(stored.get().config());
        LocalDate last = DailyExports.previousDay(clock, s);
        LocalDate first = stored.get().lastDay().map(d -> d.plusDays(1)).orElse(last);
        if (first.isBefore(last.minusDays(MAX_CATCH_UP - 1))) {
            first = last.minusDays(MAX_CATCH_UP - 1);
        }
        List<ObjectInfo> out = new ArrayList<>();
        ObjectStore store = store(tenant, stored.get().config());
        try {
            DailyExports daily = new DailyExports(engine, mapper, exportRoot.resolve(".staging"));
            for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
                out.addAll(daily.run(tenant, day, s, store));
                engine.exportSchedules().markExported(tenant, day);
            }
        } finally {
            if (store instanceof S3ObjectStore s3) {
                s3.close();
            }
        }
        return out;
    }

    /** The schedule as the API shows it: its JSON (never the secret), whether a secret is stored, the last day. */
    public ObjectNode view(StoredSchedule s) {
        ObjectNode o = mapper.createObjectNode();
        o.setAll((ObjectNode) s.config().deepCopy());
        if (o.path("destination").isObject()) {
            ((ObjectNode) o.get("destination")).put("has_secret", s.hasSecret());
        }
        o.put("last_exported_day", s.lastDay().map(LocalDate::toString).orElse(null));
        return o;
    }

    static ArrayNode keys(ObjectMapper mapper, List<ObjectInfo> objects) {
        ArrayNode a = mapper.createArrayNode();
        objects.forEach(i -> a.addObject().put("key", i.key()).put("bytes", i.size()).put("sha256", i.sha256()));
        return a;
    }

    /** The objects as JSON, for the run route. */
    public ArrayNode describe(List<ObjectInfo> objects) {
        return keys(mapper, objects);
    }
}
