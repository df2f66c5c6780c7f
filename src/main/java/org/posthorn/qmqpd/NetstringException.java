package org.posthorn.qmqpd;

import java.io.IOException;

/** A netstring could not be read: the reason is one of Postfix's netstring error texts. */
final class NetstringException extends IOException {
    /** What went wrong, in the words qmqpd logs and replies with. */
    enum Kind {
        EOF("lost connection"), TIMEOUT("read/write timeout"), FORMAT("netstring format error"),
        SIZE("netstring length exceeds storage limit");

        final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    final Kind kind;

    NetstringException(Kind kind) {
        super(kind.text);
        this.kind = kind;
    }
}
