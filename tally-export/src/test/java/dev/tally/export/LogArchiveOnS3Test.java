package dev.tally.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.Reconciliation;
import dev.tally.engine.archive.ArchiveSettings;
import dev.tally.engine.archive.Archiver;
import dev.tally.engine.log.DedupSettings;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.secrets.SecretsConfig;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import dev.tally.export.s3.S3ObjectStore;
import dev.tally.export.s3.S3Settings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded log archived to a real S3-compatible server (Adobe S3Mock in this JVM, path-style, random port):
 * read back by reconciliation and by a rebuild from scratch, and a crash between upload and local delete leaves no
 * duplicate object.
 */
class LogArchiveOnS3Test {
    @RegisterExtension
    static final S3MockExtension S3 = S3MockExtension.builder().silent().withSecureConnection(false)
            .withHttpPort(0).withHttpsPort(0).withInitialBuckets("tally-log").build();

    static final String T = Engine.DEFAULT_TENANT;
    static final Instant START = Instant.parse("2026-11-20T12:00:00Z");
    final ManualClock clock = new ManualClock(START);
    final ObjectMapper mapper = Json.newMapper();

    @TempDir
    Path dir;

    static S3ObjectStore s3(String prefix) {
        return new S3ObjectStore(new S3Settings(Optional.of(URI.create("http://127.0.0.1:" + S3.getHttpPort())),
                "us-east-1", "tally-log", prefix, true, Optional.of("test"), Optional.of("test-secret")));
    }

    EngineConfig config(ObjectStore store) {
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(Duration.ofHours(1));
        return new EngineConfig(dir.resolve("data"), limits, Optional.empty(), 4096, Duration.ZERO, Optional.empty(),
                WebhookSettings.MANUAL, SecretsConfig.DEFAULT, DedupSettings.DEFAULTS.withWindow(Duration.ofHours(2)),
                ArchiveSettings.DEFAULTS.withTarget(store).withLocalRetention(Duration.ofHours(1)));
    }

    void fill(Engine e) throws Exception {
        e.createMeter(T, mapper.readTree("{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
        for (int from = 0; from < 400; from += 50) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = from; i < from + 50; i++) {
                sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                        .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(i % 2)
                        .append("\",\"time\":\"").append(START.minusSeconds(600 - i)).append("\",\"data\":{\"n\":")
                        .append(i).append("}}");
            }
            byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
            e.ingest(T, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
        }
    }

    List<String> totals(Engine e) {
        return Stream.of("c0", "c1").map(c -> e.usage(T, new UsageRequest("n", Optional.of(c),
                START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(1)), Window.NONE, ZoneOffset.UTC, List.of(),
                Map.of())).get(0).value().toPlainString()).toList();
    }

    Reconciliation reconcile(Engine e) {
        return e.reconcile(T, START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(1)));
    }

    @Test
    void segmentsArchivedToS3AreReadBackByReconcileAndByARebuildFromScratch() throws Exception {
        List<String> live;
        int archived;
        try (S3ObjectStore store = s3("rebuild"); Engine e = Engine.open(config(store), clock)) {
            fill(e);
            live = totals(e);
            clock.advance(Duration.ofDays(2));
            Archiver.Pass pass = e.retainLog().orElseThrow();
            archived = pass.archived();
            assertThat(archived).isGreaterThan(3);
            assertThat(store.list("log/")).hasSize(archived)
                    .allSatisfy(o -> assertThat(o.key()).matches("log/segment-\\d{10}-[0-9a-f]{64}\\.zlog"));
            Reconciliation r = reconcile(e);
            assertThat(r.differences()).isEmpty();
            assertThat(r.eventsScanned()).isEqualTo(400);
            assertThat(totals(e)).isEqualTo(live);
        }
        try (var files = Files.walk(dir.resolve("data").resolve("checkpoint"))) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        try (S3ObjectStore store = s3("rebuild"); Engine e = Engine.open(config(store), clock)) {
            assertThat(totals(e)).isEqualTo(live);
            assertThat(reconcile(e).differences()).isEmpty();
            assertThat(e.logStorage().orElseThrow().archivedSegments()).isEqualTo(archived);
            assertThat(store.list("log/")).hasSize(archived);
        }
    }

    /** The real S3 store, failing right after its first successful upload: a crash before the manifest is written. */
    static final class CrashAfterFirstUpload implements ObjectStore {
        final S3ObjectStore s3;
        final AtomicInteger puts = new AtomicInteger();

        CrashAfterFirstUpload(S3ObjectStore s3) {
            this.s3 = s3;
        }

        @Override
        public ObjectInfo put(String key, Path source) {
            ObjectInfo info = s3.put(key, source);
            if (puts.incrementAndGet() == 1) {
                throw new IllegalStateException("simulated crash after the upload");
            }
            return info;
        }

        @Override
        public Optional<ObjectInfo> get(String key, Path target) {
            return s3.get(key, target);
        }

        @Override
        public Optional<ObjectInfo> head(String key) {
            return s3.head(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return s3.list(prefix);
        }

        @Override
        public void delete(String key) {
            s3.delete(key);
        }

        @Override
        public String describe() {
            return s3.describe();
        }
    }

    @Test
    void aCrashBetweenUploadAndLocalDeleteLosesNothingAndLeavesNoDuplicateObject() throws Exception {
        List<String> live;
        try (S3ObjectStore s3 = s3("crash")) {
            CrashAfterFirstUpload crashing = new CrashAfterFirstUpload(s3);
            try (Engine e = Engine.open(config(crashing), clock)) {
                fill(e);
                live = totals(e);
                clock.advance(Duration.ofDays(2));
                assertThatThrownBy(() -> e.retainLog()).hasMessageContaining("simulated crash");
                assertThat(s3.list("log/")).hasSize(1);
                assertThat(e.logStorage().orElseThrow().archivedSegments()).isZero();
            }
            CrashAfterFirstUpload counting = new CrashAfterFirstUpload(s3);
            counting.puts.set(1); // no more crashes
            try (Engine e = Engine.open(config(counting), clock)) {
                assertThat(totals(e)).isEqualTo(live);
                int archived = e.retainLog().orElseThrow().archived();
                assertThat(archived).isGreaterThan(3);
                assertThat(counting.puts.get() - 1).as("the uploaded segment is found, not sent again")
                        .isEqualTo(archived - 1);
                assertThat(s3.list("log/")).hasSize(archived);
                assertThat(reconcile(e).differences()).isEmpty();
                assertThat(totals(e)).isEqualTo(live);
            }
        }
    }
}
