package dev.tally.core.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.money.TaxRate;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON form of a {@link Customer} (snake_case), both ways:
 * <pre>{@code
 * {"external_id":"acme","name":"Acme","timezone":"America/Los_Angeles","currency":"USD","email":"billing@acme.test",
 *  "billing_address":{"line1":"1 Main St","city":"Springfield","country":"US"},
 *  "tax_rates":[{"name":"VAT","percent":"20"}]}
 * }</pre>
 * Reading is strict and collects every problem before failing with one {@link ValidationException} whose
 * violations name each bad field by its JSON path ({@code billing_address.country}, {@code tax_rates[0].percent});
 * unknown fields are refused. Optional invoice preferences: {@code net_terms_days} (an integer, 0 to 365) and
 * {@code language} ({@code "en"}, {@code "de"} or {@code "fr"}); absent, the tenant's defaults apply. {@code tax_ids}:
 * at most 5 objects {@code {"type":"eu_vat","value":"DE123456789"}} (see {@link TaxId}); absent, none. Required: {@code external_id} and {@code currency}. Defaults: {@code name} is the
 * external id, {@code timezone} is {@code "UTC"}, no email, an empty address, no tax rates. The time zone is an IANA
 * region id ({@code "Asia/Kolkata"}) or {@code "UTC"}; fixed offsets such as {@code "+05:30"} are accepted too but
 * have no DST. Writing emits every field ({@code email} as {@code null} when absent);
 * {@code read(write(c))} equals {@code c}.
 */
public final class CustomerJson {
    private static final Set<String> FIELDS = Set.of("external_id", "name", "timezone", "currency", "email",
            "billing_address", "tax_rates", "net_terms_days", "language", "tax_ids");
    private static final Set<String> TAX_ID_FIELDS = Set.of("type", "value");

    private CustomerJson() {
    }

    /**
     * Reads a customer.
     *
     * @throws ValidationException listing every invalid field with its JSON path
     */
    public static Customer read(JsonNode body) {
        List<FieldViolation> errors = new ArrayList<>();
        JsonFields o = JsonFields.object(body, "", FIELDS, errors).orElseThrow(() -> new ValidationException(errors));
        Optional<String> externalId = o.requiredText("external_id").filter(id -> {
            Optional<String> problem = Customer.externalIdProblem(id);
            problem.ifPresent(p -> o.error("external_id", p));
            return problem.isEmpty();
        });
        Optional<String> name = o.text("name").filter(n -> {
            Optional<String> problem = Customer.nameProblem(n);
            problem.ifPresent(p -> o.error("name", p));
            return problem.isEmpty();
        });
        ZoneId zone = o.text("timezone").map(text -> {
            try {
                return ZoneId.of(text);
            } catch (DateTimeException e) {
                o.error("timezone", "must be an IANA time zone like \"America/Los_Angeles\", got \"" + text + "\"");
                return ZoneOffset.UTC;
            }
        }).orElse(ZoneId.of("UTC"));
        Optional<Currency> currency = o.currency("currency");
        Optional<String> email = o.text("email").filter(e -> {
            Optional<String> problem = Customer.emailProblem(e);
            problem.ifPresent(p -> o.error("email", p));
            return problem.isEmpty();
        });
        Map<String, String> address = new TreeMap<>();
        o.node("billing_address").ifPresent(n -> {
            if (!n.isObject()) {
                o.error("billing_address", "must be an object like {\"line1\":\"1 Main St\",\"country\":\"US\"}");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = "billing_address." + e.getKey();
                if (!e.getValue().isTextual()) {
                    o.error(field, "must be a string");
                    continue;
                }
                Optional<String> problem = Customer.addressProblem(e.getKey(), e.getValue().textValue());
                if (problem.isPresent()) {
                    o.error(field, problem.get());
                } else {
                    address.put(e.getKey(), e.getValue().textValue());
                }
            }
        });
        List<TaxRate> taxRates = o.taxRates("tax_rates");
        Optional<Integer> netTerms = netTermsDays(o);
        Optional<String> language = o.text("language").filter(l -> {
            Optional<String> problem = Customer.languageProblem(l);
            problem.ifPresent(p -> o.error("language", p));
            return problem.isEmpty();
        });
        List<TaxId> taxIds = taxIds(o, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        try {
            return new Customer(externalId.orElseThrow(), name.orElse(externalId.orElseThrow()), zone,
                    currency.orElseThrow(), email, address, taxRates, netTerms, language, taxIds);
        } catch (InvalidBillingException e) {
            throw new ValidationException(e.field().isEmpty() ? "body" : e.field(), e.problem());
        }
    }

    /** Writes a customer as its JSON object (every field present). */
    public static ObjectNode write(Customer c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("external_id", c.externalId());
        o.put("name", c.name());
        o.put("timezone", c.timezone().getId());
        o.put("currency", c.currency().getCurrencyCode());
        if (c.email().isPresent()) {
            o.put("email", c.email().get());
        } else {
            o.putNull("email");
        }
        ObjectNode address = o.putObject("billing_address");
        c.billingAddress().forEach(address::put);
        JsonFields.writeTaxRates(o.putArray("tax_rates"), c.taxRates());
        c.netTermsDays().ifPresentOrElse(d -> o.put("net_terms_days", d), () -> o.putNull("net_terms_days"));
        c.language().ifPresentOrElse(l -> o.put("language", l), () -> o.putNull("language"));
        ArrayNode ids = o.putArray("tax_ids");
        c.taxIds().forEach(t -> ids.addObject().put("type", t.type()).put("value", t.value()));
        return o;
    }

    private static List<TaxId> taxIds(JsonFields o, List<FieldViolation> errors) {
        List<TaxId> ids = new ArrayList<>();
        List<JsonNode> nodes = o.array("tax_ids").orElse(List.of());
        if (nodes.size() > TaxId.MAX_PER_CUSTOMER) {
            o.error("tax_ids", "must have at most " + TaxId.MAX_PER_CUSTOMER + " entries, got " + nodes.size());
            return ids;
        }
        for (int i = 0; i < nodes.size(); i++) {
            String p = o.path("tax_ids") + "[" + i + "]";
            Optional<JsonFields> t = JsonFields.object(nodes.get(i), p, TAX_ID_FIELDS, errors);
            if (t.isEmpty()) {
                continue;
            }
            int before = errors.size();
            Optional<String> type = t.get().requiredText("type");
            type.flatMap(TaxId::typeProblem).ifPresent(problem -> t.get().error("type", problem));
            Optional<String> value = t.get().requiredText("value");
            value.flatMap(TaxId::valueProblem).ifPresent(problem -> t.get().error("value", problem));
            if (errors.size() == before) {
                ids.add(new TaxId(type.orElseThrow(), value.orElseThrow()));
            }
        }
        return ids;
    }

    private static Optional<Integer> netTermsDays(JsonFields o) {
        return o.node("net_terms_days").flatMap(n -> {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                o.error("net_terms_days", "must be a whole number of days like 30");
                return Optional.empty();
            }
            Optional<String> problem = Customer.netTermsProblem(n.intValue());
            problem.ifPresent(p -> o.error("net_terms_days", p));
            return problem.isEmpty() ? Optional.of(n.intValue()) : Optional.empty();
        });
    }
}
