package dev.tally.engine.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.secrets.SecretBox;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.MetadataStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deliverer's rules below the HTTP API: the Standard Webhooks signature (the specification's test
 * vector), which addresses are internal, the address check repeated at every attempt (DNS answers change),
 * and claims that let several processes on one PostgreSQL send each delivery once.
 */
class WebhookDeliveryRulesTest {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    /** The secrets key of these tests' webhook stores (both "processes" share it, as they must). */
    static final SecretBox BOX = new SecretBox(new byte[32]);

    @TempDir
    Path dir;

    @Test
    void signaturesMatchTheStandardWebhooksTestVector() {
        String body = "{\"test\": 2432232314}";
        assertThat(Signatures.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L, body.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        String header = Signatures.header(List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Signatures.newSecret()),
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, body.getBytes(StandardCharsets.UTF_8));
        assertThat(header).startsWith("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,");
        assertThat(java.util.Base64.getDecoder().decode(Signatures.newSecret().substring(6))).hasSize(32);
    }

    @Test
    void internalAddressesAreNamedAndPublicOnesPass() throws Exception {
        Map<String, String> internal = Map.ofEntries(Map.entry("10.0.0.1", "private"), Map.entry("172.31.255.1", "private"),
                Map.entry("192.168.0.10", "private"), Map.entry("127.0.0.1", "loopback"), Map.entry("127.9.9.9", "loopback"),
                Map.entry("169.254.169.254", "link-local"), Map.entry("0.0.0.0", "unspecified"),
                Map.entry("0.1.2.3", "unspecified"), Map.entry("224.0.0.251", "multicast"),
                Map.entry("100.100.0.1", "shared (carrier-grade NAT)"), Map.entry("255.255.255.255", "broadcast"),
                Map.entry("::1", "loopback"), Map.entry("::", "unspecified"), Map.entry("fe80::1", "link-local"),
                Map.entry("fc00::1", "private"), Map.entry("fdff:ffff::1", "private"), Map.entry("ff02::1", "multicast"),
                Map.entry("::ffff:10.0.0.1", "private"), Map.entry("64:ff9b::7f00:1", "loopback"));
        for (Map.Entry<String, String> e : internal.entrySet()) {
            assertThat(Destinations.forbidden(InetAddress.getByName(e.getKey()))).as(e.getKey()).contains(e.getValue());
        }
        for (String pub : List.of("93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1")) {
            assertThat(Destinations.forbidden(InetAddress.getByName(pub))).as(pub).isEmpty();
        }
        // every address a name resolves to must be public
        Destinations d = new Destinations(false, host -> new InetAddress[] {InetAddress.getByName("93.184.216.34"),
                InetAddress.getByName("10.0.0.1")});
        assertThat(d.refusal(Destinations.parse("https://hooks.example.com/x"))).get().asString().contains("10.0.0.1");
        assertThat(new Destinations(true, host -> new InetAddress[0]).refusal(Destinations.parse("http://x/")))
                .isEmpty();
    }

    @Test
    void aHostThatResolvesToALoopbackAddressAtDeliveryIsRefusedWithoutARequest() throws Exception {
        ManualClock clock = new ManualClock(T0);
        AtomicReference<String> answer = new AtomicReference<>("93.184.216.34");
        AtomicInteger requests = new AtomicInteger();
        HttpServer receiver = receiver(requests, new ConcurrentHashMap<>());
        try (Database db = Database.open(dir.resolve("tally.db"));
                Webhooks webhooks = new Webhooks(db, clock, WebhookSettings.MANUAL, BOX,
                        host -> new InetAddress[] {InetAddress.getByName(answer.get())})) {
            new MetadataStore(db).createTenant("t1", "Tenant 1", T0);
            int port = receiver.getAddress().getPort();
            WebhookEndpoint ep = webhooks.createEndpoint("t1", "http://hooks.example.com:" + port + "/x", List.of(), "")
                    .endpoint();
            answer.set("127.0.0.1");
            record(db, "t1", 1);
            assertThat(webhooks.deliverDue()).isEqualTo(1);
            WebhookDelivery d = webhooks.deliveries("t1", Optional.of(ep.id()), 10).get(0);
            assertThat(d.attempts()).hasSize(1);
            assertThat(d.attempts().get(0).statusCode()).isEmpty();
            assertThat(d.attempts().get(0).error()).get().asString().startsWith("refused:").contains("loopback")
                    .contains("127.0.0.1");
            assertThat(d.status()).isEqualTo(WebhookDelivery.Status.PENDING);
            assertThat(d.nextAttemptAt()).contains(T0.plusSeconds(5));
            assertThat(requests.get()).isZero();
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void twoProcessesOnOnePostgresSendEachDeliveryOnce() throws Exception {
        String url = TestDatabases.createMigrated();
        ManualClock clock = new ManualClock(T0);
        AtomicInteger requests = new AtomicInteger();
        Map<String, Integer> perMessage = new ConcurrentHashMap<>();
        HttpServer receiver = receiver(requests, perMessage);
        WebhookSettings settings = WebhookSettings.MANUAL.withAllowPrivateAddresses(true);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Database a = Database.postgres(url); Database b = Database.postgres(url);
                Webhooks first = new Webhooks(a, clock, settings, BOX);
                Webhooks second = new Webhooks(b, clock, settings, BOX)) {
            new MetadataStore(a).createTenant("t1", "Tenant 1", T0);
            first.createEndpoint("t1", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/one", List.of(), "");
            first.createEndpoint("t1", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/two", List.of(), "");
            int messages = 60;
            record(a, "t1", messages);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> runs = new ArrayList<>();
            for (Webhooks w : List.of(first, second)) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return w.deliverDue();
                }));
            }
            go.countDown();
            int attempts = 0;
            for (Future<Integer> f : runs) {
                attempts += f.get();
            }
            assertThat(attempts).isEqualTo(2 * messages);
            assertThat(requests.get()).isEqualTo(2 * messages);
            assertThat(perMessage).hasSize(2 * messages);
            assertThat(perMessage.values()).containsOnly(1);
            assertThat(first.deliverDue() + second.deliverDue()).isZero();
        } finally {
            pool.shutdownNow();
            receiver.stop(0);
            TestDatabases.drop(url);
        }
    }

    /** Records n messages in one transaction, as a producer does. */
    static void record(Database db, String tenant, int n) {
        db.inTransaction(c -> {
            for (int i = 0; i < n; i++) {
                Outbox.record(c, tenant, WebhookEventTypes.INVOICE_PAID,
                        JsonNodeFactory.instance.objectNode().put("id", "inv_" + i), T0);
            }
            return null;
        });
    }

    /** A receiver on loopback counting requests, and requests per (path, webhook-id). */
    static HttpServer receiver(AtomicInteger requests, Map<String, Integer> perMessage) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            perMessage.merge(ex.getRequestURI().getPath() + " " + ex.getRequestHeaders().getFirst("webhook-id"), 1,
                    Integer::sum);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        s.start();
        return s;
    }
}
