package dev.tally.engine.usage;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** One tenant's customers, their usage summed over customers, and the number of stored events per event type. */
final class TenantUsage {
    final String name;
    /** Which hours' states are compacted to days or months. */
    final Grains grains = new Grains();
    final ConcurrentHashMap<String, CustomerUsage> customers = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, LongAdder> eventsByType = new ConcurrentHashMap<>();
    /** The usage of all customers merged; its monitor is taken before any customer's. */
    final TenantRollup rollup = new TenantRollup();
    /** Moved after a meter's states were cleared for a rebuild (under the rollup's monitor). */
    volatile long epoch;

    TenantUsage(String name) {
        this.name = name;
    }

    CustomerUsage customer(String id) {
        CustomerUsage cu = customers.get(id); // computeIfAbsent locks the bin unless the key is its first node
        return cu != null ? cu : customers.computeIfAbsent(id, c -> new CustomerUsage(name, c, grains));
    }

    void countType(String type, long n) {
        LongAdder count = eventsByType.get(type);
        (count != null ? count : eventsByType.computeIfAbsent(type, t -> new LongAdder())).add(n);
    }
}
