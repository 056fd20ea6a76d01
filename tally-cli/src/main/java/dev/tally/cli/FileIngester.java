package dev.tally.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Loads a JSON-lines file of CloudEvents into the server: one event per
 * non-blank line, posted in batches as {@code application/cloudevents-batch+json}.
 * A line that is not a JSON object is rejected here (sending it would make
 * the whole batch a 400) and reported with its line number. A batch the
 * server finds too large (413) is split in two and retried; a 401/403 stops
 * the load; other errors fail that batch and the load goes on.
 */
final class FileIngester {
    static final String CONTENT_TYPE = "application/cloudevents-batch+json";
    /** Requests stay below the server's published 10 MiB limit. */
    static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    /**
     * @param rejectedByReason rejection counts per reason code, including the client-side
     *                         {@code malformed_json} and {@code not_an_object}
     * @param failedRequests   requests that never succeeded (their events are counted in {@code failedEvents})
     * @param steadyEvents     events acknowledged after the first answered request
     * @param steadyNanos      time from the first answered request to the last one
     */
    record Summary(long events, long accepted, long duplicates, long rejected, SortedMap<String, Long> rejectedByReason,
            long requests, long failedRequests, long failedEvents, long wallNanos, long steadyEvents,
            long steadyNanos) {
        /** Shortest span of answers a rate is printed for: below it, the rate would mostly measure start-up. */
        static final long MIN_RATE_NANOS = 1_000_000_000L;

        /**
         * Events per second after the first answered request (which carries the start-up of the JVM, the
         * connection and the server's first request), or empty when the load was too short to tell.
         */
        java.util.OptionalLong eventsPerSecond() {
            return steadyNanos < MIN_RATE_NANOS ? java.util.OptionalLong.empty()
                    : java.util.OptionalLong.of(Format.perSecond(steadyEvents, steadyNanos));
        }

        void print(PrintWriter out, String name) {
            java.util.OptionalLong rate = eventsPerSecond();
            out.println("ingested " + name + ": " + Format.count(events, "event") + " in "
                    + Format.count(requests, "request") + ", " + Format.seconds(wallNanos) + " s"
                    + (rate.isPresent() ? " (" + Format.count(rate.getAsLong()) + " events/s after the first request)"
                            : ""));
            out.println(String.format("  %-12s %10s", "accepted", Format.count(accepted)));
            out.println(String.format("  %-12s %10s", "duplicates", Format.count(duplicates)));
            out.println(String.format("  %-12s %10s", "rejected", Format.count(rejected)));
            rejectedByReason.forEach((reason, n) -> out.println(String.format("    %-20s %10s", reason,
                    Format.count(n))));
            if (failedRequests > 0) {
                out.println(String.format("  %-12s %10s  (%s)", "failed", Format.count(failedEvents),
                        Format.count(failedRequests, "failed request")));
            }
        }
    }

    /**
     * One non-blank line; {@code localReason} is set when it is rejected here and not sent. {@code bytes} is its
     * share of the file (with the blank lines before it), added to the progress once its outcome is known.
     */
    private record Line(long number, String json, String id, String source, String localReason, long bytes) {
        Line withBytes(long b) {
            return new Line(number, json, id, source, localReason, b);
        }
    }

    private final ApiClient client;
    private final int batchSize;
    private final Writer output;
    private final ProgressBar progress;
    private final PrintWriter err;
    private final java.util.function.LongSupplier nanoClock;

    private long accepted;
    private long duplicates;
    private long rejected;
    private final SortedMap<String, Long> reasons = new TreeMap<>();
    private long requests;
    private long failedRequests;
    private long failedEvents;
    private long events;
    private long firstAnswerNanos = -1;
    private long lastAnswerNanos = -1;
    private long answeredAfterFirst;

    /**
     * @param output receives one JSON line per event (line, id, source, status, reason), or null
     */
    FileIngester(ApiClient client, int batchSize, Writer output, ProgressBar progress, PrintWriter err) {
        this(client, batchSize, output, progress, err, System::nanoTime);
    }

    /** As above, reading elapsed time from {@code nanoClock} (for tests). */
    FileIngester(ApiClient client, int batchSize, Writer output, ProgressBar progress, PrintWriter err,
            java.util.function.LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("--batch must be between 1 and 10000");
        }
        this.client = client;
        this.batchSize = batchSize;
        this.output = output;
        this.progress = progress;
        this.err = err;
    }

    Summary ingest(java.io.InputStream input) throws IOException {
        long start = nanoClock.getAsLong();
        long blankBytes = 0;
        BufferedReader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8), 1 << 16);
        List<Line> batch = new ArrayList<>(batchSize);
        long batchBytes = 2;
        long number = 0;
        for (String text = reader.readLine(); text != null; text = reader.readLine()) {
            number++;
            long lineBytes = text.length() + 1L;
            if (text.isBlank()) {
                blankBytes += lineBytes;
                continue;
            }
            events++;
            Line line = parse(number, text).withBytes(blankBytes + lineBytes);
            blankBytes = 0;
            long size = line.localReason() == null ? text.getBytes(StandardCharsets.UTF_8).length + 1L : 0;
            if (!batch.isEmpty() && (batch.size() >= batchSize || batchBytes + size > MAX_REQUEST_BYTES)) {
                send(batch);
                batch = new ArrayList<>(batchSize);
                batchBytes = 2;
            }
            batch.add(line);
            batchBytes += size;
        }
        if (!batch.isEmpty()) {
            send(batch);
        }
        progress.add(blankBytes, 0);
        if (output != null) {
            output.flush();
        }
        return new Summary(events, accepted, duplicates, rejected, Collections.unmodifiableSortedMap(reasons),
                requests, failedRequests, failedEvents, nanoClock.getAsLong() - start, answeredAfterFirst,
                firstAnswerNanos < 0 ? 0 : lastAnswerNanos - firstAnswerNanos);
    }

    /** Parses a line far enough to know it is an object and to name it; rejects it locally otherwise. */
    private static Line parse(long number, String text) {
        JsonNode node;
        try {
            node = Jsons.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Line(number, null, null, null, "malformed_json", 0);
        }
        if (node == null || !node.isObject()) {
            return new Line(number, null, null, null, "not_an_object", 0);
        }
        return new Line(number, text, textOrNull(node.get("id")), textOrNull(node.get("source")), null, 0);
    }

    private void send(List<Line> lines) throws IOException {
        List<Line> batch = lines.stream().filter(l -> l.localReason() == null).toList();
        if (batch.isEmpty()) {
            writeInOrder(lines, List.of(), null);
            progress.add(bytes(lines), lines.size());
            return;
        }
        StringBuilder body = new StringBuilder(batch.size() * 200).append('[');
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append(batch.get(i).json());
        }
        body.append(']');
        requests++;
        ApiResponse response;
        try {
            response = client.post("/v1/events", CONTENT_TYPE, body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (ServerUnreachableException e) {
            throw new ServerUnreachableException(e.getMessage() + "; stopped at line " + batch.get(0).number()
                    + " (running the whole file again is safe: the server deduplicates)", e);
        }
        if (response.status() == 413 && batch.size() > 1) {
            int half = lines.indexOf(batch.get(batch.size() / 2));
            send(lines.subList(0, half));
            send(lines.subList(half, lines.size()));
            return;
        }
        if (response.status() == 401 || response.status() == 403) {
            throw new RequestFailedException("the server refused the API key: HTTP " + response.problem()
                    + " (check --key or TALLY_API_KEY)", response.status());
        }
        if (!response.ok()) {
            fail(lines, batch, "HTTP " + response.problem(), response.detail());
            return;
        }
        JsonNode results;
        try {
            results = Jsons.MAPPER.readTree(response.body()).path("results");
        } catch (JsonProcessingException e) {
            fail(lines, batch, "the response is not JSON", null);
            return;
        }
        if (!results.isArray() || results.size() != batch.size()) {
            fail(lines, batch, "the response has " + (results.isArray() ? results.size() : "no") + " results for "
                    + batch.size() + " events", null);
            return;
        }
        writeInOrder(lines, batch, results);
        answered(batch.size());
        progress.add(bytes(lines), lines.size());
    }

    /** Notes an answered request of {@code n} events, for the rate after the first one. */
    private void answered(long n) {
        long now = nanoClock.getAsLong();
        if (firstAnswerNanos < 0) {
            firstAnswerNanos = now;
        } else {
            answeredAfterFirst += n;
        }
        lastAnswerNanos = now;
    }

    private static long bytes(List<Line> lines) {
        long sum = 0;
        for (Line l : lines) {
            sum += l.bytes();
        }
        return sum;
    }

    /** Counts and writes the outcome of every line, in file order; {@code results} answers {@code sent}. */
    private void writeInOrder(List<Line> lines, List<Line> sent, JsonNode results) throws IOException {
        int next = 0;
        for (Line line : lines) {
            if (line.localReason() != null) {
                rejected++;
                reasons.merge(line.localReason(), 1L, Long::sum);
                write(line.number(), null, null, "rejected", line.localReason(), null);
                continue;
            }
            if (results == null) {
                continue;
            }
            JsonNode r = results.get(next++);
            String status = r.path("status").asText("");
            String id = r.hasNonNull("id") ? r.get("id").asText() : line.id();
            String source = r.hasNonNull("source") ? r.get("source").asText() : line.source();
            switch (status) {
                case "accepted" -> {
                    accepted++;
                    write(line.number(), id, source, status, null, null);
                }
                case "duplicate" -> {
                    duplicates++;
                    write(line.number(), id, source, status, null, null);
                }
                case "rejected" -> {
                    String reason = r.path("reason").asText("unknown");
                    rejected++;
                    reasons.merge(reason, 1L, Long::sum);
                    write(line.number(), id, source, status, reason, r.hasNonNull("detail")
                            && !r.get("detail").asText().isEmpty() ? r.get("detail").asText() : null);
                }
                default -> {
                    failedEvents++;
                    write(line.number(), id, source, "failed", "unknown status '" + status + "'", null);
                }
            }
        }
    }

    /** {@code detail} is the server's problem detail, if it gave one. */
    private void fail(List<Line> lines, List<Line> batch, String why, String detail) throws IOException {
        failedRequests++;
        failedEvents += batch.size();
        err.println("tally: lines " + batch.get(0).number() + "-" + batch.get(batch.size() - 1).number()
                + " failed: " + why);
        for (Line line : lines) {
            if (line.localReason() != null) {
                writeInOrder(List.of(line), List.of(), null);
            } else {
                write(line.number(), line.id(), line.source(), "failed", why, detail);
            }
        }
        long local = lines.size() - batch.size();
        progress.add(bytes(lines.stream().filter(l -> l.localReason() != null).toList()), local);
        progress.failed(bytes(batch), batch.size());
    }

    private void write(long line, String id, String source, String status, String reason, String detail)
            throws IOException {
        if (output == null) {
            return;
        }
        ObjectNode node = Jsons.MAPPER.createObjectNode();
        node.put("line", line);
        node.put("id", id);
        node.put("source", source);
        node.put("status", status);
        if (reason != null) {
            node.put("reason", reason);
        }
        if (detail != null) {
            node.put("detail", detail);
        }
        output.write(Jsons.MAPPER.writeValueAsString(node));
        output.write('\n');
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
