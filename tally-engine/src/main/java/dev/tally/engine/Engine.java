package dev.tally.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.EventOutcome;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import dev.tally.core.meter.MeterJson;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.ingest.CancelResult;
import dev.tally.engine.ingest.Checkpoints;
import dev.tally.engine.ingest.Catalogs;
import dev.tally.engine.ingest.EventPage;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.IngestPipeline;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.ingest.IngestStats;
import dev.tally.engine.ingest.LogScans;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.LocalEventStore;
import dev.tally.engine.ingest.PostgresEventStore;
import dev.tally.engine.log.SegmentLog;
import dev.tally.engine.access.AccessControl;
import dev.tally.engine.access.PortalTokens;
import dev.tally.engine.secrets.PrivateFiles;
import dev.tally.engine.secrets.SecretsKey;
import dev.tally.engine.store.KeyStore;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.MetadataStore;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.UsageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tally's engine over one data directory: the event log, the metadata
 * database, and the derived in-memory state rebuilt from the log at open.
 * Thread-safe; one engine per data directory (enforced with a file lock).
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    public static final String DEFAULT_TENANT = "default";
    /** The bootstrap key's scopes: everything, and creating tenants. */
    public static final Set<String> ADMIN_SCOPES = Set.of("admin", "ingest", "read", "system");
    /** How often alerts and hard limits are evaluated for the customers whose usage changed. */
    public static final long ALERT_EVALUATION_MILLIS = 1000;

    private final EngineConfig config;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Database db;
    private final dev.tally.engine.audit.AuditLog audit;
    private final MetadataStore meta;
    private final EventStore log;
    private final UsageStore usage;
    private final Catalogs catalogs = new Catalogs();
    private final IngestPipeline pipeline;
    private final LogScans scans;
    private final CloudEventReader reader;
    private final KeyStore keys;
    private final AccessControl access;
    private volatile boolean ready;
    private final byte[] cursorSecret;
    private final dev.tally.engine.ingest.RecentRejections rejections;
    private final dev.tally.engine.billing.Billing billing;
    private final dev.tally.engine.tenant.TenantSettingsStore tenantSettings;
    private final dev.tally.engine.notify.Webhooks webhooks;
    private final dev.tally.engine.payment.Payments payments;
    private final dev.tally.engine.providers.ProviderStore providers;
    private final dev.tally.engine.exportschedule.ExportScheduleStore exportSchedules;
    private final dev.tally.engine.entitlement.Entitlements entitlements;
    private final dev.tally.engine.entitlement.Alerts alerts;
    private final dev.tally.engine.payment.dunning.Dunning dunning;
    private final dev.tally.engine.credit.live.LiveCredits liveCredits;
    private final dev.tally.engine.subjects.UnmatchedSubjects unmatched;
    private volatile Instant lastCheckpoint;
    private volatile long checkpointedAt;
    private final Checkpoints checkpoints;
    private final java.util.concurrent.ScheduledExecutorService maintenance =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tally-maintenance");
                t.setDaemon(true);
                return t;
            });
    /** Dunning asks payment providers to collect: a slow provider must never hold up billing runs or alerts. */
    private final java.util.concurrent.ScheduledExecutorService dunningThread =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tally-dunning");
                t.setDaemon(true);
                return t;
            });

    private Engine(EngineConfig config, Clock clock,
            java.util.function.Function<Database, EventStore> storeFactory) throws IOException {
        this.config = config;
        this.clock = clock;
        PrivateFiles.directory(config.dataDir());
        this.lockChannel = PrivateFiles.open(config.dataDir().resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            this.lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
            // an engine of this process holds it; closing this channel could release that engine's lock
            throw new DataDirectoryInUseException(config.dataDir());
        }
        if (lock == null) {
            lockChannel.close();
            throw new DataDirectoryInUseException(config.dataDir());
        }
        PrivateFiles.tighten(config.dataDir());
        SecretsKey secretsKey = SecretsKey.resolve(config.secrets(), config.dataDir());
        Database opened;
        if (config.databaseUrl().isPresent()) {
            opened = Database.postgres(config.databaseUrl().get());
        } else {
            // SQLite creates the write-ahead log and shared-memory files with the database file's mode
            PrivateFiles.createFile(config.dataDir().resolve("tally.db"));
            opened = Database.open(config.dataDir().resolve("tally.db"));
        }
        this.db = opened;
        this.meta = new MetadataStore(db, Optional.of(secretsKey.box()));
        try {
            meta.checkSecretsKey(secretsKey.source());
            secretsKey.persist();
        } catch (RuntimeException | IOException e) {
            db.close();
            lockChannel.close();
            throw e;
        }
        this.keys = new KeyStore(db, meta.secret("api-key-pepper"));
        bootstrap();
        this.cursorSecret = meta.secret("cursor");
        this.rejections = new dev.tally.engine.ingest.RecentRejections(clock);
        this.access = new AccessControl(db, meta, keys, new PortalTokens(meta.secret("portal")), clock,
                db.isPostgres());
        for (String tenant : meta.tenants()) {
            catalogs.put(tenant, new MeterCatalog(meta.meterGeneration(tenant), meta.meters(tenant)));
        }
        this.log = storeFactory != null ? storeFactory.apply(db) : db.isPostgres() ? new PostgresEventStore(db)
                : new LocalEventStore(SegmentLog.open(config.dataDir().resolve("log"), config.segmentBytes()),
                        new dev.tally.engine.log.DedupIndex(config.dataDir().resolve("dedup"),
                                config.dedup().windowFor(config.limits().backdatingWindow(),
                                        config.limits().futureTolerance()),
                                config.dedup().memoryBytes(), clock), clock);
        log.seeEverything();
        this.checkpoints = new Checkpoints(config.dataDir());
        long started = System.nanoTime();
        Optional<Checkpoints.Loaded> loaded = checkpoints.load(generations(), log, clock);
        this.usage = loaded.map(Checkpoints.Loaded::usage).orElseGet(() -> new UsageStore(clock));
        this.pipeline = new IngestPipeline(log, usage, catalogs, clock);
        this.scans = new LogScans(log, pipeline, usage, catalogs);
        this.reader = new CloudEventReader(config.limits(), clock);
        long from = loaded.map(Checkpoints.Loaded::logPosition).orElse(log.start());
        long records = scans.recover(from);
        LOG.info("{}; replayed {} log records in {} ms", loaded.isPresent() ? "loaded the checkpoint"
                : "no usable checkpoint", records, (System.nanoTime() - started) / 1_000_000);
        lastCheckpoint = clock.instant();
        checkpointedAt = log.endPosition();
        pipeline.start();
        ready = true;
        maintenance.scheduleWithFixedDelay(this::checkpointQuietly, 5, 5, java.util.concurrent.TimeUnit.MINUTES);
        this.billing = new dev.tally.engine.billing.Billing(db, new MeteredUsage(this), clock);
        this.tenantSettings = new dev.tally.engine.tenant.TenantSettingsStore(db, clock);
        this.audit = new dev.tally.engine.audit.AuditLog(db, clock,
                dev.tally.engine.audit.AuditLog.retentionFrom(System.getenv()));
        maintenance.scheduleWithFixedDelay(this::pruneAuditQuietly, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
        this.payments = new dev.tally.engine.payment.Payments(db, billing, clock);
        this.providers = new dev.tally.engine.providers.ProviderStore(db, secretsKey.box(), clock);
        this.exportSchedules = new dev.tally.engine.exportschedule.ExportScheduleStore(db, secretsKey.box(), clock);
        this.webhooks = new dev.tally.engine.notify.Webhooks(db, clock, config.webhooks(), secretsKey.box());
        // values stored in clear by an older version were sealed above: flush their old pages out of the WAL
        db.scrub();
        PrivateFiles.tighten(config.dataDir());
        webhooks.scheduleOn(maintenance);
        this.entitlements = new dev.tally.engine.entitlement.Entitlements(db, billing, new MeteredUsage(this), clock);
        this.liveCredits = new dev.tally.engine.credit.live.LiveCredits(db, billing, clock);
        entitlements.gate(liveCredits.requirements());
        this.alerts = new dev.tally.engine.entitlement.Alerts(entitlements,
                () -> liveCredits.usageChanged(usage.drainChangedCustomers()), clock);
        entitlements.preload(meta.tenants());
        this.dunning = new dev.tally.engine.payment.dunning.Dunning(db, billing, payments, entitlements, clock);
        maintenance.scheduleWithFixedDelay(this::evaluateQuietly, ALERT_EVALUATION_MILLIS, ALERT_EVALUATION_MILLIS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        if (log.shared()) {
            maintenance.scheduleWithFixedDelay(this::syncQuietly, 500, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        this.unmatched = new dev.tally.engine.subjects.UnmatchedSubjects(usage, billing, db, clock, this::syncWithOthers,
                this::tenants);
        if (!config.webhooks().summaryEvery().isZero()) {
            long every = config.webhooks().summaryEvery().toMillis();
            maintenance.scheduleWithFixedDelay(this::announceQuietly, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        if (!config.billingEvery().isZero()) {
            long every = config.billingEvery().toMillis();
            maintenance.scheduleWithFixedDelay(this::billQuietly, every, every,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            // on its own thread, at the billing cadence (each step once, see Dunning)
            dunningThread.scheduleWithFixedDelay(this::dunQuietly, every, every,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Opens (creating if needed) the data directory and replays its log. */
    public static Engine open(EngineConfig config, Clock clock) {
        return open(config, clock, null);
    }

    /**
     * Opens an engine whose events go to a store of the caller's (e.g. a Kafka front over PostgreSQL); the
     * factory receives the metadata database. Null means the default for the configuration.
     */
    public static Engine open(EngineConfig config, Clock clock,
            java.util.function.Function<Database, EventStore> storeFactory) {
        try {
            return new Engine(config, clock, storeFactory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open data directory " + config.dataDir(), e);
        }
    }

    private void bootstrap() throws IOException {
        Instant now = clock.instant();
        if (!meta.tenantExists(DEFAULT_TENANT)) {
            meta.createTenant(DEFAULT_TENANT, "Default tenant", now);
            String key = config.bootstrapKey().orElseGet(KeyStore::newSecret);
            keys.create(DEFAULT_TENANT, key, "bootstrap admin key", ADMIN_SCOPES, Optional.empty(), Optional.empty(), now);
            Path file = config.dataDir().resolve("bootstrap-key");
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
            LOG.info("created the default tenant; its admin API key is in {}", file.toAbsolutePath());
        } else if (config.bootstrapKey().isPresent() && keys.find(config.bootstrapKey().get()).isEmpty()) {
            keys.create(DEFAULT_TENANT, config.bootstrapKey().get(), "bootstrap admin key", ADMIN_SCOPES,
                    Optional.empty(), Optional.empty(), now);
            LOG.info("added TALLY_BOOTSTRAP_KEY as an admin key of the default tenant");
        }
    }

    public Clock clock() {
        return clock;
    }

    public CloudEventReader eventReader() {
        return reader;
    }

    /** Ready to take traffic: started, the store healthy and, on a shared store, the database answering. */
    public boolean ready() {
        if (!ready || !log.healthy()) {
            return false;
        }
        if (!log.shared()) {
            return true;
        }
        try {
            meta.meterGenerations();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Keys, tenants, rate limits and portal tokens. */
    public AccessControl access() {
        return access;
    }

    // ---- events

    public IngestResult ingest(String tenant, List<EventOutcome> outcomes) {
        IngestResult result = pipeline.ingest(tenant, outcomes);
        webhooks.countRejections(tenant, result);
        rejections.record(tenant, outcomes, result);
        return result;
    }

    /** The tenant's most recent rejected events (this process), newest first. */
    public List<dev.tally.engine.ingest.RecentRejections.Rejection> recentRejections(String tenant,
            Optional<String> subject, int limit) {
        return rejections.recent(tenant, subject, limit);
    }

    public CancelResult cancel(String tenant, String source, String id) {
        return pipeline.cancel(tenant, source, id);
    }

    /** Lists stored events; see {@link EventQuery}. Order: by log position, or by hour then arrival for a customer. */
    public EventPage events(String tenant, EventQuery q) {
        syncWithOthers();
        if (q.customer().isEmpty()) {
            long after = q.cursor().map(c -> parseCursor(c, "l")[0]).orElse(-1L);
            List<StoredEvent> page = scans.scanEvents(tenant, after, q.type(), q.from(), q.to(), q.limit() + 1);
            return page(page, q.limit(), e -> sign("l." + e.position()));
        }
        long fromHour = q.from().map(UsageStore::hourOf).orElse(Long.MIN_VALUE);
        long toHour = q.to().map(t -> UsageStore.hourOf(t.minusNanos(1)) + 1).orElse(Long.MAX_VALUE);
        long[] cursor = q.cursor().map(c -> parseCursor(c, "c")).orElse(new long[] {Long.MIN_VALUE, -1});
        List<StoredEvent> out = new ArrayList<>();
        while (out.size() <= q.limit()) {
            List<long[]> positions = usage.positions(tenant, q.customer().get(), fromHour, toHour, cursor[0],
                    cursor[1], 512);
            if (positions.isEmpty()) {
                break;
            }
            for (long[] hp : positions) {
                cursor = hp;
                StoredEvent e = pipeline.stored(hp[1]);
                Instant at = e.event().time();
                if (q.type().isPresent() && !q.type().get().equals(e.event().type())
                        || q.from().isPresent() && at.isBefore(q.from().get())
                        || q.to().isPresent() && !at.isBefore(q.to().get())) {
                    continue;
                }
                out.add(e);
                if (out.size() > q.limit()) {
                    break;
                }
            }
        }
        return page(out, q.limit(), e -> sign("c." + UsageStore.hourOf(e.event().time()) + "." + e.position()));
    }

    private static EventPage page(List<StoredEvent> events, int limit,
            java.util.function.Function<StoredEvent, String> cursorOf) {
        if (events.size() <= limit) {
            return new EventPage(events, Optional.empty());
        }
        List<StoredEvent> page = events.subList(0, limit);
        return new EventPage(page, Optional.of(cursorOf.apply(page.get(limit - 1))));
    }

    /** Cursors are signed, so only ones this server issued are read (a forged position never reaches the log). */
    private String sign(String payload) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(cursorSecret, "HmacSHA256"));
            byte[] tag = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
            return payload + "." + java.util.HexFormat.of().formatHex(tag, 0, 12);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private long[] parseCursor(String cursor, String kind) {
        int dot = cursor.lastIndexOf('.');
        if (dot < 0 || !java.security.MessageDigest.isEqual(sign(cursor.substring(0, dot)).getBytes(StandardCharsets.UTF_8),
                cursor.getBytes(StandardCharsets.UTF_8))) {
            throw new ValidationException("cursor", "is not a cursor this listing returned");
        }
        String[] parts = cursor.substring(0, dot).split("\\.");
        try {
            if (!parts[0].equals(kind)) {
                throw new NumberFormatException();
            }
            long[] out = new long[parts.length - 1];
            for (int i = 1; i < parts.length; i++) {
                out[i - 1] = Long.parseLong(parts[i]);
            }
            if (out.length != (kind.equals("c") ? 2 : 1)) {
                throw new NumberFormatException();
            }
            return out;
        } catch (RuntimeException e) {
            throw new ValidationException("cursor", "is not a cursor this listing returned");
        }
    }

    /** Stored events per type, and whether any meter reads the type. */
    public Map<String, Long> eventsByType(String tenant) {
        return usage.eventsByType(tenant);
    }

    public boolean typeIsMetered(String tenant, String type) {
        return catalogs.get(tenant).knowsType(type);
    }

    public IngestStats stats() {
        return pipeline.stats();
    }

    public long logBytes() {
        return log.sizeBytes();
    }

    /** Ids remembered for duplicate detection and the bytes their index holds. */
    public long rememberedIds() {
        return pipeline.exclusive(log::rememberedIds);
    }

    public long dedupBytes() {
        return pipeline.exclusive(log::indexBytes);
    }

    /** The embedded duplicate index's tiers (ids and bytes in memory and on disk); empty on PostgreSQL. */
    public Optional<dev.tally.engine.log.DedupIndex.Stats> dedupStats() {
        return pipeline.exclusive(log::dedupStats);
    }

    private Map<String, Long> generations() {
        Map<String, Long> g = new java.util.TreeMap<>();
        for (String tenant : meta.tenants()) {
            g.put(tenant, catalogs.get(tenant).generation());
        }
        return g;
    }

    /**
     * Writes a checkpoint of the derived state if the log grew since the last one; runs on the writer
     * thread, so ingest pauses while it is written. Returns whether one was written.
     */
    public boolean checkpoint() {
        return pipeline.exclusive(() -> {
            long end = log.endPosition();
            if (end == checkpointedAt) {
                lastCheckpoint = clock.instant();
                return false;
            }
            try {
                checkpoints.write(end, generations(), log, usage);
            } catch (IOException e) {
                LOG.warn("checkpoint failed; the log still holds everything", e);
                return false;
            }
            checkpointedAt = end;
            lastCheckpoint = clock.instant();
            return true;
        });
    }

    private void syncQuietly() {
        try {
            syncWithOthers();
            entitlements.syncWithOthers();
        } catch (RuntimeException e) {
            LOG.debug("sync with the shared store failed", e);
        }
    }

    /**
     * On a shared store (PostgreSQL), brings this process up to date before it answers: meters changed by
     * another process are reloaded (and rebuilt), and events others stored are applied. A no-op when this
     * process is the only writer.
     */
    public void syncWithOthers() {
        if (!log.shared()) {
            return;
        }
        log.awaitAcknowledged();
        pipeline.exclusive(() -> {
            refreshCatalogs();
            return null;
        });
        pipeline.catchUp();
    }

    /** Reloads (and rebuilds) the meters another process changed; on the writer thread. */
    private void refreshCatalogs() {
        if (!log.shared()) {
            return;
        }
        for (Map.Entry<String, Long> g : meta.meterGenerations().entrySet()) {
            if (catalogs.get(g.getKey()).generation() != g.getValue()) {
                MeterCatalog fresh = new MeterCatalog(g.getValue(), meta.meters(g.getKey()));
                catalogs.put(g.getKey(), fresh);
                fresh.versionsByKey().keySet().forEach(k -> scans.rebuild(g.getKey(), k));
            }
        }
    }

    private void evaluateQuietly() {
        try {
            alerts.evaluate();
        } catch (RuntimeException e) {
            LOG.warn("scheduled alert evaluation failed", e);
        }
        try {
            liveCredits.refresh();
        } catch (RuntimeException e) {
            LOG.warn("scheduled live balance refresh failed", e);
        }
    }

    // ---- entitlements and alerts

    /** Customers' entitlements to the features of their plans, answered from memory. */
    public dev.tally.engine.entitlement.Entitlements entitlements() {
        return entitlements;
    }

    /** Usage and spend alerts. */
    public dev.tally.engine.entitlement.Alerts alerts() {
        return alerts;
    }

    /**
     * Evaluates alerts and hard limits now for the customers whose usage, subscriptions or period changed (the
     * engine also does this every {@value #ALERT_EVALUATION_MILLIS} ms); returns how many messages it recorded.
     */
    public int evaluateAlerts() {
        return alerts.evaluate() + liveCredits.refreshAll();
    }

    /** Live credit balances, balance alerts and features that require a positive balance. */
    public dev.tally.engine.credit.live.LiveCredits liveCredits() {
        return liveCredits;
    }

    private void billQuietly() {
        for (String tenant : tenants()) {
            Instant started = clock.instant();
            try {
                billing.run(tenant);
            } catch (RuntimeException e) {
                LOG.warn("scheduled billing run of tenant {} failed", tenant, e);
            }
            try {
                audit.appendInvoiceTransitions(tenant, started, dev.tally.engine.audit.Actor.scheduler());
            } catch (RuntimeException e) {
                LOG.warn("could not audit the scheduled billing run of tenant {}", tenant, e);
            }
        }
    }

    private void dunQuietly() {
        try {
            dunning.runAll(tenants());
        } catch (RuntimeException e) {
            LOG.warn("scheduled dunning run failed; its due steps are tried again on the next run", e);
        }
    }

    /** Accounting exports (CSV) of invoices, credit notes and payments. */
    public dev.tally.engine.export.AccountingExports exports() {
        return new dev.tally.engine.export.AccountingExports(db, billing, payments);
    }

    /** Dunning: policies, the schedule's steps, overdue invoices, the retry button. */
    public dev.tally.engine.payment.dunning.Dunning dunning() {
        return dunning;
    }

    private void pruneAuditQuietly() {
        try {
            int pruned = audit.prune();
            if (pruned > 0) {
                LOG.info("pruned {} audit records older than {}", pruned, audit.retention());
            }
        } catch (RuntimeException e) {
            LOG.warn("audit retention pruning failed", e);
        }
    }

    /** The audit trail of every tenant: appended by the API and scheduled runs, pruned by retention only. */
    public dev.tally.engine.audit.AuditLog audit() {
        return audit;
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.warn("scheduled checkpoint failed", e);
        }
    }

    /** How long ago the derived state was last made recoverable without a full replay. */
    public java.time.Duration checkpointAge() {
        return java.time.Duration.between(lastCheckpoint, clock.instant());
    }

    public long positionIndexBytes() {
        return usage.positionBytes();
    }

    // ---- meters

    /** Creates version 1 of a meter, in force for all events (unless effective_from says otherwise). */
    public Meter createMeter(String tenant, JsonNode body) {
        return pipeline.exclusive(() -> {
            refreshCatalogs();
            Meter m = MeterJson.read(body, Optional.empty(), 1, Instant.EPOCH);
            if (catalogs.get(tenant).latest(m.key()).isPresent()) {
                throw new MeterConflictException("meter '" + m.key() + "' exists; change it with PUT /v1/meters/" + m.key());
            }
            return storeVersion(tenant, m);
        });
    }

    /** Adds a version of a meter in force from its effective_from (default now), or creates it. */
    public Meter putMeter(String tenant, String key, JsonNode body) {
        return pipeline.exclusive(() -> {
            refreshCatalogs();
            Optional<Meter> current = catalogs.get(tenant).latest(key);
            if (current.isEmpty()) {
                return storeVersion(tenant, MeterJson.read(body, Optional.of(key), 1, Instant.EPOCH));
            }
            Meter m = MeterJson.read(body, Optional.of(key), current.get().version() + 1, clock.instant());
            if (m.sameDefinition(current.get())) {
                return current.get();
            }
            if (m.aggregation() != current.get().aggregation()) {
                throw new MeterConflictException("a meter's aggregation cannot change; create a new meter");
            }
            if (!m.effectiveFrom().isAfter(current.get().effectiveFrom())) {
                throw new MeterConflictException("effective_from must be after the current version's ("
                        + current.get().effectiveFrom() + ")");
            }
            return storeVersion(tenant, m);
        });
    }

    private Meter storeVersion(String tenant, Meter m) {
        long generation = meta.addMeterVersion(tenant, m, clock.instant());
        catalogs.put(tenant, new MeterCatalog(generation, meta.meters(tenant)));
        long started = System.nanoTime();
        scans.rebuild(tenant, m.key());
        LOG.info("meter {} v{} of tenant {} built from the log in {} ms", m.key(), m.version(), tenant,
                (System.nanoTime() - started) / 1_000_000);
        return m;
    }

    /**
     * Applies meters-as-code: creates missing meters and adds a version where a definition changed.
     * Returns the meters that were created or changed.
     */
    public List<Meter> syncMeters(String tenant, List<JsonNode> definitions) {
        List<Meter> changed = new ArrayList<>();
        for (JsonNode d : definitions) {
            String key = d.path("key").asText("");
            Optional<Meter> before = catalogs.get(tenant).latest(key);
            Meter after = before.isEmpty() ? createMeter(tenant, d) : putMeter(tenant, key, d);
            if (before.isEmpty() || before.get().version() != after.version()) {
                changed.add(after);
            }
        }
        return changed;
    }

    /** When each meter version of a tenant was created, by {@code key + "@" + version}. */
    public Map<String, Instant> meterVersionsCreatedAt(String tenant) {
        return meta.meterVersionsCreatedAt(tenant);
    }

    public MeterCatalog meters(String tenant) {
        return catalogs.get(tenant);
    }

    /** When each version of each meter of a tenant was created: key -> times in version order. */
    public Map<String, List<Instant>> meterVersionTimes(String tenant) {
        return meta.meterVersionTimes(tenant);
    }

    /** The subjects (customer external ids) of a tenant that have sent events, registered as customers or not. */
    public java.util.Set<String> usageSubjects(String tenant) {
        syncWithOthers();
        return usage.customers(tenant);
    }

    // ---- billing

    /** Customers, plans, subscriptions and invoices of every tenant of this engine. */
    public dev.tally.engine.billing.Billing billing() {
        return billing;
    }

    /** The tenants' seller settings (what their invoices say about them). */
    public dev.tally.engine.tenant.TenantSettingsStore tenantSettings() {
        return tenantSettings;
    }

    /** The payment ledgers of every tenant's invoices. */
    public dev.tally.engine.payment.Payments payments() {
        return payments;
    }

    /** Each tenant's daily export schedule (secrets sealed). */
    public dev.tally.engine.exportschedule.ExportScheduleStore exportSchedules() {
        return exportSchedules;
    }

    /** What Tally keeps about remote payment providers (accounts, links, the push queue, applied events). */
    public dev.tally.engine.providers.ProviderStore providers() {
        return providers;
    }

    /** Webhook endpoints, deliveries and the deliverer of every tenant of this engine. */
    /** Event subjects that match no customer (never billed), and their announcement as webhook messages. */
    public dev.tally.engine.subjects.UnmatchedSubjects unmatchedSubjects() {
        return unmatched;
    }

    private void announceQuietly() {
        try {
            unmatched.announceNew();
        } catch (RuntimeException e) {
            LOG.warn("announcing unmatched event subjects failed; the next round retries", e);
        }
    }

    public dev.tally.engine.notify.Webhooks webhooks() {
        return webhooks;
    }

    /** Every tenant id. */
    public List<String> tenants() {
        return meta.tenants();
    }

    /**
     * The stored, uncancelled events of a customer with event time in [from, to), by hour then arrival.
     * Reads the log: for explaining figures, not for hot paths.
     */
    public List<StoredEvent> eventsOf(String tenant, String customer, Instant from, Instant to) {
        List<StoredEvent> out = new ArrayList<>();
        long[] cursor = {Long.MIN_VALUE, -1};
        while (true) {
            List<long[]> positions = usage.positions(tenant, customer, UsageStore.hourOf(from),
                    UsageStore.hourOf(to.minusNanos(1)) + 1, cursor[0], cursor[1], 4096);
            if (positions.isEmpty()) {
                return out;
            }
            for (long[] hp : positions) {
                cursor = hp;
                if (usage.isCancelled(hp[1])) {
                    continue;
                }
                StoredEvent e = pipeline.stored(hp[1]);
                if (!e.event().time().isBefore(from) && e.event().time().isBefore(to)) {
                    out.add(e);
                }
            }
        }
    }

    // ---- usage and truth

    /** Live usage; on a shared store, first catches up with what other processes acknowledged. */
    public List<UsageRow> usage(String tenant, UsageRequest request) {
        syncWithOthers();
        return usageHere(tenant, request);
    }

    /** Live usage as this process knows it now (no catching up: for billing runs that synced once). */
    /** The mark of a customer's usage in this process's store (see {@link UsageStore#changeMark}). */
    String usageChangeMark(String tenant, String customer) {
        return usage.changeMark(tenant, customer);
    }

    List<UsageRow> usageHere(String tenant, UsageRequest request) {
        return usage.query(tenant, catalogs.get(tenant), request, pipeline);
    }

    public Reconciliation reconcile(String tenant, Instant from, Instant to) {
        syncWithOthers();
        return pipeline.exclusive(() -> scans.reconcile(tenant, from, to));
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        dunningThread.shutdownNow();
        webhooks.close();
        if (ready && log.healthy()) {
            checkpoint();
        }
        ready = false;
        pipeline.close();
        log.close();
        db.close();
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("could not release the data directory lock", e);
        }
    }
}
