package dev.tally.engine.payment.dunning;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.payment.ManualProvider;
import dev.tally.engine.payment.NewFact;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** Shared setup of dunning tests: a plan with a feature, a customer on net 10, one finalized invoice of 100.00. */
final class DunningFixture {
    static final String T = Engine.DEFAULT_TENANT;
    static final ObjectMapper JSON = new ObjectMapper();
    static final ManualProvider MANUAL = new ManualProvider();
    /** retry on days 1 and 3, reminder 3 days before due, uncollectible on day 5, then 2 days of grace. */
    static final String POLICY = "{\"retry_days\":[1,3],\"reminder_days_before_due\":[3],\"remind_after_failure\":true,"
            + "\"uncollectible_after_days\":5,\"suspension\":\"grace\",\"suspension_grace_days\":2}";

    private DunningFixture() {
    }

    static String finalizedInvoice(Billing b) throws Exception {
        b.createPlan(T, JSON.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"100\",\"timing\":\"in_advance\"}],"
                + "\"features\":[{\"key\":\"sso\",\"type\":\"boolean\"}]}"));
        b.createCustomer(T, JSON.readTree("{\"external_id\":\"c1\",\"timezone\":\"UTC\",\"currency\":\"EUR\","
                + "\"net_terms_days\":10}"));
        b.subscribe(T, JSON.readTree("{\"customer\":\"c1\",\"plan\":\"p\"}"));
        b.run(T);
        Invoice draft = b.invoices(T, Optional.of("c1"), Optional.empty(), 10).get(0);
        return b.finalizeInvoice(T, draft.id()).id();
    }

    static NewFact fact(String outcome, String amount, String reference) throws Exception {
        return MANUAL.read(JSON.readTree("{\"outcome\":\"" + outcome + "\",\"amount\":\"" + amount
                + "\",\"reference\":\"" + reference + "\"}"));
    }

    static long count(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
