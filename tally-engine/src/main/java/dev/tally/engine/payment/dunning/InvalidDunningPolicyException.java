package dev.tally.engine.payment.dunning;

import dev.tally.core.validation.ValidationException;

/** A dunning policy with an invalid field (named in the API's JSON spelling); a validation error, safe to show. */
public final class InvalidDunningPolicyException extends ValidationException {
    private static final long serialVersionUID = 1L;

    public InvalidDunningPolicyException(String field, String problem) {
        super(field, problem);
    }
}
