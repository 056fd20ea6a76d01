package dev.tally.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally bench parse}: the machine's ceiling for the ingest benchmark. One thread reads every token of the
 * very bodies {@code bench ingest} sends (the same generator, seed and batch size) with Jackson's streaming
 * parser, and prints events per second. Ingest throughput is reported beside this figure, so that runs on
 * machines of different speed can be compared.
 */
@Command(name = "parse", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Time one thread parsing the ingest benchmark's request bodies with Jackson (every token "
                + "read): the per-machine ceiling that ingest figures are compared with."})
final class BenchParseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "2000000", description = "Events per round.")
    long events;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "Events per body.")
    int batch;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Timed rounds (best is kept).")
    int rounds;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the generated data.")
    long seed;

    /** The best round's events per second (for tests). */
    long bestEventsPerSecond;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BenchWorkload w = BenchWorkload.ingest(events, 0, batch, 1_000, seed, "parse", Instant.now(),
                new BenchWorkload.RequestHead("/v1/events", "localhost", "key"));
        JsonFactory factory = new JsonFactory();
        long sink = parseAll(factory, w); // warm-up
        for (int round = 1; round <= Math.max(1, rounds); round++) {
            long t0 = System.nanoTime();
            sink += parseAll(factory, w);
            long nanos = Math.max(1, System.nanoTime() - t0);
            long rate = w.events() * 1_000_000_000L / nanos; // the bodies are held in memory: far below overflow
            bestEventsPerSecond = Math.max(bestEventsPerSecond, rate);
            out.printf(java.util.Locale.ROOT, "round %d: %,d events in %,d ms = %,d events/s%n", round, w.events(),
                    nanos / 1_000_000, rate);
        }
        out.printf(java.util.Locale.ROOT, "Jackson streaming parse, one thread: %,d events/s (best of %d; %d tokens seen)%n",
                bestEventsPerSecond, rounds, sink);
        return 0;
    }

    /** Reads every token of every body; returns how many tokens it saw so the work cannot be optimised away. */
    static long parseAll(JsonFactory factory, BenchWorkload w) {
        long tokens = 0;
        for (byte[] request : w.requests()) {
            int body = bodyStart(request);
            try (JsonParser p = factory.createParser(request, body, request.length - body)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
                        tokens += p.getTextLength();
                    } else if (t == JsonToken.VALUE_NUMBER_INT) {
                        tokens += p.getLongValue() & 1;
                    }
                    tokens++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokens;
    }

    /** Where the body starts: after the blank line that ends the request head. */
    static int bodyStart(byte[] request) {
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + end.length <= request.length; i++) {
            for (int j = 0; j < end.length; j++) {
                if (request[i + j] != end[j]) {
                    continue outer;
                }
            }
            return i + end.length;
        }
        throw new IllegalArgumentException("a benchmark request without a head");
    }
}
