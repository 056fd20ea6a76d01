package dev.tally.core.ledger;

import java.util.Arrays;
import java.util.Optional;

/**
 * Where a grant's credits come from: {@link #FREE} (promotional, goodwill: no money received), {@link #PAID} (bought
 * at a price, which the grant records), or {@link #INVOICE_CREDIT} (the customer's own money: what a finalized
 * invoice with a negative total carried to the balance), or {@link #CREDIT_NOTE} (the customer's own money: a credit
 * note refunded to the wallet instead of paid out). {@link #wireName()} is the API spelling.
 */
public enum Funding {
    FREE("free"),
    PAID("paid"),
    INVOICE_CREDIT("invoice_credit"),
    CREDIT_NOTE("credit_note");

    private final String wireName;

    Funding(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Funding> fromWireName(String name) {
        return Arrays.stream(values()).filter(f -> f.wireName.equals(name)).findFirst();
    }
}
