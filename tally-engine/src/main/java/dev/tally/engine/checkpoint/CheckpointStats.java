package dev.tally.engine.checkpoint;

/**
 * What the checkpoints cost, for operators (/metrics and {@code ./tally storage}).
 *
 * @param lastDurationMillis how long the last checkpoint held the writer (0 before the first)
 * @param lastBytesWritten bytes the last checkpoint wrote (a delta: grows with the changes; a base: the state)
 * @param lastWasFull whether the last checkpoint was a full base
 * @param totalBytes bytes of every file of the current chain (base, deltas, manifest)
 * @param deltas deltas in the current chain
 * @param compactions chains compacted into a new base by this process
 * @param lastCompactionMillis how long the last compaction ran (off the writer thread; 0 before the first)
 */
public record CheckpointStats(long lastDurationMillis, long lastBytesWritten, boolean lastWasFull, long totalBytes,
        int deltas, long compactions, long lastCompactionMillis) {
    public CheckpointStats {
        if (lastDurationMillis < 0 || lastBytesWritten < 0 || totalBytes < 0 || deltas < 0 || compactions < 0
                || lastCompactionMillis < 0) {
            throw new IllegalArgumentException("checkpoint statistics are never negative");
        }
    }
}
