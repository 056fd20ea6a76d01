package dev.tally.engine.credit;

import dev.tally.core.ledger.CreditUnit;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Custom credit units of wallets: a grant of {@code units} of a {@link CreditUnit} is a grant of exactly their money
 * value (refused when it is not a whole number of the currency's minor unit), recorded with its unit and rate; every
 * grant of one unit in one wallet has the same rate (the first grant's), checked under the wallet's lock. Drawdowns
 * are in money, by the ordinary drawdown order, so they never round; balances are shown in units by
 * {@link CreditUnit#unitsOf}.
 */
public final class CreditUnits {
    private final Credits credits;
    private final Database db;
    private final Clock clock;

    public CreditUnits(Credits credits, Database db, Clock clock) {
        this.credits = credits;
        this.db = db;
        this.clock = clock;
    }

    /** A grant made in a unit: the unit, and how many units it was. */
    public record UnitGrant(String grantId, CreditUnit unit, BigDecimal units) {
    }

    /** What a wallet holds in one unit: the money and its worth in units, in all and usable now. */
    public record UnitBalance(CreditUnit unit, Money balance, BigDecimal units, Money usable, BigDecimal usableUnits,
            int grants) {
    }

    /**
     * The unit {@code key} of a customer's wallet in {@code currency}: its rate is the one of the unit's grants in
     * the wallet; a {@code rate} given must be the same; for a unit not used yet the {@code rate} is required.
     *
     * @throws ValidationException if the rate is missing or differs
     */
    public CreditUnit resolve(String tenant, String customer, Currency currency, String key, Optional<BigDecimal> rate) {
        return db.inTransaction(c -> resolve(c, tenant, customer, currency, key, rate));
    }

    private CreditUnit resolve(Connection c, String tenant, String customer, Currency currency, String key,
            Optional<BigDecimal> rate) throws SQLException {
        Optional<BigDecimal> existing = rateOf(c, tenant, customer, currency, key);
        if (existing.isPresent()) {
            if (rate.isPresent() && rate.get().compareTo(existing.get()) != 0) {
                throw new ValidationException("rate", "the wallet's unit '" + key + "' is worth "
                        + existing.get().toPlainString() + " " + currency.getCurrencyCode() + "; a unit keeps its rate");
            }
            return new CreditUnit(key, currency, existing.get());
        }
        return new CreditUnit(key, currency, rate.orElseThrow(() -> new ValidationException("rate",
                "is required for the first grant in unit '" + key + "'")));
    }

    /**
     * Grants {@code units} of {@code unit}: the request's amount must be their money value
     * ({@link CreditUnit#toMoney}); the unit's rate is checked against the wallet's again under its lock.
     */
    public UnitGrant grant(String tenant, String customer, CreditUnit unit, BigDecimal units, Credits.GrantRequest r,
            String source) {
        Money money = unit.toMoney(units);
        if (!money.equals(r.amount())) {
            throw new IllegalArgumentException("the grant's amount is not the units' worth");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Grant g = new Grant(Credits.id("gr_"), money, r.priority(), r.effectiveFrom().orElse(now), r.expiresAt(),
                r.charges(), r.funding(), r.price(), r.reason(), source, now);
        return credits.inWallet(tenant, customer, unit.currency(), now, (c, w) -> {
            resolve(c, tenant, customer, unit.currency(), unit.key(), Optional.of(unit.rate()));
            credits.addGrant(c, tenant, customer, w, g, Optional.empty(), "grant:" + g.id(), now);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_grant_units (grant_id, tenant_id, "
                    + "customer_id, currency, unit, rate, units, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, g.id());
                ps.setString(2, tenant);
                ps.setString(3, customer);
                ps.setString(4, unit.currency().getCurrencyCode());
                ps.setString(5, unit.key());
                ps.setString(6, unit.rate().toPlainString());
                ps.setString(7, units.stripTrailingZeros().toPlainString());
                ps.setString(8, now.toString());
                ps.executeUpdate();
            }
            return new UnitGrant(g.id(), unit, units.stripTrailingZeros());
        });
    }

    /** The unit grants of a customer, by grant id. */
    public Map<String, UnitGrant> grantsOf(String tenant, String customer) {
        return db.inTransaction(c -> {
            Map<String, UnitGrant> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT grant_id, currency, unit, rate, units FROM "
                    + "credit_grant_units WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at, grant_id")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        CreditUnit u = new CreditUnit(rs.getString(3), Currency.getInstance(rs.getString(2)),
                                new BigDecimal(rs.getString(4)));
                        out.put(rs.getString(1), new UnitGrant(rs.getString(1), u, new BigDecimal(rs.getString(5))));
                    }
                }
            }
            return out;
        });
    }

    /** What a customer's wallet in {@code currency} holds in each unit, by unit key. */
    public List<UnitBalance> balances(String tenant, String customer, Currency currency) {
        Wallet w = credits.wallet(tenant, customer, currency);
        Instant now = clock.instant();
        Map<String, List<UnitGrant>> byUnit = new java.util.TreeMap<>();
        for (UnitGrant g : grantsOf(tenant, customer).values()) {
            if (g.unit().currency().equals(currency)) {
                byUnit.computeIfAbsent(g.unit().key(), k -> new ArrayList<>()).add(g);
            }
        }
        List<UnitBalance> out = new ArrayList<>();
        byUnit.forEach((key, grants) -> {
            CreditUnit unit = grants.get(0).unit();
            Money balance = Money.zero(currency);
            Money usable = Money.zero(currency);
            for (UnitGrant g : grants) {
                Money left = w.balanceOf(g.grantId());
                balance = balance.plus(left);
                if (w.grant(g.grantId()).map(x -> x.usableAt(now)).orElse(false)) {
                    usable = usable.plus(left);
                }
            }
            out.add(new UnitBalance(unit, balance, unit.unitsOf(balance), usable, unit.unitsOf(usable), grants.size()));
        });
        return out;
    }

    private static Optional<BigDecimal> rateOf(Connection c, String tenant, String customer, Currency currency,
            String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT rate FROM credit_grant_units WHERE tenant_id = ? AND "
                + "customer_id = ? AND currency = ? AND unit = ? LIMIT 1")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setString(3, currency.getCurrencyCode());
            ps.setString(4, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new BigDecimal(rs.getString(1))) : Optional.empty();
            }
        }
    }
}
