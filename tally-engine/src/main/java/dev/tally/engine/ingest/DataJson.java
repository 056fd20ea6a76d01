package dev.tally.engine.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * An event's data as the JSON bytes of the log, written without the mapper for the trees events usually carry:
 * objects, arrays, strings, booleans, nulls and int or long numbers, with no character in a string or name that
 * the mapper escapes (a quote, a backslash, a control character, a character outside the basic plane). For those the
 * bytes are exactly what {@link ObjectMapper#writeValueAsBytes} writes (compact, UTF-8); any other tree (decimals,
 * big integers, strings that need escapes) is written by the mapper itself. Stateless.
 */
final class DataJson {
    private DataJson() {
    }

    static byte[] bytes(JsonNode data, ObjectMapper mapper) {
        Out out = new Out();
        if (!write(data, out, 0)) {
            try {
                return mapper.writeValueAsBytes(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Arrays.copyOf(out.buf, out.size);
    }

    private static final class Out {
        byte[] buf = new byte[128];
        int size;

        void put(byte b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, size * 2);
            }
            buf[size++] = b;
        }

        void put(byte[] b) {
            if (size + b.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(size * 2, size + b.length));
            }
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }
    }

    /** Writes {@code n}; false when the tree needs the mapper (the output is then discarded). */
    private static boolean write(JsonNode n, Out out, int depth) {
        if (depth > 64) {
            return false;
        }
        switch (n.getNodeType()) {
            case OBJECT -> {
                out.put((byte) '{');
                Iterator<Map.Entry<String, JsonNode>> fields = n.fields();
                boolean first = true;
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    if (!first) {
                        out.put((byte) ',');
                    }
                    first = false;
                    if (!string(f.getKey(), out)) {
                        return false;
                    }
                    out.put((byte) ':');
                    if (!write(f.getValue(), out, depth + 1)) {
                        return false;
                    }
                }
                out.put((byte) '}');
                return true;
            }
            case ARRAY -> {
                out.put((byte) '[');
                for (int i = 0; i < n.size(); i++) {
                    if (i > 0) {
                        out.put((byte) ',');
                    }
                    if (!write(n.get(i), out, depth + 1)) {
                        return false;
                    }
                }
                out.put((byte) ']');
                return true;
            }
            case STRING -> {
                return string(n.textValue(), out);
            }
            case BOOLEAN -> {
                out.put(n.booleanValue() ? TRUE : FALSE);
                return true;
            }
            case NULL -> {
                out.put(NULL);
                return true;
            }
            case NUMBER -> {
                if (n.isInt() || n.isLong()) {
                    out.put(Long.toString(n.longValue()).getBytes(StandardCharsets.US_ASCII));
                    return true;
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private static boolean string(String s, Out out) {
        out.put((byte) '"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c < 0x20 || c == '"' || c == '\\') {
                    return false;
                }
                out.put((byte) c);
            } else if (Character.isSurrogate(c)) {
                return false; // the mapper writes characters outside the basic plane as escaped surrogate pairs
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | (c >> 6)));
                out.put((byte) (0x80 | (c & 0x3F)));
            } else {
                out.put((byte) (0xE0 | (c >> 12)));
                out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                out.put((byte) (0x80 | (c & 0x3F)));
            }
        }
        out.put((byte) '"');
        return true;
    }
}
