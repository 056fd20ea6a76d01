package dev.tally.engine.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataJsonTest {
    private static final ObjectMapper MAPPER = Json.newMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] TEXTS = {"", "small", "é", "日本", "\uD83D\uDE00", "a\"b", "back\\slash", "tab\t",
        "\u0001", "\uD83D", "x\uDE00", "\u2028", "/path", "<html>&"};

    private static JsonNode random(Random r, int depth) {
        switch (r.nextInt(depth > 3 ? 8 : 10)) {
            case 0: return NODES.numberNode(r.nextInt());
            case 1: return NODES.numberNode(r.nextLong());
            case 2: return NODES.numberNode(new BigDecimal(r.nextInt(10_000)).movePointLeft(r.nextInt(4)));
            case 3: return NODES.numberNode(BigInteger.valueOf(r.nextLong()).shiftLeft(40));
            case 4: return NODES.textNode(TEXTS[r.nextInt(TEXTS.length)]);
            case 5: return NODES.booleanNode(r.nextBoolean());
            case 6: return NODES.nullNode();
            case 7: return NODES.numberNode(r.nextDouble());
            case 8: {
                var a = NODES.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(random(r, depth + 1));
                }
                return a;
            }
            default: {
                ObjectNode o = NODES.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set(TEXTS[r.nextInt(TEXTS.length)] + i, random(r, depth + 1));
                }
                return o;
            }
        }
    }

    @Test
    void writesExactlyTheBytesOfTheMapper() throws Exception {
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            JsonNode data = random(r, 0);
            assertArrayEquals(MAPPER.writeValueAsBytes(data), DataJson.bytes(data, MAPPER), data::toString);
        }
        JsonNode event = MAPPER.readTree("{\"tokens\":4000,\"model\":\"small\",\"tags\":[1,true,null,\"é\"]}");
        assertArrayEquals(MAPPER.writeValueAsBytes(event), DataJson.bytes(event, MAPPER));
    }
}
