package org.posthorn.showq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;

class QueueListerTest {
    @TempDir
    Path dir;

    private List<ShowqMessage> list(QueueDirectory queue) throws IOException {
        List<ShowqMessage> out = new ArrayList<>();
        new QueueLister(queue, "MAILER-DAEMON", 1000, 1 << 20, Log.of("showq")).list(out::add);
        return out;
    }

    @Test
    void listsQueuesInPostfixOrderWithReasonsFromTheDeferLog() throws Exception {
        QueueDirectory queue = QueueDirectory.of(dir);
        List<String> ids = ShowqTestQueue.fill(queue);
        List<ShowqMessage> all = list(queue);
        // active, incoming, deferred (two), hold; the 0600 file is not listed
        assertThat(all).extracting(ShowqMessage::queueName).containsExactly("active", "incoming", "deferred", "deferred", "hold");
        ShowqMessage d = all.stream().filter(m -> m.queueId().equals(ids.get(0))).findFirst().orElseThrow();
        assertThat(d.recipients()).extracting(ShowqMessage.Recipient::address)
                .containsExactly("x1@defer.test", "x2@defer.test", "x3@other.test", "late@other.test");
        assertThat(d.recipients().get(0).reason()).isEqualTo("connect to 127.0.0.1[127.0.0.1]:12599: Connection refused");
        assertThat(d.recipients().get(3).reason()).isEmpty();
        assertThat(d.arrivalTime()).isEqualTo(1795808173L);
        assertThat(d.forcedExpire()).isFalse();
        ShowqMessage held = all.get(4);
        assertThat(held.sender()).isEqualTo("MAILER-DAEMON");
        ShowqMessage expired = all.stream().filter(m -> m.queueId().equals(ids.get(2))).findFirst().orElseThrow();
        assertThat(expired.forcedExpire()).isTrue();
        assertThat(expired.sender()).isEqualTo("\"odd name\"@client.example.org");
        // the delivered recipient is gone
        assertThat(all.get(1).recipients()).extracting(ShowqMessage.Recipient::address).containsExactly("todo@example.org");
        // the size is the content size of the size record
        assertThat(all.get(0).size()).isBetween(2048L, 2100L);
    }

    @Test
    void listsAWholeQueueFilePutBackIntoMaildropByPostsuperR() throws Exception {
        QueueDirectory queue = QueueDirectory.of(dir);
        String id = ShowqTestQueue.fill(queue).get(0);
        // postsuper -r moves the queue file itself (mode 0700, size record first) into maildrop/
        queue.rename(id, QueueName.DEFERRED, QueueName.MAILDROP);
        List<ShowqMessage> all = list(queue);
        assertThat(all.get(0).queueName()).isEqualTo("maildrop");
        assertThat(all.get(0).queueId()).isEqualTo(id);
        assertThat(all.get(0).sender()).isEqualTo("sender@client.example.org");
    }

    @Test
    void emptyQueueListsNothing() throws Exception {
        QueueDirectory queue = QueueDirectory.of(dir);
        queue.check();
        assertThat(list(queue)).isEmpty();
    }

    @Test
    void protocolRoundTrip() throws Exception {
        QueueDirectory queue = QueueDirectory.of(dir);
        ShowqTestQueue.fill(queue);
        List<ShowqMessage> all = list(queue);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ShowqProtocol.writeGreeting(wire);
        for (ShowqMessage m : all) ShowqProtocol.writeMessage(wire, m);
        ShowqProtocol.writeEnd(wire);
        byte[] bytes = wire.toByteArray();
        assertThat(new String(bytes, 0, 40, StandardCharsets.US_ASCII)).isEqualTo("protocol\0mail_queue_list_protocol\0\0queue");
        ShowqProtocol.Reader r = new ShowqProtocol.Reader(new ByteArrayInputStream(bytes));
        List<ShowqMessage> back = new ArrayList<>();
        for (ShowqMessage m; (m = r.next()) != null; ) back.add(m);
        assertThat(back).isEqualTo(all);
    }

    @Test
    void truncatedOrForeignStreamsAreMalformed() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ShowqProtocol.writeGreeting(wire);
        ShowqProtocol.writeMessage(wire, new ShowqMessage("hold", "ABC", 1, 2, false, "s", List.of()));
        byte[] cut = wire.toByteArray(); // no end marker
        ShowqProtocol.Reader r = new ShowqProtocol.Reader(new ByteArrayInputStream(cut));
        assertThat(r.next()).isNotNull();
        Assertions.assertThatThrownBy(r::next).hasMessage("malformed showq server response");
        Assertions.assertThatThrownBy(() -> new ShowqProtocol.Reader(new ByteArrayInputStream("protocol\0flush_protocol\0\0".getBytes())))
                .hasMessage("malformed showq server response");
    }
}
