package dev.tally.core.pricing;

/**
 * A price model, as published in a plan and in {@code API.md}: one of a closed set of validated,
 * immutable records. A model either prices a single quantity ({@link UnitPrice}, {@link PackagePrice},
 * {@link GraduatedPrice}, {@link VolumePrice}) or a list of per-event values
 * ({@link PercentagePrice}, {@link GraduatedPercentagePrice}, {@link DynamicPrice}); see
 * {@link #ratedPerEvent()}. Constructing a model validates it, so every instance can be rated.
 */
public sealed interface PriceModel
        permits UnitPrice, PackagePrice, GraduatedPrice, VolumePrice, PercentagePrice, GraduatedPercentagePrice,
        DynamicPrice {

    /** The model's name as it travels in JSON ({@code "unit"}, {@code "graduated_percentage"}, ...). */
    String modelName();

    /** Whether the model is rated from per-event values (true) or from one quantity (false). */
    boolean ratedPerEvent();
}
