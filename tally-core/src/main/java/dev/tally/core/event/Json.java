package dev.tally.core.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.input.TextInput;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one JSON configuration Tally reads with, and the one reader of JSON request bodies. JSON numbers with a
 * fraction become exact {@link java.math.BigDecimal}s, never doubles; objects nest at most 64 deep; a key that
 * appears twice in one object is refused (RFC 8259 leaves its meaning open, so Tally never guesses "last wins").
 * {@link #readDocument} also refuses anything after the one JSON value (trailing data, a second document), as the
 * CloudEvents reader does for {@code /v1/events}.
 */
public final class Json {
    /** Deepest nesting of objects and arrays read. */
    public static final int MAX_DEPTH = 64;

    private static final ObjectMapper DOCUMENTS = newMapper();

    private Json() {
    }

    /** A new mapper that reads decimals exactly. Mappers are thread-safe; create one per component. */
    public static ObjectMapper newMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
        return mapper;
    }

    /**
     * Reads a request body that must be exactly one JSON value: refuses invalid JSON, a duplicate key, nesting
     * deeper than {@link #MAX_DEPTH}, and anything but whitespace after the value ({@code {...}xyz},
     * {@code {...}{...}}) with a {@link MalformedBodyException}; then refuses, with a {@link ValidationException}
     * naming each JSON path, any string or key that is not valid Unicode ({@link TextInput}) and any number outside
     * {@link DecimalInput#AMOUNTS} (so no later {@code asInt()} or arithmetic can meet {@code 1e2147483647}).
     */
    public static JsonNode readDocument(byte[] body) {
        JsonNode node;
        try (JsonParser p = DOCUMENTS.createParser(body)) {
            if (p.nextToken() == null) {
                throw new MalformedBodyException("the body is empty; send one JSON value");
            }
            node = DOCUMENTS.readTree(p);
            requireEnd(p);
        } catch (IOException e) {
            throw malformed(e);
        } catch (NumberFormatException e) {
            throw unreadableNumber();
        }
        List<FieldViolation> errors = new ArrayList<>();
        check(node, "", errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return node;
    }

    /** Refuses any token after the value just read: trailing data or a second JSON document. */
    static void requireEnd(JsonParser p) throws IOException {
        JsonToken next;
        try {
            next = p.nextToken();
        } catch (JsonProcessingException e) {
            next = JsonToken.NOT_AVAILABLE; // text that is not even a token: still content after the value
        }
        if (next != null) {
            throw new MalformedBodyException("unexpected content after the JSON value (one JSON value per body)");
        }
    }

    /** The body-level error for a read failure, in words safe to show (a location, never Jackson's text). */
    static MalformedBodyException malformed(IOException e) {
        if (e instanceof StreamConstraintsException) {
            return new MalformedBodyException("the body nests too deeply or holds a number or string too long to read");
        }
        if (e instanceof JsonProcessingException j) {
            // Jackson's duplicate-key failures (the tree's FAIL_ON_READING_DUP_TREE_KEY) start with this text
            if (j.getOriginalMessage() != null && j.getOriginalMessage().startsWith("Duplicate field")) {
                return new MalformedBodyException("the body has a key twice in one object" + at(j));
            }
            return new MalformedBodyException("the body is not valid JSON" + at(j));
        }
        return new MalformedBodyException("the body could not be read");
    }

    /** A JSON number Jackson cannot turn into a BigDecimal at all (an exponent beyond an int, e.g. 0.1e-2147483647). */
    static MalformedBodyException unreadableNumber() {
        return new MalformedBodyException("the body holds a number whose exponent is too large to read");
    }

    private static String at(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    private static void check(JsonNode node, String path, List<FieldViolation> errors) {
        if (errors.size() >= 20) {
            return;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (!TextInput.isValidUnicode(e.getKey())) {
                    errors.add(new FieldViolation(path.isEmpty() ? "body" : path, "has a key that is not valid Unicode (it holds an unpaired surrogate)"));
                    continue;
                }
                check(e.getValue(), child, errors);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), (path.isEmpty() ? "body" : path) + "[" + i + "]", errors);
            }
        } else if (node.isTextual()) {
            if (!TextInput.isValidUnicode(node.textValue())) {
                errors.add(new FieldViolation(path.isEmpty() ? "body" : path, TextInput.NOT_UNICODE));
            }
        } else if (node.isBigDecimal() || node.isBigInteger()) {
            try {
                DecimalInput.of(node, DecimalInput.AMOUNTS);
            } catch (InvalidInputException e) {
                errors.add(new FieldViolation(path.isEmpty() ? "body" : path, e.problem()));
            }
        }
    }
}
