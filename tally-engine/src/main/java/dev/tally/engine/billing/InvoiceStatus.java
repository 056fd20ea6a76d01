package dev.tally.engine.billing;

import java.util.Arrays;
import java.util.Optional;

/** draft -> finalized -> paid, or finalized -> void. Only drafts change. */
public enum InvoiceStatus {
    DRAFT("draft"), FINALIZED("finalized"), PAID("paid"), VOID("void");

    private final String wireName;

    InvoiceStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<InvoiceStatus> fromWireName(String s) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(s)).findFirst();
    }
}
