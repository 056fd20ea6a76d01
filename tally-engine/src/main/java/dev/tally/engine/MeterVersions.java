package dev.tally.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import dev.tally.core.meter.MeterJson;
import dev.tally.engine.ingest.Catalogs;
import dev.tally.engine.ingest.IngestPipeline;
import dev.tally.engine.ingest.LogScans;
import dev.tally.engine.store.MetadataStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meter definitions and their versions: each change is a new version in force from its effective_from, stored
 * and then built from the log on the writer thread, so no event is counted under a half-installed meter.
 */
final class MeterVersions {
    private static final Logger LOG = LoggerFactory.getLogger(MeterVersions.class);
    private final MetadataStore meta;
    private final Catalogs catalogs;
    private final IngestPipeline pipeline;
    private final LogScans scans;
    private final Clock clock;

    MeterVersions(MetadataStore meta, Catalogs catalogs, IngestPipeline pipeline, LogScans scans, Clock clock) {
        this.meta = meta;
        this.catalogs = catalogs;
        this.pipeline = pipeline;
        this.scans = scans;
        this.clock = clock;
    }

    Meter create(String tenant, JsonNode body, boolean shared) {
        return pipeline.exclusive(() -> {
            refresh(shared);
            Meter m = MeterJson.read(body, Optional.empty(), 1, Instant.EPOCH);
            if (catalogs.get(tenant).latest(m.key()).isPresent()) {
                throw new MeterConflictException("meter '" + m.key() + "' exists; change it with PUT /v1/meters/" + m.key());
            }
            return store(tenant, m);
        });
    }

    Meter put(String tenant, String key, JsonNode body, boolean shared) {
        return pipeline.exclusive(() -> {
            refresh(shared);
            Optional<Meter> current = catalogs.get(tenant).latest(key);
            if (current.isEmpty()) {
                return store(tenant, MeterJson.read(body, Optional.of(key), 1, Instant.EPOCH));
            }
            Meter m = MeterJson.read(body, Optional.of(key), current.get().version() + 1, clock.instant());
            if (m.sameDefinition(current.get())) {
                return current.get();
            }
            if (m.aggregation() != current.get().aggregation()) {
                throw new MeterConflictException("a meter's aggregation cannot change; create a new meter");
            }
            if (!m.effectiveFrom().isAfter(current.get().effectiveFrom())) {
                throw new MeterConflictException("effective_from must be after the current version's ("
                        + current.get().effectiveFrom() + ")");
            }
            return store(tenant, m);
        });
    }

    /** Meters-as-code: creates missing meters, adds a version where a definition changed; returns those. */
    List<Meter> sync(String tenant, List<JsonNode> definitions, boolean shared) {
        List<Meter> changed = new ArrayList<>();
        for (JsonNode d : definitions) {
            String key = d.path("key").asText("");
            Optional<Meter> before = catalogs.get(tenant).latest(key);
            Meter after = before.isEmpty() ? create(tenant, d, shared) : put(tenant, key, d, shared);
            if (before.isEmpty() || before.get().version() != after.version()) {
                changed.add(after);
            }
        }
        return changed;
    }

    /** On a shared store, reloads (and rebuilds) the meters another process changed; on the writer thread. */
    void refresh(boolean shared) {
        if (!shared) {
            return;
        }
        for (Map.Entry<String, Long> g : meta.meterGenerations().entrySet()) {
            if (catalogs.get(g.getKey()).generation() != g.getValue()) {
                MeterCatalog fresh = new MeterCatalog(g.getValue(), meta.meters(g.getKey()));
                catalogs.put(g.getKey(), fresh);
                fresh.versionsByKey().keySet().forEach(k -> scans.rebuild(g.getKey(), k));
            }
        }
    }

    private Meter store(String tenant, Meter m) {
        long generation = meta.addMeterVersion(tenant, m, clock.instant());
        catalogs.put(tenant, new MeterCatalog(generation, meta.meters(tenant)));
        long started = System.nanoTime();
        scans.rebuild(tenant, m.key());
        LOG.info("meter {} v{} of tenant {} built from the log in {} ms", m.key(), m.version(), tenant,
                (System.nanoTime() - started) / 1_000_000);
        return m;
    }
}
