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
            Column.required("events", ColumnType.INT64)));

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
