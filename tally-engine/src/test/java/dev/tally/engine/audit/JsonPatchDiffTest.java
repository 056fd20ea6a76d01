package dev.tally.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The diff is an RFC 6902 patch: applied to the source (by a small applier here) it gives the target. */
class JsonPatchDiffTest {
    static final ObjectMapper M = Json.newMapper();

    @Property(tries = 300)
    void applyingThePatchToTheSourceGivesTheTarget(@ForAll("docs") JsonNode from, @ForAll("docs") JsonNode to) {
        assertThat(apply(from.deepCopy(), JsonPatchDiff.diff(from, to))).isEqualTo(to);
    }

    @Property(tries = 50)
    void equalDocumentsGiveAnEmptyPatch(@ForAll("docs") JsonNode doc) {
        assertThat(JsonPatchDiff.diff(doc, doc.deepCopy())).isEmpty();
    }

    @net.jqwik.api.Example
    void escapesPointerCharacters() throws Exception {
        assertThat(JsonPatchDiff.diff(M.readTree("{}"), M.readTree("{\"a/b~c\":1}")).get(0).get("path").asText())
                .isEqualTo("/a~1b~0c");
        assertThat(JsonPatchDiff.diff(null, M.readTree("{\"a\":1}")).get(0).get("op").asText()).isEqualTo("add");
    }

    @Provide
    Arbitrary<JsonNode> docs() {
        Arbitrary<String> keys = Arbitraries.of("a", "b", "c/d", "e~f");
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(Arbitraries.integers().between(0, 3).map(i -> (JsonNode) M.valueToTree(i)),
                Arbitraries.of("x", "y").map(s -> (JsonNode) M.valueToTree(s)),
                Arbitraries.integers().between(0, 2).list().ofMaxSize(2).map(l -> (JsonNode) M.valueToTree(l)));
        Arbitrary<JsonNode> inner = Arbitraries.maps(keys, leaf).ofMaxSize(3).map(m -> (JsonNode) M.valueToTree(m));
        return Arbitraries.maps(keys, Arbitraries.oneOf(leaf, inner)).ofMaxSize(4).map(m -> (JsonNode) M.valueToTree(m));
    }

    /** A minimal RFC 6902 applier for add/remove/replace on object members. */
    static JsonNode apply(JsonNode doc, JsonNode patch) {
        JsonNode root = doc;
        for (JsonNode op : patch) {
            String path = op.get("path").asText();
            if (path.isEmpty()) {
                root = op.get("op").asText().equals("remove") ? null : op.get("value");
                continue;
            }
            String[] parts = path.substring(1).split("/", -1);
            JsonNode parent = root;
            for (int i = 0; i < parts.length - 1; i++) {
                parent = parent.get(unescape(parts[i]));
            }
            String last = unescape(parts[parts.length - 1]);
            switch (op.get("op").asText()) {
                case "remove" -> ((ObjectNode) parent).remove(last);
                default -> ((ObjectNode) parent).set(last, op.get("value"));
            }
        }
        return root;
    }

    static String unescape(String s) {
        return s.replace("~1", "/").replace("~0", "~");
    }
}
