package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.MeterCatalog;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Every tenant's live usage, derived from the log. Only the ingest writer
 * thread mutates it; queries run concurrently from any thread and always see
 * whole events (each customer's series change under that customer's lock).
 */
public final class UsageStore {
    /**
     * First int of a full checkpoint of format 2 (per tenant its compaction limits; per hour the events that count,
     * then the positions in heap); format 1 began with the cancel count.
     */
    private static final int FULL_V2 = -2;
    final ConcurrentHashMap<String, TenantUsage> tenants = new ConcurrentHashMap<>();
    final Set<Long> cancelled = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final java.util.concurrent.ConcurrentLinkedQueue<Changed> changed =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** A customer whose usage changed since it was last drained (each is queued at most once until drained). */
    private record Changed(String tenant, CustomerUsage usage) {
    }

    /** What changed since the last durable checkpoint (writer thread only): see {@link UsageChanges}. */
    final UsageChanges changes = new UsageChanges(this);
    /** This store's identity: the change marks of one store never equal another's (after a restart, in another process). */
    private final String incarnation = java.util.UUID.randomUUID().toString();

    /** Whether whole-tenant questions are answered from (and ingest maintains) the tenants' rollups. */
    private final boolean rollups;
    /** Where positions of sealed segments are (none until {@link #attach}); positions below its boundary leave the heap. */
    private volatile SealedPositions sealed = SealedPositions.NONE;
    /** The boundary the heap was last pruned to (writer thread; read under customers' monitors). */
    private volatile long indexedBelow;

    public UsageStore(Clock clock) {
        this(clock, true);
    }

    /** {@code rollups = false} only to measure what the rollups cost: every whole-tenant question fans out. */
    UsageStore(Clock clock, boolean rollups) {
        this.clock = clock;
        this.rollups = rollups;
    }

    private TenantUsage tenant(String tenant) {
        TenantUsage tu = tenants.get(tenant);
        return tu != null ? tu : tenants.computeIfAbsent(tenant, TenantUsage::new);
    }

    /** Records a stored event: its position and its contributions. */
    public void apply(String tenant, UsageEvent e, List<Contribution> contributions, long position) {
        TenantUsage tu = tenant(tenant);
        tu.countType(e.type(), 1);
        CustomerUsage cu = tu.customer(e.subject());
        long hour = Hours.of(e.time());
        synchronized (tu.rollup) {
            synchronized (cu) {
                cu.record(hour, position, indexedBelow);
                cu.seen(e.time());
                for (Contribution c : contributions) {
                    cu.apply(hour, e.time(), e.tieBreak(), c);
                }
            }
            if (rollups) {
                tu.rollup.add(cu, hour, e.time(), e.tieBreak(), contributions);
            }
        }
        changes.touched(tenant, cu, hour);
        markChanged(tenant, cu);
    }

    /** Queues a customer whose usage was just changed (after the change, so a drainer that sees it sees the change). */
    private void markChanged(String tenant, CustomerUsage cu) {
        synchronized (cu) {
            cu.changes++;
        }
        if (!cu.changed) {
            cu.changed = true;
            changed.add(new Changed(tenant, cu));
        }
    }

    /**
     * The customers whose usage changed since the last call, as (tenant, customer external id) pairs, each once.
     * Alerts and quota checks evaluate these; a change made while they are evaluated queues the customer again.
     */
    public List<Map.Entry<String, String>> drainChangedCustomers() {
        List<Map.Entry<String, String>> out = new java.util.ArrayList<>();
        for (Changed c; (c = changed.poll()) != null; ) {
            // cleared before the caller reads the usage: a later change queues the customer again
            c.usage().changed = false;
            out.add(Map.entry(c.tenant(), c.usage().customer));
        }
        return out;
    }

    /**
     * A mark of a customer's usage as this store answers it: two equal marks mean no usage answer about the customer
     * changed between them. Every stored event (backdated ones too), every cancel and every meter rebuild moves it,
     * after the change is visible; marks of different stores (a restart, another process) never equal.
     */
    public String changeMark(String tenant, String customer) {
        TenantUsage tu = tenants.get(tenant);
        if (tu == null) {
            return incarnation + ".0.0";
        }
        long epoch = tu.epoch;
        CustomerUsage cu = tu.customers.get(customer);
        return incarnation + "." + epoch + "." + (cu == null ? 0 : cu.changes);
    }

    /** Adds contributions only (a meter being rebuilt from the log). */
    public void applyContributions(String tenant, UsageEvent e, List<Contribution> contributions) {
        if (contributions.isEmpty()) {
            return;
        }
        TenantUsage tu = tenant(tenant);
        CustomerUsage cu = tu.customer(e.subject());
        long hour = Hours.of(e.time());
        synchronized (tu.rollup) {
            synchronized (cu) {
                for (Contribution c : contributions) {
                    cu.apply(hour, e.time(), e.tieBreak(), c);
                }
            }
            if (rollups) {
                tu.rollup.add(cu, hour, e.time(), e.tieBreak(), contributions);
            }
        }
        changes.touched(tenant, cu, hour);
        markChanged(tenant, cu);
    }

    /** One customer × meter's hourly event counts, as {@link #forEachHourlySeries} hands them out. */
    @FunctionalInterface
    public interface HourlySeriesVisitor {
        void visit(String customer, String meter, long firstHour, java.util.function.LongUnaryOperator eventsAt);
    }

    /**
     * Visits every customer × meter of a tenant that has events: its first hour and its event count per hour (summed
     * over the meter's versions and groups), read under the customer's lock while the visitor runs (keep it short).
     */
    public void forEachHourlySeries(String tenant, HourlySeriesVisitor visitor) {
        TenantUsage tu = tenants.get(tenant);
        if (tu == null) {
            return;
        }
        for (CustomerUsage cu : tu.customers.values()) {
            synchronized (cu) {
                for (Map.Entry<String, Map<SeriesKey, TreeMap<Long, AggregateState>>> e : cu.seriesByMeter.entrySet()) {
                    java.util.Collection<TreeMap<Long, AggregateState>> series = e.getValue().values();
                    long first = Long.MAX_VALUE;
                    for (TreeMap<Long, AggregateState> hours : series) {
                        if (!hours.isEmpty()) {
                            first = Math.min(first, hours.firstKey());
                        }
                    }
                    if (first == Long.MAX_VALUE) {
                        continue;
                    }
                    visitor.visit(cu.customer, e.getKey(), first, hour -> {
                        long n = 0;
                        for (TreeMap<Long, AggregateState> hours : series) {
                            AggregateState st = hours.get(hour);
                            if (st != null) {
                                n += st.eventCount();
                            }
                        }
                        return n;
                    });
                }
            }
        }
    }

    /** Forgets every state of a meter (before it is rebuilt from the log). */
    public void clearMeter(String tenant, String key) {
        TenantUsage tu = tenant(tenant);
        synchronized (tu.rollup) {
            tu.customers.values().forEach(cu -> cu.clearMeter(key));
            tu.rollup.clearMeter(key);
            tu.epoch++;
        }
        changes.everything();
    }

    public boolean isCancelled(long position) {
        return cancelled.contains(position);
    }

    /**
     * Removes a cancelled event's effect: marks it and recomputes its customer's
     * hour from the events that still count.
     */
    public void cancel(String tenant, UsageEvent e, long position, MeterCatalog catalog, EventReader reader) {
        cancelled.add(position);
        changes.cancelled(position);
        TenantUsage tu = tenant(tenant);
        CustomerUsage cu = tu.customer(e.subject());
        long hour = Hours.of(e.time());
        synchronized (tu.rollup) {
            cancelHour(cu, hour, catalog, reader);
            tu.rollup.cancelled(cu, hour);
        }
        if (hour < tu.grains.daysBelow) {
            changes.everything(); // a compacted bucket changed: deltas carry hours only
        }
        changes.touched(tenant, cu, hour);
        markChanged(tenant, cu);
    }

    private void cancelHour(CustomerUsage cu, long hour, MeterCatalog catalog, EventReader reader) {
        synchronized (cu) {
            HourEvents events = cu.eventsOf(hour);
            if (events != null) {
                events.live--;
            }
            long[] range = cu.clearForRecompute(hour); // the hour, or its compacted bucket's hours
            for (long[] hp : positionsOf(cu, range[0], range[1], Long.MIN_VALUE, -1, Integer.MAX_VALUE)) {
                long p = hp[1];
                if (!cancelled.contains(p)) {
                    UsageEvent other = reader.read(p);
                    for (Contribution c : catalog.contributionsLenient(other)) {
                        // other hours of a bucket: only the compacted states were cleared
                        if (hp[0] == hour || Grains.mergeable(c.meter().aggregation())) {
                            cu.apply(hp[0], other.time(), other.tieBreak(), c);
                        }
                    }
                }
            }
        }
    }

    /** Stored events per event type for a tenant (matched or not). */
    public Map<String, Long> eventsByType(String tenant) {
        TenantUsage tu = tenants.get(tenant);
        if (tu == null) {
            return Map.of();
        }
        return tu.eventsByType.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum(), (a, b) -> a, TreeMap::new));
    }

    /** The customers of a tenant that have sent events. */
    public Set<String> customers(String tenant) {
        TenantUsage tu = tenants.get(tenant);
        return tu == null ? Set.of() : Set.copyOf(tu.customers.keySet());
    }

    /**
     * Every subject of a tenant that is not in {@code known}, with its stored events that still count (not
     * cancelled) and the time of its first and last event: to the second for events this process stored or
     * replayed, else (after a restart from a checkpoint) the start of the first and the end of the last hour with
     * events (of the first day or month, where the hours are compacted: {@link #compact}). Subjects whose every event was cancelled are left out. Sorted by most events first, then subject.
     */
    public List<SubjectActivity> subjectsOtherThan(String tenant, Set<String> known) {
        TenantUsage tu = tenants.get(tenant);
        if (tu == null) {
            return List.of();
        }
        java.util.ArrayList<SubjectActivity> out = new java.util.ArrayList<>();
        for (Map.Entry<String, CustomerUsage> e : tu.customers.entrySet()) {
            if (known.contains(e.getKey())) {
                continue;
            }
            CustomerUsage cu = e.getValue();
            synchronized (cu) {
                long events = 0;
                for (HourEvents hour : cu.positionsByHour.values()) {
                    events += hour.live;
                }
                if (events == 0) {
                    continue;
                }
                long firstHour = cu.positionsByHour.firstKey();
                long lastHour = cu.positionsByHour.lastKey();
                java.time.Instant first = Hours.of(java.time.Instant.ofEpochSecond(cu.firstSeen == Long.MAX_VALUE ? 0 : cu.firstSeen)) == firstHour
                        ? java.time.Instant.ofEpochSecond(cu.firstSeen) : Hours.start(firstHour);
                java.time.Instant last = cu.lastSeen != Long.MIN_VALUE
                        && Hours.of(java.time.Instant.ofEpochSecond(cu.lastSeen)) == lastHour
                        ? java.time.Instant.ofEpochSecond(cu.lastSeen) : Hours.start(lastHour + 1);
                out.add(new SubjectActivity(e.getKey(), events, first, last));
            }
        }
        out.sort(java.util.Comparator.comparingLong(SubjectActivity::events).reversed()
                .thenComparing(SubjectActivity::subject));
        return out;
    }

    /**
     * The log positions of a customer's events whose hour lies in [fromHour, toHour), by hour then
     * arrival, starting after the cursor (hour, position); at most {@code limit}.
     */
    public List<long[]> positions(String tenant, String customer, long fromHour, long toHour, long cursorHour,
            long cursorPosition, int limit) {
        TenantUsage tu = tenants.get(tenant);
        CustomerUsage cu = tu == null ? null : tu.customers.get(customer);
        if (cu == null) {
            return List.of();
        }
        synchronized (cu) {
            return positionsOf(cu, fromHour, toHour, cursorHour, cursorPosition, limit);
        }
    }

    /**
     * A customer's (hour, position) pairs with hour in [fromHour, toHour) after the cursor, in (hour, position)
     * order, at most {@code limit}: those in heap (at or above the boundary) merged with those of indexed
     * segments below it. Call holding the customer's monitor (the heap is pruned under it, after the boundary
     * moved), so nothing is missed or seen twice.
     */
    List<long[]> positionsOf(CustomerUsage cu, long fromHour, long toHour, long cursorHour, long cursorPosition,
            int limit) {
        long below = indexedBelow;
        List<long[]> disk = below == 0 ? List.of()
                : sealed.positions(cu.tenant, cu.customer, fromHour, toHour, cursorHour, cursorPosition, limit, below);
        java.util.ArrayList<long[]> heap = new java.util.ArrayList<>();
        long start = Math.max(fromHour, cursorHour);
        if (start < toHour) {
            outer:
            for (Map.Entry<Long, HourEvents> e : cu.positionsByHour.subMap(start, true, toHour, false).entrySet()) {
                HourEvents list = e.getValue();
                for (int i = 0; i < list.size(); i++) {
                    long p = list.get(i);
                    if (p < below || e.getKey() == cursorHour && p <= cursorPosition) {
                        continue;
                    }
                    heap.add(new long[] {e.getKey(), p});
                    if (heap.size() == limit) {
                        break outer;
                    }
                }
            }
        }
        if (disk.isEmpty()) {
            return heap;
        }
        java.util.ArrayList<long[]> out = new java.util.ArrayList<>(Math.min(limit, disk.size() + heap.size()));
        int i = 0;
        int j = 0;
        while (out.size() < limit && (i < disk.size() || j < heap.size())) {
            if (j == heap.size() || i < disk.size() && compare(disk.get(i), heap.get(j)) < 0) {
                out.add(disk.get(i++));
            } else {
                out.add(heap.get(j++));
            }
        }
        return out;
    }

    private static int compare(long[] a, long[] b) {
        int c = Long.compare(a[0], b[0]);
        return c != 0 ? c : Long.compare(a[1], b[1]);
    }

    /**
     * Reads positions of sealed segments through {@code index} from now on, and drops from the heap every position
     * below its boundary (they are in the index). Call on the writer thread (or before ingest starts) each time
     * the index's boundary may have moved; returns the positions dropped.
     */
    public long attach(SealedPositions index) {
        this.sealed = index;
        long boundary = index.boundary();
        if (boundary <= indexedBelow) {
            return 0; // (a checkpoint may say more is indexed than this index has: its files are rebuilt at start)
        }
        indexedBelow = boundary;
        long dropped = 0;
        for (TenantUsage tu : tenants.values()) {
            for (CustomerUsage cu : tu.customers.values()) {
                dropped += cu.dropPositionsBelow(boundary);
            }
        }
        return dropped;
    }

    /** The position below which events are read from the attached index, not the heap (0: none). */
    public long indexedBelow() {
        return indexedBelow;
    }

    /**
     * Answers a usage question; see {@link UsageQuery}. A question about all customers is answered from the
     * tenant's {@link TenantRollup} unless its aggregation is a time-weighted sum (integrated per customer).
     */
    public List<UsageRow> query(String tenant, MeterCatalog catalog, UsageRequest request, EventReader reader) {
        TenantUsage tu = tenants.get(tenant);
        UsageQuery q = new UsageQuery(catalog, request, reader, this, clock.instant(), grainsOf(tu));
        if (rollups && tu != null && request.customer().isEmpty() && q.answersFromRollup()) {
            return q.runRollup(tu.rollup);
        }
        return queryByFanOut(tenant, catalog, request, reader);
    }

    /** Answers a usage question by visiting every customer (the reference the rollup is tested against). */
    List<UsageRow> queryByFanOut(String tenant, MeterCatalog catalog, UsageRequest request, EventReader reader) {
        TenantUsage tu = tenants.get(tenant);
        List<CustomerUsage> customers;
        if (tu == null) {
            customers = List.of();
        } else if (request.customer().isPresent()) {
            customers = Optional.ofNullable(tu.customers.get(request.customer().get())).stream().toList();
        } else {
            customers = List.copyOf(tu.customers.values());
        }
        return new UsageQuery(catalog, request, reader, this, clock.instant(), grainsOf(tu)).run(customers);
    }

    private static Grains grainsOf(TenantUsage tu) {
        return tu == null ? new Grains() : tu.grains;
    }

    /**
     * Compacts a tenant's states of mergeable aggregations: hours before {@code daysBelow} (a UTC day start, in
     * epoch hours) into one state per UTC day, hours before {@code monthsBelow} (a UTC month start, at most
     * {@code daysBelow}) into one per month. Limits only move forward. Every answer stays exact: a question whose
     * range cuts a compacted bucket reads the cut part's events back from the log. Call on the writer thread, only
     * for hours no event can arrive for any more (older than the backdating window) and whose invoices are final.
     * Returns the states merged away.
     */
    public long compact(String tenant, long daysBelow, long monthsBelow) {
        if (Math.floorMod(daysBelow, 24) != 0 || Grains.floors(monthsBelow)[1] != monthsBelow || monthsBelow > daysBelow) {
            throw new IllegalArgumentException("compaction limits must be a UTC day and an earlier UTC month start");
        }
        TenantUsage tu = tenant(tenant);
        long merged = 0;
        synchronized (tu.rollup) {
            if (daysBelow <= tu.grains.daysBelow && monthsBelow <= tu.grains.monthsBelow) {
                return 0;
            }
            tu.grains.daysBelow = Math.max(daysBelow, tu.grains.daysBelow);
            tu.grains.monthsBelow = Math.max(monthsBelow, tu.grains.monthsBelow);
            for (CustomerUsage cu : tu.customers.values()) {
                merged += cu.compact();
            }
        }
        changes.everything(); // the next checkpoint is a full one, with the limits
        return merged;
    }

    /** The tenant's compaction limits, {daysBelow, monthsBelow} in epoch hours (Long.MIN_VALUE: none). */
    public long[] compactedBelow(String tenant) {
        Grains g = grainsOf(tenants.get(tenant));
        return new long[] {g.daysBelow, g.monthsBelow};
    }

    /** The hour a tenant stores the state of an aggregation's events of {@code hour} at (its compacted bucket's first). */
    public long stateHour(String tenant, dev.tally.core.aggregate.Aggregation a, long hour) {
        return grainsOf(tenants.get(tenant)).stateHour(a, hour);
    }

    /** [fromHour, toHour) widened to whole compacted buckets (what reconciliation compares). */
    public long[] widenToBuckets(String tenant, long fromHour, long toHour) {
        Grains g = grainsOf(tenants.get(tenant));
        return toHour <= fromHour ? new long[] {fromHour, toHour} : new long[] {g.start(fromHour), g.end(toHour - 1)};
    }

    /** Every state of a tenant's meter per (customer, version, group, hour), for reconciliation. */
    public Map<String, AggregateState> snapshotStates(String tenant, long fromHour, long toHour) {
        Map<String, AggregateState> out = new TreeMap<>();
        TenantUsage tu = tenants.get(tenant);
        if (tu == null) {
            return out;
        }
        for (CustomerUsage cu : tu.customers.values()) {
            synchronized (cu) {
                cu.seriesByMeter.forEach((key, series) -> series.forEach((sk, hours) ->
                        hours.subMap(fromHour, toHour).forEach((h, st) ->
                                out.put(stateKey(cu.customer, sk, h), st.copy()))));
            }
        }
        return out;
    }

    static String stateKey(String customer, SeriesKey sk, long hour) {
        return customer + " | " + sk.meter() + " v" + sk.version() + " | " + sk.group() + " | " + Hours.start(hour);
    }

    /** A stable textual key for one (customer, meter version, group, hour) state. */
    public static String stateKey(String customer, Contribution c, long hour) {
        return stateKey(customer, new SeriesKey(c.meter().key(), c.meter().version(), c.group()), hour);
    }

    /** The hour bucket of an instant (exposed for reconciliation). */
    public static long hourOf(java.time.Instant t) {
        return Hours.of(t);
    }

    /** Writes every tenant's derived state (checkpoint); call with no concurrent writer. */
    public void writeTo(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(FULL_V2);
        long below = indexedBelow;
        out.writeLong(below);
        out.writeInt(cancelled.size());
        for (long p : cancelled) {
            out.writeLong(p);
        }
        out.writeInt(tenants.size());
        for (Map.Entry<String, TenantUsage> t : tenants.entrySet()) {
            out.writeUTF(t.getKey());
            TenantUsage tu = t.getValue();
            out.writeInt(tu.eventsByType.size());
            for (Map.Entry<String, LongAdder> e : tu.eventsByType.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().sum());
            }
            out.writeLong(tu.grains.daysBelow);
            out.writeLong(tu.grains.monthsBelow);
            out.writeInt(tu.customers.size());
            for (CustomerUsage cu : tu.customers.values()) {
                synchronized (cu) {
                    out.writeUTF(cu.customer);
                    out.writeInt(cu.positionsByHour.size());
                    for (Map.Entry<Long, HourEvents> h : cu.positionsByHour.entrySet()) {
                        out.writeLong(h.getKey());
                        HourEvents l = h.getValue();
                        out.writeInt(l.live);
                        int from = 0; // a store read from a chain (compaction) may hold positions indexed since
                        while (from < l.size() && l.get(from) < below) {
                            from++;
                        }
                        out.writeInt(l.size() - from);
                        for (int i = from; i < l.size(); i++) {
                            out.writeLong(l.get(i));
                        }
                    }
                    int seriesCount = cu.seriesByMeter.values().stream().mapToInt(Map::size).sum();
                    out.writeInt(seriesCount);
                    for (Map<SeriesKey, TreeMap<Long, AggregateState>> series : cu.seriesByMeter.values()) {
                        for (Map.Entry<SeriesKey, TreeMap<Long, AggregateState>> s : series.entrySet()) {
                            SeriesKey k = s.getKey();
                            out.writeUTF(k.meter());
                            out.writeInt(k.version());
                            out.writeInt(k.group().size());
                            for (int i = 0; i < k.group().size(); i++) {
                                Optional<String> v = k.group().get(i);
                                out.writeBoolean(v.isPresent());
                                if (v.isPresent()) {
                                    out.writeUTF(v.get());
                                }
                            }
                            out.writeInt(s.getValue().size());
                            for (Map.Entry<Long, AggregateState> h : s.getValue().entrySet()) {
                                out.writeLong(h.getKey());
                                out.writeUTF(h.getValue().aggregation().name());
                                h.getValue().writeTo(out);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Replaces this (empty) store's state with a checkpoint's (a full one: {@link #writeTo}). */
    public void readFrom(java.io.DataInput in) throws java.io.IOException {
        readBaseFrom(in);
        finishLoading();
    }

    /**
     * Reads a full checkpoint into this (empty) store, to be followed by {@link #readChangesFrom} for each later
     * incremental checkpoint and then {@link #finishLoading}.
     */
    public void readBaseFrom(java.io.DataInput in) throws java.io.IOException {
        int first = in.readInt();
        boolean v2 = first == FULL_V2;
        if (v2) {
            indexedAtLeast(in.readLong());
        }
        int nc = v2 ? in.readInt() : first;
        for (int i = 0; i < nc; i++) {
            cancelled.add(in.readLong());
        }
        int nt = in.readInt();
        for (int t = 0; t < nt; t++) {
            TenantUsage tu = tenant(in.readUTF());
            int types = in.readInt();
            for (int i = 0; i < types; i++) {
                tu.countType(in.readUTF(), in.readLong());
            }
            if (v2) {
                tu.grains.daysBelow = in.readLong();
                tu.grains.monthsBelow = in.readLong();
            }
            int customers = in.readInt();
            for (int c = 0; c < customers; c++) {
                CustomerUsage cu = tu.customer(in.readUTF());
                int hours = in.readInt();
                for (int h = 0; h < hours; h++) {
                    long hour = in.readLong();
                    int live = v2 ? in.readInt() : -1;
                    int n = in.readInt();
                    HourEvents l = new HourEvents();
                    for (int i = 0; i < n; i++) {
                        long p = in.readLong();
                        l.add(p);
                        if (!v2 && !cancelled.contains(p)) {
                            l.live++;
                        }
                    }
                    if (v2) {
                        l.live = live;
                    }
                    cu.positionsByHour.put(hour, l);
                    if (n > 0) {
                        cu.heldInHeap(hour);
                    }
                }
                int seriesCount = in.readInt();
                for (int s = 0; s < seriesCount; s++) {
                    String meter = in.readUTF();
                    int version = in.readInt();
                    int dims = in.readInt();
                    List<Optional<String>> values = new java.util.ArrayList<>(dims);
                    for (int i = 0; i < dims; i++) {
                        values.add(in.readBoolean() ? Optional.of(in.readUTF()) : Optional.empty());
                    }
                    TreeMap<Long, AggregateState> states = new TreeMap<>();
                    int n = in.readInt();
                    for (int i = 0; i < n; i++) {
                        long hour = in.readLong();
                        dev.tally.core.aggregate.Aggregation a = dev.tally.core.aggregate.Aggregation.valueOf(in.readUTF());
                        states.put(hour, AggregateState.readFrom(a, in));
                    }
                    cu.seriesByMeter.computeIfAbsent(meter, k -> new java.util.HashMap<>())
                            .put(new SeriesKey(meter, version, dev.tally.core.meter.GroupKey.of(values)), states);
                }
            }
        }
    }

    /**
     * Whether the next checkpoint must be a full one ({@link #writeTo}): a meter's states were cleared (rebuilt)
     * since the last durable checkpoint, or this store was not loaded from one.
     */
    public boolean needsFullCheckpoint() {
        return changes.needsFull();
    }

    /**
     * Writes what changed since the last durable checkpoint (an incremental checkpoint): the cancels since, and per
     * customer that changed only the hours that changed: the positions appended to them and their states. Bytes
     * written grow with the changes, not with the store. Call on the writer thread.
     */
    public void writeChangesTo(java.io.DataOutput out) throws java.io.IOException {
        changes.writeTo(out);
    }

    /** Applies one incremental checkpoint's changes ({@link #writeChangesTo}) after {@link #readBaseFrom}. */
    public void readChangesFrom(java.io.DataInput in) throws java.io.IOException {
        changes.readFrom(in);
    }

    /** Notes (loading a checkpoint) that positions below {@code position} were in the index when it was written. */
    void indexedAtLeast(long position) {
        if (position > indexedBelow) {
            indexedBelow = position;
        }
    }

    /** Ends loading a checkpoint chain: derives the rollups; what was read counts as durable. */
    public void finishLoading() {
        long below = indexedBelow;
        if (below > 0) { // positions the chain's older files held that were indexed by its last one
            for (TenantUsage tu : tenants.values()) {
                for (CustomerUsage cu : tu.customers.values()) {
                    cu.dropPositionsBelow(below);
                }
            }
        }
        if (rollups) {
            rebuildRollups();
        }
        changes.loaded();
    }

    /** Tells the store that the checkpoint last written (full or incremental) is durable. Writer thread. */
    public void checkpointed(boolean full) {
        changes.checkpointed(full);
    }

    /** A store for compacting checkpoints off the writer thread: never queried, so it keeps no rollups. */
    public static UsageStore forCompaction(Clock clock) {
        return new UsageStore(clock, false);
    }

    /** Derives every tenant's rollup from its customers' states (the rollups are not checkpointed). */
    private void rebuildRollups() {
        for (TenantUsage tu : tenants.values()) {
            synchronized (tu.rollup) {
                tu.customers.values().forEach(tu.rollup::addCustomer);
            }
        }
    }

    /** A rough count of the heap bytes held for event positions and per-hour event counts. */
    public long positionBytes() {
        return heapPositions()[1];
    }

    /** The event positions held in heap (those not yet in a sealed segment's index), and their rough bytes. */
    public long[] heapPositions() {
        long count = 0;
        long bytes = 0;
        for (TenantUsage tu : tenants.values()) {
            for (CustomerUsage cu : tu.customers.values()) {
                long[] p = cu.heapPositions();
                count += p[0];
                bytes += p[1];
            }
        }
        return new long[] {count, bytes};
    }
}
