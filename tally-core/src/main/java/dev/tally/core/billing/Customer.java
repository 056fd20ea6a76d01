package dev.tally.core.billing;

import dev.tally.core.input.TextInput;
import dev.tally.core.money.InvalidMoneyException;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.money.TaxRate;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A customer: the external id that usage events carry as their {@code subject}, a name, the time zone its billing
 * periods are computed in, the currency it is invoiced in, an optional email, a billing address and the tax rates
 * that apply to its invoices. Guarantees: an external id of 1 to {@value #MAX_ID_LENGTH} characters without control
 * characters and not blank, a non-blank name, a currency with a minor unit, an email of the form
 * {@code local@domain} when present, and an address using only the fields of {@link #ADDRESS_FIELDS} with non-blank
 * values and an upper-case ISO 3166 alpha-2 {@code country}. Optional invoice preferences: {@code netTermsDays}
 * (0 to {@value #MAX_NET_TERMS_DAYS}; when absent the tenant's default applies) and {@code language}, one of
 * {@link #LANGUAGES} (when absent the tenant's default applies). Its tax ids (at most
 * {@value TaxId#MAX_PER_CUSTOMER}, see {@link TaxId}) are printed on its invoices. {@link CustomerJson} is its JSON
 * form.
 */
public record Customer(String externalId, String name, ZoneId timezone, Currency currency, Optional<String> email,
        Map<String, String> billingAddress, List<TaxRate> taxRates, Optional<Integer> netTermsDays,
        Optional<String> language, List<TaxId> taxIds) {

    /** The languages an invoice can be written in (ISO 639-1). */
    public static final Set<String> LANGUAGES = Set.of("en", "de", "fr");
    /** The longest payment terms, in days. */
    public static final int MAX_NET_TERMS_DAYS = 365;

    /** The fields a billing address may have. */
    public static final Set<String> ADDRESS_FIELDS = Set.of("line1", "line2", "city", "state", "postal_code", "country");
    /** The longest external id. */
    public static final int MAX_ID_LENGTH = 255;
    static final int MAX_TEXT_LENGTH = 255;
    static final int MAX_EMAIL_LENGTH = 254;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    /** Validates (see the type's guarantees); the address and the tax rates are copied and unmodifiable. */
    public Customer {
        if (externalId == null) {
            throw new InvalidBillingException("external_id", "is required");
        }
        externalIdProblem(externalId).ifPresent(p -> {
            throw new InvalidBillingException("external_id", p);
        });
        if (name == null) {
            throw new InvalidBillingException("name", "is required");
        }
        nameProblem(name).ifPresent(p -> {
            throw new InvalidBillingException("name", p);
        });
        if (timezone == null) {
            throw new InvalidBillingException("timezone", "is required");
        }
        if (currency == null) {
            throw new InvalidBillingException("currency", "is required");
        }
        try {
            RoundingRule.minorUnitDigits(currency);
        } catch (InvalidMoneyException e) {
            throw new InvalidBillingException("currency", "has no minor unit and cannot be billed: " + currency);
        }
        Objects.requireNonNull(email, "email");
        email.ifPresent(Customer::checkEmail);
        Objects.requireNonNull(billingAddress, "billingAddress");
        billingAddress.forEach(Customer::checkAddressField);
        billingAddress = Collections.unmodifiableMap(new TreeMap<>(billingAddress));
        Objects.requireNonNull(taxRates, "taxRates");
        taxRates = List.copyOf(taxRates);
        Objects.requireNonNull(netTermsDays, "netTermsDays");
        netTermsDays.flatMap(Customer::netTermsProblem).ifPresent(p -> {
            throw new InvalidBillingException("net_terms_days", p);
        });
        Objects.requireNonNull(language, "language");
        language.flatMap(Customer::languageProblem).ifPresent(p -> {
            throw new InvalidBillingException("language", p);
        });
        Objects.requireNonNull(taxIds, "taxIds");
        taxIds = List.copyOf(taxIds);
        if (taxIds.size() > TaxId.MAX_PER_CUSTOMER) {
            throw new InvalidBillingException("tax_ids", "must have at most " + TaxId.MAX_PER_CUSTOMER + " entries");
        }
    }

    /** A customer without tax ids. */
    public Customer(String externalId, String name, ZoneId timezone, Currency currency, Optional<String> email,
            Map<String, String> billingAddress, List<TaxRate> taxRates, Optional<Integer> netTermsDays,
            Optional<String> language) {
        this(externalId, name, timezone, currency, email, billingAddress, taxRates, netTermsDays, language, List.of());
    }

    /** A customer without invoice preferences of its own (the tenant's defaults apply). */
    public Customer(String externalId, String name, ZoneId timezone, Currency currency, Optional<String> email,
            Map<String, String> billingAddress, List<TaxRate> taxRates) {
        this(externalId, name, timezone, currency, email, billingAddress, taxRates, Optional.empty(), Optional.empty());
    }

    /** Why payment terms are invalid, or empty if they are fine. */
    public static Optional<String> netTermsProblem(int days) {
        return days < 0 || days > MAX_NET_TERMS_DAYS
                ? Optional.of("must be a whole number of days from 0 to " + MAX_NET_TERMS_DAYS + ", got " + days)
                : Optional.empty();
    }

    /** Why an invoice language is invalid, or empty if it is fine. */
    public static Optional<String> languageProblem(String language) {
        return LANGUAGES.contains(language) ? Optional.empty()
                : Optional.of("must be one of en, de, fr, got \"" + language + "\"");
    }

    /** The same customer billed in another time zone. */
    public Customer withTimezone(ZoneId zone) {
        return new Customer(externalId, name, Objects.requireNonNull(zone, "zone"), currency, email, billingAddress,
                taxRates, netTermsDays, language, taxIds);
    }

    /** Why an external id is invalid, or empty if it is fine. */
    static Optional<String> externalIdProblem(String externalId) {
        if (externalId.isBlank()) {
            return Optional.of("must not be blank");
        }
        if (externalId.length() > MAX_ID_LENGTH) {
            return Optional.of("must be at most " + MAX_ID_LENGTH + " characters");
        }
        if (externalId.chars().anyMatch(Character::isISOControl)) {
            return Optional.of("must not contain control characters");
        }
        if (!TextInput.isValidUnicode(externalId)) {
            return Optional.of(TextInput.NOT_UNICODE);
        }
        return Optional.empty();
    }

    /** Why a name is invalid, or empty if it is fine. */
    static Optional<String> nameProblem(String name) {
        if (name.isBlank()) {
            return Optional.of("must not be blank");
        }
        if (name.length() > MAX_TEXT_LENGTH) {
            return Optional.of("must be at most " + MAX_TEXT_LENGTH + " characters");
        }
        if (!TextInput.isValidUnicode(name)) {
            return Optional.of(TextInput.NOT_UNICODE);
        }
        return Optional.empty();
    }

    /** Why the email is invalid, or empty if it is fine. */
    static Optional<String> emailProblem(String email) {
        if (email.length() > MAX_EMAIL_LENGTH) {
            return Optional.of("must be at most " + MAX_EMAIL_LENGTH + " characters");
        }
        if (!EMAIL.matcher(email).matches()) {
            return Optional.of("must be an email address like \"billing@example.com\"");
        }
        return Optional.empty();
    }

    /** Why an address field is invalid, or empty if it is fine; {@code field} is the address field's name. */
    static Optional<String> addressProblem(String field, String value) {
        if (!ADDRESS_FIELDS.contains(field)) {
            return Optional.of("is not a known field (line1, line2, city, state, postal_code, country)");
        }
        if (value == null || value.isBlank()) {
            return Optional.of("must not be blank");
        }
        if (value.length() > MAX_TEXT_LENGTH) {
            return Optional.of("must be at most " + MAX_TEXT_LENGTH + " characters");
        }
        if (field.equals("country") && !COUNTRIES.contains(value)) {
            return Optional.of("must be an upper-case ISO 3166 alpha-2 country code like \"US\", got \"" + value + "\"");
        }
        return Optional.empty();
    }

    private static void checkEmail(String email) {
        emailProblem(email).ifPresent(p -> {
            throw new InvalidBillingException("email", p);
        });
    }

    private static void checkAddressField(String field, String value) {
        Objects.requireNonNull(field, "billingAddress field");
        addressProblem(field, value).ifPresent(p -> {
            throw new InvalidBillingException("billing_address." + field, p);
        });
    }
}
