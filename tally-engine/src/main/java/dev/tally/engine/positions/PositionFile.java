package dev.tally.engine.positions;

import dev.tally.engine.log.LogPosition;
import dev.tally.engine.log.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The position index file of one sealed segment, and its memory-mapped reader.
 *
 * <p>Layout (big-endian): a 40-byte header (magic "TPIX", format 1, segment number, key count, the lowest and
 * highest hour of its events, event count); a directory of one 20-byte entry per key (FNV-1a 64 hash of
 * tenant NUL customer, the absolute offset of the key's data, its event count) sorted by hash then key; per
 * key its UTF-8 bytes (int length first) and its events sorted by (hour, position), each as two zig-zag varints:
 * the hour's and the in-segment offset's difference from the previous event's (the first from the header's
 * lowest hour and 0); a CRC32C of everything before it. About 3 bytes per event plus ~24 bytes per key.
 */
final class PositionFile {
    private static final int MAGIC = 0x54504958; // "TPIX"
    private static final int FORMAT = 1;
    private static final int HEADER = 40;
    private static final int ENTRY = 20;
    /** Hours an index file can span (the events of one segment, backdated or not). */
    private static final long MAX_HOUR_SPAN = 1L << 23;

    private PositionFile() {
    }

    static String fileName(int segment) {
        return String.format("segment-%010d.pidx", segment);
    }

    static byte[] key(String tenant, String customer) {
        return (tenant + '\u0000' + customer).getBytes(StandardCharsets.UTF_8);
    }

    static long hash(byte[] key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Collects one segment's events, in log order, and writes its file. */
    static final class Builder {
        private final int segment;
        private final Map<String, long[]> byKey = new HashMap<>();
        private final Map<String, Integer> sizes = new HashMap<>();
        private long minHour = Long.MAX_VALUE;
        private long maxHour = Long.MIN_VALUE;
        private long events;

        Builder(int segment) {
            this.segment = segment;
        }

        void add(String tenant, String customer, long hour, long position) {
            if (LogPosition.of(position).segment() != segment) {
                throw new IllegalArgumentException("position " + LogPosition.of(position) + " is not in segment " + segment);
            }
            String k = tenant + '\u0000' + customer;
            long[] pairs = byKey.get(k);
            int n = sizes.getOrDefault(k, 0);
            if (pairs == null || 2 * n + 2 > pairs.length) {
                pairs = pairs == null ? new long[8] : Arrays.copyOf(pairs, pairs.length * 2);
                byKey.put(k, pairs);
            }
            pairs[2 * n] = hour;
            pairs[2 * n + 1] = position & LogPosition.MAX_OFFSET;
            sizes.put(k, n + 1);
            minHour = Math.min(minHour, hour);
            maxHour = Math.max(maxHour, hour);
            events++;
        }

        /** Writes the file atomically: a temporary file, fsynced, renamed over {@code file}, the directory fsynced. */
        long writeTo(Path file) throws IOException {
            if (events > 0 && maxHour - minHour >= MAX_HOUR_SPAN) {
                throw new IOException("segment " + segment + " spans more than " + MAX_HOUR_SPAN + " hours");
            }
            long base = events == 0 ? 0 : minHour;
            record Key(byte[] bytes, long hash, long[] packed) {
            }
            List<Key> keys = new ArrayList<>(byKey.size());
            for (Map.Entry<String, long[]> e : byKey.entrySet()) {
                int n = sizes.get(e.getKey());
                long[] packed = new long[n];
                for (int i = 0; i < n; i++) {
                    packed[i] = ((e.getValue()[2 * i] - base) << LogPosition.OFFSET_BITS) | e.getValue()[2 * i + 1];
                }
                Arrays.sort(packed); // by (hour, offset): the log order within an hour is kept
                byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
                keys.add(new Key(bytes, hash(bytes), packed));
            }
            keys.sort((a, b) -> a.hash() != b.hash() ? Long.compare(a.hash(), b.hash())
                    : Arrays.compare(a.bytes(), b.bytes()));
            Out out = new Out(HEADER + ENTRY * keys.size() + (int) Math.min(Integer.MAX_VALUE / 2, events * 4));
            out.b.putInt(MAGIC).putInt(FORMAT).putInt(segment).putInt(keys.size())
                    .putLong(events == 0 ? 0 : minHour).putLong(events == 0 ? -1 : maxHour).putLong(events);
            out.b.position(HEADER + ENTRY * keys.size());
            long[] offsets = new long[keys.size()];
            for (int k = 0; k < keys.size(); k++) {
                Key key = keys.get(k);
                offsets[k] = out.b.position();
                out.ensure(4 + key.bytes().length + 20 * key.packed().length);
                out.b.putInt(key.bytes().length).put(key.bytes());
                long prevHour = 0;
                long prevOffset = 0;
                for (long p : key.packed()) {
                    long hour = p >>> LogPosition.OFFSET_BITS;
                    long offset = p & LogPosition.MAX_OFFSET;
                    out.varint(zigzag(hour - prevHour));
                    out.varint(zigzag(offset - prevOffset));
                    prevHour = hour;
                    prevOffset = offset;
                }
            }
            int end = out.b.position();
            for (int k = 0; k < keys.size(); k++) {
                out.b.putLong(HEADER + ENTRY * k, keys.get(k).hash());
                out.b.putLong(HEADER + ENTRY * k + 8, offsets[k]);
                out.b.putInt(HEADER + ENTRY * k + 16, keys.get(k).packed().length);
            }
            CRC32C crc = new CRC32C();
            crc.update(out.b.array(), 0, end);
            out.ensure(4);
            out.b.putInt((int) crc.getValue());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer data = ByteBuffer.wrap(out.b.array(), 0, out.b.position());
                while (data.hasRemaining()) {
                    ch.write(data);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            SegmentFiles.fsyncDirectory(file.getParent());
            return out.b.position();
        }
    }

    private static final class Out {
        ByteBuffer b;

        Out(int capacity) {
            b = ByteBuffer.allocate(Math.max(64, capacity));
        }

        void ensure(int n) {
            if (b.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max((long) b.capacity() * 2, (long) b.position() + n + 1024)));
                b.flip();
                bigger.put(b);
                b = bigger;
            }
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                b.put((byte) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.put((byte) v);
        }
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** A verified, memory-mapped index file; safe for concurrent readers (absolute reads only). */
    static final class Mapped {
        final int segment;
        final long minHour;
        final long maxHour;
        final long events;
        final long bytes;
        private final int keys;
        private final MappedByteBuffer map;

        private Mapped(int segment, long minHour, long maxHour, long events, int keys, MappedByteBuffer map) {
            this.segment = segment;
            this.minHour = minHour;
            this.maxHour = maxHour;
            this.events = events;
            this.keys = keys;
            this.map = map;
            this.bytes = map.capacity();
        }

        /**
         * Maps and verifies {@code file} as the index of {@code segment}.
         *
         * @throws IOException if it cannot be read, or is not a whole, undamaged index of that segment
         */
        static Mapped open(Path file, int segment) throws IOException {
            MappedByteBuffer map;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size < HEADER + 4 || size > Integer.MAX_VALUE) {
                    throw new IOException(file + " has an impossible size " + size);
                }
                map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            }
            int size = map.capacity();
            CRC32C crc = new CRC32C();
            crc.update(map.slice(0, size - 4));
            if ((int) crc.getValue() != map.getInt(size - 4)) {
                throw new IOException(file + " fails its checksum");
            }
            if (map.getInt(0) != MAGIC || map.getInt(4) != FORMAT || map.getInt(8) != segment) {
                throw new IOException(file + " is not a position index of format " + FORMAT + " for segment " + segment);
            }
            int keys = map.getInt(12);
            if (keys < 0 || HEADER + (long) ENTRY * keys > size - 4) {
                throw new IOException(file + " has an impossible key count " + keys);
            }
            return new Mapped(segment, map.getLong(16), map.getLong(24), map.getLong(32), keys, map);
        }

        /** Whether some event of this file may lie in hours [fromHour, toHour). */
        boolean overlaps(long fromHour, long toHour) {
            return events > 0 && maxHour >= fromHour && minHour < toHour;
        }

        /** Adds the key's (hour, position) pairs in [fromHour, toHour) after the cursor, in order, up to limit. */
        void positions(byte[] key, long fromHour, long toHour, long cursorHour, long cursorPosition, int limit,
                List<long[]> out) {
            long h = hash(key);
            int lo = 0;
            int hi = keys - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long mh = map.getLong(HEADER + ENTRY * mid);
                if (mh < h) {
                    lo = mid + 1;
                } else if (mh > h) {
                    hi = mid - 1;
                } else {
                    found = mid;
                    hi = mid - 1; // the first of equal hashes
                }
            }
            for (int k = found; k >= 0 && k < keys && map.getLong(HEADER + ENTRY * k) == h; k++) {
                int at = (int) map.getLong(HEADER + ENTRY * k + 8);
                if (keyMatches(at, key)) {
                    decode(at + 4 + key.length, map.getInt(HEADER + ENTRY * k + 16), fromHour, toHour, cursorHour,
                            cursorPosition, limit, out);
                    return;
                }
            }
        }

        private boolean keyMatches(int at, byte[] key) {
            if (map.getInt(at) != key.length) {
                return false;
            }
            for (int i = 0; i < key.length; i++) {
                if (map.get(at + 4 + i) != key[i]) {
                    return false;
                }
            }
            return true;
        }

        private void decode(int at, int count, long fromHour, long toHour, long cursorHour, long cursorPosition,
                int limit, List<long[]> out) {
            long hour = minHour;
            long offset = 0;
            long segmentBase = (long) segment << LogPosition.OFFSET_BITS;
            int[] cursor = {at};
            int added = 0;
            for (int i = 0; i < count; i++) {
                hour += unzigzag(varint(cursor));
                offset += unzigzag(varint(cursor));
                if (hour >= toHour) {
                    return;
                }
                long position = segmentBase | offset;
                if (hour < fromHour || hour < cursorHour || hour == cursorHour && position <= cursorPosition) {
                    continue;
                }
                out.add(new long[] {hour, position});
                if (++added == limit) {
                    return;
                }
            }
        }

        private long varint(int[] at) {
            long v = 0;
            int shift = 0;
            while (true) {
                byte b = map.get(at[0]++);
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
                shift += 7;
            }
        }
    }
}
