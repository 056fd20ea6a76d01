package dev.tally.engine.archive;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.tally.engine.log.SegmentBytes;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A closed segment compressed with zstd in blocks of whole frames, with a block index, so a read at any position
 * decompresses one block (about {@value #BLOCK_BYTES} bytes of frames), not the whole segment.
 *
 * <p>Layout: {@code "TZSG" version} | zstd frames (each with zstd's content checksum) | index: per block
 * {@code [long start][int length][long compressedStart][int compressedLength]} | meta: {@code [int segment][long size]
 * [long records][long earliest][long latest][int blocks]} | footer: {@code [long indexStart][int crc32c of index and
 * meta]["TZSG"]}. Offsets inside blocks are the segment's own byte offsets, so log positions do not change; each
 * frame still carries its CRC32C, checked by every reader.
 */
final class CompressedSegment implements SegmentBytes {
    static final int BLOCK_BYTES = 256 * 1024;
    static final int LEVEL = 6;
    private static final int MAGIC = 0x545a5347; // TZSG
    private static final int VERSION = 1;
    private static final int FOOTER = 8 + 4 + 4;
    private static final int META = 4 + 8 + 8 + 8 + 8 + 4;
    private static final int ENTRY = 8 + 4 + 8 + 4;

    /** What a compressed segment holds: segment number, uncompressed size, records and their time range. */
    record Meta(int segment, long size, long records, long earliest, long latest, long fileBytes) {
    }

    private final Path path;
    private FileChannel channel; // guarded by this; reopened if another thread's interrupt closed it
    private final Meta meta;
    private final long[] starts;
    private final int[] lengths;
    private final long[] compressedStarts;
    private final int[] compressedLengths;
    private volatile Block last; // the last block decompressed: sequential scans reuse it
    private volatile boolean closed;

    private record Block(int index, byte[] bytes) {
    }

    private CompressedSegment(Path path, FileChannel channel, Meta meta, long[] starts, int[] lengths,
            long[] compressedStarts, int[] compressedLengths) {
        this.path = path;
        this.channel = channel;
        this.meta = meta;
        this.starts = starts;
        this.lengths = lengths;
        this.compressedStarts = compressedStarts;
        this.compressedLengths = compressedLengths;
    }

    Meta meta() {
        return meta;
    }

    /**
     * Compresses a sealed plain segment into {@code target} (created, fsynced; the caller renames it into place).
     * Every frame is verified on the way; a bad one fails the whole compression.
     */
    static Meta write(Path plain, int segment, long size, Path target, RecordTimes times) throws IOException {
        long records = 0;
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        ByteBuffer index = ByteBuffer.allocate(ENTRY * 64);
        int blocks = 0;
        try (InputStream raw = Files.newInputStream(plain);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20));
                FileChannel out = dev.tally.engine.secrets.PrivateFiles.open(target, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                ZstdCompressCtx zstd = new ZstdCompressCtx()) {
            zstd.setLevel(LEVEL);
            zstd.setChecksum(true);
            writeFully(out, ByteBuffer.allocate(8).putInt(MAGIC).putInt(VERSION).flip());
            long compressedAt = 8;
            byte[] block = new byte[BLOCK_BYTES];
            int blockLen = 0;
            long blockStart = 0;
            long offset = 0;
            CRC32C crc = new CRC32C();
            while (offset < size) {
                int length = in.readInt();
                int expected = in.readInt();
                if (length <= 0 || length > size - offset - 8) {
                    throw new IOException("segment " + segment + ": bad frame length at offset " + offset);
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                crc.reset();
                crc.update(payload);
                if ((int) crc.getValue() != expected) {
                    throw new IOException("segment " + segment + ": CRC32C mismatch at offset " + offset);
                }
                records++;
                long t = times.latestEpochSecond(payload);
                earliest = Math.min(earliest, t);
                latest = Math.max(latest, t);
                int frame = 8 + length;
                if (blockLen > 0 && blockLen + frame > BLOCK_BYTES) {
                    long c = flush(out, zstd, block, blockLen, compressedAt);
                    index = entry(index, blockStart, blockLen, compressedAt, (int) c);
                    blocks++;
                    compressedAt += c;
                    blockStart += blockLen;
                    blockLen = 0;
                }
                if (blockLen + frame > block.length) {
                    block = Arrays.copyOf(block, frame);
                }
                ByteBuffer.wrap(block, blockLen, 8).putInt(length).putInt(expected);
                System.arraycopy(payload, 0, block, blockLen + 8, length);
                blockLen += frame;
                offset += frame;
            }
            if (blockLen > 0) {
                long c = flush(out, zstd, block, blockLen, compressedAt);
                index = entry(index, blockStart, blockLen, compressedAt, (int) c);
                blocks++;
                compressedAt += c;
            }
            if (records == 0) {
                earliest = 0;
                latest = 0;
            }
            ByteBuffer tail = ByteBuffer.allocate(index.position() + META + FOOTER);
            tail.put(index.flip());
            tail.putInt(segment).putLong(size).putLong(records).putLong(earliest).putLong(latest).putInt(blocks);
            crc.reset();
            crc.update(tail.array(), 0, tail.position());
            tail.putLong(compressedAt).putInt((int) crc.getValue()).putInt(MAGIC);
            writeFully(out, tail.flip());
            out.force(true);
            return new Meta(segment, size, records, earliest, latest, out.size());
        }
    }

    private static ByteBuffer entry(ByteBuffer index, long start, int length, long compressedStart, int compressed) {
        if (index.remaining() < ENTRY) {
            index = ByteBuffer.allocate(index.capacity() * 2).put(index.flip());
        }
        return index.putLong(start).putInt(length).putLong(compressedStart).putInt(compressed);
    }

    private static long flush(FileChannel out, ZstdCompressCtx zstd, byte[] block, int length, long at)
            throws IOException {
        byte[] compressed = zstd.compress(Arrays.copyOf(block, length));
        writeFully(out, ByteBuffer.wrap(compressed));
        return compressed.length;
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Opens a compressed segment, verifying its footer, index and meta (not yet the blocks: each read does). */
    static CompressedSegment open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long fileSize = ch.size();
            if (fileSize < 8 + META + FOOTER) {
                throw new IOException(path.getFileName() + " is too short to be a compressed segment");
            }
            ByteBuffer footer = read(ch, fileSize - FOOTER, FOOTER);
            long indexStart = footer.getLong();
            int crcStored = footer.getInt();
            if (footer.getInt() != MAGIC || indexStart < 8 || indexStart > fileSize - FOOTER - META) {
                throw new IOException(path.getFileName() + " has no valid footer");
            }
            ByteBuffer tail = read(ch, indexStart, (int) (fileSize - FOOTER - indexStart));
            CRC32C crc = new CRC32C();
            crc.update(tail.duplicate());
            if ((int) crc.getValue() != crcStored) {
                throw new IOException(path.getFileName() + ": index checksum mismatch");
            }
            ByteBuffer metaBytes = tail.duplicate().position(tail.limit() - META);
            int segment = metaBytes.getInt();
            long size = metaBytes.getLong();
            long records = metaBytes.getLong();
            long earliest = metaBytes.getLong();
            long latest = metaBytes.getLong();
            int blocks = metaBytes.getInt();
            if (blocks < 0 || (long) blocks * ENTRY != tail.limit() - META) {
                throw new IOException(path.getFileName() + ": index length mismatch");
            }
            long[] starts = new long[blocks];
            int[] lengths = new int[blocks];
            long[] cStarts = new long[blocks];
            int[] cLengths = new int[blocks];
            for (int i = 0; i < blocks; i++) {
                starts[i] = tail.getLong();
                lengths[i] = tail.getInt();
                cStarts[i] = tail.getLong();
                cLengths[i] = tail.getInt();
            }
            return new CompressedSegment(path, ch,
                    new Meta(segment, size, records, earliest, latest, fileSize), starts, lengths, cStarts, cLengths);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Reads only the meta of a compressed segment. */
    static Meta metaOf(Path path) throws IOException {
        try (CompressedSegment c = open(path)) {
            return c.meta();
        }
    }

    @Override
    public void readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            if (at >= meta.size()) {
                throw new EOFException("read beyond the end of segment " + meta.segment() + " at " + at);
            }
            Block b = block(blockAt(at));
            int from = (int) (at - starts[b.index()]);
            int n = Math.min(dst.remaining(), b.bytes().length - from);
            dst.put(b.bytes(), from, n);
            at += n;
        }
    }

    private int blockAt(long position) {
        int i = Arrays.binarySearch(starts, position);
        return i >= 0 ? i : -i - 2;
    }

    private Block block(int i) throws IOException {
        Block b = last;
        if (b != null && b.index() == i) {
            return b;
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        ByteBuffer compressed = readBlock(i);
        byte[] bytes;
        try {
            bytes = Zstd.decompress(compressed.array(), lengths[i]);
        } catch (RuntimeException e) {
            throw new IOException(path.getFileName() + ": block " + i + " does not decompress", e);
        }
        if (bytes.length != lengths[i]) {
            throw new IOException(path.getFileName() + ": block " + i + " has the wrong length");
        }
        b = new Block(i, bytes);
        last = b;
        return b;
    }

    /** Reads a block's compressed bytes; survives another reader's interrupt closing the shared channel. */
    private ByteBuffer readBlock(int i) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return read(channel(), compressedStarts[i], compressedLengths[i]);
            } catch (ClosedChannelException e) {
                if (closed || attempt >= 3 || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
        }
    }

    private synchronized FileChannel channel() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (!channel.isOpen()) {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        }
        return channel;
    }

    private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        long at = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, at);
            if (n < 0) {
                throw new EOFException("unexpected end of compressed segment");
            }
            at += n;
        }
        return b.flip();
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        channel.close();
    }
}
