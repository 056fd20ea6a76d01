package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.tally.engine.export.CsvWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the values, what Tally's CSV writer writes an independent RFC 4180 parser reads back unchanged. */
class CsvRoundTripPropertiesTest {
    @Provide
    Arbitrary<List<List<String>>> records() {
        Arbitrary<String> field = Arbitraries.strings().withChars("ab ,\"\r\n;'=-\u00e9\u20ac0").ofMaxLength(12)
                .filter(v -> !v.isEmpty());
        return field.list().ofSize(4).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 300)
    void anExportReadsBackAsWritten(@ForAll("records") List<List<String>> rows) throws Exception {
        StringWriter out = new StringWriter();
        CsvWriter w = new CsvWriter(out, List.of("h1", "h,2", "h\"3", "h4"));
        rows.forEach(w::row);
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<List<String>> read = new ArrayList<>();
        try (MappingIterator<List<String>> it = mapper.readerForListOf(String.class).readValues(out.toString())) {
            it.forEachRemaining(read::add);
        }
        List<List<String>> expected = new ArrayList<>();
        expected.add(List.of("h1", "h,2", "h\"3", "h4"));
        expected.addAll(rows);
        assertThat(read).isEqualTo(expected);
    }
}
