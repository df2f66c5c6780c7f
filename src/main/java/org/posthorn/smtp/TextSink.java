package org.posthorn.smtp;

import java.io.IOException;

/** Receives message text in pieces: bytes, and whether they end a line (as a queue file's N and L records). */
@FunctionalInterface
interface TextSink {
    void text(byte[] data, int off, int len, boolean lineEnd) throws IOException;
}
