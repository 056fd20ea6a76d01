package dev.tally.engine.anomaly;

import dev.tally.core.event.EventOutcome;
import dev.tally.engine.billing.FinalizationHold;
import dev.tally.engine.entitlement.Entitlements;
import dev.tally.engine.store.Database;
import dev.tally.engine.ingest.IngestResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anomaly and fraud detection for every tenant of an engine. Ingest calls {@link #observe} with each request's
 * outcomes (O(1) lock-free counting per event); {@link #evaluate} runs the detectors at the clock's now (every
 * minute on the detection thread of {@link #start}, or when a test moves a fake clock), opens, refreshes and
 * closes incidents, and applies the tenant's hold. Reviews ({@link #acknowledge}, {@link #dismiss}) are idempotent,
 * end the hold and are tenant-scoped; {@link #finalizationHold} is what billing consults before finalizing a draft.
 */
public final class Anomalies implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Anomalies.class);
    /** Rate baselines are evaluated at most this often (and at every change of hour). */
    public static final Duration RATE_EVERY = Duration.ofMinutes(5);
    private static final Set<AnomalyKind> RATE = EnumSet.of(AnomalyKind.USAGE_SPIKE, AnomalyKind.USAGE_STOPPED);
    private static final Set<AnomalyKind> STREAM = EnumSet.complementOf(EnumSet.copyOf(RATE));

    private final AnomalyStore store;
    private final IngestCounters counters = new IngestCounters();
    private final RateDetector rates;
    private final StreamDetector streams;
    private final Incidents incidents;
    private final EntitlementCut cuts;
    private final Clock clock;
    private final Supplier<List<String>> tenants;
    private Instant lastRateEvaluation = Instant.MIN;
    private Instant lastEvaluation = Instant.MIN;
    private ScheduledExecutorService thread;

    public Anomalies(Database db, HourlyCounts history, Entitlements entitlements, Clock clock,
            Supplier<List<String>> tenants) {
        this(db, history, EntitlementCut.of(Objects.requireNonNull(entitlements)), clock, tenants);
    }

    /** Detection whose entitlement cuts go to {@code cuts} (tests replaying history use {@link EntitlementCut#NONE}). */
    Anomalies(Database db, HourlyCounts history, EntitlementCut cuts, Clock clock, Supplier<List<String>> tenants) {
        this.store = new AnomalyStore(Objects.requireNonNull(db));
        this.rates = new RateDetector(Objects.requireNonNull(history));
        this.streams = new StreamDetector(counters, store);
        this.cuts = Objects.requireNonNull(cuts);
        this.incidents = new Incidents(store, cuts);
        this.clock = Objects.requireNonNull(clock);
        this.tenants = Objects.requireNonNull(tenants);
    }

    /** Counts one ingest request for detection: its outcomes as read, the result as stored, the key that sent it. */
    public void observe(String tenant, Optional<String> key, List<EventOutcome> outcomes, IngestResult result) {
        counters.observe(tenant, key, clock.instant().getEpochSecond(), outcomes, result);
    }

    /** Evaluates every tenant now every minute on a thread of its own, until {@link #close}. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tally-anomalies");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::evaluateQuietly, 60, 60, TimeUnit.SECONDS);
    }

    /** The detection thread's tick: evaluates when the clock moved a minute since the last evaluation. */
    private void evaluateQuietly() {
        try {
            synchronized (this) {
                if (clock.instant().isBefore(lastEvaluation.plusSeconds(60))) {
                    return;
                }
                evaluate();
            }
        } catch (RuntimeException e) {
            LOG.warn("anomaly evaluation failed; the next minute tries again", e);
        }
    }

    /** Runs the detectors for every tenant at the clock's now; returns the incidents opened. */
    public synchronized List<Anomaly> evaluate() {
        Instant now = clock.instant();
        lastEvaluation = now;
        boolean rateTick = !now.isBefore(lastRateEvaluation.plus(RATE_EVERY))
                || Math.floorDiv(now.getEpochSecond(), 3600) != Math.floorDiv(lastRateEvaluation.getEpochSecond(), 3600);
        List<Anomaly> opened = new ArrayList<>();
        for (String tenant : tenants.get()) {
            AnomalyPolicy policy = policy(tenant);
            List<Anomaly> active = store.active(tenant);
            opened.addAll(incidents.apply(tenant, policy, STREAM, streams.evaluate(tenant, policy, now), active, now));
            if (rateTick) {
                Set<String> stops = incidents.activeKeys(active, AnomalyKind.USAGE_STOPPED);
                opened.addAll(incidents.apply(tenant, policy, RATE, rates.evaluate(tenant, policy, now, stops), active,
                        now));
            }
        }
        if (rateTick) {
            lastRateEvaluation = now;
        }
        return opened;
    }

    // ---- reading and reviewing

    /** One page of the tenant's anomalies, newest first. */
    public AnomalyPage list(String tenant, AnomalyQuery q) {
        return store.query(tenant, q);
    }

    public Anomaly get(String tenant, String id) {
        return store.db().inTransaction(c -> store.get(c, tenant, id)).orElseThrow(() -> new AnomalyNotFoundException(id));
    }

    /** Marks an anomaly as real and ends its hold; acknowledging it again changes nothing. */
    public Anomaly acknowledge(String tenant, String id, Optional<String> by) {
        return review(tenant, id, AnomalyStatus.ACKNOWLEDGED, by);
    }

    /** Marks an anomaly as a false alarm and ends its hold; dismissing it again changes nothing. */
    public Anomaly dismiss(String tenant, String id, Optional<String> by) {
        return review(tenant, id, AnomalyStatus.DISMISSED, by);
    }

    private Anomaly review(String tenant, String id, AnomalyStatus to, Optional<String> by) {
        Instant now = clock.instant();
        boolean[] lifted = {false};
        Anomaly after = store.db().inTransaction(c -> {
            Anomaly a = store.get(c, tenant, id).orElseThrow(() -> new AnomalyNotFoundException(id));
            if (a.status() == to) {
                return a;
            }
            if (a.status() != AnomalyStatus.OPEN || !store.review(c, tenant, id, to, now, by)) {
                throw new AnomalyConflictException("this anomaly is already " + a.status().wireName());
            }
            if (a.hold() == HoldAction.ENTITLEMENT_CUT) {
                lifted[0] = cuts.restore(c, tenant, a.customer().orElseThrow(), Incidents.cause(a.id()), now);
            }
            return store.get(c, tenant, id).orElseThrow();
        });
        if (lifted[0]) {
            cuts.changed(tenant, after.customer().orElseThrow());
        }
        return after;
    }

    // ---- policy and holds

    /** The tenant's policy, or the defaults. */
    public AnomalyPolicy policy(String tenant) {
        return store.policy(tenant).orElse(AnomalyPolicy.DEFAULTS);
    }

    public AnomalyPolicy putPolicy(String tenant, AnomalyPolicy policy) {
        store.putPolicy(tenant, Objects.requireNonNull(policy), clock.instant());
        return policy;
    }

    /** What billing asks before a run finalizes a draft: held while an unreviewed draft_hold anomaly is open. */
    public FinalizationHold finalizationHold() {
        return store::holdsDrafts;
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.shutdownNow();
            thread = null;
        }
    }
}
