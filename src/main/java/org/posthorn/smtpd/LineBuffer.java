package org.posthorn.smtpd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A reusable byte line with a fixed capacity: the one place a session keeps a line of input. */
final class LineBuffer {
    private final byte[] data;
    private int length;

    LineBuffer(int capacity) {
        this.data = new byte[capacity];
    }

    void clear() {
        length = 0;
    }

    void append(byte[] src, int off, int n) {
        if (n > data.length - length) throw new IllegalStateException("line buffer overflow");
        System.arraycopy(src, off, data, length, n);
        length += n;
    }

    void drop(int n) {
        length -= n;
    }

    int length() {
        return length;
    }

    byte last() {
        return data[length - 1];
    }

    byte at(int i) {
        return data[i];
    }

    byte[] array() {
        return data;
    }

    boolean contains(byte b) {
        for (int i = 0; i < length; i++) if (data[i] == b) return true;
        return false;
    }

    /** The line as ISO-8859-1 text: one char per byte, so nothing is lost or reinterpreted. */
    String latin1() {
        return new String(data, 0, length, StandardCharsets.ISO_8859_1);
    }

    /** The line as UTF-8 text (the caller has checked that it is valid UTF-8). */
    String utf8() {
        return new String(data, 0, length, StandardCharsets.UTF_8);
    }

    byte[] copy() {
        return Arrays.copyOf(data, length);
    }
}
