package dev.tally.engine.anomaly;

import dev.tally.engine.entitlement.Entitlements;
import dev.tally.engine.entitlement.SuspensionMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code entitlement_cut} hold: a hard suspension of the customer whose cause is the anomaly ({@code
 * anomaly:<id>}), written in the anomaly's transaction and lifted in its review's; then this process's checks are
 * told. Over the entitlements' suspensions, the same facts dunning writes.
 */
interface EntitlementCut {
    /** Cuts nothing (detection without entitlements, e.g. replaying history). */
    EntitlementCut NONE = new EntitlementCut() {
        @Override
        public void cut(Connection c, String tenant, String customer, String cause, Instant at) {
        }

        @Override
        public boolean restore(Connection c, String tenant, String customer, String cause, Instant at) {
            return false;
        }

        @Override
        public void changed(String tenant, String customer) {
        }
    };

    void cut(Connection c, String tenant, String customer, String cause, Instant at) throws SQLException;

    boolean restore(Connection c, String tenant, String customer, String cause, Instant at) throws SQLException;

    /** After the commit: this process's entitlement checks see the change. */
    void changed(String tenant, String customer);

    static EntitlementCut of(Entitlements entitlements) {
        return new EntitlementCut() {
            @Override
            public void cut(Connection c, String tenant, String customer, String cause, Instant at) throws SQLException {
                entitlements.suspensions().suspend(c, tenant, customer, cause, SuspensionMode.HARD, at, Optional.empty());
            }

            @Override
            public boolean restore(Connection c, String tenant, String customer, String cause, Instant at)
                    throws SQLException {
                return entitlements.suspensions().lift(c, tenant, customer, cause, at);
            }

            @Override
            public void changed(String tenant, String customer) {
                entitlements.suspensionChanged(tenant, customer);
            }
        };
    }
}
