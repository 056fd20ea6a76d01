package dev.tally.engine.ingest;

import java.util.List;

/** The outcome of one ingest request: counts and one status per event, in request order. */
public record IngestResult(int accepted, int duplicates, int rejected, List<EventStatus> results) {
    public IngestResult {
        results = List.copyOf(results);
    }

    static IngestResult of(List<EventStatus> results) {
        int a = 0;
        int d = 0;
        int r = 0;
        for (EventStatus s : results) {
            switch (s.kind()) {
                case ACCEPTED -> a++;
                case DUPLICATE -> d++;
                default -> r++;
            }
        }
        return new IngestResult(a, d, r, results);
    }
}
