package dev.tally.engine.ingest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A store's checkpointed duplicate index as plain data, built from a chain of checkpoints without touching the
 * live index: a full state ({@link EventStore#writeIndex}) then the changes of each later incremental checkpoint
 * ({@link EventStore#writeIndexChanges}) in order. Written out again as a full state when checkpoints are
 * compacted; installed with {@link EventStore#restoreIndex}. Not thread-safe; an image is used by one thread.
 */
public interface IndexImage {
    /** Reads a full state. */
    void readFull(DataInput in) throws IOException;

    /** Applies the changes of the next incremental checkpoint. */
    void applyChanges(DataInput in) throws IOException;

    /** Writes the state as a full one (what {@link EventStore#writeIndex} would have written). */
    void writeFull(DataOutput out) throws IOException;

    /** The image of a store whose index is not checkpointed (its {@code writeIndex} writes nothing). */
    static IndexImage none() {
        return new IndexImage() {
            @Override
            public void readFull(DataInput in) {
            }

            @Override
            public void applyChanges(DataInput in) {
            }

            @Override
            public void writeFull(DataOutput out) {
            }
        };
    }
}
