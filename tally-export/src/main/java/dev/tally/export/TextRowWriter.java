package dev.tally.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * CSV (RFC 4180: a header row, comma separated, CRLF line ends, fields quoted when they hold a comma, quote, CR or
 * LF; null is an empty field) and JSON Lines (one object per line, LF, keys the column names, decimals as strings,
 * JSON columns embedded) writers. Timestamps are RFC 3339 UTC with microseconds.
 */
final class TextRowWriter implements RowWriter {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);
    private final Writer out;
    private final List<Column> columns;
    private final boolean csv;
    private final JsonFactory json = new JsonFactory();

    TextRowWriter(OutputStream stream, List<Column> columns, ExportFormat format, boolean header) throws IOException {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
        this.columns = columns;
        this.csv = format == ExportFormat.CSV;
        if (csv && header) {
            for (int i = 0; i < columns.size(); i++) {
                out.write(i == 0 ? "" : ",");
                out.write(columns.get(i).name());
            }
            out.write("\r\n");
        }
    }

    @Override
    public void write(Object[] row) throws IOException {
        if (csv) {
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                if (row[i] != null) {
                    out.write(quote(text(row[i])));
                }
            }
            out.write("\r\n");
            return;
        }
        JsonGenerator g = json.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.writeStartObject();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            g.writeFieldName(c.name());
            Object v = row[i];
            if (v == null) {
                g.writeNull();
            } else if (c.type() == ColumnType.JSON) {
                g.writeRawValue((String) v);
            } else if (v instanceof Long l) {
                g.writeNumber(l);
            } else if (v instanceof Boolean b) {
                g.writeBoolean(b);
            } else {
                g.writeString(text(v));
            }
        }
        g.writeEndObject();
        g.flush();
        out.write('\n');
    }

    static String text(Object v) {
        if (v instanceof Instant t) {
            return TIME.format(t);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return v.toString();
    }

    static String quote(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == ',' || ch == '"' || ch == '\r' || ch == '\n') {
                return '"' + s.replace("\"", "\"\"") + '"';
            }
        }
        return s;
    }

    @Override
    public void finish() throws IOException {
        out.flush();
    }
}
