package dev.tally.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Buffered sequential reader of record frames ({@code [int length][int crc32c][payload]},
 * big-endian) in one segment between a start offset and a limit. Reports the first frame that does
 * not verify instead of throwing, so recovery can truncate there and scan can raise corruption.
 * Not thread-safe; one per scan.
 */
final class FrameReader {

  static final int HEADER_BYTES = 8;

  enum Status {
    RECORD,
    END,
    SHORT_HEADER,
    BAD_LENGTH,
    SHORT_PAYLOAD,
    BAD_CRC
  }

  interface Source {
    void readFully(ByteBuffer dst, long position) throws IOException;
  }

  private final Source source;
  private final long limit;
  private final byte[] buf;
  private final ByteBuffer view;
  private final CRC32C crc = new CRC32C();
  /** File offset of buf[0]. */
  private long bufStart;
  /** Valid bytes in buf. */
  private int bufLen;
  /** Next unread index in buf. */
  private int pos;

  private byte[] payload = new byte[0];
  private long frameOffset;

  FrameReader(Source source, long start, long limit, byte[] buffer) {
    if (buffer.length < HEADER_BYTES) {
      throw new IllegalArgumentException("buffer too small");
    }
    this.source = source;
    this.limit = limit;
    this.buf = buffer;
    this.view = ByteBuffer.wrap(buffer);
    this.bufStart = start;
  }

  /** Offset of the frame the last {@link #next()} looked at (the bad one, if it failed). */
  long frameOffset() {
    return frameOffset;
  }

  /** The payload of the last {@link Status#RECORD}. */
  byte[] payload() {
    return payload;
  }

  Status next() throws IOException {
    long offset = bufStart + pos;
    frameOffset = offset;
    long remaining = limit - offset;
    if (remaining == 0) {
      return Status.END;
    }
    if (remaining < HEADER_BYTES) {
      return Status.SHORT_HEADER;
    }
    ensure(HEADER_BYTES);
    int length = view.getInt(pos);
    int expectedCrc = view.getInt(pos + 4);
    if (length <= 0) {
      return Status.BAD_LENGTH;
    }
    if (length > remaining - HEADER_BYTES) {
      return Status.SHORT_PAYLOAD;
    }
    byte[] p = new byte[length];
    if (length <= buf.length - HEADER_BYTES) {
      ensure(HEADER_BYTES + length);
      System.arraycopy(buf, pos + HEADER_BYTES, p, 0, length);
      pos += HEADER_BYTES + length;
    } else {
      int inBuffer = Math.min(bufLen - pos - HEADER_BYTES, length);
      System.arraycopy(buf, pos + HEADER_BYTES, p, 0, inBuffer);
      long payloadStart = offset + HEADER_BYTES;
      source.readFully(ByteBuffer.wrap(p, inBuffer, length - inBuffer), payloadStart + inBuffer);
      bufStart = payloadStart + length;
      bufLen = 0;
      pos = 0;
    }
    crc.reset();
    crc.update(p, 0, length);
    if ((int) crc.getValue() != expectedCrc) {
      return Status.BAD_CRC;
    }
    payload = p;
    return Status.RECORD;
  }

  /** Makes at least {@code n} bytes available from {@code pos}; the caller checked the limit. */
  private void ensure(int n) throws IOException {
    if (bufLen - pos >= n) {
      return;
    }
    int kept = bufLen - pos;
    System.arraycopy(buf, pos, buf, 0, kept);
    bufStart += pos;
    pos = 0;
    bufLen = kept;
    int want = (int) Math.min(buf.length - bufLen, limit - (bufStart + bufLen));
    source.readFully(ByteBuffer.wrap(buf, bufLen, want), bufStart + bufLen);
    bufLen += want;
  }
}
