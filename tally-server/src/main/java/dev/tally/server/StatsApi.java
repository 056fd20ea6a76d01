package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.revenue.CurrencyRevenue;
import dev.tally.engine.revenue.RevenueOverview;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * {@code GET /v1/stats}: the numbers of the dashboard's overview for the caller's tenant — ingest counts and
 * rates since this process started ({@link IngestActivity}), the stored events and the event types no meter
 * reads, and revenue per currency: invoiced (finalized or paid) this calendar month, still in draft, and the live
 * estimate of every open period, from the tenant's revenue rollup ({@link dev.tally.engine.revenue.OpenRevenue}:
 * memory, not a visit of every customer and invoice), with how fresh it is ({@code as_of}, {@code pending_customers}).
 */
final class StatsApi {
    private final Engine engine;
    private final ObjectMapper mapper;
    private final IngestActivity activity;

    StatsApi(Engine engine, ObjectMapper mapper, IngestActivity activity) {
        this.engine = engine;
        this.mapper = mapper;
        this.activity = activity;
    }

    void stats(Request r) throws IOException {
        ZoneId zone;
        try {
            zone = r.param("tz").map(ZoneId::of).orElse(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw HttpError.badRequest("tz", "is not a time zone id such as Europe/Berlin");
        }
        String tenant = r.tenant();
        engine.syncWithOthers();
        Instant now = engine.clock().instant();
        IngestActivity.Snapshot s = activity.snapshot(tenant);
        ObjectNode out = mapper.createObjectNode();
        out.put("at", now.toString());
        out.put("since", activity.since().toString());

        ObjectNode events = out.putObject("events");
        events.put("accepted", s.accepted());
        events.put("duplicates", s.duplicates());
        events.put("rejected", s.rejected());
        ArrayNode reasons = events.putArray("rejected_by_reason");
        IngestActivity.topReasons(s.rejectedByReason(), 10)
                .forEach(e -> reasons.addObject().put("reason", e.getKey()).put("events", e.getValue()));
        long stored = 0;
        ArrayNode unmatched = events.putArray("unmatched_types");
        for (Map.Entry<String, Long> e : engine.eventsByType(tenant).entrySet()) {
            stored += e.getValue();
            if (!engine.typeIsMetered(tenant, e.getKey())) {
                unmatched.addObject().put("type", e.getKey()).put("events", e.getValue());
            }
        }
        events.put("stored", stored);
        long unmatchedEvents = 0;
        java.util.List<dev.tally.engine.usage.SubjectActivity> subjects = engine.unmatchedSubjects().list(tenant);
        for (dev.tally.engine.usage.SubjectActivity a : subjects) {
            unmatchedEvents += a.events();
        }
        ObjectNode unknown = events.putObject("unmatched_subjects");
        unknown.put("subjects", subjects.size());
        unknown.put("events", unmatchedEvents);

        long elapsed = Math.max(1, now.getEpochSecond() - activity.since().getEpochSecond() + 1);
        ObjectNode rate = out.putObject("rate");
        rate.put("per_second_last_minute", perSecond(sum(s.lastMinute()), Math.min(elapsed, IngestActivity.SECOND_BUCKETS)));
        long dayWindow = Math.min(elapsed, 86_400);
        rate.put("per_second_last_day", perSecond(sum(s.lastDay()), dayWindow));
        // the "last day" of a process younger than a day is the time since it started: say which
        rate.put("last_day_window_seconds", dayWindow);
        rate.put("last_day_window_start", now.minusSeconds(dayWindow - 1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        ObjectNode minute = rate.putObject("last_minute");
        minute.put("start", Instant.ofEpochSecond(s.lastMinuteStartEpoch()).toString());
        minute.put("bucket_seconds", 1);
        ArrayNode mc = minute.putArray("events");
        for (long n : s.lastMinute()) {
            mc.add(n);
        }
        ObjectNode day = rate.putObject("last_day");
        day.put("start", Instant.ofEpochSecond(s.lastDayStartEpoch()).toString());
        day.put("bucket_seconds", IngestActivity.DAY_BUCKET_SECONDS);
        ArrayNode dc = day.putArray("events");
        for (long n : s.lastDay()) {
            dc.add(n);
        }

        YearMonth month = YearMonth.from(now.atZone(zone));
        Instant from = month.atDay(1).atStartOfDay(zone).toInstant();
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
        RevenueOverview overview = engine.revenue().overview(tenant, from, to);
        ObjectNode revenue = out.putObject("revenue");
        revenue.put("period_start", from.toString());
        revenue.put("period_end", to.toString());
        revenue.put("tz", zone.getId());
        // how fresh the figures are: the open-period estimates are kept in memory and refreshed every second
        overview.asOf().ifPresentOrElse(t -> revenue.put("as_of", t.toString()), () -> revenue.putNull("as_of"));
        revenue.put("pending_customers", overview.pendingCustomers());
        overview.invoicesAsOf().ifPresentOrElse(t -> revenue.put("invoices_as_of", t.toString()),
                () -> revenue.putNull("invoices_as_of"));
        ArrayNode currencies = revenue.putArray("currencies");
        for (CurrencyRevenue c : overview.currencies()) {
            currencies.addObject().put("currency", c.currency())
                    .put("invoiced", c.invoiced().toPlainString()).put("invoices", c.invoices())
                    .put("draft", c.draft().toPlainString()).put("draft_invoices", c.draftInvoices())
                    .put("estimated_open", c.estimatedOpen().toPlainString()).put("open_periods", c.openPeriods());
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    private static long sum(long[] a) {
        long t = 0;
        for (long n : a) {
            t += n;
        }
        return t;
    }

    private static String perSecond(long events, long seconds) {
        return BigDecimal.valueOf(events).divide(BigDecimal.valueOf(seconds), 3, RoundingMode.HALF_UP).toPlainString();
    }
}
