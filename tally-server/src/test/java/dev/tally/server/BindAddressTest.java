package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The listener binds loopback unless told otherwise, and says exactly what it bound. */
class BindAddressTest {
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));

    @Test
    void theDefaultIsLoopbackOnly() throws IOException {
        assertThat(HttpSettings.DEFAULTS.host()).isEqualTo("127.0.0.1");
        assertThat(ServerConfig.fromEnvironment(Map.of()).http().host()).isEqualTo("127.0.0.1");
        try (TestServer t = new TestServer(CLOCK, HttpSettings.DEFAULTS)) {
            assertThat(t.server.address()).isEqualTo("127.0.0.1:" + t.server.port());
            assertThat(t.get("/health/live").status()).isEqualTo(200);
            Optional<InetAddress> external = nonLoopbackAddress();
            assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
            assertThatThrownBy(() -> connect(external.get(), t.server.port())).isInstanceOf(IOException.class);
        }
    }

    @Test
    void everyInterfaceWhenAsked() throws IOException {
        assertThat(ServerConfig.fromEnvironment(Map.of("TALLY_HOST", "0.0.0.0")).http().host()).isEqualTo("0.0.0.0");
        try (TestServer t = new TestServer(CLOCK, HttpSettings.DEFAULTS.withHost("0.0.0.0"))) {
            assertThat(t.server.address()).isEqualTo("0.0.0.0:" + t.server.port());
            Optional<InetAddress> external = nonLoopbackAddress();
            assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
            connect(external.get(), t.server.port());
        }
    }

    @Test
    void refusesABlankHostAndSaysTheSettingNames() {
        assertThatThrownBy(() -> HttpSettings.DEFAULTS.withHost(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpSettings.fromEnvironment(Map.of("TALLY_HTTP_BODY_TIMEOUT_SECONDS", "soon")))
                .hasMessageContaining("TALLY_HTTP_BODY_TIMEOUT_SECONDS");
        assertThat(HttpSettings.fromEnvironment(Map.of("TALLY_HTTP_HEADER_TIMEOUT_SECONDS", "3")).headerTimeout())
                .hasSeconds(3);
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : nif.inetAddresses().toList()) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
