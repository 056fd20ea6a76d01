package dev.tally.engine.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PassCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final SchemaCompiler COMPILER = new SchemaCompiler();
    private static final String[] KEYS = {"tokens", "model", "n", "tags", "extra", "ok"};

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static final List<String> SUBSET = List.of(
            "{\"type\":\"object\",\"required\":[\"tokens\",\"model\"],\"additionalProperties\":false,"
                    + "\"properties\":{\"tokens\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000000},"
                    + "\"model\":{\"type\":\"string\",\"enum\":[\"small\",\"medium\",\"large\"]}}}",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":[\"number\",\"null\"],\"exclusiveMinimum\":-3,"
                    + "\"exclusiveMaximum\":3},\"tags\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":2,"
                    + "\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":3}}},"
                    + "\"additionalProperties\":{\"type\":\"boolean\"},\"minProperties\":1,\"maxProperties\":3}",
            "{\"title\":\"t\",\"properties\":{\"ok\":{\"const\":true},\"model\":{\"enum\":[1,\"a\",null,2.5]}},"
                    + "\"required\":[\"ok\"]}",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":-99999999999999999999,"
                    + "\"maximum\":99999999999999999999}}}");

    /** Random data: objects over a few keys with values of every JSON kind, some near the schemas' bounds. */
    private static JsonNode randomValue(Random r, int depth) {
        return switch (r.nextInt(depth > 1 ? 9 : 11)) {
            case 0 -> NODES.numberNode(r.nextInt(9) - 4);
            case 1 -> NODES.numberNode((long) r.nextInt(3) * 1_000_000L + r.nextInt(3) - 1);
            case 2 -> NODES.numberNode(new BigDecimal(r.nextInt(70) - 35).movePointLeft(1));
            case 3 -> NODES.numberNode(new BigInteger("99999999999999999999").add(BigInteger.valueOf(r.nextInt(3) - 1))
                    .multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)));
            case 4 -> NODES.textNode(new String[] {"", "a", "small", "medium", "huge", "abcd", "\uD83D\uDE00"}[r.nextInt(7)]);
            case 5 -> NODES.booleanNode(r.nextBoolean());
            case 6 -> NODES.nullNode();
            case 7 -> NODES.numberNode(new BigDecimal(r.nextBoolean() ? "1.0" : "2.5"));
            case 8 -> NODES.numberNode(r.nextInt(3));
            case 9 -> {
                var a = NODES.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(randomValue(r, depth + 1));
                }
                yield a;
            }
            default -> randomObject(r, depth + 1);
        };
    }

    private static ObjectNode randomObject(Random r, int depth) {
        ObjectNode o = NODES.objectNode();
        for (String k : KEYS) {
            if (r.nextInt(2) == 0) {
                o.set(k, r.nextBoolean() ? friendly(k, r) : randomValue(r, depth));
            }
        }
        return o;
    }

    /** A value that some of the schemas accept for the key, so that the shortcut has passing events to answer. */
    private static JsonNode friendly(String key, Random r) {
        return switch (key) {
            case "tokens" -> NODES.numberNode(r.nextInt(5));
            case "model" -> NODES.textNode("small");
            case "n" -> NODES.numberNode(r.nextInt(3));
            case "tags" -> NODES.arrayNode().add("a");
            case "ok" -> NODES.booleanNode(true);
            default -> NODES.booleanNode(false);
        };
    }

    @Test
    void whatItPassesTheValidatorPassesToo() throws Exception {
        Random r = new Random(42);
        for (String text : SUBSET) {
            JsonNode doc = json(text);
            Schema schema = COMPILER.compile(doc);
            PassCheck check = PassCheck.of(doc).orElseThrow(() -> new AssertionError("no shortcut for " + text));
            int passed = 0;
            for (int i = 0; i < 3_000; i++) {
                JsonNode data = r.nextInt(10) == 0 ? randomValue(r, 0) : randomObject(r, 0);
                if (check.passes(data)) {
                    passed++;
                    assertEquals(List.of(), schema.validate(Trees.copy(data)), () -> text + " passed " + data);
                }
            }
            assertTrue(passed > 0, () -> "the shortcut never answered for " + text);
        }
    }

    @Test
    void confirmsTheBenchmarksPassingEventsAndLeavesFailuresToTheValidator() throws Exception {
        PassCheck check = PassCheck.of(json(SUBSET.get(0))).orElseThrow();
        assertTrue(check.passes(json("{\"tokens\":4000,\"model\":\"small\"}")));
        assertFalse(check.passes(json("{\"tokens\":4000}")));
        assertFalse(check.passes(json("{\"tokens\":4000,\"model\":\"tiny\"}")));
        assertFalse(check.passes(json("{\"tokens\":-1,\"model\":\"small\"}")));
        assertFalse(check.passes(json("{\"tokens\":1.0,\"model\":\"small\"}")));
        assertFalse(check.passes(json("{\"tokens\":1,\"model\":\"small\",\"x\":1}")));
    }

    @Test
    void hasNoShortcutForKeywordsOutsideTheSubset() throws Exception {
        for (String text : List.of("{\"type\":\"string\",\"pattern\":\"^a\"}", "{\"type\":\"string\",\"format\":\"email\"}",
                "{\"$defs\":{\"a\":{}},\"$ref\":\"#/$defs/a\"}", "{\"allOf\":[{}]}",
                "{\"properties\":{\"a\":{\"unevaluatedProperties\":false}}}", "{\"minimum\":1.5}", "false",
                "{\"properties\":{\"a\":false}}", "{\"patternProperties\":{\"^a\":{}}}")) {
            assertEquals(java.util.Optional.empty(), PassCheck.of(json(text)), text);
        }
    }
}
