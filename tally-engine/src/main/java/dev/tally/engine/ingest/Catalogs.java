package dev.tally.engine.ingest;

import dev.tally.core.meter.MeterCatalog;
import java.util.concurrent.ConcurrentHashMap;

/** The current meter catalog of each tenant; replaced whole on every meter change. Thread-safe. */
public final class Catalogs {
    private final ConcurrentHashMap<String, MeterCatalog> byTenant = new ConcurrentHashMap<>();

    public MeterCatalog get(String tenant) {
        return byTenant.getOrDefault(tenant, MeterCatalog.EMPTY);
    }

    public void put(String tenant, MeterCatalog catalog) {
        byTenant.put(tenant, catalog);
    }
}
