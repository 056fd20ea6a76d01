package dev.tally.engine.archive;

/**
 * The latest instant a log record carries (for an event: the later of its event time and its arrival), in epoch
 * seconds. Retention asks it of every record of a closed segment: a segment leaves local disk only when even its
 * latest record is past every window that may still need it.
 */
@FunctionalInterface
public interface RecordTimes {
    long latestEpochSecond(byte[] record);
}
