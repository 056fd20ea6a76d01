package dev.tally.core.discount;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits an amount over weights exactly to the minor unit, by the largest-remainder rule: each share is first
 * {@code floor(total × weight / Σ weights)} minor units, then the minor units left over go one each to the shares
 * with the largest remainders (ties: the larger weight, then the earlier position). Guarantees: the shares sum to
 * the total exactly, none is negative, and when the total is at most the sum of the weights (all in minor units)
 * no share exceeds its weight.
 */
final class Allocation {
    private Allocation() {
    }

    /** Shares of {@code total} (scale {@code digits}) over non-negative {@code weights} (same scale), in order. */
    static List<BigDecimal> split(BigDecimal total, List<BigDecimal> weights, int digits) {
        BigInteger units = total.movePointRight(digits).setScale(0, RoundingMode.UNNECESSARY).toBigIntegerExact();
        BigInteger sum = BigInteger.ZERO;
        List<BigInteger> w = new ArrayList<>();
        for (BigDecimal x : weights) {
            BigInteger u = x.movePointRight(digits).setScale(0, RoundingMode.UNNECESSARY).toBigIntegerExact();
            if (u.signum() < 0) {
                throw new IllegalArgumentException("weights must not be negative");
            }
            w.add(u);
            sum = sum.add(u);
        }
        List<BigDecimal> out = new ArrayList<>();
        if (sum.signum() == 0) {
            if (units.signum() != 0) {
                throw new IllegalArgumentException("cannot split a non-zero total over zero weights");
            }
            weights.forEach(x -> out.add(BigDecimal.ZERO.setScale(digits)));
            return out;
        }
        BigInteger[] shares = new BigInteger[w.size()];
        BigInteger[] remainders = new BigInteger[w.size()];
        BigInteger given = BigInteger.ZERO;
        for (int i = 0; i < w.size(); i++) {
            BigInteger[] qr = units.multiply(w.get(i)).divideAndRemainder(sum);
            shares[i] = qr[0];
            remainders[i] = qr[1];
            given = given.add(qr[0]);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer, BigInteger>comparing(i -> remainders[i]).reversed()
                .thenComparing(Comparator.<Integer, BigInteger>comparing(w::get).reversed())
                .thenComparing(i -> i));
        BigInteger left = units.subtract(given);
        for (int k = 0; left.signum() > 0; k++) {
            int i = order.get(k % order.size());
            shares[i] = shares[i].add(BigInteger.ONE);
            left = left.subtract(BigInteger.ONE);
        }
        for (BigInteger s : shares) {
            out.add(new BigDecimal(s, digits));
        }
        return out;
    }
}
