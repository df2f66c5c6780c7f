package org.posthorn.queue;

import java.util.Locale;
import java.util.Optional;

/**
 * The directories under $queue_directory, in the order Postfix creates them: the message
 * queues, the per-message log queues, and the socket and pid directories.
 */
public enum QueueName {
    MAILDROP("maildrop"),
    INCOMING("incoming"),
    ACTIVE("active"),
    DEFERRED("deferred"),
    HOLD("hold"),
    CORRUPT("corrupt"),
    BOUNCE("bounce"),
    DEFER("defer"),
    TRACE("trace"),
    FLUSH("flush"),
    SAVED("saved"),
    PUBLIC("public"),
    PRIVATE("private"),
    PID("pid");

    private final String dirName;

    QueueName(String dirName) {
        this.dirName = dirName;
    }

    /** The directory name as Postfix spells it ("deferred"). */
    public String dirName() {
        return dirName;
    }

    /** Whether files in it are named by queue ID (message queues and per-message logs). */
    public boolean holdsQueueFiles() {
        return this != PUBLIC && this != PRIVATE && this != PID;
    }

    /** The queue with this directory name, as given to postsuper/postcat; case-insensitive like Postfix. */
    public static Optional<QueueName> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (QueueName q : values()) {
            if (q.dirName.equals(n)) return Optional.of(q);
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return dirName;
    }
}
