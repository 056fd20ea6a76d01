package dev.tally.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * An RFC 6902 JSON Patch from one document to another: objects are compared member by member (recursively), arrays
 * and scalars are replaced whole when they differ. Members are visited in the source's order, so equal inputs give
 * equal patches. Applying the patch to {@code from} gives {@code to} (JsonPatchDiffTest checks it).
 */
final class JsonPatchDiff {
    private JsonPatchDiff() {
    }

    /** The patch; a missing document ({@code null} or missing node) is "nothing", so a creation is one add of "". */
    static ArrayNode diff(JsonNode from, JsonNode to) {
        ArrayNode ops = JsonNodeFactory.instance.arrayNode();
        boolean hadFrom = from != null && !from.isMissingNode();
        boolean hasTo = to != null && !to.isMissingNode();
        if (!hadFrom && hasTo) {
            ops.addObject().put("op", "add").put("path", "").set("value", to);
        } else if (hadFrom && !hasTo) {
            ops.addObject().put("op", "remove").put("path", "");
        } else if (hadFrom) {
            diff("", from, to, ops);
        }
        return ops;
    }

    private static void diff(String path, JsonNode from, JsonNode to, ArrayNode ops) {
        if (from.equals(to)) {
            return;
        }
        if (from.isObject() && to.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path + "/" + escape(e.getKey());
                if (!to.has(e.getKey())) {
                    ops.addObject().put("op", "remove").put("path", p);
                } else {
                    diff(p, e.getValue(), to.get(e.getKey()), ops);
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!from.has(e.getKey())) {
                    ops.addObject().put("op", "add").put("path", path + "/" + escape(e.getKey()))
                            .set("value", e.getValue());
                }
            }
            return;
        }
        ObjectNode op = ops.addObject().put("op", "replace").put("path", path);
        op.set("value", to);
    }

    /** RFC 6901: "~" is "~0", "/" is "~1". */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
