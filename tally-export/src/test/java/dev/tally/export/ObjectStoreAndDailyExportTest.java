package dev.tally.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.objectstore.ChecksumMismatchException;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.export.s3.S3ObjectStore;
import dev.tally.export.s3.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The same contract on a directory and on a real S3-compatible server (Adobe S3Mock, in this JVM, random port). */
class ObjectStoreAndDailyExportTest {
    @RegisterExtension
    static final S3MockExtension S3 = S3MockExtension.builder().silent().withSecureConnection(false)
            .withHttpPort(0).withHttpsPort(0).withInitialBuckets("tally-exports").build();

    @TempDir
    static Path dir;
    static ExportFixture f;

    @BeforeAll
    static void open() throws Exception {
        f = new ExportFixture(dir.resolve("data"));
        f.send(0, 500);
    }

    @AfterAll
    static void close() {
        f.close();
    }

    static S3ObjectStore s3(String prefix) {
        return new S3ObjectStore(new S3Settings(Optional.of(URI.create("http://127.0.0.1:" + S3.getHttpPort())),
                "us-east-1", "tally-exports", prefix, true, Optional.of("test"), Optional.of("test-secret")));
    }

    static Stream<ObjectStore> stores() {
        return Stream.of(new DirectoryObjectStore(dir.resolve("store-" + System.nanoTime())),
                s3("p" + System.nanoTime()));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void putGetListDeleteVerifyChecksums(ObjectStore store) throws Exception {
        Path src = Files.writeString(dir.resolve("src.txt"), "hello, objects\n");
        ObjectInfo put = store.put("a/b/c.txt", src);
        assertThat(put.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest("hello, objects\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        store.put("a/d.txt", src);
        assertThat(store.list("a/")).extracting(ObjectInfo::key).containsExactly("a/b/c.txt", "a/d.txt");
        Path back = dir.resolve("back.txt");
        assertThat(store.get("a/b/c.txt", back)).contains(put);
        assertThat(Files.readString(back)).isEqualTo("hello, objects\n");
        assertThat(store.head("a/b/c.txt")).contains(put);
        store.delete("a/d.txt");
        store.delete("a/never");
        assertThat(store.list("a/")).extracting(ObjectInfo::key).containsExactly("a/b/c.txt");
        assertThat(store.get("missing", back)).isEmpty();
        assertThatThrownBy(() -> store.put("../escape", src)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDirectoryObjectChangedBehindItsBackFailsVerification() throws Exception {
        Path root = dir.resolve("tamper");
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        store.put("x.bin", Files.writeString(dir.resolve("x"), "original"));
        Files.writeString(root.resolve("x.bin"), "tampered");
        assertThatThrownBy(() -> store.get("x.bin", dir.resolve("y"))).isInstanceOf(ChecksumMismatchException.class);
    }

    @Test
    void dailyExportToS3WritesOneObjectPerDatasetAndAManifestAndIsIdempotent() throws Exception {
        try (S3ObjectStore store = s3("exports")) {
            DailyExports daily = new DailyExports(f.engine, f.mapper, dir.resolve("staging"));
            DailySchedule s = new DailySchedule(Set.of(Dataset.EVENTS, Dataset.USAGE), ExportFormat.PARQUET, List.of(),
                    ZoneId.of("UTC"));
            LocalDate day = LocalDate.of(2026, 11, 19);
            List<ObjectInfo> first = daily.run(ExportFixture.T, day, s, store);
            assertThat(first).extracting(ObjectInfo::key).containsExactly(
                    "tenant=default/date=2026-11-19/events.parquet", "tenant=default/date=2026-11-19/usage-tokens.parquet",
                    "tenant=default/date=2026-11-19/manifest.json");
            List<ObjectInfo> again = daily.run(ExportFixture.T, day, s, store);
            assertThat(again).isEqualTo(first);
            assertThat(store.list("tenant=default/")).hasSize(3);
            assertThat(Files.list(dir.resolve("staging"))).isEmpty();

            Path manifest = dir.resolve("manifest.json");
            store.get("tenant=default/date=2026-11-19/manifest.json", manifest);
            JsonNode m = f.mapper.readTree(manifest.toFile());
            assertThat(m.get("objects").get(0).get("sha256").asText()).isEqualTo(first.get(0).sha256());
            long rowsInManifest = m.get("objects").get(0).get("rows").asLong();

            Path events = dir.resolve("events.parquet");
            store.get("tenant=default/date=2026-11-19/events.parquet", events);
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                    ResultSet rs = c.createStatement().executeQuery("SELECT count(*), min(time), max(time) FROM "
                            + "read_parquet('" + events + "')")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(rowsInManifest).isEqualTo(500L);
            }
        }
    }

    @Test
    void dailyExportsThePreviousDayInTheScheduleZone() {
        DailySchedule s = new DailySchedule(Set.of(Dataset.EVENTS), ExportFormat.JSONL, List.of(),
                ZoneId.of("America/New_York"));
        // 2026-11-21T00:00Z is still the 20th in New York
        assertThat(DailyExports.previousDay(java.time.Clock.fixed(ExportFixture.NOW, java.time.ZoneOffset.UTC), s))
                .isEqualTo(LocalDate.of(2026, 11, 19));
    }
}
