package dev.tally.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportsTest {
    @TempDir
    Path dir;
    ExportFixture f;

    @BeforeEach
    void open() throws Exception {
        f = new ExportFixture(dir.resolve("data"));
        f.send(0, 200);
        f.engine.cancel(ExportFixture.T, "app", "e3");
    }

    @AfterEach
    void close() {
        f.close();
    }

    String text(ExportRequest r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.exports().write(ExportFixture.T, r, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    ExportRequest events(ExportFormat fmt, Optional<String> cursor, long limit) {
        return ExportRequest.events(fmt, ExportFixture.DAY1, ExportFixture.NOW, cursor, limit);
    }

    @Test
    void eventsCsvHasTheStableColumnsAndOneRowPerStoredEventWithItsCancel() {
        String csv = text(events(ExportFormat.CSV, Optional.empty(), 1000));
        String[] lines = csv.split("\r\n");
        assertThat(lines[0]).isEqualTo("tenant,position,source,id,type,subject,time,received_at,status,cancelled,data");
        assertThat(lines).hasSize(201);
        assertThat(lines[1]).matches("default,\\d+,app,e0,llm,c0,2026-11-19T00:00:00.000000Z,"
                + "2026-11-21T00:00:00.000000Z,accepted,false,\"\\{\"\"tokens\"\":0.5,\"\"model\"\":\"\"big\"\"\\}\"");
        assertThat(csv).contains(",app,e3,llm,c3,").containsOnlyOnce("cancelled,true");
    }

    @Test
    void usageColumnsAreStable() {
        assertThat(Dataset.USAGE.columns().stream().map(Column::name).toList()).containsExactly("tenant", "meter",
                "customer", "window", "window_start", "window_end", "group", "value", "events");
        assertThat(ParquetRowWriter.schema(Dataset.USAGE).toString()).contains(
                "required fixed_len_byte_array(16) value (DECIMAL(38,12))",
                "required int64 window_start (TIMESTAMP(MICROS,true))", "required binary group (JSON)");
    }

    @Test
    void invoiceLineColumnsAreStable() {
        assertThat(Dataset.INVOICE_LINES.columns().stream().map(Column::name).toList()).containsExactly("tenant",
                "invoice_id", "invoice_number", "customer", "subscription_id", "invoice_status", "currency",
                "period_start", "period_end", "finalized_at", "invoice_total", "line_id", "kind", "charge_key",
                "description", "meter", "quantity", "unit_price", "amount", "event_count", "line_period_start",
                "line_period_end");
    }

    @Test
    void pagesResumedByCursorConcatenateToTheWholeExport() {
        String whole = text(events(ExportFormat.JSONL, Optional.empty(), 1000));
        StringBuilder paged = new StringBuilder();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ExportPage p = f.exports().write(ExportFixture.T, events(ExportFormat.JSONL, cursor, 33), out);
            assertThat(p.rows()).isLessThanOrEqualTo(33);
            paged.append(out.toString(StandardCharsets.UTF_8));
            cursor = p.nextCursor();
            pages++;
        } while (cursor.isPresent());
        assertThat(pages).isEqualTo(7);
        assertThat(paged.toString()).isEqualTo(whole);
        assertThat(whole.split("\n")).hasSize(200);
    }

    @Test
    void usageJsonlPagesByCustomerAndMatchesTheUsageApi() throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ExportPage p = f.exports().write(ExportFixture.T, ExportRequest.usage(ExportFormat.JSONL, "tokens",
                    Window.DAY, ZoneOffset.UTC, ExportFixture.DAY1, ExportFixture.NOW, cursor, 3), out);
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                rows.add(f.mapper.readTree(line));
            }
            cursor = p.nextCursor();
        } while (cursor.isPresent());
        BigDecimal exported = rows.stream().map(r -> new BigDecimal(r.get("value").asText()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(exported).isEqualByComparingTo(apiTotal());
        assertThat(rows).extracting(r -> r.get("customer").asText()).containsOnly("c0", "c1", "c2", "c3", "c4",
                "c5", "c6");
        assertThat(rows.get(0).get("group").has("model")).isTrue();
    }

    BigDecimal apiTotal() {
        return f.engine.usage(ExportFixture.T, new UsageRequest("tokens", Optional.empty(), ExportFixture.DAY1,
                ExportFixture.NOW, Window.NONE, ZoneOffset.UTC, List.of(), Map.of())).stream()
                .map(UsageRow::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Test
    void parquetReadBackByDuckDbHasTheUsageApiTotalsAndTypedColumns() throws Exception {
        Path usage = dir.resolve("usage.parquet");
        Path events = dir.resolve("events.parquet");
        try (var out = Files.newOutputStream(usage)) {
            f.exports().write(ExportFixture.T, ExportRequest.usage(ExportFormat.PARQUET, "tokens", Window.HOUR,
                    ZoneOffset.UTC, ExportFixture.DAY1, ExportFixture.NOW, Optional.empty(), 1_000_000), out);
        }
        try (var out = Files.newOutputStream(events)) {
            f.exports().write(ExportFixture.T, events(ExportFormat.PARQUET, Optional.empty(), 1_000_000), out);
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sum(value), sum(events), typeof(sum(value)) FROM read_parquet('"
                    + usage + "')")) {
                rs.next();
                assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(apiTotal());
                assertThat(rs.getLong(2)).isEqualTo(199);
                assertThat(rs.getString(3)).isEqualTo("DECIMAL(38,12)");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE cancelled), "
                    + "sum(CAST(json_extract(data, '$.tokens') AS DECIMAL(18,1))) FILTER (WHERE NOT cancelled), "
                    + "typeof(min(time)) FROM read_parquet('" + events + "')")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(200);
                assertThat(rs.getLong(2)).isEqualTo(1);
                assertThat(rs.getBigDecimal(3)).isEqualByComparingTo(apiTotal());
                assertThat(rs.getString(4)).isEqualTo("TIMESTAMP WITH TIME ZONE");
            }
        }
    }

    @Test
    void refusesADecimalItCannotWriteExactly() {
        assertThat(ParquetRowWriter.decimal(new BigDecimal("-1.5"))).hasSize(16);
        assertThat(new java.math.BigInteger(ParquetRowWriter.decimal(new BigDecimal("-1.5"))))
                .isEqualTo(new BigDecimal("-1.500000000000").unscaledValue());
        assertThatThrownBy(() -> ParquetRowWriter.decimal(new BigDecimal("0.0000000000001")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAForgedUsageCursor() {
        assertThatThrownBy(() -> f.exports().check(ExportFixture.T, ExportRequest.usage(ExportFormat.CSV, "tokens",
                Window.DAY, ZoneOffset.UTC, ExportFixture.DAY1, ExportFixture.NOW, Optional.of("x"), 10)))
                .isInstanceOf(dev.tally.core.validation.ValidationException.class);
    }
}
