package dev.tally.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.objectstore.Sha256;
import dev.tally.engine.usage.Window;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes one tenant's day to an object store: one object per dataset (and per meter for usage, hourly windows), at
 * {@code tenant=<t>/date=<yyyy-mm-dd>/<dataset>[-<meter>].<ext>}, then {@code manifest.json} beside them listing
 * each object's key, rows, size and SHA-256. Each object is written completely to a local temporary file first and
 * put only then (so a crash mid-export leaves nothing new visible), and skipped when the store already holds the same
 * bytes (re-runs are idempotent: same keys, same content, the manifest last). The manifest's presence means the day
 * is complete.
 */
public final class DailyExports {
    private final Engine engine;
    private final Exports exports;
    private final ObjectMapper mapper;
    private final Path staging;

    /** {@code staging} is a local directory for the temporary files (the engine's data directory is a good parent). */
    public DailyExports(Engine engine, ObjectMapper mapper, Path staging) {
        this.engine = engine;
        this.exports = new Exports(engine, mapper);
        this.mapper = mapper;
        this.staging = staging;
    }

    /** The previous calendar day in the schedule's zone, as of {@code clock}. */
    public static LocalDate previousDay(Clock clock, DailySchedule s) {
        return LocalDate.ofInstant(clock.instant(), s.zone()).minusDays(1);
    }

    static String prefix(String tenant, LocalDate day) {
        return "tenant=" + tenant + "/date=" + day;
    }

    /** Exports the day; returns the objects written or confirmed, the manifest last. */
    public List<ObjectInfo> run(String tenant, LocalDate day, DailySchedule s, ObjectStore store) {
        Instant from = day.atStartOfDay(s.zone()).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(s.zone()).toInstant();
        List<ObjectInfo> out = new ArrayList<>();
        ObjectNode manifest = mapper.createObjectNode();
        manifest.put("tenant", tenant).put("date", day.toString()).put("time_zone", s.zone().getId())
                .put("from", from.toString()).put("to", to.toString()).put("format", s.format().wireName())
                .put("columns_version", 1);
        ArrayNode objects = manifest.putArray("objects");
        try {
            Files.createDirectories(staging);
            if (s.datasets().contains(Dataset.EVENTS)) {
                ExportRequest r = ExportRequest.events(s.format(), from, to, Optional.empty(), ExportRequest.MAX_LIMIT);
                out.add(put(store, prefix(tenant, day) + "/events." + s.format().extension(), tenant, r, objects));
            }
            if (s.datasets().contains(Dataset.USAGE)) {
                List<String> meters = s.meters().isEmpty()
                        ? engine.meters(tenant).versionsByKey().keySet().stream().sorted().toList() : s.meters();
                for (String m : meters) {
                    ExportRequest r = ExportRequest.usage(s.format(), m, Window.HOUR, s.zone(), from, to,
                            Optional.empty(), ExportRequest.MAX_LIMIT);
                    out.add(put(store, prefix(tenant, day) + "/usage-" + m + "." + s.format().extension(), tenant, r,
                            objects));
                }
            }
            Path tmp = Files.createTempFile(staging, "manifest", ".json");
            try {
                Files.write(tmp, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
                out.add(putIfChanged(store, prefix(tenant, day) + "/manifest.json", tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectInfo put(ObjectStore store, String key, String tenant, ExportRequest r, ArrayNode objects)
            throws IOException {
        Path tmp = Files.createTempFile(staging, "export", ".part");
        try {
            ExportPage page;
            try (OutputStream o = Files.newOutputStream(tmp)) {
                page = exports.write(tenant, r, o);
            }
            ObjectInfo info = putIfChanged(store, key, tmp);
            objects.addObject().put("key", key).put("dataset", r.dataset().wireName())
                    .put("meter", r.meter().orElse(null)).put("rows", page.rows()).put("bytes", info.size())
                    .put("sha256", info.sha256());
            return info;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static ObjectInfo putIfChanged(ObjectStore store, String key, Path file) {
        String sha = Sha256.of(file);
        Optional<ObjectInfo> there = store.head(key);
        if (there.isPresent() && there.get().sha256().equals(sha)) {
            return there.get();
        }
        return store.put(key, file);
    }

}
