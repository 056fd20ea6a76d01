package dev.tally.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.meter.Meter;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.ingest.EventPage;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.engine.usage.UnknownMeterException;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Writes one page of an export to a stream. Events are read from the engine 1,000 at a time by its signed log
 * cursor (in log order, cancelled ones included with {@code status = cancelled}); usage is computed one customer at a
 * time (customers in id order) with the meter's group-by dimensions, so memory holds one read page or one customer's
 * windows, never the range. A page stops after {@code limit} rows (usage: after the customer that reaches the limit,
 * so a customer is never split) and returns the cursor of the rest.
 */
public final class Exports {
    static final int READ_PAGE = 1000;
    private final Engine engine;
    private final ObjectMapper mapper;

    public Exports(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.mapper = mapper;
    }

    /** Writes the page and completes the format (Parquet footer); leaves {@code out} open. */
    public ExportPage write(String tenant, ExportRequest r, OutputStream out) {
        try (RowWriter w = writer(r, out)) {
            ExportPage page = switch (r.dataset()) {
                case EVENTS -> events(tenant, r, w);
                case USAGE -> usage(tenant, r, w);
                case INVOICE_LINES -> invoiceLines(tenant, r, w);
            };
            w.finish();
            return page;
        } catch (IOException e) {
            throw new ExportWriteException("the export could not be written", e);
        }
    }

    /** Fails fast (before any byte is written) on an unknown meter or a cursor of another dataset. */
    public void check(String tenant, ExportRequest r) {
        if (r.dataset() == Dataset.USAGE) {
            meter(tenant, r.meter().orElseThrow());
        }
        if (r.dataset() != Dataset.EVENTS) {
            r.cursor().ifPresent(Exports::usageCursor);
        }
    }

    static RowWriter writer(ExportRequest r, OutputStream out) throws IOException {
        return r.format() == ExportFormat.PARQUET ? new ParquetRowWriter(out, r.dataset())
                : new TextRowWriter(out, r.dataset().columns(), r.format(), r.csvHeader());
    }

    private ExportPage events(String tenant, ExportRequest r, RowWriter w) throws IOException {
        long rows = 0;
        Optional<String> cursor = r.cursor();
        while (true) {
            int size = (int) Math.min(READ_PAGE, r.limit() - rows);
            EventPage page = engine.events(tenant, new EventQuery(Optional.empty(), Optional.empty(),
                    Optional.of(r.from()), Optional.of(r.to()), cursor, size));
            for (StoredEvent e : page.events()) {
                w.write(new Object[] {tenant, e.position(), e.event().source(), e.event().id(), e.event().type(),
                        e.event().subject(), e.event().time(), e.receivedAt(), e.cancelled() ? "cancelled" : "accepted",
                        e.cancelled(), e.event().data() == null || e.event().data().isNull() ? null
                                : mapper.writeValueAsString(e.event().data())});
                rows++;
            }
            cursor = page.nextCursor();
            if (cursor.isEmpty() || rows >= r.limit()) {
                return new ExportPage(rows, cursor);
            }
        }
    }

    private Meter meter(String tenant, String key) {
        return engine.meters(tenant).latest(key).orElseThrow(() -> new UnknownMeterException(key));
    }

    private ExportPage usage(String tenant, ExportRequest r, RowWriter w) throws IOException {
        String key = r.meter().orElseThrow();
        List<String> dims = meter(tenant, key).dimensions();
        NavigableSet<String> customers = new TreeSet<>(engine.usageSubjects(tenant));
        NavigableSet<String> todo = r.cursor().map(c -> customers.tailSet(usageCursor(c), false)).orElse(customers);
        long rows = 0;
        for (String customer : todo) {
            List<UsageRow> usage = engine.usage(tenant, new UsageRequest(key, Optional.of(customer), r.from(), r.to(),
                    r.window(), r.zone(), dims, Map.of()));
            for (UsageRow u : usage) {
                ObjectNode group = mapper.createObjectNode();
                for (int i = 0; i < dims.size(); i++) {
                    Optional<String> v = u.group().get(i);
                    if (v.isPresent()) {
                        group.put(dims.get(i), v.get());
                    } else {
                        group.putNull(dims.get(i));
                    }
                }
                w.write(new Object[] {tenant, key, customer, r.window().wireName(), u.windowStart(), u.windowEnd(),
                        mapper.writeValueAsString(group), u.value(), u.events()});
                rows++;
            }
            if (rows >= r.limit() && !customer.equals(todo.last())) {
                return new ExportPage(rows, Optional.of(usageCursorOf(customer)));
            }
        }
        return new ExportPage(rows, Optional.empty());
    }

    /**
     * Lines of the finalized (and later paid or voided) invoices finalized in [from, to), one customer at a time in
     * id order, each customer's invoices by boundary; drafts are not facts yet and are left out.
     */
    private ExportPage invoiceLines(String tenant, ExportRequest r, RowWriter w) throws IOException {
        NavigableSet<String> customers = new TreeSet<>();
        engine.billing().customers(tenant).forEach(c -> customers.add(c.externalId()));
        NavigableSet<String> todo = r.cursor().map(c -> customers.tailSet(usageCursor(c), false)).orElse(customers);
        long rows = 0;
        for (String customer : todo) {
            List<Invoice> invoices = new java.util.ArrayList<>(engine.billing().invoices(tenant,
                    Optional.of(customer), Optional.empty(), Integer.MAX_VALUE));
            java.util.Collections.reverse(invoices);
            for (Invoice inv : invoices) {
                if (inv.finalizedAt().isEmpty() || inv.finalizedAt().get().isBefore(r.from())
                        || !inv.finalizedAt().get().isBefore(r.to())) {
                    continue;
                }
                for (InvoiceLine l : inv.lines()) {
                    w.write(new Object[] {tenant, inv.id(), inv.number().orElseThrow(), inv.customer(),
                            inv.subscriptionId(), inv.status().wireName(), inv.totals().currency().getCurrencyCode(),
                            inv.period().start(), inv.period().end(), inv.finalizedAt().get(),
                            inv.totals().total().amount(), l.lineId(), l.kind().wireName(), l.chargeKey(),
                            l.description(), l.meter().orElse(null), l.quantity(), l.unitPrice(), l.amount().amount(),
                            l.eventCount(), l.period().start(), l.period().end()});
                    rows++;
                }
            }
            if (rows >= r.limit() && !customer.equals(todo.last())) {
                return new ExportPage(rows, Optional.of(usageCursorOf(customer)));
            }
        }
        return new ExportPage(rows, Optional.empty());
    }

    static String usageCursorOf(String customer) {
        return "u1." + Base64.getUrlEncoder().withoutPadding().encodeToString(customer.getBytes(StandardCharsets.UTF_8));
    }

    static String usageCursor(String cursor) {
        try {
            if (!cursor.startsWith("u1.")) {
                throw new IllegalArgumentException();
            }
            return new String(Base64.getUrlDecoder().decode(cursor.substring(3)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new dev.tally.core.validation.ValidationException("cursor", "is not a cursor this export returned");
        }
    }
}
