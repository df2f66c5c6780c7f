package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.showq.ShowqTestQueue;

class PostqueueTest {
    @TempDir
    Path dir;
    private ServerSocketChannel qmgr;
    private ServerSocketChannel pickup;
    private ServerSocketChannel flushServer;
    private final LinkedBlockingQueue<String> triggers = new LinkedBlockingQueue<>();

    @AfterEach
    void close() throws IOException {
        if (qmgr != null) qmgr.close();
        if (pickup != null) pickup.close();
        if (flushServer != null) flushServer.close();
    }

    private QueueDirectory setUp(String... mainCf) throws IOException {
        ShowqTestQueue.writeMainCf(dir.resolve("etc"), dir.resolve("spool"), mainCf);
        QueueDirectory queue = QueueDirectory.of(dir.resolve("spool"));
        queue.check();
        return queue;
    }

    /** A trigger server on public/NAME recording "NAME:bytes" per connection. */
    private ServerSocketChannel listen(QueueDirectory queue, String name) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(queue.root().resolve("public").resolve(name)));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    try (SocketChannel c = s.accept()) {
                        triggers.add(name + ":" + new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.US_ASCII));
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
        return s;
    }

    /** Our flush(8) on public/flush, as the master would run it. */
    private ServerSocketChannel flush(QueueDirectory queue) throws Exception {
        org.posthorn.config.Config config = org.posthorn.config.Config.load(dir.resolve("etc"));
        org.posthorn.master.TestServiceContext context = new org.posthorn.master.TestServiceContext(config, null, "flush");
        org.posthorn.flush.FlushService service = new org.posthorn.flush.FlushService();
        service.start(context);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(queue.root().resolve("public").resolve("flush")));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    try (SocketChannel c = s.accept()) {
                        service.serve(c, context);
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
        return s;
    }

    private int run(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "-c";
        all[1] = dir.resolve("etc").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return new Postqueue(new PrintStream(new ByteArrayOutputStream())).run(all);
    }

    private static String deferred(QueueDirectory queue) throws IOException {
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(Instant.now(), "local");
            w.sender("a@example.org");
            w.recipient(QueueFileWriter.Rcpt.of("b@example.org"));
            w.beginContent();
            w.contentLine("x");
            w.endContent();
            String id = w.finish(QueueName.DEFERRED);
            Files.setLastModifiedTime(queue.path(QueueName.DEFERRED, id), FileTime.from(Instant.now().plusSeconds(3000)));
            return id;
        }
    }

    @Test
    void flushFileRequeuesOneDeferredMessage() throws Exception {
        QueueDirectory queue = setUp();
        String id = deferred(queue);
        String other = deferred(queue);
        qmgr = listen(queue, "qmgr");
        flushServer = flush(queue);
        assertThat(run("-i", id)).isZero();
        assertThat(triggers.poll(5, TimeUnit.SECONDS)).isEqualTo("qmgr:I");
        Path moved = queue.path(QueueName.INCOMING, id);
        assertThat(moved).exists();
        assertThat(Files.getLastModifiedTime(moved).toInstant()).isBefore(Instant.now().plusSeconds(5));
        assertThat(queue.path(QueueName.DEFERRED, other)).exists();
        // an ID in no queue is no error, as with Postfix's flush(8)
        assertThat(run("-i", "ABCDEF12345")).isZero();
    }

    @Test
    void flushFileWithTheMailSystemDownTouchesNothing() throws Exception {
        QueueDirectory queue = setUp();
        String id = deferred(queue);
        assertThatThrownBy(() -> run("-i", id)).hasMessage("Cannot flush mail queue - mail system is down");
        assertThat(queue.path(QueueName.DEFERRED, id)).exists();
    }

    @Test
    void flushQueueTriggersQmgrAndPickup() throws Exception {
        QueueDirectory queue = setUp();
        qmgr = listen(queue, "qmgr");
        pickup = listen(queue, "pickup");
        assertThat(run("-f")).isZero();
        assertThat(java.util.List.of(triggers.poll(5, TimeUnit.SECONDS), triggers.poll(5, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder("qmgr:FADI", "pickup:W");
    }

    @Test
    void flushSiteOnlyForFastFlushDomains() throws Exception {
        QueueDirectory queue = setUp("relay_domains = example.com");
        qmgr = listen(queue, "qmgr");
        flushServer = flush(queue);
        String id = deferred(queue);
        Files.writeString(queue.dir(QueueName.FLUSH).resolve("example_com"), id + "\n");
        assertThat(run("-s", "example.com")).isZero();
        // flush(8): forget dead destinations, move the site's mail to incoming/, scan it
        assertThat(triggers.poll(5, TimeUnit.SECONDS)).isEqualTo("qmgr:F");
        assertThat(triggers.poll(5, TimeUnit.SECONDS)).isEqualTo("qmgr:I");
        assertThat(queue.path(QueueName.INCOMING, id)).exists();
        assertThatThrownBy(() -> run("-s", "other.test")).hasMessage("Flush service is not configured for destination \"other.test\"");
    }

    @Test
    void siteSyntax() {
        assertThat(Postqueue.validSite("example.com")).isTrue();
        assertThat(Postqueue.validSite("[192.0.2.1]")).isTrue();
        assertThat(Postqueue.validSite("[ipv6:2001:db8::1]")).isTrue();
        assertThat(Postqueue.validSite("[300.0.0.1]")).isFalse();
        assertThat(Postqueue.validSite("a..b")).isFalse();
        assertThat(Postqueue.validSite("-a.b")).isFalse();
        assertThat(Postqueue.validSite("192.0.2.1")).isFalse();
    }
}
