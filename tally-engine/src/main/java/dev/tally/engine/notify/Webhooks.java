package dev.tally.engine.notify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.RejectionReason;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.ingest.EventStatus;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.secrets.SecretBox;
import dev.tally.engine.store.Database;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks of every tenant of one engine: endpoints (with their signing secrets and rotation), the fan-out of
 * the transactional outbox into one delivery per matching endpoint, the deliverer that sends due deliveries
 * (signed per Standard Webhooks, retried on a fixed schedule, every attempt logged), disabling endpoints that
 * keep failing, and the periodic summary of rejected events. Tests drive it with {@link #deliverDue()} and
 * {@link #summarizeRejections()}; in production {@link #scheduleOn} runs both. See docs/WEBHOOKS.md.
 */
public final class Webhooks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    /** How long a rotated-out secret keeps signing beside the new one. */
    public static final Duration ROTATION_OVERLAP = Duration.ofHours(24);
    static final int MAX_DESCRIPTION = 500;
    private static final int FAN_OUT_BATCH = 200;
    private static final int DUE_BATCH = 1000;

    private final WebhookStore store;
    private final Clock clock;
    private final WebhookSettings settings;
    private final Destinations destinations;
    private final Sender sender;
    private final RejectionTally rejections = new RejectionTally();
    private final Set<String> busyEndpoints = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Duration lease;
    private volatile Instant lastSummary;

    /**
     * Webhooks over a database whose signing secrets are sealed by {@code box}; secrets an older version stored in
     * clear are sealed now.
     */
    public Webhooks(Database db, Clock clock, WebhookSettings settings, SecretBox box) {
        this(db, clock, settings, box, InetAddress::getAllByName, Destinations::interfaceAddresses);
    }

    Webhooks(Database db, Clock clock, WebhookSettings settings, SecretBox box, Destinations.Resolver resolver) {
        this(db, clock, settings, box, resolver, Destinations::interfaceAddresses);
    }

    Webhooks(Database db, Clock clock, WebhookSettings settings, SecretBox box, Destinations.Resolver resolver,
            Destinations.LocalAddresses local) {
        this.store = new WebhookStore(db, box);
        int sealed = store.sealClearSecrets();
        if (sealed > 0) {
            LOG.info("encrypted the signing secrets of {} webhook endpoint(s) that were stored in clear", sealed);
        }
        this.clock = clock;
        this.settings = settings;
        this.destinations = new Destinations(settings.allowPrivateAddresses(), resolver, local);
        this.sender = new Sender(settings.requestTimeout());
        this.lease = settings.requestTimeout().plus(Sender.CONNECT_TIMEOUT).plusSeconds(60);
        this.lastSummary = clock.instant();
    }

    // ---- endpoints

    /** Creates an enabled endpoint; the returned secret is never shown again. */
    public EndpointSecret createEndpoint(String tenant, String url, List<String> eventTypes, String description) {
        List<FieldViolation> errors = new ArrayList<>();
        try {
            URI uri = Destinations.parse(url);
            destinations.refusal(uri).ifPresent(r -> errors.add(new FieldViolation("url", r)));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldViolation("url", e.getMessage()));
        }
        Set<String> types = new LinkedHashSet<>();
        for (int i = 0; i < eventTypes.size(); i++) {
            String t = eventTypes.get(i);
            if (!WebhookEventTypes.ALL.contains(t)) {
                errors.add(new FieldViolation("event_types[" + i + "]", "unknown event type '" + t + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(WebhookEventTypes.ALL))));
            }
            types.add(t);
        }
        if (description.length() > MAX_DESCRIPTION) {
            errors.add(new FieldViolation("description", "must be at most " + MAX_DESCRIPTION + " characters"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        String secret = Signatures.newSecret();
        WebhookEndpoint e = store.insertEndpoint(tenant, url, description, List.copyOf(types), secret, clock.instant());
        return new EndpointSecret(e, secret);
    }

    public List<WebhookEndpoint> endpoints(String tenant) {
        return store.endpoints(tenant);
    }

    public WebhookEndpoint endpoint(String tenant, String id) {
        return store.endpoint(tenant, id).orElseThrow(() -> new WebhookNotFoundException("no webhook endpoint '" + id + "'"));
    }

    /** Deletes an endpoint: it receives nothing more and its pending deliveries are cancelled. */
    public void deleteEndpoint(String tenant, String id) {
        if (!store.deleteEndpoint(tenant, id, clock.instant())) {
            throw new WebhookNotFoundException("no webhook endpoint '" + id + "'");
        }
    }

    /**
     * Gives an endpoint a new secret (returned once). For {@link #ROTATION_OVERLAP} attempts carry two
     * signatures, the new one first, so receivers can switch without losing a message.
     */
    public EndpointSecret rotateSecret(String tenant, String id) {
        String secret = Signatures.newSecret();
        Instant now = clock.instant();
        if (!store.rotate(tenant, id, secret, now.plus(ROTATION_OVERLAP), now)) {
            throw new WebhookNotFoundException("no webhook endpoint '" + id + "'");
        }
        return new EndpointSecret(endpoint(tenant, id), secret);
    }

    /** Enables an endpoint again (after it was disabled for failing), with a fresh failure streak. */
    public WebhookEndpoint enableEndpoint(String tenant, String id) {
        if (!store.enable(tenant, id, clock.instant())) {
            throw new WebhookNotFoundException("no webhook endpoint '" + id + "'");
        }
        return endpoint(tenant, id);
    }

    // ---- the delivery log

    /** Deliveries, newest message first, of one endpoint (which must exist) or of the whole tenant. */
    public List<WebhookDelivery> deliveries(String tenant, Optional<String> endpointId, int limit) {
        endpointId.ifPresent(id -> endpoint(tenant, id));
        return store.deliveries(tenant, endpointId, limit);
    }

    public WebhookDelivery delivery(String tenant, String id) {
        return store.delivery(tenant, id).orElseThrow(() -> new WebhookNotFoundException("no webhook delivery '" + id + "'"));
    }

    /**
     * Attempts a delivery now, whatever its status (a manual attempt: it is logged, and a success ends the
     * delivery, but a failure does not change its retry schedule). Returns the delivery with the attempt.
     */
    public WebhookDelivery retry(String tenant, String id) {
        delivery(tenant, id);
        Instant now = clock.instant();
        if (!store.claim(Optional.of(tenant), id, now, now.plus(lease), false)) {
            throw new WebhookConflictException("delivery '" + id + "' is being attempted right now; retry shortly");
        }
        boolean recorded = false;
        try {
            WebhookStore.Job job = store.job(id).orElseThrow(() -> new WebhookNotFoundException("no webhook delivery '" + id + "'"));
            if (job.endpointDeleted()) {
                throw new WebhookConflictException("the endpoint of delivery '" + id + "' was deleted");
            }
            if (!job.endpointEnabled()) {
                throw new WebhookConflictException("the endpoint of delivery '" + id + "' is disabled; enable it first");
            }
            attempt(job, DeliveryAttempt.Trigger.MANUAL);
            recorded = true;
        } finally {
            if (!recorded) {
                store.release(id);
            }
        }
        return delivery(tenant, id);
    }

    // ---- fan-out and delivery

    /** Turns every outbox message not yet fanned out into deliveries; returns how many deliveries it created. */
    public int fanOut() {
        int created = 0;
        while (true) {
            List<WebhookStore.Unfanned> batch = store.unfanned(FAN_OUT_BATCH);
            if (batch.isEmpty()) {
                return created;
            }
            created += store.fanOut(batch, clock.instant());
            if (batch.size() < FAN_OUT_BATCH) {
                return created;
            }
        }
    }

    /**
     * Fans out the outbox, then sends every delivery due now and waits for the answers: deliveries of one
     * endpoint one after another in message order, endpoints in parallel. Returns how many attempts were made.
     * This is what tests call; production runs the same on a schedule without waiting.
     */
    public int deliverDue() {
        fanOut();
        return dispatch().join();
    }

    /** Starts sending what is due (skipping endpoints this process is still sending to); completes when sent. */
    private CompletableFuture<Integer> dispatch() {
        Map<String, List<String>> byEndpoint = new LinkedHashMap<>();
        for (WebhookStore.Due d : store.due(clock.instant(), DUE_BATCH)) {
            byEndpoint.computeIfAbsent(d.endpointId(), k -> new ArrayList<>()).add(d.deliveryId());
        }
        List<CompletableFuture<Integer>> started = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byEndpoint.entrySet()) {
            if (!busyEndpoints.add(e.getKey())) {
                continue;
            }
            try {
                started.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return sendInOrder(e.getValue());
                    } finally {
                        busyEndpoints.remove(e.getKey());
                    }
                }, workers));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                busyEndpoints.remove(e.getKey());
            }
        }
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                .thenApply(v -> started.stream().mapToInt(CompletableFuture::join).sum());
    }

    private int sendInOrder(List<String> deliveryIds) {
        int attempts = 0;
        for (String id : deliveryIds) {
            Instant now = clock.instant();
            boolean recorded = false;
            try {
                if (!store.claim(Optional.empty(), id, now, now.plus(lease), true)) {
                    continue;
                }
                try {
                    Optional<WebhookStore.Job> job = store.job(id);
                    if (job.isPresent() && job.get().endpointEnabled() && !job.get().endpointDeleted()) {
                        attempt(job.get(), DeliveryAttempt.Trigger.SCHEDULED);
                        recorded = true;
                        attempts++;
                    }
                } finally {
                    if (!recorded) {
                        store.release(id);
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("webhook delivery {} could not be attempted; it stays due", id, e);
            }
        }
        return attempts;
    }

    /** One attempt of a claimed delivery: address check, signed POST, and the record of what happened. */
    private void attempt(WebhookStore.Job job, DeliveryAttempt.Trigger trigger) {
        Instant at = clock.instant();
        Sender.Outcome outcome;
        URI uri = null;
        Optional<String> refusal;
        try {
            uri = Destinations.parse(job.url());
            refusal = destinations.refusal(uri);
        } catch (IllegalArgumentException e) {
            refusal = Optional.of("the URL " + e.getMessage());
        }
        if (refusal.isPresent()) {
            outcome = Sender.Outcome.error("refused: " + refusal.get(), 0);
        } else {
            byte[] body = job.payload().getBytes(StandardCharsets.UTF_8);
            long timestamp = at.getEpochSecond();
            String signature = Signatures.header(job.signingSecrets(at), job.messageId(), timestamp, body);
            outcome = sender.post(uri, job.messageId(), timestamp, signature, body);
            if (Thread.currentThread().isInterrupted()) {
                // the engine is closing: not the endpoint's failure; the claim is released and it stays due
                throw new IllegalStateException("stopping: the attempt of " + job.deliveryId() + " is not recorded");
            }
        }
        WebhookStore.Recorded r = store.recordAttempt(job.deliveryId(), trigger, at, outcome);
        if (r.endpointDisabled()) {
            LOG.warn("disabled webhook endpoint {} of tenant {} ({}): every attempt has failed since {}",
                    job.endpointId(), job.tenant(), job.url(), r.failingSince().map(Instant::toString).orElse("?"));
        }
    }

    // ---- rejected events

    /** Counts the rejected events of one ingest request for the tenant's next summary. */
    public void countRejections(String tenant, IngestResult result) {
        if (result.rejected() == 0) {
            return;
        }
        EnumMap<RejectionReason, Long> byReason = new EnumMap<>(RejectionReason.class);
        for (EventStatus s : result.results()) {
            if (s.kind() == EventStatus.Kind.REJECTED && s.reason().isPresent()) {
                byReason.merge(s.reason().get(), 1L, Long::sum);
            }
        }
        byReason.forEach((reason, n) -> rejections.add(tenant, reason, n));
    }

    /**
     * Records one {@code events.rejected_summary} message per tenant that had rejected events since the last
     * summary (counts by reason); returns how many were recorded.
     */
    public int summarizeRejections() {
        Instant to = clock.instant();
        Instant from = lastSummary;
        Map<String, EnumMap<RejectionReason, Long>> drained = rejections.drain();
        if (drained.isEmpty()) {
            lastSummary = to;
            return 0;
        }
        try {
            store.inTransaction(c -> {
                for (Map.Entry<String, EnumMap<RejectionReason, Long>> t : drained.entrySet()) {
                    ObjectNode data = JsonNodeFactory.instance.objectNode();
                    data.put("from", from.toString());
                    data.put("to", to.toString());
                    long total = t.getValue().values().stream().mapToLong(Long::longValue).sum();
                    data.put("total", total);
                    ObjectNode byReason = data.putObject("by_reason");
                    t.getValue().forEach((reason, n) -> byReason.put(reason.code(), n));
                    Outbox.record(c, t.getKey(), WebhookEventTypes.EVENTS_REJECTED_SUMMARY, data, to);
                }
                return null;
            });
        } catch (RuntimeException e) {
            rejections.restore(drained);
            throw e;
        }
        lastSummary = to;
        return drained.size();
    }

    // ---- scheduling

    /**
     * Runs delivery (every {@code deliveryEvery}: fan out, then send what is due without waiting) and the
     * rejected-events summary (every {@code summaryEvery}) on the given scheduler; zero intervals stay off.
     */
    public void scheduleOn(ScheduledExecutorService scheduler) {
        if (!settings.deliveryEvery().isZero()) {
            long every = settings.deliveryEvery().toMillis();
            scheduler.scheduleWithFixedDelay(this::tickQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        if (!settings.summaryEvery().isZero()) {
            long every = settings.summaryEvery().toMillis();
            scheduler.scheduleWithFixedDelay(this::summarizeQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void tickQuietly() {
        try {
            fanOut();
            dispatch();
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery round failed; the next one retries", e);
        }
    }

    private void summarizeQuietly() {
        try {
            summarizeRejections();
        } catch (RuntimeException e) {
            LOG.warn("the rejected-events summary failed; its counts go into the next one", e);
        }
    }

    /** Stops sending: waits a moment for attempts in flight (their claims expire otherwise), then stops. */
    @Override
    public void close() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        sender.close();
    }
}
