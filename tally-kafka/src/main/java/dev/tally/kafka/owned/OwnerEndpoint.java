package dev.tally.kafka.owned;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tally.engine.Engine;
import dev.tally.engine.ingest.StorageUnavailableException;
import dev.tally.engine.usage.UnknownMeterException;
import dev.tally.engine.usage.UsageRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's internal HTTP endpoint (not for clients: API nodes forward to it), answering for the partitions the
 * worker owns: {@code GET /internal/v1/partitions/{p}/usage?offset=N&...} ({@link UsageWire}) waits until the
 * partition has stored every record before offset {@code N} (read-your-writes), then answers from the partition's
 * engine. {@code 409 not_owner} when the worker does not own the partition (the caller reads the owners again),
 * {@code 503} when it has not caught up within the wait, {@code 400} for a bad question.
 */
public final class OwnerEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerEndpoint.class);
    private static final String PREFIX = "/internal/v1/partitions/";
    private final HttpServer server;
    private final ExecutorService executor;
    private final PartitionWorker worker;
    private final Duration wait;

    /** Binds {@code host:port} (0: any free port) and starts serving. */
    public OwnerEndpoint(PartitionWorker worker, String host, int port, Duration wait) {
        this.worker = worker;
        this.wait = wait;
        try {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the worker's internal endpoint on " + host + ":" + port, e);
        }
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** {@code http://host:port}, what the worker registers as its address. */
    public String address() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getHostString() + ":" + a.getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String[] path = x.getRequestURI().getPath().substring(PREFIX.length()).split("/");
            if (!"GET".equals(x.getRequestMethod()) || path.length != 2 || !path[1].equals("usage")) {
                reply(x, 404, UsageWire.error("not_found", "no such internal route"));
                return;
            }
            try {
                int partition = Integer.parseInt(path[0]);
                Map<String, List<String>> params = UsageWire.params(x.getRequestURI().getRawQuery());
                long offset = Long.parseLong(UsageWire.one(params, "offset"));
                String tenant = UsageWire.one(params, "tenant");
                UsageRequest request = UsageWire.request(params);
                Engine engine = worker.engineAt(partition, offset, wait);
                reply(x, 200, UsageWire.rows(engine.usage(tenant, request)));
            } catch (NotOwnerException e) {
                reply(x, 409, UsageWire.error("not_owner", e.getMessage()));
            } catch (StorageUnavailableException e) {
                reply(x, 503, UsageWire.error("unavailable", e.getMessage()));
            } catch (IllegalArgumentException | UnknownMeterException | java.time.DateTimeException e) {
                reply(x, 400, UsageWire.error("bad_request", e.getMessage()));
            } catch (RuntimeException e) {
                // e.g. the partition was closed by a rebalance while answering: the caller asks again
                LOG.debug("internal usage question failed", e);
                reply(x, 503, UsageWire.error("unavailable", e.toString()));
            }
        }
    }

    private static void reply(HttpExchange x, int status, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
