package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A test's HTTP client for one Tally server process and API key. */
final class TallyApi {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final ServerProcess server;
    private final String key;
    private final String name;

    TallyApi(ServerProcess server, String key, String name) {
        this.server = server;
        this.key = key;
        this.name = name;
    }

    static HttpClient http() {
        return HTTP;
    }

    ServerProcess server() {
        return server;
    }

    String name() {
        return name;
    }

    /** One request; IOException for connection problems. */
    HttpResponse<String> send(String method, String pathAndQuery, String body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(pathAndQuery)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON request that must answer {@code status}; its parsed body. */
    JsonNode json(String method, String pathAndQuery, String body, int status) throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, pathAndQuery, body, "application/json");
        assertThat(r.statusCode()).as("%s %s %s on %s -> %s", method, pathAndQuery, body == null ? "" : body, name,
                r.body()).isEqualTo(status);
        return Jsons.MAPPER.readTree(r.body());
    }

    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        return json("GET", pathAndQuery, null, 200);
    }

    HttpResponse<String> postEvents(String body) throws IOException, InterruptedException {
        return send("POST", "/v1/events", body, "application/cloudevents-batch+json");
    }
}
