package dev.tally.engine.ingest;

import dev.tally.core.event.EventOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most recent rejected events of each tenant, with their reasons, in this process's memory (rejected
 * events are never stored: this is what an operator sees in the events explorer). Bounded per tenant;
 * thread-safe.
 */
public final class RecentRejections {
    public static final int PER_TENANT = 1000;

    /** One rejected event as the client sent it (attributes it lacked are empty). */
    public record Rejection(Instant receivedAt, Optional<String> id, Optional<String> source, Optional<String> type,
            Optional<String> subject, String reason, String detail) {
    }

    private final Clock clock;
    private final ConcurrentHashMap<String, Deque<Rejection>> byTenant = new ConcurrentHashMap<>();

    public RecentRejections(Clock clock) {
        this.clock = clock;
    }

    /** Remembers the rejected events of one request. */
    public void record(String tenant, List<EventOutcome> outcomes, IngestResult result) {
        if (result.rejected() == 0) {
            return;
        }
        Instant now = clock.instant();
        Deque<Rejection> q = byTenant.computeIfAbsent(tenant, t -> new ArrayDeque<>());
        synchronized (q) {
            for (int i = 0; i < result.results().size(); i++) {
                EventStatus s = result.results().get(i);
                if (s.kind() != EventStatus.Kind.REJECTED) {
                    continue;
                }
                EventOutcome o = outcomes.get(i);
                Optional<String> type = o instanceof EventOutcome.Parsed p ? Optional.of(p.event().type()) : Optional.empty();
                Optional<String> subject = o instanceof EventOutcome.Parsed p ? Optional.of(p.event().subject())
                        : Optional.empty();
                q.addFirst(new Rejection(now, s.id(), s.source(), type, subject, s.reason().orElseThrow().code(),
                        s.detail().orElse("")));
                while (q.size() > PER_TENANT) {
                    q.removeLast();
                }
            }
        }
    }

    /** The tenant's most recent rejections, newest first, optionally of one customer (subject). */
    public List<Rejection> recent(String tenant, Optional<String> subject, int limit) {
        Deque<Rejection> q = byTenant.get(tenant);
        if (q == null) {
            return List.of();
        }
        List<Rejection> out = new ArrayList<>();
        synchronized (q) {
            for (Rejection r : q) {
                if (subject.isEmpty() || r.subject().equals(subject)) {
                    out.add(r);
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
        }
        return out;
    }
}
