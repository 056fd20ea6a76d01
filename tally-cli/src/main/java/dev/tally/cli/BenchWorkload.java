package dev.tally.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests of a benchmark run, generated in full before anything is timed.
 * Events are a pure function of (seed, index), so a duplicate is an exact
 * re-send of an earlier event: same id, source, time and data.
 *
 * @param requests            complete HTTP requests (head and body), one per batch
 * @param eventsPerBatch      how many events each request carries
 * @param events              all events, duplicates included
 * @param generatedDuplicates how many of them re-send an earlier event's id
 * @param totalTokens         the sum of {@code data.tokens} over the distinct events
 */
record BenchWorkload(List<byte[]> requests, int[] eventsPerBatch, long events, long generatedDuplicates,
        long totalTokens, long bytes) {

    static final String EVENT_TYPE = "bench.tokens";
    static final String CONTENT_TYPE = "application/cloudevents-batch+json";
    private static final String[] MODELS = {"small", "medium", "large"};
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** What every request of a run shares: where it goes and the key it carries. */
    record RequestHead(String target, String hostHeader, String apiKey) {
    }

    /**
     * The ingest benchmark: {@code events} events of which {@code duplicates},
     * spread evenly through the run, re-send a random earlier event; the others
     * have unique ids, a random customer out of {@code customers}, a time up to
     * five minutes before {@code now}, and 1 to 4,000 tokens of one of three models.
     */
    static BenchWorkload ingest(long events, long duplicates, int batch, int customers, long seed, String runId,
            Instant now, RequestHead head) {
        if (duplicates < 0 || duplicates >= Math.max(1, events)) {
            throw new IllegalArgumentException("duplicates must be in [0, events)");
        }
        long nowMillis = now.toEpochMilli();
        return build(events, duplicates, batch, seed, head, (index, random, out) -> {
            long tokens = 1 + Math.floorMod(random[0], 4000L);
            writeEvent(out, runId, index, "customer-" + Math.floorMod(random[1], (long) customers),
                    nowMillis - Math.floorMod(random[2], 300_000L), tokens, MODELS[(int) Math.floorMod(random[3], 3L)]);
            return tokens;
        });
    }

    /**
     * The query benchmark's data: {@code events} unique events of one customer
     * with times spread uniformly over {@code [from, until)}.
     */
    static BenchWorkload oneCustomer(long events, int batch, String customer, Instant from, Instant until, long seed,
            String runId, RequestHead head) {
        long start = from.toEpochMilli();
        long span = Math.max(1, until.toEpochMilli() - start);
        return build(events, 0, batch, seed, head, (index, random, out) -> {
            long tokens = 1 + Math.floorMod(random[0], 4000L);
            writeEvent(out, runId, index, customer, start + Math.floorMod(random[2], span), tokens,
                    MODELS[(int) Math.floorMod(random[3], 3L)]);
            return tokens;
        });
    }

    /** Writes the event with a given distinct index; returns its tokens. */
    private interface EventWriter {
        long write(long index, long[] random, JsonEventBuf out);
    }

    private static BenchWorkload build(long events, long duplicates, int batch, long seed, RequestHead head,
            EventWriter writer) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive");
        }
        long batches = (events + batch - 1) / batch;
        if (batches > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many batches");
        }
        List<byte[]> requests = new ArrayList<>((int) batches);
        int[] sizes = new int[(int) batches];
        JsonEventBuf body = new JsonEventBuf(batch * 180 + 16);
        long[] random = new long[4];
        long unique = 0;
        long tokens = 0;
        long bytes = 0;
        for (long slot = 0; slot < events; ) {
            body.buf.clear();
            body.buf.append((byte) '[');
            int inBatch = 0;
            while (inBatch < batch && slot < events) {
                if (inBatch > 0) {
                    body.buf.append((byte) ',');
                }
                boolean duplicate = duplicates > 0
                        && Math.multiplyExact(slot + 1, duplicates) / events > Math.multiplyExact(slot, duplicates) / events;
                long index;
                if (duplicate) {
                    index = Math.floorMod(mix(seed ^ (slot * GOLDEN) ^ 0x5DEECE66DL), unique);
                } else {
                    index = unique++;
                }
                randoms(seed, index, random);
                long t = writer.write(index, random, body);
                if (!duplicate) {
                    tokens += t;
                }
                inBatch++;
                slot++;
            }
            body.buf.append((byte) ']');
            byte[] request = RawHttpConnection.request("POST", head.target(), head.hostHeader(), head.apiKey(),
                    CONTENT_TYPE, body.buf.toByteArray());
            bytes += request.length;
            sizes[requests.size()] = inBatch;
            requests.add(request);
        }
        return new BenchWorkload(requests, sizes, events, duplicates, tokens, bytes);
    }

    private static void randoms(long seed, long index, long[] out) {
        long z = mix(seed + index * GOLDEN);
        for (int i = 0; i < out.length; i++) {
            out[i] = z;
            z = mix(z + GOLDEN);
        }
    }

    /** The SplitMix64 finaliser: a cheap, well-mixed pseudo-random function of its input. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void writeEvent(JsonEventBuf out, String runId, long index, String subject, long timeMillis,
            long tokens, String model) {
        ByteBuf b = out.buf;
        b.ascii("{\"specversion\":\"1.0\",\"id\":\"").ascii(runId).append((byte) '-').decimal(index)
                .ascii("\",\"source\":\"bench\",\"type\":\"").ascii(EVENT_TYPE)
                .ascii("\",\"subject\":\"").ascii(subject)
                .ascii("\",\"time\":\"");
        out.time(timeMillis);
        b.ascii("\",\"data\":{\"tokens\":").decimal(tokens).ascii(",\"model\":\"").ascii(model).ascii("\"}}");
    }

    /** A body buffer that also formats RFC 3339 UTC timestamps quickly (dates are cached per day). */
    private static final class JsonEventBuf {
        final ByteBuf buf;
        private final Map<Long, byte[]> dates = new HashMap<>();

        JsonEventBuf(int capacity) {
            buf = new ByteBuf(capacity);
        }

        void time(long epochMillis) {
            long second = Math.floorDiv(epochMillis, 1000L);
            int millis = (int) Math.floorMod(epochMillis, 1000L);
            long day = Math.floorDiv(second, 86_400L);
            int secondOfDay = (int) Math.floorMod(second, 86_400L);
            buf.append(dates.computeIfAbsent(day, d -> (LocalDate.ofEpochDay(d) + "T").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII)));
            buf.padded(secondOfDay / 3600, 2).append((byte) ':')
                    .padded(secondOfDay / 60 % 60, 2).append((byte) ':')
                    .padded(secondOfDay % 60, 2).append((byte) '.')
                    .padded(millis, 3).append((byte) 'Z');
        }
    }
}
