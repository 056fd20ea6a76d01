package dev.tally.engine.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.Customer;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The JSON form of {@link TenantSettings} (snake_case), and how a PATCH applies to it:
 * <pre>{@code
 * {"legal_name":"Acme Billing GmbH","address":{"line1":"Hauptstr. 1","postal_code":"10115","city":"Berlin",
 *  "country":"DE"},"tax_id":"DE123456789","email":"billing@acme.test","logo":"data:image/png;base64,...",
 *  "invoice_footer":"...","payment_instructions":"IBAN DE89 ...","net_terms_days":14,"invoice_number_prefix":"ACME-",
 *  "language":"de","portal_url":"https://billing.acme.test"}
 * }</pre>
 * A patch names only the fields it changes; {@code null} clears an optional field (and resets
 * {@code net_terms_days}, {@code invoice_number_prefix} and {@code language} to their defaults); {@code address}
 * is replaced whole. Unknown fields are refused. Every problem is collected into one {@link ValidationException}
 * naming each field by its JSON path ({@code address.country}).
 */
public final class TenantSettingsJson {
    /** The fields a seller address may have. */
    public static final Set<String> ADDRESS_FIELDS = Set.of("line1", "line2", "postal_code", "city", "region", "country");
    static final Set<String> FIELDS = Set.of("legal_name", "address", "tax_id", "email", "logo", "invoice_footer",
            "payment_instructions", "net_terms_days", "invoice_number_prefix", "language", "portal_url");
    static final int MAX_NAME = 200;
    static final int MAX_LONG_TEXT = 2000;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_./-]{1,20}");
    private static final Pattern TAX_ID = Pattern.compile("[A-Za-z0-9 .\\-/]{2,40}");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private TenantSettingsJson() {
    }

    /** The settings as the API returns them: every field, absent optional ones as {@code null}. */
    public static ObjectNode write(TenantSettings s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        put(o, "legal_name", s.legalName());
        ObjectNode a = o.putObject("address");
        s.address().forEach(a::put);
        put(o, "tax_id", s.taxId());
        put(o, "email", s.email());
        put(o, "logo", s.logo().map(Logo::dataUri));
        put(o, "invoice_footer", s.invoiceFooter());
        put(o, "payment_instructions", s.paymentInstructions());
        o.put("net_terms_days", s.netTermsDays());
        o.put("invoice_number_prefix", s.invoiceNumberPrefix());
        o.put("language", s.language());
        put(o, "portal_url", s.portalUrl());
        return o;
    }

    /** Reads stored settings (as {@link #write} wrote them). */
    public static TenantSettings read(JsonNode stored) {
        return patch(TenantSettings.defaults(), stored);
    }

    /**
     * The settings with the patch applied.
     *
     * @throws ValidationException listing every invalid field
     */
    public static TenantSettings patch(TenantSettings base, JsonNode patch) {
        List<FieldViolation> errors = new ArrayList<>();
        if (patch == null || !patch.isObject()) {
            throw new ValidationException("body", "must be a JSON object of the settings to change");
        }
        for (Iterator<String> it = patch.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                errors.add(new FieldViolation(f, "is not a known field (" + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")"));
            }
        }
        Optional<String> legalName = text(patch, "legal_name", MAX_NAME, base.legalName(), errors);
        Map<String, String> address = address(patch, base.address(), errors);
        Optional<String> taxId = text(patch, "tax_id", 40, base.taxId(), errors);
        taxId.filter(t -> patch.has("tax_id") && !TAX_ID.matcher(t).matches()).ifPresent(t -> errors.add(
                new FieldViolation("tax_id", "must be 2 to 40 letters, digits, spaces, dots, dashes or slashes like \"DE123456789\"")));
        Optional<String> email = text(patch, "email", 254, base.email(), errors);
        email.filter(e -> patch.has("email") && !EMAIL.matcher(e).matches()).ifPresent(e -> errors.add(
                new FieldViolation("email", "must be an email address like \"billing@example.com\"")));
        Optional<Logo> logo = base.logo();
        if (patch.has("logo")) {
            JsonNode n = patch.get("logo");
            if (n.isNull()) {
                logo = Optional.empty();
            } else if (!n.isTextual()) {
                errors.add(new FieldViolation("logo", "must be a data URI string or null"));
            } else {
                try {
                    logo = Optional.of(Logo.fromDataUri(n.textValue()));
                } catch (ValidationException e) {
                    errors.addAll(e.violations());
                }
            }
        }
        Optional<String> footer = text(patch, "invoice_footer", MAX_LONG_TEXT, base.invoiceFooter(), errors);
        Optional<String> payment = text(patch, "payment_instructions", MAX_LONG_TEXT, base.paymentInstructions(), errors);
        int terms = base.netTermsDays();
        if (patch.has("net_terms_days")) {
            JsonNode n = patch.get("net_terms_days");
            if (n.isNull()) {
                terms = TenantSettings.DEFAULT_NET_TERMS_DAYS;
            } else if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                errors.add(new FieldViolation("net_terms_days", "must be a whole number of days like 30"));
            } else {
                Optional<String> p = Customer.netTermsProblem(n.intValue());
                p.ifPresent(m -> errors.add(new FieldViolation("net_terms_days", m)));
                terms = p.isEmpty() ? n.intValue() : terms;
            }
        }
        String prefix = text(patch, "invoice_number_prefix", 20, Optional.of(base.invoiceNumberPrefix()), errors)
                .orElse(TenantSettings.DEFAULT_PREFIX);
        if (patch.hasNonNull("invoice_number_prefix") && !PREFIX.matcher(prefix).matches()) {
            errors.add(new FieldViolation("invoice_number_prefix",
                    "must be 1 to 20 letters, digits or - _ . / like \"INV-\" or \"2026/\""));
        }
        String language = text(patch, "language", 2, Optional.of(base.language()), errors)
                .orElse(TenantSettings.DEFAULT_LANGUAGE);
        Customer.languageProblem(language).filter(p -> patch.hasNonNull("language"))
                .ifPresent(p -> errors.add(new FieldViolation("language", p)));
        Optional<String> portal = text(patch, "portal_url", 500, base.portalUrl(), errors);
        if (patch.hasNonNull("portal_url") && portal.isPresent() && !isWebUrl(portal.get())) {
            errors.add(new FieldViolation("portal_url",
                    "must be an absolute http or https URL like \"https://billing.example.com\""));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new TenantSettings(legalName, address, taxId, email, logo, footer, payment, terms, prefix, language,
                portal.map(p -> p.replaceAll("/+$", "")));
    }

    private static boolean isWebUrl(String s) {
        try {
            URI u = new URI(s);
            return (("https".equalsIgnoreCase(u.getScheme()) || "http".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null && u.getRawQuery() == null && u.getRawFragment() == null
                    && u.getRawUserInfo() == null);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static Optional<String> text(JsonNode patch, String field, int max, Optional<String> base,
            List<FieldViolation> errors) {
        if (!patch.has(field)) {
            return base;
        }
        JsonNode n = patch.get(field);
        if (n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            errors.add(new FieldViolation(field, "must be a string or null"));
            return base;
        }
        String v = n.textValue().strip();
        if (v.isEmpty()) {
            errors.add(new FieldViolation(field, "must not be blank (null clears it)"));
            return base;
        }
        if (v.length() > max) {
            errors.add(new FieldViolation(field, "must be at most " + max + " characters"));
            return base;
        }
        if (v.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
            errors.add(new FieldViolation(field, "must not contain control characters"));
            return base;
        }
        return Optional.of(v);
    }

    private static Map<String, String> address(JsonNode patch, Map<String, String> base, List<FieldViolation> errors) {
        if (!patch.has("address")) {
            return base;
        }
        JsonNode n = patch.get("address");
        if (n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            errors.add(new FieldViolation("address", "must be an object like {\"line1\":\"1 Main St\",\"city\":\"Springfield\",\"country\":\"US\"}"));
            return base;
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "address." + e.getKey();
            if (!ADDRESS_FIELDS.contains(e.getKey())) {
                errors.add(new FieldViolation(field, "is not a known field (line1, line2, postal_code, city, region, country)"));
                continue;
            }
            if (e.getValue().isNull()) {
                continue;
            }
            if (!e.getValue().isTextual() || e.getValue().textValue().isBlank()) {
                errors.add(new FieldViolation(field, "must be a non-blank string"));
                continue;
            }
            String v = e.getValue().textValue().strip();
            if (v.length() > MAX_NAME) {
                errors.add(new FieldViolation(field, "must be at most " + MAX_NAME + " characters"));
                continue;
            }
            if (e.getKey().equals("country") && !COUNTRIES.contains(v)) {
                errors.add(new FieldViolation(field, "must be an upper-case ISO 3166-1 alpha-2 country code like \"DE\", got \"" + v + "\""));
                continue;
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static void put(ObjectNode o, String field, Optional<String> v) {
        v.ifPresentOrElse(s -> o.put(field, s), () -> o.putNull(field));
    }
}
