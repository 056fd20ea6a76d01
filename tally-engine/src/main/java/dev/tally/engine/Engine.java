package dev.tally.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.EventOutcome;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import dev.tally.engine.ingest.CancelResult;
import dev.tally.engine.checkpoint.CheckpointSettings;
import dev.tally.engine.checkpoint.CheckpointStore;
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
import java.time.Duration;
import java.time.Instant;
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
    private final dev.tally.engine.ingest.RecentRejections rejections;
    private final dev.tally.engine.schema.EventSchemas schemas;
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
    private final dev.tally.engine.revenue.OpenRevenue revenue;
    private final dev.tally.engine.subjects.UnmatchedSubjects unmatched;
    private final dev.tally.engine.anomaly.Anomalies anomalies;
    private volatile Instant lastCheckpoint;
    private volatile long checkpointedAt;
    private final CheckpointStore checkpoints;
    private final Schedules schedules = new Schedules();
    private final EventListing listing;
    private final MeterVersions meterVersions;
    private final Optional<dev.tally.engine.archive.LogArchive> logArchive;
    private final Optional<dev.tally.engine.archive.Archiver> archiver;
    /** The embedded log's per-segment position index (empty on PostgreSQL or a caller's store: positions stay in heap). */
    private final Optional<dev.tally.engine.positions.SegmentPositions> positions;

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
        this.rejections = new dev.tally.engine.ingest.RecentRejections(clock);
        this.schemas = new dev.tally.engine.schema.EventSchemas(db, clock);
        this.access = new AccessControl(db, meta, keys, new PortalTokens(meta.secret("portal")), clock,
                db.isPostgres());
        for (String tenant : meta.tenants()) {
            catalogs.put(tenant, new MeterCatalog(meta.meterGeneration(tenant), meta.meters(tenant)));
        }
        this.logArchive = storeFactory != null || db.isPostgres() ? Optional.empty()
                : Optional.of(dev.tally.engine.archive.LogArchive.open(config.dataDir().resolve("log"), config.archive(),
                        new dev.tally.engine.ingest.LogRecordTimes()));
        this.log = storeFactory != null ? storeFactory.apply(db) : db.isPostgres()
                ? new PostgresEventStore(db, new dev.tally.engine.eventpartitions.ArchivedEvents(config.archive().target()
                        .or(() -> dev.tally.engine.eventpartitions.PartitionSettings.fromEnvironment(System.getenv()).target())))
                : new LocalEventStore(SegmentLog.open(config.dataDir().resolve("log"), config.segmentBytes(),
                        logArchive.get()), new dev.tally.engine.log.DedupIndex(config.dataDir().resolve("dedup"),
                                config.dedup().windowFor(config.limits().backdatingWindow(),
                                        config.limits().futureTolerance()),
                                config.dedup().memoryBytes(), clock), clock, logArchive);
        if (db.isPostgres()) { // partitions ahead before anything is stored; retention: docs/OPERATIONS.md
            startEventPartitions();
        }
        this.positions = logArchive.map(a -> dev.tally.engine.positions.SegmentPositions.open(
                config.dataDir().resolve("positions"), segmentsOf(log), new dev.tally.engine.ingest.LogRecordKeys()));
        positions.ifPresent(dev.tally.engine.positions.SegmentPositions::indexSealed); // rebuilds missing files
        log.seeEverything();
        CheckpointSettings checkpointSettings = CheckpointSettings.fromEnv(System.getenv());
        this.checkpoints = new CheckpointStore(config.dataDir(), checkpointSettings, clock);
        long started = System.nanoTime();
        Optional<CheckpointStore.Loaded> loaded = checkpoints.load(generations(), log);
        this.usage = loaded.map(CheckpointStore.Loaded::usage).orElseGet(() -> new UsageStore(clock));
        positions.ifPresent(usage::attach); // before the replay: indexed events keep no position in heap
        this.pipeline = new IngestPipeline(log, usage, catalogs, clock);
        this.scans = new LogScans(log, pipeline, usage, catalogs);
        this.reader = new CloudEventReader(config.limits(), clock);
        this.listing = new EventListing(usage, pipeline, scans, meta.secret("cursor"));
        this.meterVersions = new MeterVersions(meta, catalogs, pipeline, scans, clock);
        long from = loaded.map(CheckpointStore.Loaded::logPosition).orElse(log.start());
        long records = scans.recover(from);
        LOG.info("{}; replayed {} log records in {} ms", loaded.isPresent() ? "loaded the checkpoint"
                : "no usable checkpoint", records, (System.nanoTime() - started) / 1_000_000);
        lastCheckpoint = clock.instant();
        checkpointedAt = log.endPosition();
        pipeline.start();
        ready = true;
        Duration checkpointEvery = checkpointSettings.interval();
        schedules.every(checkpointEvery, checkpointEvery, "scheduled checkpoint", this::checkpoint);
        dev.tally.engine.usage.CompactionSettings compaction = // a bad value stops the start here
                dev.tally.engine.usage.CompactionSettings.fromEnvironment(System.getenv());
        schedules.every(Duration.ofMinutes(5), Duration.ofHours(1), "compacting usage of closed periods",
                () -> compactUsage(compaction));
        if (positions.isPresent()) {
            schedules.every(POSITION_INDEX_EVERY, POSITION_INDEX_EVERY, "indexing sealed log segments",
                    this::indexPositions);
        }
        this.billing = new dev.tally.engine.billing.Billing(db, new MeteredUsage(this), clock);
        this.tenantSettings = new dev.tally.engine.tenant.TenantSettingsStore(db, clock);
        this.audit = new dev.tally.engine.audit.AuditLog(db, clock,
                dev.tally.engine.audit.AuditLog.retentionFrom(System.getenv()));
        schedules.every(Duration.ofMinutes(1), Duration.ofHours(1), "audit retention pruning", this::pruneAudit);
        this.payments = new dev.tally.engine.payment.Payments(db, billing, clock);
        this.providers = new dev.tally.engine.providers.ProviderStore(db, secretsKey.box(), clock);
        this.exportSchedules = new dev.tally.engine.exportschedule.ExportScheduleStore(db, secretsKey.box(), clock);
        this.webhooks = new dev.tally.engine.notify.Webhooks(db, clock, config.webhooks(), secretsKey.box());
        // values stored in clear by an older version were sealed above: flush their old pages out of the WAL
        db.scrub();
        PrivateFiles.tighten(config.dataDir());
        webhooks.scheduleOn(schedules.maintenance());
        this.entitlements = new dev.tally.engine.entitlement.Entitlements(db, billing, new MeteredUsage(this), clock);
        this.liveCredits = new dev.tally.engine.credit.live.LiveCredits(db, billing, clock);
        entitlements.gate(liveCredits.requirements());
        this.revenue = new dev.tally.engine.revenue.OpenRevenue(db, billing, clock);
        revenue.preload(meta.tenants());
        this.alerts = new dev.tally.engine.entitlement.Alerts(entitlements,
                () -> revenue.usageChanged(liveCredits.usageChanged(usage.drainChangedCustomers())), clock);
        entitlements.preload(meta.tenants());
        this.dunning = new dev.tally.engine.payment.dunning.Dunning(db, billing, payments, entitlements, clock);
        this.anomalies = new dev.tally.engine.anomaly.Anomalies(db, (t, v) -> usage.forEachHourlySeries(t, v::visit),
                entitlements, clock, this::tenants);
        billing.holdFinalization(anomalies.finalizationHold());
        anomalies.start();
        this.archiver = logArchive.map(this::archiverOf);
        archiver.ifPresent(a -> a.start(config.archive().every()));
        Duration alertEvery = Duration.ofMillis(ALERT_EVALUATION_MILLIS);
        schedules.every(alertEvery, alertEvery, "scheduled alert evaluation", alerts::evaluate);
        schedules.every(alertEvery, alertEvery, "scheduled live balance refresh", liveCredits::refresh);
        schedules.every(alertEvery, alertEvery, "scheduled revenue overview refresh", revenue::refresh);
        if (log.shared()) {
            schedules.every(Duration.ofMillis(500), Duration.ofMillis(500), "sync with the shared store",
                    this::syncQuietly);
        }
        this.unmatched = new dev.tally.engine.subjects.UnmatchedSubjects(usage, billing, db, clock, this::syncWithOthers,
                this::tenants);
        if (!config.webhooks().summaryEvery().isZero()) {
            Duration every = config.webhooks().summaryEvery();
            schedules.every(every, every, "announcing unmatched event subjects (the next round retries)",
                    unmatched::announceNew);
        }
        if (!config.billingEvery().isZero()) {
            Duration every = config.billingEvery();
            schedules.every(every, every, "scheduled billing run", this::billAll);
            // at the billing cadence (each step once, see Dunning)
            schedules.dunningEvery(every, () -> dunning.runAll(tenants()));
        }
    }

    /**
     * PostgreSQL's events table: months created ahead, ids kept for the dedup window, and (when a retention is set)
     * months past the retention floor archived. The floor is the earliest of the dedup window's start and the start
     * of the earliest invoice period not yet finalized, so nothing not yet invoiced leaves the table.
     */
    private void startEventPartitions() {
        Duration window = config.dedup().windowFor(config.limits().backdatingWindow(), config.limits().futureTolerance());
        var partitions = new dev.tally.engine.eventpartitions.EventPartitions(db, config.limits().backdatingWindow(),
                window, clock);
        partitions.maintain();
        schedules.every(Duration.ofHours(1), Duration.ofHours(1), "event partition maintenance", partitions::maintain);
        var env = dev.tally.engine.eventpartitions.PartitionSettings.fromEnvironment(System.getenv());
        var kept = new dev.tally.engine.eventpartitions.PartitionSettings(env.retention(),
                config.archive().target().or(env::target), env.every());
        var open = new dev.tally.engine.archive.OpenPeriods(db);
        var retention = new dev.tally.engine.eventpartitions.PartitionRetention(db, kept, () -> {
            Instant floor = clock.instant().minus(window);
            return open.earliestStart().filter(s -> s.isBefore(floor)).orElse(floor);
        }, clock);
        schedules.every(kept.every(), kept.every(), "event partition retention", retention::run);
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
        return ingest(tenant, Optional.empty(), outcomes);
    }

    /** Ingests what an API key sent (anomaly detection tracks which customers each key sends for). */
    public IngestResult ingest(String tenant, Optional<String> key, List<EventOutcome> read) {
        List<EventOutcome> outcomes = schemas.validate(tenant, read);
        IngestResult result = pipeline.ingest(tenant, outcomes);
        anomalies.observe(tenant, key, outcomes, result);
        webhooks.countRejections(tenant, result);
        rejections.record(tenant, read, result);
        return result;
    }

    /** The versioned JSON Schemas of the tenants' event types, checked on ingest. */
    public dev.tally.engine.schema.EventSchemas schemas() {
        return schemas;
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
        return listing.events(tenant, q);
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
            meterVersions.refresh(log.shared());
            return null;
        });
        schemas.refresh();
        pipeline.catchUp();
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
        int fired = alerts.evaluate() + liveCredits.refreshAll();
        revenue.refreshAll();
        return fired;
    }

    /** The tenant revenue overview (invoiced, draft, open-period estimates) kept in memory; refreshed with the alerts. */
    public dev.tally.engine.revenue.OpenRevenue revenue() {
        return revenue;
    }

    /** Live credit balances, balance alerts and features that require a positive balance. */
    public dev.tally.engine.credit.live.LiveCredits liveCredits() {
        return liveCredits;
    }

    private void billAll() {
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

    /** Accounting exports (CSV) of invoices, credit notes and payments. */
    public dev.tally.engine.export.AccountingExports exports() {
        return new dev.tally.engine.export.AccountingExports(db, billing, payments);
    }

    /** Dunning: policies, the schedule's steps, overdue invoices, the retry button. */
    public dev.tally.engine.payment.dunning.Dunning dunning() {
        return dunning;
    }

    private void pruneAudit() {
        int pruned = audit.prune();
        if (pruned > 0) {
            LOG.info("pruned {} audit records older than {}", pruned, audit.retention());
        }
    }

    /** Anomaly and fraud detection: incidents, their review, the policy (docs/ANOMALIES.md). */
    public dev.tally.engine.anomaly.Anomalies anomalies() {
        return anomalies;
    }

    /** The audit trail of every tenant: appended by the API and scheduled runs, pruned by retention only. */
    public dev.tally.engine.audit.AuditLog audit() {
        return audit;
    }

    private dev.tally.engine.archive.Archiver archiverOf(dev.tally.engine.archive.LogArchive a) {
        java.time.Duration acceptance = config.limits().backdatingWindow().plus(config.limits().futureTolerance());
        return new dev.tally.engine.archive.Archiver(a, new dev.tally.engine.archive.RetentionHorizon(
                config.archive().localRetention(), acceptance, config.dedup().windowFor(
                        config.limits().backdatingWindow(), config.limits().futureTolerance())),
                dev.tally.engine.archive.ReconcileWatermark.load(config.dataDir().resolve("log")),
                new dev.tally.engine.archive.Archiver.Ledger(this::tenants,
                        new dev.tally.engine.archive.OpenPeriods(db)::earliestStart,
                        (t, from, to) -> reconcile(t, from, to).differences().isEmpty()), clock);
    }

    /** The embedded log's bytes and segments, local and archived; empty on PostgreSQL or a caller's store. */
    public Optional<dev.tally.engine.archive.LogArchive.Stats> logStorage() {
        return logArchive.map(dev.tally.engine.archive.LogArchive::stats);
    }

    /** Runs the embedded log's retention pass now (compress, reconcile, archive); empty without an embedded log. */
    public Optional<dev.tally.engine.archive.Archiver.Pass> retainLog() {
        return archiver.map(dev.tally.engine.archive.Archiver::run);
    }

    /** What the checkpoints cost (duration, bytes written, chain size). */
    public dev.tally.engine.checkpoint.CheckpointStats checkpointStats() {
        return checkpoints.stats();
    }

    /** The checkpoint chain (tests wait for its compaction). */
    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    /** How long ago the derived state was last made recoverable without a full replay. */
    public java.time.Duration checkpointAge() {
        return java.time.Duration.between(lastCheckpoint, clock.instant());
    }

    public long positionIndexBytes() {
        return usage.positionBytes();
    }

    /** How often sealed segments are indexed (and their positions leave the heap). */
    private static final Duration POSITION_INDEX_EVERY = Duration.ofSeconds(10);

    private static dev.tally.engine.positions.SegmentPositions.Segments segmentsOf(EventStore log) {
        return new dev.tally.engine.positions.SegmentPositions.Segments() {
            @Override
            public int active() {
                return dev.tally.engine.log.LogPosition.of(log.endPosition()).segment();
            }

            @Override
            public int first() {
                return dev.tally.engine.log.LogPosition.of(log.start()).segment();
            }

            @Override
            public void scan(long from, dev.tally.engine.log.RecordVisitor visitor) {
                log.scan(from, visitor);
            }
        };
    }

    /**
     * Writes the position index of every sealed log segment not indexed yet (off the writer thread), then drops
     * their positions from the heap (on it). Returns the positions dropped; 0 without an embedded log.
     */
    public long indexPositions() {
        if (positions.isEmpty()) {
            return 0;
        }
        dev.tally.engine.positions.SegmentPositions p = positions.get();
        p.indexSealed();
        if (p.boundary() <= usage.indexedBelow()) {
            return 0;
        }
        return pipeline.exclusive(() -> usage.attach(p));
    }

    /**
     * Compacts every tenant's hourly states of mergeable meters to UTC days and months for hours older than the
     * settings' delay, the backdating window (plus the future tolerance) and the start of the earliest open invoice
     * period; answers stay exact (see {@link UsageStore#compact}). Returns the states merged away.
     */
    public long compactUsage(dev.tally.engine.usage.CompactionSettings settings) {
        if (settings.after().isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        Instant horizon = java.util.stream.Stream.of(now.minus(settings.after().get()),
                now.minus(config.limits().backdatingWindow()).minus(config.limits().futureTolerance()),
                new dev.tally.engine.archive.OpenPeriods(db).earliestStart().orElse(now))
                .min(Instant::compareTo).orElseThrow();
        java.time.LocalDate day = horizon.atZone(java.time.ZoneOffset.UTC).toLocalDate();
        long daysBelow = day.toEpochDay() * 24;
        long monthsBelow = day.withDayOfMonth(1).toEpochDay() * 24;
        long merged = 0;
        for (String tenant : tenants()) {
            merged += pipeline.exclusive(() -> usage.compact(tenant, daysBelow, monthsBelow));
        }
        return merged;
    }

    /** Event positions held in heap (not yet in a sealed segment's index file). */
    public long heapPositions() {
        return usage.heapPositions()[0];
    }

    /** The position index files of the embedded log; empty on PostgreSQL or a caller's store. */
    public Optional<dev.tally.engine.positions.SegmentPositions.Stats> positionIndexStats() {
        return positions.map(dev.tally.engine.positions.SegmentPositions::stats);
    }

    // ---- meters

    /** Creates version 1 of a meter, in force for all events (unless effective_from says otherwise). */
    public Meter createMeter(String tenant, JsonNode body) {
        return meterVersions.create(tenant, body, log.shared());
    }

    /** Adds a version of a meter in force from its effective_from (default now), or creates it. */
    public Meter putMeter(String tenant, String key, JsonNode body) {
        return meterVersions.put(tenant, key, body, log.shared());
    }

    /**
     * Applies meters-as-code: creates missing meters and adds a version where a definition changed.
     * Returns the meters that were created or changed.
     */
    public List<Meter> syncMeters(String tenant, List<JsonNode> definitions) {
        return meterVersions.sync(tenant, definitions, log.shared());
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

    /** Event subjects that match no customer (never billed), and their announcement as webhook messages. */
    public dev.tally.engine.subjects.UnmatchedSubjects unmatchedSubjects() {
        return unmatched;
    }

    /** Webhook endpoints, deliveries and the deliverer of every tenant of this engine. */
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
        return listing.eventsOf(tenant, customer, from, to);
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
        archiver.ifPresent(dev.tally.engine.archive.Archiver::close);
        schedules.close();
        anomalies.close();
        webhooks.close();
        if (ready && log.healthy()) {
            checkpoint();
        }
        checkpoints.close();
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
