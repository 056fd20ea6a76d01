package dev.tally.engine.payment.dunning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.entitlement.Suspension;
import dev.tally.engine.payment.PaymentJson;
import dev.tally.engine.payment.PaymentSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The JSON of dunning policies, steps and suspensions (the API's and the webhooks' shape). */
public final class DunningJson {
    private static final Set<String> FIELDS = Set.of("enabled", "retry_days", "reminder_days_before_due",
            "remind_after_failure", "uncollectible_after_days", "suspension", "suspension_grace_days");

    private DunningJson() {
    }

    /**
     * Reads a whole policy (a PUT replaces the policy; a field left out takes its default, see
     * {@link DunningPolicy#DEFAULT}); throws {@link InvalidDunningPolicyException} naming the first bad field.
     */
    public static DunningPolicy readPolicy(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidDunningPolicyException("body", "must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new InvalidDunningPolicyException(f, "is not a field of a dunning policy");
            }
        });
        DunningPolicy d = DunningPolicy.DEFAULT;
        boolean enabled = bool(body, "enabled").orElse(true);
        List<Integer> retry = days(body, "retry_days").orElse(d.retryDays());
        List<Integer> reminders = days(body, "reminder_days_before_due").orElse(d.reminderDaysBeforeDue());
        boolean afterFailure = bool(body, "remind_after_failure").orElse(d.remindAfterFailure());
        Optional<Integer> end = body.has("uncollectible_after_days") && body.get("uncollectible_after_days").isNull()
                ? Optional.empty() : integer(body, "uncollectible_after_days").or(d::uncollectibleAfterDays);
        JsonNode s = body.get("suspension");
        DunningPolicy.Suspend suspend = DunningPolicy.Suspend.NONE;
        if (s != null && !s.isNull()) {
            if (!s.isTextual()) {
                throw new InvalidDunningPolicyException("suspension", "must be none, soft, grace or hard");
            }
            suspend = DunningPolicy.Suspend.fromWireName(s.asText())
                    .orElseThrow(() -> new InvalidDunningPolicyException("suspension", "must be none, soft, grace or hard"));
        }
        return new DunningPolicy(enabled, retry, reminders, afterFailure, end, suspend, integer(body, "suspension_grace_days"));
    }

    public static ObjectNode policy(DunningPolicy p) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("enabled", p.enabled());
        ArrayNode retry = o.putArray("retry_days");
        p.retryDays().forEach(retry::add);
        ArrayNode rem = o.putArray("reminder_days_before_due");
        p.reminderDaysBeforeDue().forEach(rem::add);
        o.put("remind_after_failure", p.remindAfterFailure());
        p.uncollectibleAfterDays().ifPresentOrElse(v -> o.put("uncollectible_after_days", v),
                () -> o.putNull("uncollectible_after_days"));
        o.put("suspension", p.suspension().wireName());
        p.suspensionGraceDays().ifPresentOrElse(v -> o.put("suspension_grace_days", v),
                () -> o.putNull("suspension_grace_days"));
        return o;
    }

    public static ObjectNode step(DunningStep s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", s.id());
        o.put("invoice", s.invoice());
        o.put("customer", s.customer());
        o.put("step", s.step());
        o.put("kind", s.kind().wireName());
        o.put("due_at", s.dueAt().toString());
        o.put("done_at", s.doneAt().toString());
        o.set("detail", s.detail().deepCopy());
        return o;
    }

    /** A suspension as it acts at {@code now}. */
    public static ObjectNode suspension(Suspension s, Instant now) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("mode", s.modeAt(now).wireName());
        o.put("denies", s.deniesAt(now));
        o.put("since", s.causes().get(0).since().toString());
        s.graceEndsAt(now).ifPresentOrElse(t -> o.put("grace_ends_at", t.toString()), () -> o.putNull("grace_ends_at"));
        ArrayNode inv = o.putArray("invoices");
        s.causes().forEach(c -> inv.add(c.invoice()));
        return o;
    }

    /** The common data of dunning webhooks: the invoice and its payment state. */
    static ObjectNode invoice(Invoice i, PaymentSummary s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("invoice", i.id());
        i.number().ifPresentOrElse(n -> o.put("number", n), () -> o.putNull("number"));
        o.put("customer", i.customer());
        o.put("currency", s.currency().getCurrencyCode());
        o.put("amount_due", s.total().toPlainString());
        PaymentJson.putState(o, s);
        i.dueDate().ifPresentOrElse(d -> o.put("due_date", d.toString()), () -> o.putNull("due_date"));
        return o;
    }

    private static Optional<Boolean> bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw new InvalidDunningPolicyException(field, "must be true or false");
        }
        return Optional.of(v.asBoolean());
    }

    private static Optional<Integer> integer(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InvalidDunningPolicyException(field, "must be a whole number of days");
        }
        return Optional.of(v.asInt());
    }

    private static Optional<List<Integer>> days(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            throw new InvalidDunningPolicyException(field, "must be an array of whole numbers of days");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode d : v) {
            if (!d.isIntegralNumber() || !d.canConvertToInt()) {
                throw new InvalidDunningPolicyException(field, "must be an array of whole numbers of days");
            }
            out.add(d.asInt());
        }
        return Optional.of(out);
    }
}
