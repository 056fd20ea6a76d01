package dev.tally.core.discount;

/** An override, coupon or redemption that breaks a rule; names the field ({@link #field()}) and the problem. */
public final class InvalidDiscountException extends RuntimeException {
    private final String field;
    private final String problem;

    public InvalidDiscountException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
