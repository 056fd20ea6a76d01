package dev.tally.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Copies a Jackson 2 tree (what Tally parses) into a Jackson 3 tree (what the validator reads), value for value:
 * numbers keep their exact kind (an integer stays an integer, a decimal keeps every digit).
 */
final class Trees {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Trees() {
    }

    static tools.jackson.databind.JsonNode copy(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                ObjectNode out = NODES.objectNode();
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    out.set(f.getKey(), copy(f.getValue()));
                }
                return out;
            }
            case ARRAY -> {
                ArrayNode out = NODES.arrayNode(node.size());
                for (JsonNode item : node) {
                    out.add(copy(item));
                }
                return out;
            }
            case STRING -> {
                return NODES.stringNode(node.textValue());
            }
            case BOOLEAN -> {
                return NODES.booleanNode(node.booleanValue());
            }
            case NUMBER -> {
                return number(node);
            }
            case NULL, MISSING -> {
                return NODES.nullNode();
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    private static tools.jackson.databind.JsonNode number(JsonNode node) {
        if (node.isInt()) {
            return NODES.numberNode(node.intValue());
        }
        if (node.isLong()) {
            return NODES.numberNode(node.longValue());
        }
        if (node.isBigInteger()) {
            return NODES.numberNode(node.bigIntegerValue());
        }
        if (node.isBigDecimal()) {
            return NODES.numberNode(node.decimalValue());
        }
        // short, float or double: only in trees Tally did not parse itself; the exact decimal of the value read
        return NODES.numberNode(node.decimalValue());
    }
}
