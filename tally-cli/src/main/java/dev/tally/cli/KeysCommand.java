package dev.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tally keys create|list|revoke}: the tenant's API keys, through the server's API (admin scope). */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Manage API keys: 'keys create', 'keys list', 'keys revoke ID'.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingCommand(spec);
    }

    /** Server and key options shared by the subcommands. */
    abstract static class Client implements Callable<Integer>, Main.UsesEnvironment {
        @Spec
        CommandSpec spec;

        @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:TALLY_URL:-http://localhost:8080}",
                description = "Server URL ($TALLY_URL if set).")
        URI url;

        @Option(names = "--key", paramLabel = "KEY",
                description = "Admin API key (default: $TALLY_API_KEY, else $${TALLY_DATA_DIR:-./data}/bootstrap-key).")
        String key;

        private Map<String, String> env = System.getenv();

        @Override
        public void environment(Map<String, String> env) {
            this.env = env;
        }

        ApiClient client() {
            return new ApiClient(url, ApiKeys.resolve(Optional.ofNullable(key), env), RetryPolicy.withRetries(3));
        }

        JsonNode json(ApiResponse r, String what) {
            if (!r.ok()) {
                throw new RequestFailedException(what + " failed: HTTP " + r.problem(), r.status());
            }
            try {
                return r.body().length == 0 ? Jsons.MAPPER.createObjectNode() : Jsons.MAPPER.readTree(r.body());
            } catch (IOException e) {
                throw new MalformedResponseException("the answer is not JSON");
            }
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key; its secret is printed once.")
    static final class Create extends Client {
        @Option(names = "--name", required = true, description = "What the key is for.")
        String name;

        @Option(names = "--scope", split = ",", defaultValue = "ingest", description = "Scopes: ingest, read, admin.")
        List<String> scopes;

        @Option(names = "--expires-at", paramLabel = "RFC3339", description = "When the key stops working.")
        String expiresAt;

        @Option(names = "--rate", paramLabel = "N", description = "Requests per second allowed (burst = N).")
        Integer rate;

        @Override
        public Integer call() {
            ObjectNode body = Jsons.MAPPER.createObjectNode().put("name", name);
            ArrayNode s = body.putArray("scopes");
            scopes.forEach(s::add);
            if (expiresAt != null) {
                body.put("expires_at", expiresAt);
            }
            if (rate != null) {
                body.putObject("rate_limit").put("requests_per_second", rate).put("burst", rate);
            }
            JsonNode k = json(client().post("/v1/api-keys", "application/json",
                    body.toString().getBytes(StandardCharsets.UTF_8)), "creating the key");
            out().println("id      " + k.path("id").asText());
            out().println("scopes  " + k.path("scopes"));
            out().println("key     " + k.path("key").asText() + "   (shown once: store it now)");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys (never their secrets).")
    static final class ListKeys extends Client {
        @Override
        public Integer call() {
            for (JsonNode k : json(client().get("/v1/api-keys"), "listing keys").path("api_keys")) {
                out().printf("%-26s %-14s %-22s %s%s%n", k.path("id").asText(), k.path("prefix").asText(),
                        k.path("scopes"), k.path("name").asText(),
                        k.path("revoked_at").isNull() ? "" : "  (revoked " + k.path("revoked_at").asText() + ")");
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key (effective at once).")
    static final class Revoke extends Client {
        @Parameters(paramLabel = "ID", description = "The key's id (key_...).")
        String id;

        @Override
        public Integer call() {
            json(client().delete("/v1/api-keys/" + id), "revoking the key");
            out().println("revoked " + id);
            return 0;
        }
    }
}
