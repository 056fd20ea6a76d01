package dev.tally.core.pricing;

/**
 * {@code dynamic}: each event carries its own price as its value; the amount is the sum of the
 * events' values. Has no parameters.
 */
public record DynamicPrice() implements PriceModel {

    @Override
    public String modelName() {
        return "dynamic";
    }

    @Override
    public boolean ratedPerEvent() {
        return true;
    }
}
