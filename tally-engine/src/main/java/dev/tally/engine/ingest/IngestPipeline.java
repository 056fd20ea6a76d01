package dev.tally.engine.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.EventOutcome;
import dev.tally.core.event.Json;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.Evaluation;
import dev.tally.core.meter.MeterCatalog;
import dev.tally.engine.log.FingerprintIndex;
import dev.tally.engine.usage.EventReader;
import dev.tally.engine.usage.UsageStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer. Request threads parse, evaluate and encode their events,
 * then hand them here; the writer takes every waiting request, decides
 * duplicates exactly (in-memory fingerprints verified against the stored
 * record), appends all new events in one group commit, and only after the
 * fsync records their ids and applies them to the usage aggregates, then
 * answers. A failed write claims no id, so a retry is counted once.
 */
public final class IngestPipeline implements AutoCloseable, EventReader {
    private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);
    private static final int MAX_GROUP = 64;

    private final EventStore store;
    private final UsageStore usage;
    private final Catalogs catalogs;
    private final Clock clock;
    private final IngestStats stats;
    private final ObjectMapper mapper = Json.newMapper();
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    private sealed interface Task {
    }

    private record Batch(String tenant, List<Pending> events, long generation, CompletableFuture<Void> done)
            implements Task {
    }

    private record Exclusive(Supplier<?> work, CompletableFuture<Object> done) implements Task {
    }

    /** One event waiting for the writer; the writer fills in the outcome. */
    private static final class Pending {
        final int index;
        final UsageEvent event;
        List<Contribution> contributions;
        final byte[] record;
        final byte[] tenant;
        /** The tenant as text (kept: decoding it again per event showed in the writer's profile). */
        final String tenantName;
        final byte[] source;
        final byte[] id;
        final long fingerprint;
        EventStatus status;

        Pending(int index, String tenant, UsageEvent event, List<Contribution> contributions, byte[] record) {
            this.index = index;
            this.event = event;
            this.contributions = contributions;
            this.record = record;
            this.tenant = LogRecord.utf8(tenant);
            this.tenantName = tenant;
            this.source = LogRecord.utf8(event.source());
            this.id = LogRecord.utf8(event.id());
            this.fingerprint = FingerprintIndex.fingerprint(this.tenant, source, id);
        }

        EventStore.Candidate candidate() {
            return new EventStore.Candidate(tenant, source, id, fingerprint, record, event.subject(), event.time());
        }
    }

    public IngestPipeline(EventStore store, UsageStore usage, Catalogs catalogs, Clock clock) {
        this.store = store;
        this.usage = usage;
        this.catalogs = catalogs;
        this.clock = clock;
        this.stats = new IngestStats();
        this.writer = new Thread(this::runWriter, "tally-ingest-writer");
        this.writer.setDaemon(true);
    }

    /** Starts the writer; call once recovery has replayed the log. */
    public void start() {
        writer.start();
    }

    public IngestStats stats() {
        return stats;
    }

    /**
     * Ingests one request's events: blocks until every accepted event is durable and visible in usage.
     * Throws StorageUnavailableException when the log cannot be written (nothing was acknowledged).
     */
    public IngestResult ingest(String tenant, List<EventOutcome> outcomes) {
        MeterCatalog catalog = catalogs.get(tenant);
        Instant receivedAt = clock.instant();
        EventStatus[] results = new EventStatus[outcomes.size()];
        List<Pending> pending = new ArrayList<>(outcomes.size());
        for (int i = 0; i < results.length; i++) {
            EventOutcome o = outcomes.get(i);
            if (o instanceof EventOutcome.Rejected r) {
                results[i] = EventStatus.rejected(r.id(), r.source(), r.reason(), r.detail());
                continue;
            }
            UsageEvent e = ((EventOutcome.Parsed) o).event();
            Evaluation ev = catalog.evaluate(e);
            if (ev instanceof Evaluation.Rejected r) {
                results[i] = EventStatus.rejected(Optional.of(e.id()), Optional.of(e.source()), r.reason(), r.detail());
                continue;
            }
            byte[] record = LogRecord.encode(new LogRecord.Event(tenant, e, receivedAt), mapper);
            pending.add(new Pending(i, tenant, e, ((Evaluation.Contributions) ev).contributions(), record));
        }
        if (!pending.isEmpty()) {
            Batch batch = new Batch(tenant, pending, catalog.generation(), new CompletableFuture<>());
            submit(batch, batch.done);
            for (Pending p : pending) {
                results[p.index] = p.status;
            }
        }
        for (EventStatus s : results) {
            if (s.kind() == EventStatus.Kind.REJECTED) {
                stats.rejected.get(s.reason().orElseThrow()).increment();
            }
        }
        return IngestResult.of(List.of(results));
    }

    /** Runs work on the writer thread, alone (no ingest runs meanwhile), and returns its result. */
    @SuppressWarnings("unchecked")
    public <T> T exclusive(Supplier<T> work) {
        Exclusive task = new Exclusive(work, new CompletableFuture<>());
        return (T) submit(task, task.done);
    }

    private <T> T submit(Task task, CompletableFuture<T> done) {
        if (!running) {
            throw new StorageUnavailableException("the server is shutting down", null);
        }
        queue.add(task);
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageUnavailableException("interrupted while waiting for the log", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StorageUnavailableException("write failed", e.getCause());
        }
    }

    private void runWriter() {
        List<Task> tasks = new ArrayList<>();
        List<Batch> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Task first = queue.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                tasks.add(first);
                queue.drainTo(tasks, MAX_GROUP);
                for (Task t : tasks) {
                    if (t instanceof Batch b) {
                        group.add(b);
                        continue;
                    }
                    commit(group);
                    group.clear();
                    Exclusive x = (Exclusive) t;
                    try {
                        x.done.complete(x.work.get());
                    } catch (RuntimeException e) {
                        x.done.completeExceptionally(e);
                    }
                }
                commit(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.error("ingest writer failed", e);
                StorageUnavailableException failure = new StorageUnavailableException("ingest writer failed", e);
                group.forEach(b -> b.done.completeExceptionally(failure));
            } finally {
                group.clear();
                tasks.clear();
            }
        }
    }

    private void commit(List<Batch> group) {
        if (group.isEmpty()) {
            return;
        }
        Set<Key> inGroup = new HashSet<>();
        List<EventStore.Candidate> candidates = new ArrayList<>();
        List<Pending> written = new ArrayList<>();
        for (Batch b : group) {
            MeterCatalog catalog = catalogs.get(b.tenant);
            for (Pending p : b.events) {
                if (b.generation != catalog.generation()) {
                    Evaluation ev = catalog.evaluate(p.event);
                    if (ev instanceof Evaluation.Rejected r) {
                        p.status = EventStatus.rejected(Optional.of(p.event.id()), Optional.of(p.event.source()),
                                r.reason(), r.detail());
                        continue;
                    }
                    p.contributions = ((Evaluation.Contributions) ev).contributions();
                }
                if (!inGroup.add(new Key(b.tenant, p.event.source(), p.event.id()))) {
                    p.status = EventStatus.of(p.event.id(), p.event.source(), EventStatus.Kind.DUPLICATE);
                    continue;
                }
                candidates.add(p.candidate());
                written.add(p);
            }
        }
        EventStore.Appended appended;
        try {
            appended = store.appendNew(candidates);
        } catch (StorageUnavailableException e) {
            LOG.error("event store append failed; {} requests get 503", group.size(), e);
            group.forEach(b -> b.done.completeExceptionally(e));
            return;
        }
        stats.commits.increment();
        applyOthers(appended.others());
        for (int i = 0; i < written.size(); i++) {
            Pending p = written.get(i);
            long position = appended.positions()[i];
            if (position == EventStore.QUEUED) {
                // durably queued (Kafka): deduplicated and applied when the store's workers have stored it
                stats.accepted.increment();
                p.status = EventStatus.of(p.event.id(), p.event.source(), EventStatus.Kind.ACCEPTED);
                continue;
            }
            if (position < 0) {
                p.status = EventStatus.of(p.event.id(), p.event.source(), EventStatus.Kind.DUPLICATE);
                continue;
            }
            usage.apply(p.tenantName, p.event, p.contributions, position);
            if (p.contributions.isEmpty()) {
                stats.unmatched.increment();
            }
            stats.accepted.increment();
            p.status = EventStatus.of(p.event.id(), p.event.source(), EventStatus.Kind.ACCEPTED);
        }
        for (Batch b : group) {
            for (Pending p : b.events) {
                if (p.status.kind() == EventStatus.Kind.DUPLICATE) {
                    stats.duplicates.increment();
                }
            }
            b.done.complete(null);
        }
    }

    /** Applies records other processes stored (shared stores only), in order. */
    private void applyOthers(List<EventStore.Stored> others) {
        for (EventStore.Stored s : others) {
            replayRecord(s.position(), s.record());
        }
    }

    /** Brings this process up to date with records other processes stored; runs on the writer thread. */
    public void catchUp() {
        if (store.shared()) {
            exclusive(() -> {
                applyOthers(store.poll());
                return null;
            });
        }
    }

    private record Key(String tenant, String source, String id) {
    }

    /** The position of a stored event of this tenant, if it is remembered. */
    public Optional<Long> positionOf(String tenant, String source, String id) {
        return store.positionOf(LogRecord.utf8(tenant), LogRecord.utf8(source), LogRecord.utf8(id));
    }

    /**
     * Cancels a stored event: appends the correction durably and removes the event's effect from every
     * aggregate. Idempotent: a second cancel reports that it was already cancelled.
     */
    public CancelResult cancel(String tenant, String source, String id) {
        return exclusive(() -> {
            if (store.shared()) {
                applyOthers(store.poll());
            }
            long position = positionOf(tenant, source, id).orElseThrow(() -> new EventNotFoundException(source, id));
            UsageEvent e = read(position);
            if (usage.isCancelled(position)) {
                return new CancelResult(source, id, true, e.time());
            }
            if (appendOne(new LogRecord.Cancel(tenant, source, id, position, clock.instant())) < 0) {
                return new CancelResult(source, id, true, e.time());
            }
            if (!usage.isCancelled(position)) {
                usage.cancel(tenant, e, position, catalogs.get(tenant), this);
            }
            return new CancelResult(source, id, false, e.time());
        });
    }

    /** Appends a record outside a group commit (cancels); call on the writer thread only. */
    long appendOne(LogRecord r) {
        EventStore.Appended a = store.appendRecord(LogRecord.encode(r, mapper));
        applyOthers(a.others());
        return a.positions()[0];
    }

    /** Applies one stored record (recovery, or a record another process stored) without the queue. */
    void replayRecord(long position, byte[] bytes) {
        LogRecord r = decode(bytes);
        if (r instanceof LogRecord.Event e) {
            byte[] t = LogRecord.utf8(e.tenant());
            byte[] s = LogRecord.utf8(e.event().source());
            byte[] i = LogRecord.utf8(e.event().id());
            store.remember(new EventStore.Candidate(t, s, i, FingerprintIndex.fingerprint(t, s, i), bytes,
                    e.event().subject(), e.event().time()), position, e.receivedAt());
            usage.apply(e.tenant(), e.event(), catalogs.get(e.tenant()).contributionsLenient(e.event()), position);
        } else {
            LogRecord.Cancel c = (LogRecord.Cancel) r;
            if (!usage.isCancelled(c.target())) {
                usage.cancel(c.tenant(), read(c.target()), c.target(), catalogs.get(c.tenant()), this);
            }
        }
    }

    LogRecord decode(byte[] bytes) {
        return LogRecord.decode(bytes, mapper);
    }

    @Override
    public UsageEvent read(long position) {
        return ((LogRecord.Event) decode(store.read(position))).event();
    }

    /** The stored form of the event at a position. */
    public StoredEvent stored(long position) {
        LogRecord.Event e = (LogRecord.Event) decode(store.read(position));
        return new StoredEvent(e.event(), e.receivedAt(), usage.isCancelled(position), position);
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
