/**
 * Validation failures of client input, field by field, in a form every
 * transport can show as-is: each {@link dev.tally.core.validation.FieldViolation}
 * names the offending field and says what is wrong in words safe to show.
 */
package dev.tally.core.validation;
