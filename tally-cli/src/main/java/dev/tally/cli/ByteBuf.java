package dev.tally.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array for building request bodies without intermediate strings. Not thread-safe. */
final class ByteBuf {
    private byte[] bytes;
    private int size;

    ByteBuf(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    ByteBuf append(byte b) {
        ensure(1);
        bytes[size++] = b;
        return this;
    }

    ByteBuf append(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
        return this;
    }

    /** Appends a string that is known to be ASCII (no escaping is done). */
    ByteBuf ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    ByteBuf utf8(String s) {
        return append(s.getBytes(StandardCharsets.UTF_8));
    }

    ByteBuf decimal(long v) {
        if (v >= 0 && v < 10) {
            return append((byte) ('0' + v));
        }
        return ascii(Long.toString(v));
    }

    /** Appends a non-negative number as exactly {@code width} digits, zero-padded. */
    ByteBuf padded(int v, int width) {
        ensure(width);
        for (int i = width - 1; i >= 0; i--) {
            bytes[size + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        size += width;
        return this;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
