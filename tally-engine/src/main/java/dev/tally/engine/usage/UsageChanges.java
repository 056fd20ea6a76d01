package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.meter.GroupKey;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What changed in a {@link UsageStore} since its last durable checkpoint, and the incremental checkpoint format
 * that carries it: the cancels since; per tenant that changed its event counts per type (a handful of numbers);
 * per customer that changed only the hours that changed, each with its number of events that count, the positions
 * appended to it since (positions are only appended in heap; those dropped from its front are in a sealed
 * segment's index, and a position read back below the index's boundary is dropped again) and every state the customer holds in that hour (replacing the hour's states on read,
 * so a cancel's recomputation is carried exactly). A meter's states being cleared (a rebuild) cannot be carried
 * incrementally: the next checkpoint is then a full one.
 *
 * <p>Writer thread only (like every mutation of the store), except reading, which runs on a store nobody else
 * uses yet.
 */
final class UsageChanges {
    private static final int MAGIC = 0x54555344; // "TUSD"
    /**
     * 2: the position below which the store's positions were indexed on disk, and each changed hour's count of
     * events that count.
     */
    private static final int VERSION = 2;

    private final UsageStore store;
    /** Customers with changed hours, by tenant, in the order they first changed. */
    private final Map<String, List<CustomerUsage>> customers = new LinkedHashMap<>();
    private final LongList cancels = new LongList();
    private boolean full = true;

    UsageChanges(UsageStore store) {
        this.store = store;
    }

    void touched(String tenant, CustomerUsage cu, long hour) {
        cu.touched(hour);
        if (!cu.checkpointDirty) {
            cu.checkpointDirty = true;
            customers.computeIfAbsent(tenant, t -> new ArrayList<>()).add(cu);
        }
    }

    void cancelled(long position) {
        cancels.add(position);
    }

    void everything() {
        full = true;
    }

    boolean needsFull() {
        return full;
    }

    /** After a checkpoint chain was read: the state as read is durable, nothing changed yet. */
    void loaded() {
        forgetAll();
        full = false;
    }

    void checkpointed(boolean wasFull) {
        if (wasFull) {
            forgetAll();
        } else {
            for (List<CustomerUsage> list : customers.values()) {
                for (CustomerUsage cu : list) {
                    synchronized (cu) {
                        for (long hour : cu.checkpointHours) {
                            HourEvents positions = cu.positionsByHour.get(hour);
                            if (positions != null) {
                                positions.durable = positions.size();
                            }
                        }
                    }
                    cu.checkpointed();
                }
            }
        }
        customers.clear();
        cancels.clear();
        full = false;
    }

    private void forgetAll() {
        for (TenantUsage tu : store.tenants.values()) {
            for (CustomerUsage cu : tu.customers.values()) {
                synchronized (cu) {
                    for (HourEvents positions : cu.positionsByHour.values()) {
                        positions.durable = positions.size();
                    }
                }
                cu.checkpointed();
            }
        }
        customers.clear();
        cancels.clear();
    }

    void writeTo(DataOutput out) throws IOException {
        if (full) {
            throw new IllegalStateException("a meter was rebuilt since the last checkpoint: write a full one");
        }
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(store.indexedBelow());
        out.writeInt(cancels.size());
        for (int i = 0; i < cancels.size(); i++) {
            out.writeLong(cancels.get(i));
        }
        out.writeInt(customers.size());
        for (Map.Entry<String, List<CustomerUsage>> t : customers.entrySet()) {
            TenantUsage tu = store.tenants.get(t.getKey());
            out.writeUTF(t.getKey());
            out.writeInt(tu.eventsByType.size());
            for (Map.Entry<String, LongAdder> e : tu.eventsByType.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().sum());
            }
            out.writeInt(t.getValue().size());
            for (CustomerUsage cu : t.getValue()) {
                synchronized (cu) {
                    writeCustomer(out, cu);
                }
            }
        }
    }

    private static void writeCustomer(DataOutput out, CustomerUsage cu) throws IOException {
        out.writeUTF(cu.customer);
        out.writeInt(cu.checkpointHours.size());
        for (long hour : cu.checkpointHours) {
            out.writeLong(hour);
            HourEvents positions = cu.positionsByHour.get(hour);
            out.writeInt(positions == null ? 0 : positions.live);
            int from = positions == null ? 0 : positions.durable;
            int to = positions == null ? 0 : positions.size();
            out.writeInt(to - from);
            for (int i = from; i < to; i++) {
                out.writeLong(positions.get(i));
            }
            List<Map.Entry<SeriesKey, AggregateState>> states = new ArrayList<>();
            for (Map<SeriesKey, TreeMap<Long, AggregateState>> series : cu.seriesByMeter.values()) {
                for (Map.Entry<SeriesKey, TreeMap<Long, AggregateState>> s : series.entrySet()) {
                    AggregateState st = s.getValue().get(hour);
                    if (st != null) {
                        states.add(Map.entry(s.getKey(), st));
                    }
                }
            }
            out.writeInt(states.size());
            for (Map.Entry<SeriesKey, AggregateState> s : states) {
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
                out.writeUTF(s.getValue().aggregation().name());
                s.getValue().writeTo(out);
            }
        }
    }

    void readFrom(DataInput in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new StreamCorruptedException("not the changes of a usage checkpoint");
        }
        int version = in.readInt();
        if (version != 1 && version != VERSION) {
            throw new StreamCorruptedException("usage checkpoint changes of unknown version " + version);
        }
        if (version >= 2) {
            store.indexedAtLeast(in.readLong());
        }
        int nc = count(in);
        for (int i = 0; i < nc; i++) {
            store.cancelled.add(in.readLong());
        }
        int nt = count(in);
        for (int t = 0; t < nt; t++) {
            String tenant = in.readUTF();
            TenantUsage tu = store.tenants.computeIfAbsent(tenant, TenantUsage::new);
            int types = count(in);
            Map<String, Long> counts = new HashMap<>();
            for (int i = 0; i < types; i++) {
                counts.put(in.readUTF(), in.readLong());
            }
            tu.eventsByType.clear();
            counts.forEach(tu::countType);
            int nCustomers = count(in);
            for (int c = 0; c < nCustomers; c++) {
                readCustomer(in, tu.customer(in.readUTF()), version);
            }
        }
    }

    private void readCustomer(DataInput in, CustomerUsage cu, int format) throws IOException {
        int hours = count(in);
        for (int h = 0; h < hours; h++) {
            long hour = in.readLong();
            int live = format >= 2 ? count(in) : -1;
            int n = count(in);
            HourEvents positions = cu.positionsByHour.get(hour);
            if (positions == null && (n > 0 || live > 0)) {
                positions = new HourEvents();
                cu.positionsByHour.put(hour, positions);
            }
            for (int i = 0; i < n; i++) {
                positions.add(in.readLong());
            }
            if (n > 0) {
                cu.heldInHeap(hour);
            }
            if (positions != null) {
                if (live >= 0) {
                    positions.live = live;
                } else { // version 1: every position was in heap
                    int counting = 0;
                    for (int i = 0; i < positions.size(); i++) {
                        counting += store.cancelled.contains(positions.get(i)) ? 0 : 1;
                    }
                    positions.live = counting;
                }
            }
            for (String key : List.copyOf(cu.seriesByMeter.keySet())) {
                cu.clearHour(key, hour);
            }
            int states = count(in);
            for (int s = 0; s < states; s++) {
                String meter = in.readUTF();
                int version = in.readInt();
                int dims = count(in);
                List<Optional<String>> values = new ArrayList<>(dims);
                for (int i = 0; i < dims; i++) {
                    values.add(in.readBoolean() ? Optional.of(in.readUTF()) : Optional.empty());
                }
                Aggregation a = Aggregation.valueOf(in.readUTF());
                AggregateState st = AggregateState.readFrom(a, in);
                cu.seriesByMeter.computeIfAbsent(meter, k -> new HashMap<>())
                        .computeIfAbsent(new SeriesKey(meter, version, GroupKey.of(values)), k -> new TreeMap<>())
                        .put(hour, st);
            }
        }
    }

    private static int count(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new StreamCorruptedException("invalid count " + n);
        }
        return n;
    }
}
