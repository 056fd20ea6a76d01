package dev.tally.engine.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.event.UsageEvent;
import dev.tally.engine.usage.TenantRollupPropertiesTest.Ask;
import dev.tally.engine.usage.TenantRollupPropertiesTest.Ev;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A full checkpoint followed by the incremental ones written after it restores exactly the store's state: every
 * state of every (customer, meter version, group, hour) byte for byte, every position, every cancel, the counts
 * per event type and the rollup's answers, for random histories cut into random checkpoints with cancels
 * (of events in old and new hours) and events arriving in cancelled hours in between.
 */
class UsageChangesPropertiesTest {
    static final String TENANT = TenantRollupPropertiesTest.TENANT;

    @Property(tries = 200)
    void aBaseAndItsDeltasRestoreExactlyTheStore(
            @ForAll @Size(max = 80) List<@From("events") Ev> evs,
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 0, max = 80) Integer> cuts,
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 79) Integer> cancels,
            @ForAll @Size(min = 1, max = 4) List<@From("asks") Ask> asks) throws IOException {
        TenantRollupPropertiesTest.Fixture f = new TenantRollupPropertiesTest.Fixture();
        List<Integer> points = cuts.stream().map(c -> Math.min(c, evs.size())).sorted().toList();
        int sent = 0;
        byte[] base = null;
        List<byte[]> deltas = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            for (; sent < points.get(k); sent++) {
                UsageEvent e = TenantRollupPropertiesTest.event(sent, evs.get(sent));
                f.log.put((long) sent, e);
                f.store.apply(TENANT, e, TenantRollupPropertiesTest.CATALOG.contributionsLenient(e), sent);
            }
            for (int i = k; i < cancels.size(); i += points.size()) {
                f.cancel(cancels.get(i));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (base == null) {
                f.store.writeTo(new DataOutputStream(bytes));
                f.store.checkpointed(true);
                base = bytes.toByteArray();
            } else {
                assertThat(f.store.needsFullCheckpoint()).isFalse();
                f.store.writeChangesTo(new DataOutputStream(bytes));
                f.store.checkpointed(false);
                deltas.add(bytes.toByteArray());
            }
        }

        UsageStore restored = new UsageStore(Clock.fixed(TenantRollupPropertiesTest.BASE, ZoneOffset.UTC));
        restored.readBaseFrom(new DataInputStream(new ByteArrayInputStream(base)));
        for (byte[] d : deltas) {
            restored.readChangesFrom(new DataInputStream(new ByteArrayInputStream(d)));
        }
        restored.finishLoading();

        assertThat(states(restored)).isEqualTo(states(f.store));
        assertThat(restored.eventsByType(TENANT)).isEqualTo(f.store.eventsByType(TENANT));
        assertThat(restored.customers(TENANT)).isEqualTo(f.store.customers(TENANT));
        for (String customer : f.store.customers(TENANT)) {
            assertThat(positions(restored, customer)).as(customer).isEqualTo(positions(f.store, customer));
        }
        for (long p = 0; p < sent; p++) {
            assertThat(restored.isCancelled(p)).as("position %d", p).isEqualTo(f.store.isCancelled(p));
        }
        for (Ask a : asks) {
            assertThat(f.rollup(restored, a)).as("restored %s", a).isEqualTo(f.fanOut(f.store, a));
        }
    }

    @Property(tries = 50)
    void aDeltaHoldsOnlyTheHoursThatChanged(@ForAll @IntRange(min = 1, max = 40) int later) throws IOException {
        TenantRollupPropertiesTest.Fixture f = new TenantRollupPropertiesTest.Fixture();
        List<Ev> history = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) { // 8 customers over three days
            history.add(new Ev(i % 8, (i * 7) % (3 * 24 * 60), i % 60,
                    java.util.Optional.of("a"), "eu", i % 90, i % 5));
        }
        f.ingest(0, history);
        ByteArrayOutputStream full = new ByteArrayOutputStream();
        f.store.writeTo(new DataOutputStream(full));
        f.store.checkpointed(true);
        for (int i = 0; i < later; i++) { // one customer, one hour
            UsageEvent e = TenantRollupPropertiesTest.event(2_000 + i,
                    new Ev(3, 600, i % 60, java.util.Optional.of("a"), "eu", i, 1));
            f.log.put(2_000L + i, e);
            f.store.apply(TENANT, e, TenantRollupPropertiesTest.CATALOG.contributionsLenient(e), 2_000 + i);
        }
        ByteArrayOutputStream delta = new ByteArrayOutputStream();
        f.store.writeChangesTo(new DataOutputStream(delta));
        assertThat(delta.size()).as("one customer-hour and its %d new positions", later)
                .isLessThan(full.size() / 20).isLessThan(1_500 + 8 * later);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Ev> events() {
        return new TenantRollupPropertiesTest().events();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Ask> asks() {
        return new TenantRollupPropertiesTest().asks();
    }

    /** Every state, serialized (states have no equals: their bytes are their identity). */
    static Map<String, String> states(UsageStore s) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, AggregateState> e : s.snapshotStates(TENANT, Long.MIN_VALUE, Long.MAX_VALUE).entrySet()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            e.getValue().writeTo(new DataOutputStream(bytes));
            out.put(e.getKey(), e.getValue().aggregation() + ":" + HexFormat.of().formatHex(bytes.toByteArray()));
        }
        return out;
    }

    static List<String> positions(UsageStore s, String customer) {
        return s.positions(TENANT, customer, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
                Integer.MAX_VALUE).stream().map(p -> p[0] + "@" + p[1]).toList();
    }
}
