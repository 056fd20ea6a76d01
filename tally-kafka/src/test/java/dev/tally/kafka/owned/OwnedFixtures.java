package dev.tally.kafka.owned;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.event.CloudEventReader;
import dev.tally.engine.Engine;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Events, sends and waits shared by the partition-owned mode's tests. */
final class OwnedFixtures {
    static final String T = Engine.DEFAULT_TENANT;
    static final int CUSTOMERS = 20;
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");

    private OwnedFixtures() {
    }

    static String customer(int n) {
        return String.format("cust-%02d", n % CUSTOMERS);
    }

    static int tokens(int n) {
        return 1 + n % 7;
    }

    static String event(int n) {
        Instant at = NOV_1.plus(Duration.ofMinutes(37L * n % (13 * 24 * 60)));
        return "{\"specversion\":\"1.0\",\"id\":\"ev-" + n + "\",\"source\":\"//api\",\"type\":\"api_call\","
                + "\"subject\":\"" + customer(n) + "\",\"time\":\"" + at + "\",\"data\":{\"tokens\":" + tokens(n) + "}}";
    }

    static IngestResult send(Engine e, List<Integer> ns) {
        StringBuilder body = new StringBuilder("[");
        for (int n : ns) {
            body.append(body.length() > 1 ? "," : "").append(event(n));
        }
        byte[] bytes = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
        return e.ingest(T, e.eventReader().read(bytes, CloudEventReader.BodyShape.BATCH));
    }

    static UsageRequest total(String meter, String customer) {
        return new UsageRequest(meter, Optional.of(customer), NOV_1, DEC_1, Window.NONE, ZoneOffset.UTC, List.of(),
                Map.of());
    }

    static UsageRequest tenantTotal(String meter) {
        return new UsageRequest(meter, Optional.empty(), NOV_1, DEC_1, Window.NONE, ZoneOffset.UTC, List.of(), Map.of());
    }

    static UsageRow only(List<UsageRow> rows) {
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The topic's end offsets now. */
    static Map<Integer, Long> endOffsets(Map<String, Object> client, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(client)) {
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                q.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(q).all().get(30, TimeUnit.SECONDS).forEach((tp, i) -> out.put(tp.partition(), i.offset()));
            return out;
        }
    }
}
