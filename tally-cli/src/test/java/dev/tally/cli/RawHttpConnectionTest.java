package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RawHttpConnectionTest {
    private static RawResponse read(String raw) throws IOException {
        InputStream in = new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1));
        return RawHttpConnection.readResponse(in, new byte[16 * 1024]);
    }

    @Test
    void readsABodyFramedByContentLength() throws IOException {
        RawResponse r = read("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhelloEXTRA");

        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(r.header("content-type")).contains("application/json");
        assertThat(r.closeConnection()).isFalse();
    }

    @Test
    void readsAChunkedBodyWithExtensionsAndTrailers() throws IOException {
        RawResponse r = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: y\r\n\r\n");

        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("Wikipedia");
    }

    @Test
    void skipsInterimResponses() throws IOException {
        RawResponse r = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\n"
                + "Content-Length: 0\r\n\r\n");

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("retry-after")).contains("2");
    }

    @Test
    void honoursConnectionCloseAndHttp10() throws IOException {
        assertThat(read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").closeConnection())
                .isTrue();
        assertThat(read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").closeConnection()).isTrue();
        assertThat(read("HTTP/1.1 200 OK\r\n\r\nuntil-eof").body()).asString(StandardCharsets.UTF_8)
                .isEqualTo("until-eof");
    }

    @Test
    void aTruncatedBodyIsAnError() {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void buildsARequestWithHostAuthorizationAndContentLength() {
        byte[] request = RawHttpConnection.request("POST", "/v1/events", "localhost:8080", "k1",
                "application/cloudevents-batch+json", "[]".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(request, StandardCharsets.ISO_8859_1)).isEqualTo("POST /v1/events HTTP/1.1\r\n"
                + "Host: localhost:8080\r\nAuthorization: Bearer k1\r\nAccept: application/json\r\n"
                + "Content-Type: application/cloudevents-batch+json\r\nContent-Length: 2\r\n\r\n[]");
    }

    @Test
    void reusesOneConnectionAndReconnectsAfterTheServerClosesIt() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        List<String> requestLines = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0)) {
            Thread serverThread = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        try (Socket s = server.accept()) {
                            connections.incrementAndGet();
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream();
                            // answer two requests per connection, the second with Connection: close
                            for (int i = 0; i < 2; i++) {
                                String head = readHead(in);
                                synchronized (requestLines) {
                                    requestLines.add(head.substring(0, head.indexOf('\r')));
                                }
                                String extra = i == 1 ? "Connection: close\r\n" : "";
                                out.write(("HTTP/1.1 200 OK\r\n" + extra + "Content-Length: 2\r\n\r\nok")
                                        .getBytes(StandardCharsets.ISO_8859_1));
                                out.flush();
                            }
                        }
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            try (RawHttpConnection c = new RawHttpConnection("127.0.0.1", server.getLocalPort(), 5_000)) {
                for (int i = 0; i < 4; i++) {
                    byte[] req = RawHttpConnection.request("GET", "/r" + i, "x", "k", null, null);
                    assertThat(c.exchange(req).status()).isEqualTo(200);
                }
            }
            server.close();
            serverThread.join(5_000);
        }
        assertThat(connections.get()).isEqualTo(2);
        assertThat(requestLines).containsExactly("GET /r0 HTTP/1.1", "GET /r1 HTTP/1.1", "GET /r2 HTTP/1.1",
                "GET /r3 HTTP/1.1");
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
