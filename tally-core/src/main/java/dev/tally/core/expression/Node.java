package dev.tally.core.expression;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node of a parsed expression tree. Trees are immutable and evaluate with
 * exact {@link BigDecimal} arithmetic, except division, which rounds to
 * {@link MathContext#DECIMAL128}. Intermediate results are not normalised;
 * {@link Expression#evaluate} normalises the final one.
 */
sealed interface Node {

    BigDecimal evaluate(JsonNode data);

    /** A decimal literal from the source. */
    record Literal(BigDecimal value) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            return value;
        }
    }

    /** A field of the event data, read as a number. */
    record Field(FieldPath path) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            return FieldValues.number(path, data);
        }
    }

    /** Unary minus. */
    record Negate(Node operand) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            return operand.evaluate(data).negate();
        }
    }

    /** {@code left + right}, exact. */
    record Add(Node left, Node right) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            return left.evaluate(data).add(right.evaluate(data));
        }
    }

    /** {@code left - right}, exact. */
    record Subtract(Node left, Node right) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            return left.evaluate(data).subtract(right.evaluate(data));
        }
    }

    /** {@code left * right}, exact. */
    record Multiply(Node left, Node right) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            return left.evaluate(data).multiply(right.evaluate(data));
        }
    }

    /** {@code left / right}, rounded to 34 significant digits (DECIMAL128, HALF_EVEN). */
    record Divide(Node left, Node right) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            BigDecimal dividend = left.evaluate(data);
            BigDecimal divisor = right.evaluate(data);
            if (divisor.signum() == 0) {
                throw ExpressionEvaluationException.divisionByZero();
            }
            return dividend.divide(divisor, MathContext.DECIMAL128).stripTrailingZeros();
        }
    }

    /** {@code min(a, b, ...)}: the smallest argument; at least two. */
    record Min(List<Node> arguments) implements Node {
        public Min {
            arguments = List.copyOf(arguments);
            if (arguments.size() < 2) {
                throw new IllegalArgumentException("min needs at least two arguments");
            }
        }

        @Override
        public BigDecimal evaluate(JsonNode data) {
            BigDecimal result = arguments.get(0).evaluate(data);
            for (int i = 1, n = arguments.size(); i < n; i++) {
                result = result.min(arguments.get(i).evaluate(data));
            }
            return result;
        }
    }

    /** {@code max(a, b, ...)}: the largest argument; at least two. */
    record Max(List<Node> arguments) implements Node {
        public Max {
            arguments = List.copyOf(arguments);
            if (arguments.size() < 2) {
                throw new IllegalArgumentException("max needs at least two arguments");
            }
        }

        @Override
        public BigDecimal evaluate(JsonNode data) {
            BigDecimal result = arguments.get(0).evaluate(data);
            for (int i = 1, n = arguments.size(); i < n; i++) {
                result = result.max(arguments.get(i).evaluate(data));
            }
            return result;
        }
    }

    /** {@code ceil(x)}: the smallest integer not below {@code x}. */
    record Ceil(Node operand) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            BigDecimal value = operand.evaluate(data);
            return value.scale() <= 0 ? value : value.setScale(0, RoundingMode.CEILING);
        }
    }

    /** {@code floor(x)}: the largest integer not above {@code x}. */
    record Floor(Node operand) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            BigDecimal value = operand.evaluate(data);
            return value.scale() <= 0 ? value : value.setScale(0, RoundingMode.FLOOR);
        }
    }

    /** {@code abs(x)}. */
    record Abs(Node operand) implements Node {
        @Override
        public BigDecimal evaluate(JsonNode data) {
            return operand.evaluate(data).abs();
        }
    }

    /** {@code round(x, digits)}: HALF_UP to {@code digits} decimal places (negative: tens, hundreds...). */
    record Round(Node operand, int digits) implements Node {
        static final int MAX_DIGITS = 32;

        public Round {
            if (Math.abs(digits) > MAX_DIGITS) {
                throw new IllegalArgumentException("round digits must be within ±" + MAX_DIGITS);
            }
        }

        @Override
        public BigDecimal evaluate(JsonNode data) {
            BigDecimal value = operand.evaluate(data);
            return value.scale() <= digits ? value : value.setScale(digits, RoundingMode.HALF_UP);
        }
    }

    /**
     * {@code lookup(key, 'k1', v1, ..., [default])}: the value whose key equals the
     * text of the {@code key} field; only that value (or the default) is evaluated.
     */
    record Lookup(FieldPath key, Map<String, Node> cases, Optional<Node> fallback) implements Node {
        public Lookup {
            cases = Map.copyOf(cases);
            if (cases.isEmpty()) {
                throw new IllegalArgumentException("lookup needs at least one key");
            }
        }

        @Override
        public BigDecimal evaluate(JsonNode data) {
            JsonNode value = key.resolve(data);
            Node chosen = FieldValues.isKeyable(value) ? cases.get(FieldValues.keyText(value)) : null;
            if (chosen == null) {
                chosen = fallback.orElseThrow(() -> ExpressionEvaluationException.noLookupMatch(key));
            }
            return chosen.evaluate(data);
        }
    }
}
