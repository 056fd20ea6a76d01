package dev.tally.cli;

import java.nio.charset.StandardCharsets;

/**
 * The three top-level counts of an ingest response ({@code accepted},
 * {@code duplicates}, {@code rejected}). {@link #scan} finds them without
 * parsing the per-event results, which is most of a large response: in the
 * fixed response shape those names occur followed by a colon only as the
 * top-level keys (inside results they are values of {@code status}).
 */
record IngestCounts(long accepted, long duplicates, long rejected) {
    private static final byte[] ACCEPTED = "\"accepted\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUPLICATES = "\"duplicates\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REJECTED = "\"rejected\"".getBytes(StandardCharsets.US_ASCII);

    long total() {
        return accepted + duplicates + rejected;
    }

    /** Finds the counts in an ingest response body; throws if one is missing. */
    static IngestCounts scan(byte[] json) {
        return new IngestCounts(number(json, ACCEPTED), number(json, DUPLICATES), number(json, REJECTED));
    }

    private static long number(byte[] json, byte[] key) {
        outer:
        for (int i = 0; i + key.length <= json.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (json[i + k] != key[k]) {
                    continue outer;
                }
            }
            int p = skipSpace(json, i + key.length);
            if (p >= json.length || json[p] != ':') {
                continue;
            }
            p = skipSpace(json, p + 1);
            long value = 0;
            int digits = 0;
            while (p < json.length && json[p] >= '0' && json[p] <= '9') {
                value = Math.addExact(Math.multiplyExact(value, 10), json[p] - '0');
                p++;
                digits++;
            }
            if (digits == 0) {
                throw new MalformedResponseException("ingest response: " + new String(key, StandardCharsets.US_ASCII)
                        + " is not a number");
            }
            return value;
        }
        throw new MalformedResponseException("ingest response has no " + new String(key, StandardCharsets.US_ASCII)
                + " count");
    }

    private static int skipSpace(byte[] json, int p) {
        while (p < json.length && (json[p] == ' ' || json[p] == '\n' || json[p] == '\r' || json[p] == '\t')) {
            p++;
        }
        return p;
    }
}
