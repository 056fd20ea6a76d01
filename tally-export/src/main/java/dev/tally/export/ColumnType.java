package dev.tally.export;

/**
 * The types of export columns. {@code DECIMAL} is exact: Parquet DECIMAL(38, 12) (16-byte fixed), CSV/JSON Lines a
 * plain decimal string; {@code TIMESTAMP} is UTC, Parquet INT64 TIMESTAMP(MICROS, adjusted to UTC), text RFC 3339;
 * {@code JSON} is a JSON document (Parquet BINARY with the JSON annotation, JSON Lines an embedded value, CSV its text).
 */
public enum ColumnType {
    STRING, JSON, TIMESTAMP, DECIMAL, INT64, BOOLEAN;

    /** Precision and scale of every DECIMAL column in Parquet. */
    public static final int DECIMAL_PRECISION = 38;
    public static final int DECIMAL_SCALE = 12;
}
