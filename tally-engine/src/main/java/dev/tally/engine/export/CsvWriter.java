package dev.tally.engine.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes CSV as RFC 4180 says: records end with CRLF; a field that contains a comma, a double quote, a CR or an LF
 * (or starts or ends with a space) is enclosed in double quotes, with each double quote in it doubled; every other
 * field is written as it is. Every record of one file has the header's number of fields.
 */
public final class CsvWriter {
    private final Writer out;
    private final int fields;

    /** A writer of records of {@code header.size()} fields; writes the header first. */
    public CsvWriter(Writer out, List<String> header) {
        this.out = out;
        this.fields = header.size();
        row(header);
    }

    public void row(List<String> values) {
        if (values.size() != fields) {
            throw new IllegalArgumentException("a record has " + fields + " fields, not " + values.size());
        }
        try {
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(escape(values.get(i)));
            }
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One field as RFC 4180 writes it. */
    static String escape(String v) {
        boolean quote = v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0
                || (!v.isEmpty() && (v.charAt(0) == ' ' || v.charAt(v.length() - 1) == ' '));
        return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }
}
