package dev.tally.engine.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tally.core.time.ManualClock;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.MetadataStore;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The address rules beyond the private ranges: this server's own interface addresses, the documentation
 * ranges (RFC 5737 TEST-NETs, 2001:db8::/32), the 6to4 relay anycast, Teredo, and 6to4 addresses judged by
 * the IPv4 address they embed; each refused when an endpoint is registered and again when a message is sent.
 */
class WebhookDestinationsTest {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final InetAddress PUBLIC = address("93.184.216.34");

    @TempDir
    Path dir;

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Optional<String> kind(String literal) {
        return Destinations.forbidden(address(literal));
    }

    @Test
    void theRfc5737TestNetsAreRefusedAndTheirNeighboursPass() {
        for (String a : List.of("192.0.2.0", "192.0.2.1", "192.0.2.255", "198.51.100.7", "198.51.100.255",
                "203.0.113.1", "203.0.113.255")) {
            assertThat(kind(a)).as(a).contains("documentation (TEST-NET)");
        }
        for (String a : List.of("192.0.3.1", "192.0.1.1", "198.51.99.1", "198.51.101.1", "203.0.112.1", "203.0.114.1")) {
            assertThat(kind(a)).as(a).isEmpty();
        }
    }

    @Test
    void theSixToFourRelayAnycastRangeIsRefused() {
        assertThat(kind("192.88.99.1")).as("192.88.99.1").get().asString().contains("6to4 relay");
        assertThat(kind("192.88.99.255")).as("192.88.99.255").get().asString().contains("6to4 relay");
        assertThat(kind("192.88.98.1")).isEmpty();
        assertThat(kind("192.88.100.1")).isEmpty();
    }

    @Test
    void sixToFourAddressesAreJudgedByTheIpv4AddressTheyEmbed() {
        Map<String, String> refused = Map.of(
                "2002:0a00:0001::1", "private",            // 10.0.0.1
                "2002:7f00:0001::", "loopback",            // 127.0.0.1
                "2002:a9fe:a9fe::1", "link-local",         // 169.254.169.254
                "2002:c000:0201::1", "documentation",      // 192.0.2.1
                "2002:c058:6301::1", "6to4 relay",         // 192.88.99.1
                "2002:c0a8:0001::", "private");            // 192.168.0.1
        refused.forEach((a, inner) -> assertThat(kind(a)).as(a).get().asString().startsWith("6to4 (2002::/16)")
                .contains(inner));
        assertThat(kind("2002:5db8:d822::1")).as("6to4 of the public 93.184.216.34").isEmpty();
        assertThat(Destinations.forbidden(address("2002:5db8:d822::1"), Set.of(PUBLIC)))
                .as("6to4 of one of this server's own addresses").get().asString().contains("local interface");
    }

    @Test
    void teredoAndIpv6DocumentationAddressesAreRefused() {
        assertThat(kind("2001:0:4136:e378:8000:63bf:3fff:fdd2")).contains("Teredo tunnel (2001::/32)");
        assertThat(kind("2001::1")).contains("Teredo tunnel (2001::/32)");
        assertThat(kind("2001:0:ffff:ffff::1")).contains("Teredo tunnel (2001::/32)");
        assertThat(kind("2001:db8::1")).contains("documentation (2001:db8::/32)");
        for (String pub : List.of("2001:1::1", "2001:4860:4860::8888", "2606:2800:220:1::1", "2003::1")) {
            assertThat(kind(pub)).as(pub).isEmpty();
        }
    }

    @Test
    void everyAddressOfThisHostsInterfacesIsRefused() {
        Set<InetAddress> own = Destinations.interfaceAddresses();

        assertThat(own).as("this host has interfaces").isNotEmpty();
        for (InetAddress a : own) {
            // loopback, private, link-local or, for any other address, "local interface"
            assertThat(Destinations.forbidden(a, own)).as(a.getHostAddress()).isPresent();
            if (Destinations.forbidden(a).isEmpty()) {
                assertThat(Destinations.forbidden(a, own)).contains("local interface (this server's own)");
            }
        }
        // a public-looking address is refused once it is one of the server's own (e.g. a host with a public IP
        // listening on all interfaces)
        Destinations d = new Destinations(false, host -> new InetAddress[] {PUBLIC}, () -> Set.of(PUBLIC));
        assertThat(d.refusal(Destinations.parse("http://me.example.com:8080/")))
                .get().asString().contains("local interface").contains("93.184.216.34");
        assertThat(new Destinations(false, host -> new InetAddress[] {PUBLIC}, Set::of)
                .refusal(Destinations.parse("http://me.example.com:8080/"))).isEmpty();
    }

    @Test
    void anOwnAddressIsRefusedAtRegistrationAndAgainAtSendTime() throws Exception {
        ManualClock clock = new ManualClock(T0);
        AtomicReference<Set<InetAddress>> own = new AtomicReference<>(Set.of(PUBLIC));
        AtomicReference<String> answer = new AtomicReference<>("192.0.2.10");
        AtomicInteger requests = new AtomicInteger();
        HttpServer receiver = WebhookDeliveryRulesTest.receiver(requests, new ConcurrentHashMap<>());
        try (Database db = Database.open(dir.resolve("tally.db"));
                Webhooks webhooks = new Webhooks(db, clock, WebhookSettings.MANUAL, WebhookDeliveryRulesTest.BOX,
                        host -> new InetAddress[] {InetAddress.getByName(answer.get())}, own::get)) {
            new MetadataStore(db).createTenant("t1", "Tenant 1", T0);
            int port = receiver.getAddress().getPort();
            String url = "http://hooks.example.com:" + port + "/x";
            Assertions.assertThatThrownBy(() -> webhooks.createEndpoint("t1", url, List.of(), ""))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("documentation (TEST-NET)");
            answer.set("93.184.216.34");
            Assertions.assertThatThrownBy(() -> webhooks.createEndpoint("t1", url, List.of(), ""))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("local interface");

            own.set(Set.of());
            WebhookEndpoint ep = webhooks.createEndpoint("t1", url, List.of(), "").endpoint();
            own.set(Set.of(PUBLIC));
            WebhookDeliveryRulesTest.record(db, "t1", 1);
            assertThat(webhooks.deliverDue()).isEqualTo(1);
            WebhookDelivery d = webhooks.deliveries("t1", Optional.of(ep.id()), 10).get(0);
            assertThat(d.attempts().get(0).error()).get().asString().startsWith("refused:")
                    .contains("local interface").contains("93.184.216.34");
            assertThat(requests.get()).isZero();
        } finally {
            receiver.stop(0);
        }
    }
}
