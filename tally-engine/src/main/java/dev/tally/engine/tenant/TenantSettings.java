package dev.tally.engine.tenant;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a tenant's invoices say about the seller, and how they are numbered and dated. Guarantees (checked by
 * {@link TenantSettingsJson}, which is the only way in from outside): texts within their limits, an address with only
 * the fields of {@link TenantSettingsJson#ADDRESS_FIELDS} and an ISO 3166-1 alpha-2 country, payment terms of 0 to
 * 365 days, a language Tally writes invoices in, a number prefix of at most 20 letters, digits and {@code -_./},
 * and a portal URL that is absolute http(s). {@link #defaults()} is what a tenant has before it sets anything:
 * no identity beyond its name, net 30, English, prefix {@code INV-}.
 */
public record TenantSettings(Optional<String> legalName, Map<String, String> address, Optional<String> taxId,
        Optional<String> email, Optional<Logo> logo, Optional<String> invoiceFooter,
        Optional<String> paymentInstructions, int netTermsDays, String invoiceNumberPrefix, String language,
        Optional<String> portalUrl) {
    public static final int DEFAULT_NET_TERMS_DAYS = 30;
    public static final String DEFAULT_PREFIX = "INV-";
    public static final String DEFAULT_LANGUAGE = "en";

    public TenantSettings {
        Objects.requireNonNull(legalName);
        address = Collections.unmodifiableMap(new TreeMap<>(address));
        Objects.requireNonNull(taxId);
        Objects.requireNonNull(email);
        Objects.requireNonNull(logo);
        Objects.requireNonNull(invoiceFooter);
        Objects.requireNonNull(paymentInstructions);
        Objects.requireNonNull(invoiceNumberPrefix);
        Objects.requireNonNull(language);
        Objects.requireNonNull(portalUrl);
    }

    public static TenantSettings defaults() {
        return new TenantSettings(Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), DEFAULT_NET_TERMS_DAYS, DEFAULT_PREFIX, DEFAULT_LANGUAGE,
                Optional.empty());
    }

    /** The number a finalized invoice gets from the tenant's invoice counter: the prefix and six digits. */
    public String invoiceNumber(long counter) {
        return invoiceNumberPrefix + String.format("%06d", counter);
    }
}
