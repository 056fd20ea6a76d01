/**
 * A tiny, safe, exact-decimal expression language that meters use to compute a
 * per-event quantity from the event's JSON {@code data} object, for example
 * {@code tokens * lookup(model, 'gpt-4', 30, 'gpt-3.5', 1, 1)} or
 * {@code ceil(duration_ms / 1000)}. An {@link dev.tally.core.expression.Expression}
 * is parsed once (rejecting anything malformed or oversized with an
 * {@link dev.tally.core.expression.InvalidExpressionException} that names the
 * column) into a small immutable tree, and then evaluated per event with
 * {@link java.math.BigDecimal} arithmetic only: no floating point, no
 * reflection, no scripting engine, no I/O. Evaluation failures caused by the
 * event's data are reported as an
 * {@link dev.tally.core.expression.ExpressionEvaluationException} carrying a
 * machine-readable reason.
 */
package dev.tally.core.expression;
