package dev.tally.server.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.CardException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.model.Invoice;
import com.stripe.net.RequestOptions;
import com.stripe.param.InvoicePayParams;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.payment.FactKind;
import dev.tally.engine.payment.InvalidPaymentException;
import dev.tally.engine.payment.NewFact;
import dev.tally.engine.payment.PaymentConflictException;
import dev.tally.engine.payment.PaymentProvider;
import dev.tally.engine.payment.Payments;
import dev.tally.engine.payment.RetryOutcome;
import dev.tally.engine.providers.ProviderAccount;
import dev.tally.engine.providers.ProviderStore;
import dev.tally.engine.providers.PushJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code stripe} payment provider (see the package). Guarantees: the API key and webhook secret are stored only
 * sealed and never returned or logged ({@link #status} shows the key's last four characters); pushing runs only
 * from {@link #pushDue} (scheduled on its own thread every {@link StripeSettings#pushEvery}), never in a billing
 * run or in ingest, and a failed push is retried with doubling backoff (or Stripe's longer Retry-After) without
 * holding anything else up; a webhook is applied only if its Stripe-Signature verifies, at most once per event id.
 */
public final class StripeProvider implements PaymentProvider, AutoCloseable {
    public static final String NAME = "stripe";
    private static final Logger LOG = LoggerFactory.getLogger(StripeProvider.class);
    private static final Pattern API_KEY = Pattern.compile("(sk|rk)_(test|live)_[A-Za-z0-9_]{8,200}");
    private static final Pattern WEBHOOK_SECRET = Pattern.compile("whsec_[A-Za-z0-9_+/=]{8,200}");
    private static final Pattern CUSTOMER_ID = Pattern.compile("cus_[A-Za-z0-9]{1,100}");
    private static final int BATCH = 50;

    private final Billing billing;
    private final Payments payments;
    private final ProviderStore store;
    private final StripeSettings settings;
    private final Clock clock;
    private final StripeClients clients;
    private final InvoicePusher pusher;
    private final StripeEvents events;
    private final Object pushing = new Object();
    private ScheduledExecutorService scheduler;

    public StripeProvider(Engine engine, StripeSettings settings) {
        this.billing = engine.billing();
        this.payments = engine.payments();
        this.store = engine.providers();
        this.settings = settings;
        this.clock = engine.clock();
        this.clients = new StripeClients(settings);
        this.pusher = new InvoicePusher(billing, store);
        this.events = new StripeEvents(billing, payments, store, this, clock);
        payments.register(this);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** What the API shows of a tenant's Stripe connection: never a secret. */
    public record Status(boolean configured, Optional<String> apiKeyLast4, Optional<Instant> connectedAt,
            Optional<Instant> updatedAt, Map<String, Integer> invoices) {
    }

    /** Stores (or replaces) a tenant's API key and webhook signing secret, sealed. */
    public Status connect(String tenant, String apiKey, String webhookSecret) {
        if (apiKey == null || !API_KEY.matcher(apiKey).matches()) {
            throw new InvalidPaymentException("api_key", "must be a Stripe secret or restricted key (sk_… or rk_…)");
        }
        if (webhookSecret == null || !WEBHOOK_SECRET.matcher(webhookSecret).matches()) {
            throw new InvalidPaymentException("webhook_secret", "must be a Stripe webhook signing secret (whsec_…)");
        }
        store.connect(tenant, NAME, Map.of("api_key", apiKey, "webhook_secret", webhookSecret),
                apiKey.substring(apiKey.length() - 4));
        LOG.info("tenant {}: Stripe account connected", tenant);
        return status(tenant);
    }

    public Status status(String tenant) {
        Optional<ProviderAccount> a = store.account(tenant, NAME);
        return new Status(a.isPresent(), a.map(ProviderAccount::hint), a.map(ProviderAccount::connectedAt),
                a.map(ProviderAccount::updatedAt), store.queueCounts(tenant, NAME));
    }

    /** Links a Tally customer to an existing Stripe customer by its id (instead of a look-up or a new one). */
    public void linkCustomer(String tenant, String customer, String stripeCustomerId) {
        if (stripeCustomerId == null || !CUSTOMER_ID.matcher(stripeCustomerId).matches()) {
            throw new InvalidPaymentException("stripe_customer_id", "must be a Stripe customer id (cus_…)");
        }
        billing.customer(tenant, customer);
        store.linkCustomer(tenant, NAME, customer, stripeCustomerId, "operator");
    }

    /** The Stripe customer linked to a Tally customer, if any. */
    public Optional<String> customerLink(String tenant, String customer) {
        billing.customer(tenant, customer);
        return store.customerLink(tenant, NAME, customer);
    }

    /** Starts the scheduled push step (unless {@link StripeSettings#pushEvery} is zero). */
    public synchronized void start() {
        if (settings.pushEvery().isZero() || scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tally-stripe-push");
            t.setDaemon(true);
            return t;
        });
        long every = settings.pushEvery().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                pushDue();
            } catch (RuntimeException e) {
                LOG.warn("the Stripe push step failed; it runs again in {} ms", every, e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * The push step: queues the finalized invoices of every connected tenant, then pushes those due. Returns how many
     * were pushed. A Stripe failure reschedules that invoice only; the others go on.
     */
    public int pushDue() {
        synchronized (pushing) {
            for (String tenant : store.connectedTenants(NAME)) {
                store.enqueueFinalized(tenant, NAME);
            }
            int pushed = 0;
            for (PushJob job : store.due(NAME, BATCH)) {
                if (pushOne(job)) {
                    pushed++;
                }
            }
            return pushed;
        }
    }

    private boolean pushOne(PushJob job) {
        Optional<String> key = store.credentials(job.tenant(), NAME).map(c -> c.get("api_key"));
        if (key.isEmpty()) {
            return false;
        }
        StripeClient stripe = clients.forKey(key.get());
        try {
            return pusher.push(stripe, job);
        } catch (StripeException e) {
            reschedule(job, describe(e));
            return false;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof StripeException se) {
                reschedule(job, describe(se));
                return false;
            }
            LOG.warn("pushing invoice {} of tenant {} to Stripe failed", job.invoiceId(), job.tenant(), e);
            reschedule(job, "an internal error; see the server log");
            return false;
        }
    }

    private void reschedule(PushJob job, String why) {
        Duration backoff = backoff(job.attempts(), clients.lastRetryAfter());
        LOG.info("Stripe push of invoice {} (tenant {}) failed ({}), attempt {}; next in {} s", job.invoiceId(),
                job.tenant(), why, job.attempts() + 1, backoff.toSeconds());
        store.failed(job.tenant(), NAME, job.invoiceId(), why, clock.millis() + backoff.toMillis());
    }

    /** The wait after the {@code (failures + 1)}-th failure: first × 2^failures, capped, or a longer Retry-After. */
    Duration backoff(int failures, Optional<Duration> retryAfter) {
        Duration d = settings.firstBackoff();
        for (int i = 0; i < failures && d.compareTo(settings.maxBackoff()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        if (d.compareTo(settings.maxBackoff()) > 0) {
            d = settings.maxBackoff();
        }
        Duration computed = d;
        return retryAfter.filter(r -> r.compareTo(computed) > 0).orElse(computed);
    }

    /** Stripe's own words about a failure: its status and error code and message, never a key. */
    private static String describe(StripeException e) {
        String code = e.getStatusCode() == null ? "no answer" : "HTTP " + e.getStatusCode();
        if (e instanceof ApiConnectionException) {
            return "Stripe could not be reached";
        }
        String msg = e.getStripeError() != null && e.getStripeError().getMessage() != null
                ? e.getStripeError().getMessage() : e.getClass().getSimpleName();
        return code + (e.getCode() == null ? "" : " " + e.getCode()) + ": " + msg;
    }

    /**
     * Applies a Stripe webhook for a tenant: verifies its signature, applies it once. Throws
     * {@link StripeNotConnectedException}, {@link StripeSignatureException} or {@link StripeUnavailableException}.
     */
    public WebhookResult webhook(String tenant, String payload, Optional<String> signature) {
        Map<String, String> creds = store.credentials(tenant, NAME).orElseThrow(StripeNotConnectedException::new);
        StripeEvents.Applied a = events.apply(tenant, creds.get("webhook_secret"), payload, signature,
                () -> clients.forKey(creds.get("api_key")));
        return new WebhookResult(a.eventId(), a.type(), a.outcome(), a.duplicate());
    }

    /** What became of one webhook: the event, what Tally did, and whether it had been applied before. */
    public record WebhookResult(String eventId, String type, String outcome, boolean duplicate) {
    }

    @Override
    public boolean collects(String tenant, String invoiceId) {
        return store.job(tenant, NAME, invoiceId).filter(j -> j.state() == PushJob.State.PUSHED
                && j.remoteId().isPresent()).isPresent();
    }

    /**
     * Pays the Stripe invoice again ({@code POST /v1/invoices/{id}/pay}, Idempotency-Key from the invoice and
     * {@code attemptKey}). A paid answer is recorded at once (the same fact {@code invoice.paid} records); a decline
     * is only reported, its failed fact comes with Stripe's {@code payment_intent.payment_failed}.
     */
    @Override
    public RetryOutcome retry(String tenant, String invoiceId, String attemptKey) {
        Optional<PushJob> job = store.job(tenant, NAME, invoiceId).filter(j -> j.remoteId().isPresent());
        Optional<String> key = store.credentials(tenant, NAME).map(c -> c.get("api_key"));
        if (job.isEmpty() || key.isEmpty()) {
            return RetryOutcome.notCollected(NAME);
        }
        String remote = job.get().remoteId().get();
        try {
            Invoice paid = clients.forKey(key.get()).v1().invoices().pay(remote, InvoicePayParams.builder().build(),
                    RequestOptions.builder().setIdempotencyKey(InvoicePusher.idempotencyKey(tenant, invoiceId,
                            "retry:" + attemptKey)).build());
            if ("paid".equals(paid.getStatus()) && paid.getAmountPaid() != null && paid.getAmountPaid() > 0) {
                var inv = billing.invoice(tenant, invoiceId);
                try {
                    payments.record(this, tenant, invoiceId, new NewFact(FactKind.SUCCEEDED,
                            StripeAmounts.fromMinor(paid.getAmountPaid(), inv.totals().currency()), Optional.empty(),
                            remote + "/paid", "Stripe invoice " + remote + " paid", Optional.empty()));
                } catch (PaymentConflictException e) {
                    LOG.info("invoice {} paid at Stripe but not recordable: {}", invoiceId, e.type());
                }
                return new RetryOutcome(NAME, RetryOutcome.Kind.PAID, "the Stripe invoice " + remote + " is paid");
            }
            return new RetryOutcome(NAME, RetryOutcome.Kind.DECLINED, "the Stripe invoice " + remote + " is "
                    + paid.getStatus());
        } catch (CardException e) {
            return new RetryOutcome(NAME, RetryOutcome.Kind.DECLINED, describe(e));
        } catch (ApiConnectionException | RateLimitException e) {
            return new RetryOutcome(NAME, RetryOutcome.Kind.UNAVAILABLE, describe(e));
        } catch (StripeException e) {
            return new RetryOutcome(NAME, e.getStatusCode() != null && e.getStatusCode() >= 500
                    ? RetryOutcome.Kind.UNAVAILABLE : RetryOutcome.Kind.DECLINED, describe(e));
        }
    }

    /** For crash tests: a hook run between the push's steps. */
    void checkpoint(InvoicePusher.Checkpoint c) {
        pusher.checkpoint(c);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
