package dev.tally.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.yaml}: the API description, served as {@code application/yaml} without a key. The build
 * copies {@code docs/openapi.yaml} onto the server's classpath ({@code dev/tally/server/openapi.yaml}, see the
 * module's pom), so the document served is exactly the one in the repository; there is no second copy to keep.
 */
final class OpenApiDocument {
    static final String RESOURCE = "dev/tally/server/openapi.yaml";
    private final byte[] bytes;

    OpenApiDocument() {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath; the build puts docs/openapi.yaml there");
            }
            this.bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void serve(Request r) throws IOException {
        r.exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        r.exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        Responses.send(r.exchange, 200, "application/yaml; charset=utf-8", bytes);
    }
}
