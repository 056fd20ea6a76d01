package dev.tally.engine.revenue;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per tenant and currency, the sum of the drafts and of the invoices finalized (or paid) per quarter hour since a
 * horizon ({@link #HORIZON} before now: any calendar month that contains now, in any zone, starts after it), kept
 * in memory from the invoice rows: a tenant's book is loaded by the first sweep after start (or on its first
 * question, for a tenant created since), then moved by a sweep of the
 * rows changed since the last one (this process's and other processes' writes alike: the sweep reads the table),
 * and reloaded every {@link #RELOAD} (which also corrects a row the sweep could miss: a writer whose clock is more
 * than {@link #OVERLAP} behind). Each counted invoice is remembered (id, status, currency, total, bucket) so that a
 * change replaces its old contribution exactly; finalized invoices older than the horizon are forgotten.
 */
final class InvoiceSums {
    static final Duration HORIZON = Duration.ofDays(35);
    static final Duration OVERLAP = Duration.ofSeconds(5);
    static final Duration RELOAD = Duration.ofHours(1);
    private static final long BUCKET_SECONDS = 900;

    private final RevenueStore store;
    private final Clock clock;
    private final ConcurrentHashMap<String, Book> books = new ConcurrentHashMap<>();
    private final Set<String> toLoad = ConcurrentHashMap.newKeySet();
    private volatile Instant swept;
    private volatile Instant watermark;

    InvoiceSums(RevenueStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.watermark = clock.instant();
    }

    /** One counted invoice: a draft ({@code bucket} -1) or a closed one in a quarter-hour bucket. */
    private record Counted(String currency, BigDecimal total, Instant at, long bucket) {
    }

    private static final class Book {
        final Map<String, Counted> invoices = new HashMap<>();
        final Map<String, Figure> drafts = new TreeMap<>();
        final TreeMap<Long, Map<String, Figure>> closed = new TreeMap<>();
        Set<String> currencies = new TreeSet<>();
        Instant loadedAt;
        Instant horizon;
    }

    /** The sums of the window [from, to): per currency, invoiced and draft; and the currencies with any invoice. */
    record Sums(Map<String, Figure> invoiced, Map<String, Figure> drafts, Set<String> currencies) {
    }

    Sums sums(String tenant, Instant from, Instant to) {
        Book b = books.computeIfAbsent(tenant, this::load);
        Map<String, Figure> invoiced = new TreeMap<>();
        synchronized (b) {
            if (from.isBefore(b.horizon)) {
                for (RevenueStore.InvoiceRow r : store.closedBetween(tenant, from, to)) {
                    invoiced.merge(r.currency(), Figure.NONE.plus(r.total()), Figure::plus);
                }
            } else if (from.getEpochSecond() % BUCKET_SECONDS == 0 && to.getEpochSecond() % BUCKET_SECONDS == 0
                    && from.getNano() == 0 && to.getNano() == 0) {
                for (Map<String, Figure> bucket : b.closed.subMap(bucketOf(from), bucketOf(to)).values()) {
                    bucket.forEach((c, f) -> invoiced.merge(c, f, Figure::plus));
                }
            } else {
                for (Counted k : b.invoices.values()) {
                    if (k.bucket >= 0 && !k.at.isBefore(from) && k.at.isBefore(to)) {
                        invoiced.merge(k.currency, Figure.NONE.plus(k.total), Figure::plus);
                    }
                }
            }
            return new Sums(invoiced, new TreeMap<>(b.drafts), new TreeSet<>(b.currencies));
        }
    }

    /** When the last sweep ran (empty before the first). */
    Optional<Instant> sweptAt() {
        return Optional.ofNullable(swept);
    }

    private Book load(String tenant) {
        Instant now = clock.instant();
        Book b = new Book();
        b.loadedAt = now;
        b.horizon = horizonAt(now);
        b.currencies = new TreeSet<>(store.currencies(tenant));
        for (RevenueStore.InvoiceRow r : store.openAndRecent(tenant, b.horizon)) {
            apply(b, r);
        }
        return b;
    }

    /** Loads these tenants' books at the next sweep (at start: off the request path). */
    void preload(java.util.Collection<String> tenants) {
        toLoad.addAll(tenants);
    }

    /**
     * Loads the books asked for by {@link #preload}, applies the invoice rows changed since the last sweep to the
     * loaded books (telling {@code changedCustomer} the tenant and customer of each invoice whose contribution changed), reloads books older than {@link #RELOAD}, and forgets closed invoices older than the horizon.
     */
    void sweep(java.util.function.BiConsumer<String, String> changedCustomer) {
        for (java.util.Iterator<String> it = toLoad.iterator(); it.hasNext(); ) {
            String tenant = it.next();
            it.remove();
            books.computeIfAbsent(tenant, this::load);
        }
        Instant now = clock.instant();
        Instant since = watermark.minus(OVERLAP);
        Instant latest = watermark;
        for (RevenueStore.InvoiceRow r : store.updatedSince(since)) {
            if (r.updatedAt().isAfter(latest)) {
                latest = r.updatedAt();
            }
            Book b = books.get(r.tenant());
            if (b == null) {
                continue;
            }
            synchronized (b) {
                boolean wasCounted = b.invoices.containsKey(r.id());
                if (apply(b, r)) {
                    changedCustomer.accept(r.tenant(), r.customer());
                }
                if (isOpenOrClosed(r.status())) {
                    b.currencies.add(r.currency());
                } else if (wasCounted) {
                    b.currencies = new TreeSet<>(store.currencies(r.tenant()));
                }
            }
        }
        watermark = latest.isAfter(now) ? now : latest;
        for (Map.Entry<String, Book> e : books.entrySet()) {
            Book b = e.getValue();
            if (!b.loadedAt.plus(RELOAD).isAfter(now)) {
                books.put(e.getKey(), load(e.getKey()));
                continue;
            }
            synchronized (b) {
                Instant horizon = horizonAt(now);
                if (horizon.isAfter(b.horizon)) {
                    long first = bucketOf(horizon);
                    b.closed.headMap(first).clear();
                    b.invoices.values().removeIf(k -> k.bucket >= 0 && k.bucket < first);
                    b.horizon = horizon;
                }
            }
        }
        swept = now;
    }

    private static boolean isOpenOrClosed(String status) {
        return status.equals("draft") || status.equals("finalized") || status.equals("paid");
    }

    /** Replaces the invoice's contribution with what its row says now; whether that changed it. */
    private static boolean apply(Book b, RevenueStore.InvoiceRow r) {
        Counted old = b.invoices.remove(r.id());
        if (old != null) {
            Map<String, Figure> into = old.bucket < 0 ? b.drafts : b.closed.get(old.bucket);
            Figure left = into.get(old.currency).minus(Figure.NONE.plus(old.total));
            if (left.count() == 0) {
                into.remove(old.currency);
            } else {
                into.put(old.currency, left);
            }
            if (old.bucket >= 0 && into.isEmpty()) {
                b.closed.remove(old.bucket);
            }
        }
        Counted now;
        if (r.status().equals("draft")) {
            now = new Counted(r.currency(), r.total(), r.at(), -1);
            b.drafts.merge(now.currency, Figure.NONE.plus(now.total), Figure::plus);
        } else if ((r.status().equals("finalized") || r.status().equals("paid")) && !r.at().isBefore(b.horizon)) {
            now = new Counted(r.currency(), r.total(), r.at(), bucketOf(r.at()));
            b.closed.computeIfAbsent(now.bucket, k -> new TreeMap<>())
                    .merge(now.currency, Figure.NONE.plus(now.total), Figure::plus);
        } else {
            return old != null;
        }
        b.invoices.put(r.id(), now);
        return !now.equals(old);
    }

    /** The start of the quarter hour {@link #HORIZON} before {@code now}: closed invoices from it on are counted. */
    private static Instant horizonAt(Instant now) {
        return Instant.ofEpochSecond(bucketOf(now.minus(HORIZON)) * BUCKET_SECONDS);
    }

    private static long bucketOf(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), BUCKET_SECONDS);
    }
}
