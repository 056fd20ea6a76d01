package dev.tally.core.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.money.InvalidMoneyException;
import dev.tally.core.money.TaxRate;
import dev.tally.core.validation.FieldViolation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the fields of one JSON object strictly and collects every problem as a {@link FieldViolation} with its
 * JSON path (so a client sees all its mistakes at once): unknown fields are reported, decimals come from strings or
 * exact JSON numbers (never through a {@code double}), and each reader returns empty after reporting.
 */
final class JsonFields {
    /** At most this many digits before and after the decimal point, as for prices. */
    static final int MAX_DIGITS = DecimalInput.AMOUNTS.maxIntegerDigits();
    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");
    private static final Set<String> TAX_RATE_FIELDS = Set.of("name", "percent");

    private final JsonNode node;
    private final String path;
    private final List<FieldViolation> errors;

    private JsonFields(JsonNode node, String path, List<FieldViolation> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    /**
     * The object at {@code path} with its unknown fields already reported, or empty (reported) if the node is not
     * a JSON object.
     */
    static Optional<JsonFields> object(JsonNode node, String path, Set<String> known, List<FieldViolation> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldViolation(path.isEmpty() ? "body" : path, "must be a JSON object"));
            return Optional.empty();
        }
        JsonFields o = new JsonFields(node, path, errors);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                o.error(name, "is not a known field");
            }
        }
        return Optional.of(o);
    }

    String path(String field) {
        return Paths.join(path, field);
    }

    void error(String field, String message) {
        errors.add(new FieldViolation(path(field), message));
    }

    int errorCount() {
        return errors.size();
    }

    /** The value of a field, or empty if it is missing or JSON null. */
    Optional<JsonNode> node(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    Optional<String> text(String field) {
        Optional<JsonNode> v = node(field);
        if (v.isPresent() && !v.get().isTextual()) {
            error(field, "must be a string");
            return Optional.empty();
        }
        return v.map(JsonNode::textValue);
    }

    Optional<String> requiredText(String field) {
        if (node(field).isEmpty()) {
            error(field, "is required");
            return Optional.empty();
        }
        return text(field);
    }

    /** A text field that must not be blank when present. */
    Optional<String> nonBlankText(String field) {
        Optional<String> v = text(field);
        if (v.isPresent() && v.get().isBlank()) {
            error(field, "must not be blank");
            return Optional.empty();
        }
        return v;
    }

    /** A key field (plan, charge, meter) matching {@link Plan#KEY}; required. */
    Optional<String> key(String field) {
        Optional<String> v = requiredText(field);
        if (v.isPresent() && !Plan.KEY.matcher(v.get()).matches()) {
            error(field, Plan.KEY_RULE + ", got \"" + v.get() + "\"");
            return Optional.empty();
        }
        return v;
    }

    Optional<BigDecimal> decimal(String field) {
        return node(field).flatMap(v -> toDecimal(v, field));
    }

    Optional<BigDecimal> nonNegativeDecimal(String field) {
        Optional<BigDecimal> v = decimal(field);
        if (v.isPresent() && v.get().signum() < 0) {
            error(field, "must not be negative, got " + v.get().toPlainString());
            return Optional.empty();
        }
        return v;
    }

    Optional<BigDecimal> requiredNonNegativeDecimal(String field) {
        if (node(field).isEmpty()) {
            error(field, "is required");
            return Optional.empty();
        }
        return nonNegativeDecimal(field);
    }

    /** A whole number given as a JSON integer (or a string of one). */
    Optional<Integer> integer(String field) {
        Optional<JsonNode> v = node(field);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Optional<BigDecimal> d = toDecimal(v.get(), field);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        BigDecimal n = d.get().stripTrailingZeros();
        if (n.scale() > 0 || n.abs().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            error(field, "must be a whole number, got " + d.get().toPlainString());
            return Optional.empty();
        }
        return Optional.of(n.intValueExact());
    }

    /** The elements of an array field, or empty (reported) if it is not an array; missing gives empty silently. */
    Optional<List<JsonNode>> array(String field) {
        Optional<JsonNode> v = node(field);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!v.get().isArray()) {
            error(field, "must be a JSON array");
            return Optional.empty();
        }
        List<JsonNode> out = new ArrayList<>();
        v.get().elements().forEachRemaining(out::add);
        return Optional.of(out);
    }

    /** A required ISO 4217 currency code with a minor unit. */
    Optional<Currency> currency(String field) {
        Optional<String> code = requiredText(field);
        if (code.isEmpty()) {
            return Optional.empty();
        }
        if (!CURRENCY_CODE.matcher(code.get()).matches()) {
            error(field, "must be an upper-case ISO 4217 code like \"USD\", got \"" + code.get() + "\"");
            return Optional.empty();
        }
        Currency currency;
        try {
            currency = Currency.getInstance(code.get());
        } catch (IllegalArgumentException e) {
            error(field, "is not an ISO 4217 currency code: \"" + code.get() + "\"");
            return Optional.empty();
        }
        if (currency.getDefaultFractionDigits() < 0) {
            error(field, "has no minor unit and cannot be billed: \"" + code.get() + "\"");
            return Optional.empty();
        }
        return Optional.of(currency);
    }

    /** A list of tax rates ({@code [{"name":"VAT","percent":"20"}]}); missing is an empty list. */
    List<TaxRate> taxRates(String field) {
        List<TaxRate> rates = new ArrayList<>();
        List<JsonNode> nodes = array(field).orElse(List.of());
        for (int i = 0; i < nodes.size(); i++) {
            String p = path(field) + "[" + i + "]";
            Optional<JsonFields> t = object(nodes.get(i), p, TAX_RATE_FIELDS, errors);
            if (t.isEmpty()) {
                continue;
            }
            int before = errors.size();
            Optional<String> name = t.get().requiredText("name");
            if (name.isPresent() && name.get().isBlank()) {
                t.get().error("name", "must not be blank");
            }
            Optional<BigDecimal> percent = t.get().requiredNonNegativeDecimal("percent");
            if (errors.size() == before) {
                try {
                    rates.add(new TaxRate(name.orElseThrow(), percent.orElseThrow()));
                } catch (InvalidMoneyException e) {
                    errors.add(new FieldViolation(p, e.getMessage()));
                }
            }
        }
        return rates;
    }

    static void writeTaxRates(ArrayNode out, List<TaxRate> rates) {
        for (TaxRate r : rates) {
            ObjectNode t = out.addObject();
            t.put("name", r.name());
            t.put("percent", r.percent().toPlainString());
        }
    }

    /**
     * A decimal from a JSON string ("12.50") or an exact JSON number, within {@link DecimalInput#AMOUNTS}; read by
     * {@link DecimalInput}, the one reader of decimals.
     */
    private Optional<BigDecimal> toDecimal(JsonNode v, String field) {
        try {
            return Optional.of(DecimalInput.of(v, DecimalInput.AMOUNTS));
        } catch (InvalidInputException e) {
            error(field, e.problem());
            return Optional.empty();
        }
    }
}
