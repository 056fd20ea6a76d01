package dev.tally.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one reader of JSON request bodies: exactly one value, no duplicate keys, every string and number checked. */
class JsonDocumentTest {

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void refusesTrailingDataAndConcatenatedDocuments() {
        for (String body : new String[] {"{}xyz", "{}{}", "{\"a\":1} 2", "[] []", "{}}", "\"a\" \"b\""}) {
            assertThatThrownBy(() -> Json.readDocument(bytes(body))).as(body)
                    .isInstanceOf(MalformedBodyException.class).hasMessageContaining("after the JSON value");
        }
        assertThat(Json.readDocument(bytes(" {\"a\":1} \n")).get("a").asInt()).isEqualTo(1);
    }

    @Test
    void refusesDuplicateKeys() {
        for (String body : new String[] {"{\"a\":1,\"a\":2}", "{\"x\":{\"b\":[],\"b\":[]}}", "[{\"k\":1,\"k\":1}]"}) {
            assertThatThrownBy(() -> Json.readDocument(bytes(body))).as(body)
                    .isInstanceOf(MalformedBodyException.class).hasMessageContaining("a key twice");
        }
    }

    @Test
    void refusesDeepNestingInvalidJsonAndEmptyBodies() {
        assertThatThrownBy(() -> Json.readDocument(bytes("[".repeat(65) + "]".repeat(65))))
                .isInstanceOf(MalformedBodyException.class).hasMessageContaining("nests too deeply");
        assertThatThrownBy(() -> Json.readDocument(bytes("{\"a\":}"))).isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("line 1, column");
        assertThatThrownBy(() -> Json.readDocument(bytes("  "))).isInstanceOf(MalformedBodyException.class);
        // exponents beyond an int, which Jackson itself cannot turn into a BigDecimal
        for (String n : new String[] {"0.1e-2147483647", "1e2147483648", "1e-2147483649", "10e2147483647"}) {
            assertThatThrownBy(() -> Json.readDocument(bytes("{\"n\":" + n + "}"))).as(n)
                    .isInstanceOfAny(MalformedBodyException.class, ValidationException.class);
        }
    }

    @Test
    void refusesLoneSurrogatesAndHugeNumbersWithTheirPaths() {
        assertThatThrownBy(() -> Json.readDocument(bytes("{\"a\":[\"ok\",\"x\\ud800\"]}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.violations().get(0).field())
                        .isEqualTo("a[1]"));
        assertThatThrownBy(() -> Json.readDocument(bytes("{\"k\\udc00\":1}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.violations().get(0).field())
                        .isEqualTo("body"));
        assertThatThrownBy(() -> Json.readDocument(bytes("{\"n\":{\"m\":1e2147483647}}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.violations().get(0).field())
                        .isEqualTo("n.m"));
        assertThatThrownBy(() -> Json.readDocument(bytes("[-1e-2147483647]")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.violations().get(0).field())
                        .isEqualTo("body[0]"));
        assertThat(Json.readDocument(bytes("{\"e\":\"x\\ud83d\\ude00\",\"n\":1.5}")).get("n").decimalValue())
                .isEqualByComparingTo("1.5");
    }
}
