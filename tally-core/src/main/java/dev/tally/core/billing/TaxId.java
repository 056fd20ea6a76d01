package dev.tally.core.billing;

import dev.tally.core.input.TextInput;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A customer's tax id as printed on its invoices, such as its EU VAT number: a {@code type} from {@link #TYPES}
 * (Stripe's names for tax id types, plus {@code other}) and a {@code value} of 1 to {@value #MAX_VALUE_LENGTH}
 * printable characters (no control characters, not blank, valid Unicode). The value's format is not checked
 * against the type's national rules.
 */
public record TaxId(String type, String value) {
    /** The known tax id types. */
    public static final Set<String> TYPES = Set.of("eu_vat", "gb_vat", "ch_vat", "no_vat", "za_vat", "us_ein",
            "ca_bn", "ca_gst_hst", "au_abn", "nz_gst", "in_gst", "sg_gst", "jp_cn", "br_cnpj", "mx_rfc", "ae_trn",
            "other");
    /** The longest value. */
    public static final int MAX_VALUE_LENGTH = 64;
    /** The most tax ids a customer can have. */
    public static final int MAX_PER_CUSTOMER = 5;

    /** Validates (see the type's guarantees). */
    public TaxId {
        if (type == null) {
            throw new InvalidBillingException("type", "is required");
        }
        typeProblem(type).ifPresent(p -> {
            throw new InvalidBillingException("type", p);
        });
        if (value == null) {
            throw new InvalidBillingException("value", "is required");
        }
        valueProblem(value).ifPresent(p -> {
            throw new InvalidBillingException("value", p);
        });
    }

    /** Whether this is a value-added tax (or GST) number rather than another kind of tax id. */
    public boolean isVat() {
        return type.endsWith("_vat") || type.endsWith("_gst") || type.equals("ca_gst_hst");
    }

    /** Why a tax id type is invalid, or empty if it is fine. */
    static Optional<String> typeProblem(String type) {
        return TYPES.contains(type) ? Optional.empty()
                : Optional.of("must be one of " + String.join(", ", new TreeSet<>(TYPES)) + ", got \"" + type + "\"");
    }

    /** Why a tax id value is invalid, or empty if it is fine. */
    static Optional<String> valueProblem(String value) {
        if (value.isBlank()) {
            return Optional.of("must not be blank");
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return Optional.of("must be at most " + MAX_VALUE_LENGTH + " characters");
        }
        if (value.chars().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            return Optional.of("must hold only printable characters");
        }
        if (!TextInput.isValidUnicode(value)) {
            return Optional.of(TextInput.NOT_UNICODE);
        }
        return Optional.empty();
    }
}
