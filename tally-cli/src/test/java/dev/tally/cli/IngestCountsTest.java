package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IngestCountsTest {
    private static IngestCounts scan(String json) {
        return IngestCounts.scan(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheTopLevelCountsWhereverTheyAre() {
        String json = "{\"results\":[{\"id\":\"e1\",\"source\":\"app\",\"status\":\"accepted\"},"
                + "{\"id\":\"e2\",\"source\":\"app\",\"status\":\"rejected\",\"reason\":\"time_in_future\"}],"
                + "\"accepted\" : 998, \"duplicates\":1,\n\"rejected\":1}";

        assertThat(scan(json)).isEqualTo(new IngestCounts(998, 1, 1));
        assertThat(scan(json).total()).isEqualTo(1000);
    }

    @Test
    void statusValuesInResultsAreNotMistakenForCounts() {
        String json = "{\"results\":[{\"status\":\"accepted\"},{\"status\":\"duplicate\"},{\"status\":\"rejected\"}],"
                + "\"accepted\":1,\"duplicates\":1,\"rejected\":1}";

        assertThat(scan(json)).isEqualTo(new IngestCounts(1, 1, 1));
    }

    @Test
    void aResponseWithoutCountsIsMalformed() {
        assertThatThrownBy(() -> scan("{\"accepted\":1,\"duplicates\":0}"))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("rejected");
        assertThatThrownBy(() -> scan("{\"accepted\":\"x\",\"duplicates\":0,\"rejected\":0}"))
                .isInstanceOf(MalformedResponseException.class);
    }
}
