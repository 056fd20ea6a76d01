package dev.tally.engine.checkpoint;

import dev.tally.engine.ingest.IndexImage;
import dev.tally.engine.usage.UsageStore;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a chain (base, then deltas in order) into an index image and a usage store. Each delta's checksum is
 * verified before any of it is applied, so a damaged delta leaves the state at the one before it.
 */
final class ChainReader {
    private static final Logger LOG = LoggerFactory.getLogger(ChainReader.class);

    /** The chain was taken under other meter definitions. */
    static final class MetersChangedException extends StreamCorruptedException {
        MetersChangedException() {
            super("the meters changed since the checkpoint was taken");
        }
    }

    /** What was read: the state as of {@code position}, from the base and the first {@code deltasApplied} deltas. */
    record Read(long position, Map<String, Long> generations, int deltasApplied) {
    }

    private ChainReader() {
    }

    /**
     * Reads the chain. With {@code stopAtDamage}, a delta that fails its checksum (a torn or damaged file) ends the
     * chain there: the state is the one before it and the log replay covers the rest. Without, it is an error.
     *
     * @param generations the meter generations the chain must have been taken under; null: any (compaction)
     * @throws IOException if the base is damaged, the meters changed, or a delta is damaged without stopAtDamage
     */
    static Read read(Path dir, Manifest m, Map<String, Long> generations, IndexImage image, UsageStore usage,
            boolean stopAtDamage) throws IOException {
        CheckpointFile.Header base = CheckpointFile.read(dir.resolve(Manifest.baseName(m.base().seq())),
                CheckpointFile.BASE, m.base().seq(), h -> {
                    return in -> {
                        if (generations != null && !new TreeMap<>(h.generations()).equals(new TreeMap<>(generations))) {
                            throw new MetersChangedException();
                        }
                        image.readFull(in);
                        usage.readBaseFrom(in);
                    };
                });
        long position = base.position();
        int applied = 0;
        for (Manifest.Link d : m.deltas()) {
            Path file = dir.resolve(Manifest.deltaName(d.seq()));
            try {
                CheckpointFile.verify(file, d.bytes());
            } catch (IOException e) {
                if (!stopAtDamage) {
                    throw e;
                }
                LOG.warn("ignoring checkpoint delta {} and the {} after it ({}); the log replay covers them", d.seq(),
                        m.deltas().size() - applied - 1, e.toString());
                break;
            }
            long previous = position;
            CheckpointFile.Header h = CheckpointFile.read(file, CheckpointFile.DELTA, d.seq(), hd -> in -> {
                if (!hd.generations().equals(base.generations())) {
                    throw new StreamCorruptedException("a delta taken under other meters than its base");
                }
                image.applyChanges(in);
                usage.readChangesFrom(in);
            });
            if (h.position() < previous) {
                throw new StreamCorruptedException("checkpoint delta " + d.seq() + " goes back in the log");
            }
            position = h.position();
            applied++;
        }
        return new Read(position, base.generations(), applied);
    }
}
