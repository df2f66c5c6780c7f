package org.posthorn.log;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * maillog_file (or stdout under {@code postfix start-fg}): lines in postlogd's format,
 * written by one writer thread from a bounded queue, so that no logging thread ever waits
 * on the disk while holding a lock. The file is opened for append: several processes (the
 * master and short-lived commands) may write the same file, each line in one write(2).
 */
public final class FileSink implements LogSink {
    private static final int QUEUE_LINES = 10_000;
    /** At most this much in one write (well under what one append keeps whole). */
    private static final int BATCH_BYTES = 16 * 1024;
    private static final java.time.Duration GATHER = java.time.Duration.ofMillis(2);
    private static final String END = new String("end");

    private final String host;
    private final OutputStream out;
    private final boolean closeOut;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final Thread writer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread atExit;

    private FileSink(String host, OutputStream out, boolean closeOut, String name) {
        this.host = host;
        this.out = out;
        this.closeOut = closeOut;
        this.writer = Thread.ofPlatform().daemon().name(name).start(this::drain);
        // a command that exits without closing its sinks still writes its last lines
        this.atExit = Thread.ofPlatform().unstarted(this::close);
        Runtime.getRuntime().addShutdownHook(atExit);
    }

    /** Appends to {@code file}, creating it with mode 0600 as postlogd does. */
    public static FileSink open(Path file, String host) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process made it first: append to it
            }
        }
        OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new FileSink(host, out, true, "maillog-writer");
    }

    /** Lines on this process's standard output ({@code postfix start-fg}, maillog_file = /dev/stdout). */
    public static FileSink stdout(String host) {
        return new FileSink(host, new FileOutputStream(java.io.FileDescriptor.out), false, "stdout-log-writer");
    }

    @Override
    public void write(Log.Severity severity, String tag, long pid, String text) {
        if (closed.get()) return; // a writer that raced with close (reload, logrotate): the line goes nowhere
        String line = LineFormat.line(LocalDateTime.now(), host, tag, pid, text) + "\n";
        try {
            queue.put(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A server logs several lines per message: waking this thread for each cost a context
     * switch per line, and a futex call per line in the sessions that woke it. After the
     * first line of a batch the writer sleeps a moment so that the lines which follow join
     * it; producers meanwhile add to the queue without waking anyone. An idle writer sleeps
     * in take() and wakes at the first line.
     */
    private static void gather() {
        try {
            Thread.sleep(GATHER);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeOut(ByteArrayOutputStream pending) {
        if (pending.size() == 0) return;
        try {
            pending.writeTo(out);
        } catch (IOException e) {
            // nowhere left to report it; keep the queue moving
        }
        pending.reset();
    }

    private void drain() {
        List<String> batch = new ArrayList<>();
        ByteArrayOutputStream pending = new ByteArrayOutputStream(BATCH_BYTES);
        boolean end = false;
        while (!end) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            if (batch.getFirst() != END) gather();
            queue.drainTo(batch, 1024);
            // whole lines in one write(2): O_APPEND appends it at once, so lines of other
            // processes writing the same file (commands) land between batches, never inside a line
            pending.reset();
            for (String line : batch) {
                if (line == END) {
                    end = true;
                    break;
                }
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                if (pending.size() > 0 && pending.size() + b.length > BATCH_BYTES) writeOut(pending);
                pending.writeBytes(b);
            }
            writeOut(pending);
            batch.clear();
            try {
                out.flush();
            } catch (IOException ignored) {
                // as above
            }
        }
    }

    /** Writes out the queued lines (waiting up to two seconds) and closes the file. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return; // closed by its owner and again at exit
        if (Thread.currentThread() != atExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(atExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook closes us too, harmlessly
            }
        }
        try {
            if (queue.offer(END, 2, TimeUnit.SECONDS)) writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closeOut) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing after the last line: nothing to lose
            }
        }
    }
}
