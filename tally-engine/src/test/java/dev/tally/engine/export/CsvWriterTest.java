package dev.tally.engine.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.money.Money;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4180 writing and the exports' amount formats. */
class CsvWriterTest {
    @Test
    void quotesOnlyFieldsThatNeedItAndDoublesQuotes() {
        StringWriter out = new StringWriter();
        CsvWriter w = new CsvWriter(out, List.of("a", "b", "c", "d", "e"));
        w.row(List.of("plain", "with,comma", "say \"hi\"", "two\nlines", " padded"));
        w.row(List.of("", "-5.00", "=1+1", "cr\rhere", "ünïcode"));
        assertThat(out.toString()).isEqualTo("a,b,c,d,e\r\n"
                + "plain,\"with,comma\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\"\r\n"
                + ",-5.00,=1+1,\"cr\rhere\",ünïcode\r\n");
    }

    @Test
    void refusesARecordOfAnotherWidthThanTheHeader() {
        CsvWriter w = new CsvWriter(new StringWriter(), List.of("a", "b"));
        assertThatThrownBy(() -> w.row(List.of("1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void amountsHaveTheCurrencysDecimalsAndWholeMinorUnits() {
        Money usd = new Money(new BigDecimal("12.3"), Currency.getInstance("USD"));
        Money jpy = new Money(new BigDecimal("1500"), Currency.getInstance("JPY"));
        Money bhd = new Money(new BigDecimal("1.23"), Currency.getInstance("BHD"));
        Money negative = new Money(new BigDecimal("-0.05"), Currency.getInstance("EUR"));
        assertThat(List.of(AccountingExports.decimal(usd), AccountingExports.minor(usd))).containsExactly("12.30", "1230");
        assertThat(List.of(AccountingExports.decimal(jpy), AccountingExports.minor(jpy))).containsExactly("1500", "1500");
        assertThat(List.of(AccountingExports.decimal(bhd), AccountingExports.minor(bhd))).containsExactly("1.230", "1230");
        assertThat(List.of(AccountingExports.decimal(negative), AccountingExports.minor(negative)))
                .containsExactly("-0.05", "-5");
    }
}
