package dev.tally.engine.payment.dunning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.validation.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading and validating dunning policies. */
class DunningPolicyTest {
    final ObjectMapper json = new ObjectMapper();

    DunningPolicy read(String body) throws Exception {
        return DunningJson.readPolicy(json.readTree(body));
    }

    @Test
    void anEmptyPolicyIsTheDefaultsSwitchedOnAndWritesBackAsItReads() throws Exception {
        DunningPolicy p = read("{}");
        assertThat(p.enabled()).isTrue();
        assertThat(p.retryDays()).containsExactly(1, 3, 5, 7);
        assertThat(p.uncollectibleAfterDays()).contains(14);
        assertThat(p.suspension()).isEqualTo(DunningPolicy.Suspend.NONE);
        DunningPolicy g = read("{\"suspension\":\"grace\",\"suspension_grace_days\":3,\"retry_days\":[]}");
        assertThat(DunningJson.readPolicy(DunningJson.policy(g))).isEqualTo(g);
        assertThat(DunningPolicy.DEFAULT.enabled()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"retry_days\":[3,3]}|retry_days",
        "{\"retry_days\":[0]}|retry_days",
        "{\"retry_days\":[1,2,3,4,5,6,7,8,9,10,11]}|retry_days",
        "{\"retry_days\":[1.5]}|retry_days",
        "{\"reminder_days_before_due\":[3,3]}|reminder_days_before_due",
        "{\"reminder_days_before_due\":[61]}|reminder_days_before_due",
        "{\"uncollectible_after_days\":7}|uncollectible_after_days",
        "{\"uncollectible_after_days\":null,\"suspension\":\"hard\"}|suspension",
        "{\"suspension\":\"grace\"}|suspension_grace_days",
        "{\"suspension\":\"hard\",\"suspension_grace_days\":2}|suspension_grace_days",
        "{\"suspension\":\"forever\"}|suspension",
        "{\"enabled\":\"yes\"}|enabled",
        "{\"retry\":[1]}|retry",
    })
    void refusesAnInvalidPolicyNamingTheField(String body, String field) {
        assertThatThrownBy(() -> read(body)).isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).violations().get(0).field()).isEqualTo(field));
    }
}
