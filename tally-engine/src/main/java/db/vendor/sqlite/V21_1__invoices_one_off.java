package db.vendor.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * SQLite: lets an invoice have no subscription (a one-off invoice, such as the purchase of credits) by removing the
 * NOT NULL constraint of {@code invoices.subscription_id}, by the procedure SQLite documents for removing NOT NULL
 * constraints without rebuilding a table ("Making Other Kinds Of Table Schema Changes": edit the stored CREATE TABLE
 * under {@code writable_schema}, then bump {@code schema_version}). Existing rows, indexes and later columns are kept
 * as they are. PostgreSQL does the same with {@code ALTER COLUMN ... DROP NOT NULL}.
 */
public class V21_1__invoices_one_off extends BaseJavaMigration {
    private static final String FROM = "subscription_id TEXT NOT NULL REFERENCES subscriptions (id)";
    private static final String TO = "subscription_id TEXT REFERENCES subscriptions (id)";

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            String sql;
            try (ResultSet rs = s.executeQuery("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'invoices'")) {
                rs.next();
                sql = rs.getString(1);
            }
            if (!sql.contains(FROM)) {
                throw new IllegalStateException("invoices.subscription_id is not declared as expected: " + sql);
            }
            long version;
            try (ResultSet rs = s.executeQuery("PRAGMA schema_version")) {
                rs.next();
                version = rs.getLong(1);
            }
            s.execute("PRAGMA writable_schema = ON");
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                    "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'invoices'")) {
                ps.setString(1, sql.replace(FROM, TO));
                ps.executeUpdate();
            }
            s.execute("PRAGMA schema_version = " + (version + 1));
            s.execute("PRAGMA writable_schema = OFF");
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                if (!"ok".equals(rs.getString(1))) {
                    throw new IllegalStateException("integrity check failed: " + rs.getString(1));
                }
            }
        }
    }
}
