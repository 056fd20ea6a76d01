package dev.tally.core.expression;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/** Test helpers: event data parsed the way callers are told to parse it. */
final class Events {

    static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private Events() {
    }

    /** Parses JSON with single quotes turned into double quotes, for readable tests. */
    static JsonNode data(String json) {
        return parseWith(EXACT, json.replace('\'', '"'));
    }

    static JsonNode parseWith(ObjectMapper mapper, String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BigDecimal eval(String expression, String json) {
        return Expression.parse(expression).evaluate(data(json));
    }

    static BigDecimal eval(String expression) {
        return eval(expression, "{}");
    }

    static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }
}
