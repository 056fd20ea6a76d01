package dev.tally.engine.usage;

import dev.tally.core.meter.GroupKey;

/** One time series of a customer: a meter version and a group. */
record SeriesKey(String meter, int version, GroupKey group) {
}
