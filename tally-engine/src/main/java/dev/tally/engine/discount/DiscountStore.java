package dev.tally.engine.discount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.discount.Coupon;
import dev.tally.core.discount.CouponDuration;
import dev.tally.core.discount.OverrideVersion;
import dev.tally.core.discount.Redemption;
import dev.tally.core.event.Json;
import dev.tally.core.money.Money;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL of overrides, coupons and redemptions. Override versions and redemptions are only inserted; a coupon's
 * only update is its archiving. A version's number is unique per override and per subscription and charge, so two
 * writers adding the same version make one fail ({@link #insertVersion} returns false) instead of both succeeding.
 */
final class DiscountStore {
    private final Database db;
    private final ObjectMapper mapper = Json.newMapper();

    DiscountStore(Database db) {
        this.db = db;
    }

    /** Inserts a version; false when that version (or the charge's) exists already. */
    boolean insertVersion(String tenant, OverrideVersion v) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO price_overrides (tenant_id, override_id, version, "
                    + "subscription_id, charge_key, effective_from, effective_to, terms, reason, created_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, v.overrideId());
                ps.setInt(3, v.version());
                ps.setString(4, v.subscriptionId());
                ps.setString(5, v.chargeKey());
                ps.setString(6, v.effectiveFrom().toString());
                ps.setString(7, v.effectiveTo().map(Instant::toString).orElse(null));
                ps.setString(8, DiscountJson.terms(v.terms()).toString());
                ps.setString(9, v.reason());
                ps.setString(10, v.createdAt().toString());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Every override version of a subscription, by override then version. */
    List<OverrideVersion> versions(String tenant, String subscriptionId) {
        return db.inTransaction(c -> {
            List<OverrideVersion> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT override_id, version, subscription_id, charge_key, "
                    + "effective_from, effective_to, terms, reason, created_at FROM price_overrides "
                    + "WHERE tenant_id = ? AND subscription_id = ? ORDER BY override_id, version")) {
                ps.setString(1, tenant);
                ps.setString(2, subscriptionId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new OverrideVersion(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                                Instant.parse(rs.getString(5)), Optional.ofNullable(rs.getString(6)).map(Instant::parse),
                                DiscountJson.readStoredTerms(read(rs.getString(7))), rs.getString(8),
                                Instant.parse(rs.getString(9))));
                    }
                }
            }
            return out;
        });
    }

    /** Inserts a coupon; false when its key exists. */
    boolean insertCoupon(String tenant, Coupon k) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO coupons (tenant_id, coupon_key, name, percent_off, "
                    + "amount_off, currency, duration, duration_periods, applies_to, created_at, archived_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, k.key());
                ps.setString(3, k.name());
                ps.setString(4, k.percentOff().map(BigDecimal::toPlainString).orElse(null));
                ps.setString(5, k.amountOff().map(Money::plainString).orElse(null));
                ps.setString(6, k.amountOff().map(m -> m.currency().getCurrencyCode()).orElse(null));
                ps.setString(7, k.duration().wireName());
                if (k.periods().isPresent()) {
                    ps.setInt(8, k.periods().get());
                } else {
                    ps.setNull(8, java.sql.Types.INTEGER);
                }
                ps.setString(9, String.join(",", new java.util.TreeSet<>(k.appliesTo())));
                ps.setString(10, k.createdAt().toString());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Archives a coupon not archived yet; false when there is none such. */
    boolean archiveCoupon(String tenant, String key, Instant at) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE coupons SET archived_at = ? WHERE tenant_id = ? "
                    + "AND coupon_key = ? AND archived_at IS NULL")) {
                ps.setString(1, at.toString());
                ps.setString(2, tenant);
                ps.setString(3, key);
                return ps.executeUpdate() == 1;
            }
        });
    }

    List<Coupon> coupons(String tenant, Optional<String> key) {
        return db.inTransaction(c -> {
            List<Coupon> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT coupon_key, name, percent_off, amount_off, currency, "
                    + "duration, duration_periods, applies_to, created_at, archived_at FROM coupons WHERE tenant_id = ?"
                    + (key.isPresent() ? " AND coupon_key = ?" : "") + " ORDER BY coupon_key")) {
                ps.setString(1, tenant);
                if (key.isPresent()) {
                    ps.setString(2, key.get());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Set<String> applies = new LinkedHashSet<>();
                        for (String s : rs.getString(8).split(",")) {
                            if (!s.isEmpty()) {
                                applies.add(s);
                            }
                        }
                        int periods = rs.getInt(7);
                        Optional<Integer> n = rs.wasNull() ? Optional.empty() : Optional.of(periods);
                        out.add(new Coupon(rs.getString(1), rs.getString(2),
                                Optional.ofNullable(rs.getString(3)).map(BigDecimal::new),
                                Optional.ofNullable(rs.getString(4)).map(a -> new Money(new BigDecimal(a),
                                        Currency.getInstance(readCurrency(rs)))),
                                CouponDuration.fromWireName(rs.getString(6)).orElseThrow(), n, applies,
                                Instant.parse(rs.getString(9)), Optional.ofNullable(rs.getString(10)).map(Instant::parse)));
                    }
                }
            }
            return out;
        });
    }

    private static String readCurrency(ResultSet rs) {
        try {
            return rs.getString(5);
        } catch (SQLException e) {
            throw new StoreException("cannot read a coupon's currency", e);
        }
    }

    void insertRedemption(String tenant, Redemption r) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO coupon_redemptions (id, tenant_id, coupon_key, "
                    + "subscription_id, start_at, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.id());
                ps.setString(2, tenant);
                ps.setString(3, r.couponKey());
                ps.setString(4, r.subscriptionId());
                ps.setString(5, r.start().toString());
                ps.setString(6, r.createdAt().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Ends a redemption not ended yet; false when it was ended already. */
    boolean endRedemption(String tenant, String id, Instant at) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE coupon_redemptions SET ended_at = ? WHERE tenant_id = ? "
                    + "AND id = ? AND ended_at IS NULL")) {
                ps.setString(1, at.toString());
                ps.setString(2, tenant);
                ps.setString(3, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** A subscription's redemptions in the order they apply: created first, then by id. */
    List<Redemption> redemptions(String tenant, String subscriptionId) {
        return db.inTransaction(c -> {
            List<Redemption> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, coupon_key, subscription_id, start_at, created_at, "
                    + "ended_at FROM coupon_redemptions WHERE tenant_id = ? AND subscription_id = ? ORDER BY created_at, id")) {
                ps.setString(1, tenant);
                ps.setString(2, subscriptionId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Redemption(rs.getString(1), rs.getString(2), rs.getString(3),
                                Instant.parse(rs.getString(4)), Instant.parse(rs.getString(5)),
                                Optional.ofNullable(rs.getString(6)).map(Instant::parse)));
                    }
                }
            }
            return out;
        });
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new StoreException("a stored override's terms are not JSON", e);
        }
    }
}
