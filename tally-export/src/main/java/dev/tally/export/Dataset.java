package dev.tally.export;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What an export holds, with its columns in their stable order (golden-tested; extend at the end only). */
public enum Dataset {
    EVENTS("events", List.of(
            Column.required("tenant", ColumnType.STRING),
            Column.required("position", ColumnType.INT64),
            Column.required("source", ColumnType.STRING),
            Column.required("id", ColumnType.STRING),
            Column.required("type", ColumnType.STRING),
            Column.required("subject", ColumnType.STRING),
            Column.required("time", ColumnType.TIMESTAMP),
            Column.required("received_at", ColumnType.TIMESTAMP),
            Column.required("status", ColumnType.STRING),
            Column.required("cancelled", ColumnType.BOOLEAN),
            Column.optional("data", ColumnType.JSON))),
    USAGE("usage", List.of(
            Column.required("tenant", ColumnType.STRING),
            Column.required("meter", ColumnType.STRING),
            Column.required("customer", ColumnType.STRING),
            Column.required("window", ColumnType.STRING),
            Column.required("window_start", ColumnType.TIMESTAMP),
            Column.required("window_end", ColumnType.TIMESTAMP),
            Column.required("group", ColumnType.JSON),
            Column.required("value", ColumnType.DECIMAL),
            Column.required("events", ColumnType.INT64))),
    INVOICE_LINES("invoice-lines", List.of(
            Column.required("tenant", ColumnType.STRING),
            Column.required("invoice_id", ColumnType.STRING),
            Column.required("invoice_number", ColumnType.STRING),
            Column.required("customer", ColumnType.STRING),
            Column.required("subscription_id", ColumnType.STRING),
            Column.required("invoice_status", ColumnType.STRING),
            Column.required("currency", ColumnType.STRING),
            Column.required("period_start", ColumnType.TIMESTAMP),
            Column.required("period_end", ColumnType.TIMESTAMP),
            Column.required("finalized_at", ColumnType.TIMESTAMP),
            Column.required("invoice_total", ColumnType.DECIMAL),
            Column.required("line_id", ColumnType.STRING),
            Column.required("kind", ColumnType.STRING),
            Column.required("charge_key", ColumnType.STRING),
            Column.required("description", ColumnType.STRING),
            Column.optional("meter", ColumnType.STRING),
            Column.required("quantity", ColumnType.DECIMAL),
            Column.required("unit_price", ColumnType.DECIMAL),
            Column.required("amount", ColumnType.DECIMAL),
            Column.required("event_count", ColumnType.INT64),
            Column.required("line_period_start", ColumnType.TIMESTAMP),
            Column.required("line_period_end", ColumnType.TIMESTAMP)));

    private final String wireName;
    private final List<Column> columns;

    Dataset(String wireName, List<Column> columns) {
        this.wireName = wireName;
        this.columns = columns;
    }

    public String wireName() {
        return wireName;
    }

    public List<Column> columns() {
        return columns;
    }

    public static Optional<Dataset> fromWireName(String s) {
        return Arrays.stream(values()).filter(d -> d.wireName.equals(s)).findFirst();
    }
}
