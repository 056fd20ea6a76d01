package dev.tally.export;

import java.util.Objects;

/** One export column: its stable snake_case name, its type, and whether it may be empty (null). */
public record Column(String name, ColumnType type, boolean nullable) {
    public Column {
        Objects.requireNonNull(type);
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("column names are snake_case");
        }
    }

    static Column required(String name, ColumnType type) {
        return new Column(name, type, false);
    }

    static Column optional(String name, ColumnType type) {
        return new Column(name, type, true);
    }
}
