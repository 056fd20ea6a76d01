package dev.tally.export;

import java.util.Arrays;
import java.util.Optional;

/** The file formats of an export, with their media type and file extension. */
public enum ExportFormat {
    CSV("csv", "text/csv; charset=utf-8", "csv"),
    JSONL("jsonl", "application/jsonl", "jsonl"),
    PARQUET("parquet", "application/vnd.apache.parquet", "parquet");

    private final String wireName;
    private final String mediaType;
    private final String extension;

    ExportFormat(String wireName, String mediaType, String extension) {
        this.wireName = wireName;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String wireName() {
        return wireName;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    public static Optional<ExportFormat> fromWireName(String s) {
        return Arrays.stream(values()).filter(f -> f.wireName.equals(s)).findFirst();
    }
}
