package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.posthorn.queue.Envelope;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.bounce.Bounce;
import org.posthorn.queue.QueueFileEditor;
import org.posthorn.queue.QueueFileLock;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueId;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.SpareFiles;
import org.posthorn.queue.Recipient;

/** qmgr over a real temp queue directory with queue files written as cleanup writes them and test agents. */
class QmgrTest {
    private static final String LINE = ", delay=\\d+(\\.\\d+)?, delays=[\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+, ";

    @TempDir
    Path dir;
    QmgrFixture f;

    @BeforeEach
    void setUp() {
        f = new QmgrFixture(dir);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    /** A Bounce that records requests and answers yes. */
    static class AcceptingBounce implements Bounce {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public boolean flushBounced(Notice m) {
            calls.add("bounced " + m.queueId());
            return true;
        }

        @Override
        public boolean flushExpired(Notice m) {
            calls.add("expired " + m.queueId());
            return true;
        }

        @Override
        public boolean warnDelayed(Notice m) {
            calls.add("warn " + m.queueId());
            return true;
        }

        @Override
        public boolean flushTraced(Notice m) {
            calls.add("traced " + m.queueId());
            return true;
        }

        @Override
        public boolean flushReport(Notice m) {
            calls.add("report " + m.queueId());
            return true;
        }
    }

    @Test
    void deliveredMessageIsRemovedWithPostfixLogLines() throws Exception {
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "bob@one.test", "carol@one.test");
        f.start();
        f.idle();
        assertThat(smtp.requests).hasSize(1);
        DeliveryRequest r = smtp.requests.get(0);
        assertThat(r.nexthop()).isEqualTo("one.test");
        assertThat(r.transport()).isEqualTo("smtp");
        assertThat(r.sender()).isEqualTo("alice@src.test");
        assertThat(r.recipients()).extracting(DeliveryRecipient::address).containsExactly("bob@one.test", "carol@one.test");
        assertThat(f.queue.find(id, QueueName.values())).isEmpty();
        String q = f.syslogName;
        assertThat(f.log.lines).anyMatch(l -> l.matches(q + "/qmgr: " + id + ": from=<alice@src.test>, size=\\d+, nrcpt=2 \\(queue active\\)"));
        assertThat(f.log.lines).anyMatch(l -> l.matches(q + "/smtp: " + id + ": to=<bob@one.test>, relay=one.test\\[127.0.0.1\\]:25"
                + LINE + "dsn=2.0.0, status=sent \\(250 2.0.0 Ok\\)"));
        assertThat(f.log.lines).contains(q + "/qmgr: " + id + ": removed");
        // removed comes after both delivery lines
        assertThat(f.log.lines.indexOf(q + "/qmgr: " + id + ": removed"))
                .isGreaterThan(f.log.lines.indexOf(f.log.matching("to=<carol@one.test>").get(0)));
    }

    @Test
    void aDeliveredMessagesFileBecomesTheNextMessagesFile() throws Exception {
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "bob@one.test");
        long inode = QueueId.parse(id).orElseThrow().inode();
        f.start();
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": removed");
        Path spare = f.queue.root().resolve(SpareFiles.DIRECTORY).resolve(Long.toString(inode));
        assertThat(spare).isEmptyFile();
        Thread.sleep(200); // a spare waits 100 ms before it is used again
        String next = f.message("alice@src.test", "carol@one.test");
        assertThat(QueueId.parse(next).orElseThrow().inode()).isEqualTo(inode);
        assertThat(spare).doesNotExist();
    }

    @Test
    void anEnvelopeHandedOverByCleanupIsUsedOnlyForTheFileItDescribes() throws Exception {
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String handed = f.message("alice@src.test", "bob@one.test");
        String resized = f.message("carol@src.test", "dave@one.test");
        // envelopes that differ from their files only in the sender: the log shows which was used
        f.qmgr.expect(handed, withSender(read(handed), "handed@src.test", 0));
        f.qmgr.expect(resized, withSender(read(resized), "handed@src.test", 1));
        f.start();
        f.idle();
        assertThat(f.log.lines).anyMatch(l -> l.endsWith(handed + ": from=<handed@src.test>, size=24, nrcpt=1 (queue active)"));
        // one that does not fit the file's size is not the file's: qmgr reads the file
        assertThat(f.log.lines).anyMatch(l -> l.endsWith(resized + ": from=<carol@src.test>, size=24, nrcpt=1 (queue active)"));
        assertThat(smtp.requests).hasSize(2);
    }

    @Test
    void aFileCleanupAnnouncesIsTakenWithoutAScanOfIncoming() throws Exception {
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        f.start();
        f.idle();
        String announced = f.message("alice@src.test", "bob@one.test");
        String unannounced = f.message("alice@src.test", "carol@one.test");
        f.qmgr.incomingArrived(announced);
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + announced + ": removed");
        assertThat(f.queue.find(unannounced, QueueName.INCOMING)).isPresent();
        // the wake-up timer's scan (master.cf's 300 s for qmgr) finds what nobody announced
        f.qmgr.wakeup();
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + unannounced + ": removed");
        assertThat(smtp.delivered).containsExactlyInAnyOrder("bob@one.test", "carol@one.test");
    }

    @Test
    void announcementsBeyondTheLimitMakeQmgrScanIncoming() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        f.bounce = new AcceptingBounce() {
            @Override
            public boolean flushBounced(Notice m) {
                // qmgr's loop waits here, so announcements pile up untaken
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.flushBounced(m);
            }
        };
        TestAgent smtp = new TestAgent(n -> n.equals("bounce.test") ? "bounced" : "sent", n -> Duration.ZERO);
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String bounced = f.message("alice@src.test", "nosuch@bounce.test");
        f.start();
        assertThat(entered.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i <= Qmgr.ARRIVALS_LIMIT; i++) f.qmgr.incomingArrived("ABCDE" + Integer.toHexString(0x100000 + i).toUpperCase());
        String unannounced = f.message("alice@src.test", "carol@one.test");
        release.countDown();
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + bounced + ": removed",
                f.syslogName + "/qmgr: " + unannounced + ": removed");
        assertThat(smtp.delivered).containsExactly("carol@one.test");
    }

    @Test
    void aHandedOverEnvelopeIsUsedOnlyWhileItIsYoungerThanTenSeconds() throws Exception {
        ManualClock clock = new ManualClock();
        f.clock = clock;
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String stale = f.message("alice@src.test", "bob@one.test");
        String fresh = f.message("carol@src.test", "dave@one.test");
        f.qmgr.expect(stale, withSender(read(stale), "handed@src.test", 0));
        clock.advance(Duration.ofMillis(Qmgr.ARRIVAL_MAX_AGE_MILLIS));
        f.qmgr.expect(fresh, withSender(read(fresh), "handed@src.test", 0));
        clock.advance(Duration.ofMillis(Qmgr.ARRIVAL_MAX_AGE_MILLIS - 1));
        f.start();
        f.idle();
        assertThat(f.log.lines).anyMatch(l -> l.endsWith(fresh + ": from=<handed@src.test>, size=24, nrcpt=1 (queue active)"));
        // ten seconds old: the file may have been rewritten since, so qmgr reads it
        assertThat(f.log.lines).anyMatch(l -> l.endsWith(stale + ": from=<alice@src.test>, size=24, nrcpt=1 (queue active)"));
    }

    /** A clock that moves only when the test moves it. */
    static final class ManualClock extends java.time.Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private Envelope read(String id) throws IOException {
        try (QueueFileReader r = QueueFileReader.open(f.queue.find(id, QueueName.values()).orElseThrow())) {
            return r.envelope();
        }
    }

    private static Envelope withSender(Envelope e, String sender, long endShift) {
        return new Envelope(e.size(), e.arrivalTime(), sender, e.fullName(), e.attributes(), e.recipients(), e.records(),
                e.dataOffset(), e.extractedOffset(), e.endOffset() + endShift);
    }

    @Test
    void aQueueFileWithASecondLinkIsLeftAlone() throws Exception {
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "bob@one.test");
        Path file = f.queue.find(id, QueueName.values()).orElseThrow();
        Path other = file.resolveSibling("linked-in");
        Files.createLink(other, file);
        f.start();
        f.idle();
        assertThat(smtp.requests).isEmpty();
        assertThat(Files.exists(file)).isTrue();
        assertThat(f.log.lines).anyMatch(l -> l.endsWith(id + ": file has 2 links"));
    }

    @Test
    void deferredMessageGoesToDeferredWithBackoffAndDeferLog() throws Exception {
        TestAgent smtp = new TestAgent(n -> n.equals("later.test") ? "deferred" : "sent", n -> Duration.ZERO);
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        Instant arrival = Instant.now().minusSeconds(1000);
        String id = f.message(QueueName.INCOMING, arrival, "alice@src.test", "x@later.test", "y@now.test");
        f.start();
        f.idle();
        Path deferred = f.queue.path(QueueName.DEFERRED, id);
        assertThat(deferred).exists();
        assertThat(deferred.getParent().getFileName().toString()).isEqualTo(id.substring(0, 1));
        // back-off = time in queue (1000 s), between minimal_backoff_time and maximal_backoff_time
        long mtime = Files.getLastModifiedTime(deferred).toInstant().getEpochSecond();
        assertThat(mtime).isBetween(Instant.now().getEpochSecond() + 995, Instant.now().getEpochSecond() + 1002);
        long offset;
        try (QueueFileReader r = QueueFileReader.open(deferred)) {
            List<Recipient> rc = r.envelope().recipients();
            assertThat(rc.get(0).status()).isEqualTo(Recipient.Status.TODO);
            assertThat(rc.get(1).status()).isEqualTo(Recipient.Status.DONE);
            offset = rc.get(0).offset();
        }
        Path deferLog = f.queue.path(QueueName.DEFER, id);
        assertThat(Files.readString(deferLog)).isEqualTo("\n<x@later.test>: 450 4.2.0 try again\nrecipient=x@later.test\noffset="
                + offset + "\nstatus=4.2.0\naction=delayed\nreason=450 4.2.0 try again\n\n");
        assertThat(f.log.lines).anyMatch(l -> l.matches(f.syslogName + "/smtp: " + id
                + ": to=<x@later.test>, relay=later.test\\[127.0.0.1\\]:25" + LINE + "dsn=4.2.0, status=deferred \\(450 4.2.0 try again\\)"));
        assertThat(f.log.matching(id + ": removed")).isEmpty();
    }

    @Test
    void sendmailVerboseReportsTheFirstPassOnceAndKillsTraceFlags() throws Exception {
        AcceptingBounce bounce = new AcceptingBounce();
        f.bounce = bounce;
        TestAgent smtp = new TestAgent(n -> n.equals("later.test") ? "deferred" : "sent", n -> Duration.ZERO);
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message(QueueName.INCOMING, Instant.now(), 1024, "alice@src.test", "x@later.test", "y@now.test");
        f.start();
        f.idle();
        assertThat(bounce.calls).containsExactly("report " + id);
        // every outcome went to the trace log, the delivery with the relay named as Postfix's trace_append does
        String trace = Files.readString(f.queue.path(QueueName.TRACE, id));
        assertThat(trace).contains("recipient=x@later.test\n").contains("action=delayed\n")
                .contains("recipient=y@now.test\n").contains("action=delivered\n")
                .contains("reason=delivery via now.test[127.0.0.1]:25: ");
        Path deferred = f.queue.path(QueueName.DEFERRED, id);
        try (QueueFileReader r = QueueFileReader.open(deferred)) {
            // killed in place: postcat shows killed_record: trace_flags=1024
            assertThat(r.envelope().attribute("trace_flags")).isNull();
            assertThat(r.envelope().first(org.posthorn.queue.RecordType.KILL).text()).isEqualTo("trace_flags=1024");
            assertThat(r.envelope().first(org.posthorn.queue.RecordType.ATTR)).isNull();
        }
        // a later attempt neither records nor reports
        Files.delete(f.queue.path(QueueName.TRACE, id));
        f.qmgr.trigger("AD".getBytes(StandardCharsets.US_ASCII));
        f.idle();
        assertThat(smtp.requests).hasSize(3);
        assertThat(bounce.calls).containsExactly("report " + id);
        assertThat(f.queue.path(QueueName.TRACE, id)).doesNotExist();
    }

    @Test
    void backoffIsBoundedByMinimalAndMaximal() {
        Instant now = Instant.ofEpochSecond(1_000_000);
        assertThat(Backoff.delaySeconds(now.minusSeconds(10), now, 300, 4000)).isEqualTo(300);
        assertThat(Backoff.delaySeconds(now.minusSeconds(1000), now, 300, 4000)).isEqualTo(1000);
        assertThat(Backoff.delaySeconds(now.minusSeconds(100_000), now, 300, 4000)).isEqualTo(4000);
        assertThat(Backoff.expired(now.minusSeconds(5 * 86400), now, 5 * 86400)).isTrue();
        assertThat(Backoff.expired(now.minusSeconds(5 * 86400 - 1), now, 5 * 86400)).isFalse();
        assertThat(Backoff.expired(now, now, 0)).isTrue();
    }

    @Test
    void expiredMessageIsReturnedToSender() throws Exception {
        AcceptingBounce bounce = new AcceptingBounce();
        f.bounce = bounce;
        TestAgent smtp = new TestAgent(n -> "deferred", n -> Duration.ZERO);
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message(QueueName.INCOMING, Instant.now().minusSeconds(6 * 86400), "alice@src.test", "x@later.test");
        f.start();
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": from=<alice@src.test>, status=expired, returned to sender");
        assertThat(bounce.calls).containsExactly("expired " + id);
        assertThat(f.queue.find(id, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)).isEmpty();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": removed");
    }

    @Test
    void nullSenderExpiresAfterBounceQueueLifetime() throws Exception {
        AcceptingBounce bounce = new AcceptingBounce();
        f.bounce = bounce;
        f.params.put("bounce_queue_lifetime", "1h");
        f.create().register("smtp", new TestAgent(n -> "deferred", n -> Duration.ZERO), 0, f.agentLog("smtp"));
        String nullSender = f.message(QueueName.INCOMING, Instant.now().minusSeconds(7200), "", "x@later.test");
        String normal = f.message(QueueName.INCOMING, Instant.now().minusSeconds(7200), "a@src.test", "x@later.test");
        f.start();
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + nullSender + ": from=<>, status=expired, returned to sender");
        assertThat(f.log.matching(normal + ": from=<a@src.test>, status=expired")).isEmpty();
        assertThat(f.queue.path(QueueName.DEFERRED, normal)).exists();
    }

    @Test
    void forceExpiredMessageIsNotTriedAndIsReturned() throws Exception {
        AcceptingBounce bounce = new AcceptingBounce();
        f.bounce = bounce;
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message(QueueName.DEFERRED, Instant.now(), "alice@src.test", "x@one.test");
        Path p = f.queue.path(QueueName.DEFERRED, id);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x---")); // postsuper -e
        f.start();
        f.idle();
        assertThat(smtp.requests).isEmpty();
        // never tried: deferred by the retry transport with Postfix's reason, then returned
        assertThat(f.log.matching(id + ": to=<x@one.test>, relay=none")).singleElement().asString()
                .contains("dsn=4.7.0, status=deferred (message is administratively expired)");
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": from=<alice@src.test>, status=force-expired, returned to sender");
        assertThat(bounce.calls).containsExactly("expired " + id);
        assertThat(p).doesNotExist();
    }

    @Test
    void forceExpiredDeferredMessageIsReturnedWithItsDeferralReason() throws Exception {
        AcceptingBounce bounce = new AcceptingBounce();
        f.bounce = bounce;
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message(QueueName.DEFERRED, Instant.now(), "alice@src.test", "x@one.test");
        Path deferLog = f.queue.path(QueueName.DEFER, id);
        Files.createDirectories(deferLog.getParent());
        Files.writeString(deferLog, "\n<x@one.test>: connect refused\nrecipient=x@one.test\noffset=1\nstatus=4.4.1\naction=delayed\nreason=connect refused\n\n");
        Files.setPosixFilePermissions(f.queue.path(QueueName.DEFERRED, id), PosixFilePermissions.fromString("rwx--x---"));
        f.start();
        f.idle();
        assertThat(smtp.requests).isEmpty();
        assertThat(f.log.matching(id + ": to=")).isEmpty(); // no new attempt, the earlier reason stands
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": from=<alice@src.test>, status=force-expired, returned to sender");
        assertThat(bounce.calls).containsExactly("expired " + id);
    }

    /** Waits until the agent has a request in hand. */
    private static void awaitRequest(TestAgent agent) throws InterruptedException {
        for (int i = 0; i < 500 && agent.requests.isEmpty(); i++) Thread.sleep(10);
        assertThat(agent.requests).isNotEmpty();
    }

    @Test
    void eachDeliveryHoldsASharedLockThatPostsuperWaitsFor() throws Exception {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<DeliveryRequest> requests = new CopyOnWriteArrayList<>();
        DeliveryAgent blocking = request -> {
            requests.add(request);
            go.await();
            for (DeliveryRecipient r : request.recipients()) request.report().sent(r, DeliveryStatus.of("2.0.0", "one.test", "250 Ok"));
        };
        f.create().register("smtp", blocking, 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "a@one.test");
        f.start();
        for (int i = 0; i < 500 && requests.isEmpty(); i++) Thread.sleep(10);
        assertThat(requests).hasSize(1);
        Path active = f.queue.path(QueueName.ACTIVE, id);
        try (QueueFileLock lock = QueueFileLock.open(active)) {
            assertThat(lock.tryExclusive()).isFalse();
            java.util.concurrent.CompletableFuture<Void> postsuper = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    lock.exclusive();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(200);
            assertThat(postsuper).isNotDone(); // waits for the delivery in progress
            go.countDown();
            postsuper.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        f.idle();
        assertThat(f.log.matching(id + ": removed")).hasSize(1);
    }

    @Test
    void filesHeldOrDeletedWhileWaitingInActiveAreForgottenWithoutDeliveryOrLog() throws Exception {
        TestAgent smtp = new TestAgent(n -> "sent", n -> Duration.ofMillis(500));
        f.create().register("smtp", smtp, 1, f.agentLog("smtp")); // one delivery at a time
        String first = f.message("alice@src.test", "a@one.test");
        f.start();
        awaitRequest(smtp);
        String held = f.message("alice@src.test", "b@one.test", "c@two.test");
        String deleted = f.message("alice@src.test", "d@one.test");
        f.qmgr.wakeup();
        Path heldActive = f.queue.path(QueueName.ACTIVE, held);
        Path deletedActive = f.queue.path(QueueName.ACTIVE, deleted);
        for (int i = 0; i < 300 && !(Files.exists(heldActive) && Files.exists(deletedActive)); i++) Thread.sleep(5);
        // postsuper -h and -d while both wait for the busy transport (no delivery of theirs in progress)
        Files.move(heldActive, f.queue.path(QueueName.HOLD, held));
        Files.delete(deletedActive);
        f.idle();
        assertThat(smtp.delivered).containsExactly("a@one.test");
        assertThat(f.log.matching(first + ": removed")).hasSize(1);
        for (String id : List.of(held, deleted)) {
            assertThat(f.log.matching(id + ": removed")).isEmpty();
            assertThat(f.log.matching(id + ": to=")).isEmpty();
            assertThat(f.queue.find(id, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.INCOMING)).isEmpty();
        }
        try (QueueFileReader r = QueueFileReader.open(f.queue.path(QueueName.HOLD, held))) {
            assertThat(r.envelope().pendingRecipients()).hasSize(2);
        }
    }

    @Test
    void forceExpiryRequestedWhileActiveReturnsTheMessageAfterTheAttempt() throws Exception {
        AcceptingBounce bounce = new AcceptingBounce();
        f.bounce = bounce;
        TestAgent smtp = new TestAgent(n -> "deferred", n -> Duration.ofMillis(300));
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "x@later.test");
        f.start();
        awaitRequest(smtp);
        Files.setPosixFilePermissions(f.queue.path(QueueName.ACTIVE, id), PosixFilePermissions.fromString("rwx--x---"));
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": from=<alice@src.test>, status=force-expired, returned to sender");
        assertThat(bounce.calls).containsExactly("expired " + id);
    }

    @Test
    void bouncedRecipientIsLoggedMarkedDoneAndKeptUntilANoticeCanBeSent() throws Exception {
        TestAgent smtp = new TestAgent(n -> "bounced", n -> Duration.ZERO);
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "nosuch@one.test");
        f.start();
        f.idle();
        // the interim bounce service writes no notice: the message and its bounce log stay
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: warning: " + id + ": bounce notice not sent: not implemented");
        Path deferred = f.queue.path(QueueName.DEFERRED, id);
        assertThat(deferred).exists();
        try (QueueFileReader r = QueueFileReader.open(deferred)) {
            assertThat(r.envelope().pendingRecipients()).isEmpty();
        }
        String bounceLog = Files.readString(f.queue.path(QueueName.BOUNCE, id));
        assertThat(bounceLog).contains("recipient=nosuch@one.test\n", "status=5.1.1\naction=failed\ndiag_type=smtp\n"
                + "diag_text=550 5.1.1 no such user\nmta_type=dns\nmta_name=one.test\nreason=host one.test said: 550 5.1.1 no such user\n\n");
        assertThat(f.log.lines).anyMatch(l -> l.matches(f.syslogName + "/smtp: " + id + ": to=<nosuch@one.test>, relay=one.test\\[127.0.0.1\\]:25"
                + LINE + "dsn=5.1.1, status=bounced \\(host one.test said: 550 5.1.1 no such user\\)"));
    }

    @Test
    void bouncedMessageIsRemovedOnceTheNoticeIsSent() throws Exception {
        AcceptingBounce bounce = new AcceptingBounce();
        f.bounce = bounce;
        f.create().register("smtp", new TestAgent(n -> "bounced", n -> Duration.ZERO), 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "nosuch@one.test");
        f.start();
        f.idle();
        assertThat(bounce.calls).containsExactly("bounced " + id);
        assertThat(f.queue.find(id, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)).isEmpty();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": removed");
    }

    @Test
    void restartPutsActiveFilesBackAndDeliversOnlyWhatIsNotDone() throws Exception {
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message("alice@src.test", "a@one.test", "b@one.test", "c@one.test");
        Path incoming = f.queue.path(QueueName.INCOMING, id);
        try (QueueFileReader r = QueueFileReader.open(incoming)) {
            QueueFileEditor.markDone(incoming, r.envelope().recipients().get(1).offset()); // b was delivered before the crash
        }
        f.queue.rename(id, QueueName.INCOMING, QueueName.ACTIVE);
        f.start();
        f.idle();
        assertThat(smtp.delivered).containsExactlyInAnyOrder("a@one.test", "c@one.test");
        assertThat(f.queue.find(id, QueueName.values())).isEmpty();
        assertThat(f.queue.list(QueueName.ACTIVE)).isEmpty();
    }

    @Test
    void corruptFileGoesToCorrupt() throws Exception {
        f.create().register("smtp", TestAgent.sending(), 0, f.agentLog("smtp"));
        Path bad = f.queue.dir(QueueName.INCOMING).resolve("ABCDEF123");
        Files.write(bad, "C\u0005hello not a queue file".getBytes(StandardCharsets.ISO_8859_1));
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rwx------"));
        f.start();
        f.idle();
        assertThat(f.queue.dir(QueueName.CORRUPT).resolve("ABCDEF123")).exists();
        assertThat(bad).doesNotExist();
        assertThat(f.log.all()).contains("saving corrupt file \"ABCDEF123\" from queue \"active\" to queue \"corrupt\"");
    }

    @Test
    void incompleteFilesAndHeldMailAreLeftAlone() throws Exception {
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String writing = f.message("a@src.test", "x@one.test");
        Path p = f.queue.path(QueueName.INCOMING, writing);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        String held = f.message(QueueName.HOLD, Instant.now(), "a@src.test", "y@one.test");
        f.start();
        f.idle();
        assertThat(smtp.requests).isEmpty();
        assertThat(p).exists();
        assertThat(f.queue.path(QueueName.HOLD, held)).exists();
    }

    @Test
    void triggersScanQueuesAndAIgnoresDeferredTimeStamps() throws Exception {
        f.params.put("queue_run_delay", "1000s");
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String later = f.message(QueueName.DEFERRED, Instant.now(), "a@src.test", "x@one.test");
        Path deferred = f.queue.path(QueueName.DEFERRED, later);
        Files.setLastModifiedTime(deferred, FileTime.from(Instant.now().plusSeconds(3600)));
        f.start();
        f.idle();
        assertThat(smtp.requests).isEmpty(); // still cooling down
        String fresh = f.message("a@src.test", "y@one.test");
        f.idle();
        assertThat(f.queue.path(QueueName.INCOMING, fresh)).exists(); // no scan without a trigger
        f.qmgr.trigger("I".getBytes(StandardCharsets.US_ASCII));
        f.idle();
        assertThat(smtp.delivered).containsExactly("y@one.test");
        f.qmgr.trigger("D".getBytes(StandardCharsets.US_ASCII));
        f.idle();
        assertThat(deferred).exists();
        f.qmgr.trigger("AD".getBytes(StandardCharsets.US_ASCII));
        f.idle();
        assertThat(smtp.delivered).containsExactly("y@one.test", "x@one.test");
        assertThat(deferred).doesNotExist();
    }

    @Test
    void recipientLimitSplitsJobs() throws Exception {
        f.params.put("smtp_destination_recipient_limit", "2");
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        f.message("a@src.test", "r1@one.test", "r2@one.test", "r3@one.test", "r4@one.test", "r5@one.test");
        f.start();
        f.idle();
        assertThat(smtp.requests).extracting(r -> r.recipients().size()).containsExactlyInAnyOrder(2, 2, 1);
    }

    @Test
    void localTransportQueuesPerRecipient() throws Exception {
        f.routes.put("here.test", "local:here.test");
        TestAgent local = new TestAgent(n -> "sent", n -> Duration.ofMillis(100));
        f.create().register("local", local, 0, f.agentLog("local"));
        for (int i = 0; i < 4; i++) f.message("a@src.test", "joe@here.test", "ann@here.test");
        f.start();
        f.idle();
        // local_destination_recipient_limit=1: one recipient per request
        assertThat(local.requests).hasSize(8).allMatch(r -> r.recipients().size() == 1);
        assertThat(local.maxTotal.get()).isLessThanOrEqualTo(4); // 2 per recipient queue
    }

    @Test
    void processLimitBoundsDeliveriesOfATransport() throws Exception {
        TestAgent smtp = new TestAgent(n -> "sent", n -> Duration.ofMillis(50));
        f.create().register("smtp", smtp, 3, f.agentLog("smtp"));
        for (int i = 0; i < 12; i++) f.message("a@src.test", "x@d" + i + ".test");
        f.start();
        f.idle();
        assertThat(smtp.delivered).hasSize(12);
        assertThat(smtp.maxTotal.get()).isEqualTo(3);
    }

    @Test
    void inFlowTokensComeBackAsQmgrTakesMailFromIncoming() throws Exception {
        f.params.put("default_process_limit", "3");
        f.params.put("in_flow_delay", "1s");
        TestAgent smtp = new TestAgent(n -> "sent", n -> Duration.ZERO);
        InFlow flow = f.create().inFlow();
        f.qmgr.register("smtp", smtp, 0, f.agentLog("smtp"));
        // three messages accepted by cleanup: the bucket is empty, a fourth sender would wait
        for (int i = 0; i < 3; i++) {
            assertThat(flow.await()).isFalse();
            f.message("a@src.test", "r" + i + "@dest.test");
        }
        assertThat(flow.available()).isZero();
        f.start();
        f.idle();
        assertThat(smtp.delivered).hasSize(3);
        assertThat(flow.available()).isEqualTo(3);
    }

    @Test
    void slowDestinationDoesNotStarveOthers() throws Exception {
        f.params.put("smtp_destination_concurrency_limit", "2");
        TestAgent smtp = new TestAgent(n -> "sent", n -> n.equals("slow.test") ? Duration.ofMillis(150) : Duration.ZERO);
        f.create().register("smtp", smtp, 4, f.agentLog("smtp"));
        for (int i = 0; i < 30; i++) f.message("list@src.test", "m" + i + "@slow.test");
        f.message("a@src.test", "fast@fast.test");
        f.start();
        f.idle();
        List<String> order = new ArrayList<>(smtp.delivered);
        assertThat(order).hasSize(31);
        // the fast destination got its turn long before the mailing to the slow one was through
        assertThat(order.indexOf("fast@fast.test")).isLessThan(5);
        assertThat(smtp.maxRunning.get("slow.test").get()).isEqualTo(2);
    }

    @Test
    void deadDestinationIsThrottledThenSuspended() throws Exception {
        TestAgent smtp = new TestAgent(n -> n.equals("dead.test") ? "unreachable" : "sent", n -> Duration.ofMillis(30));
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        for (int i = 0; i < 20; i++) f.message("a@src.test", "m" + i + "@dead.test");
        f.message("a@src.test", "ok@live.test");
        f.start();
        f.idle();
        // the first cohort (initial concurrency 5) fails; then the destination is dead
        assertThat(smtp.requests.stream().filter(r -> r.nexthop().equals("dead.test")).count()).isBetween(4L, 6L);
        assertThat(f.qmgr.window("smtp", "dead.test")).isEqualTo(0);
        assertThat(f.log.lines).anyMatch(l -> l.matches(f.syslogName + "/qmgr: [0-9A-F]+: to=<m\\d+@dead.test>, relay=none" + LINE
                + "dsn=4.4.1, status=deferred \\(delivery temporarily suspended: connect to dead.test\\[127.0.0.1\\]:25: Connection refused\\)"));
        assertThat(smtp.delivered).containsExactly("ok@live.test");
        assertThat(f.queue.list(QueueName.DEFERRED)).hasSize(20);
        // F forgets dead destinations; A D retries at once
        f.qmgr.trigger("FAD".getBytes(StandardCharsets.US_ASCII));
        f.idle();
        assertThat(smtp.requests.stream().filter(r -> r.nexthop().equals("dead.test")).count()).isGreaterThan(6L);
    }

    @Test
    void resolverFailureDefersAndBadAddressBounces() throws Exception {
        f.create();
        String id = f.message("a@src.test", "x@fail.test", "y@bad.test");
        f.start();
        f.idle();
        String q = f.syslogName;
        assertThat(f.log.lines).anyMatch(l -> l.matches(q + "/qmgr: " + id + ": to=<x@fail.test>, relay=none" + LINE
                + "dsn=4.3.0, status=deferred \\(address resolver failure\\)"));
        assertThat(f.log.lines).anyMatch(l -> l.matches(q + "/qmgr: " + id + ": to=<y@bad.test>, relay=none" + LINE
                + "dsn=5.1.3, status=bounced \\(bad address syntax\\)"));
    }

    @Test
    void transportWithoutAgentDefersAsMailTransportUnavailable() throws Exception {
        f.create().register("retry", org.posthorn.error.ErrorService.forService("retry"), 0, f.agentLog("error"));
        String id = f.message("a@src.test", "x@one.test");
        f.start();
        f.idle();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: warning: connect to transport private/smtp: No such file or directory");
        assertThat(f.log.lines).anyMatch(l -> l.matches(f.syslogName + "/error: " + id + ": to=<x@one.test>, relay=none" + LINE
                + "dsn=4.3.0, status=deferred \\(mail transport unavailable\\)"));
        assertThat(f.queue.path(QueueName.DEFERRED, id)).exists();
    }

    @Test
    void deferTransportsHoldsBackTheirMail() throws Exception {
        f.params.put("defer_transports", "smtp");
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String id = f.message("a@src.test", "x@one.test");
        f.start();
        f.idle();
        assertThat(smtp.requests).isEmpty();
        assertThat(f.log.lines).anyMatch(l -> l.matches(f.syslogName + "/qmgr: " + id + ": to=<x@one.test>, relay=none" + LINE
                + "dsn=4.3.2, status=deferred \\(deferred transport\\)"));
    }

    @Test
    void anAgentThatThrowsLeavesItsRecipientsDeferredAndSuspendsTheTransport() throws Exception {
        TestAgent smtp = new TestAgent(n -> "throw", n -> Duration.ofMillis(20));
        f.create().register("smtp", smtp, 1, f.agentLog("smtp"));
        String a = f.message("a@src.test", "x@one.test");
        String b = f.message("a@src.test", "y@two.test");
        f.start();
        f.idle();
        // transport_retry_time: whichever message went first, the other waits without another try
        assertThat(smtp.requests).hasSize(1);
        boolean aFirst = smtp.requests.getFirst().queueId().equals(a);
        String tried = aFirst ? a : b;
        String waiting = aFirst ? b : a;
        String triedRcpt = aFirst ? "x@one.test" : "y@two.test";
        String waitingRcpt = aFirst ? "y@two.test" : "x@one.test";
        assertThat(f.log.lines).anyMatch(l -> l.matches(f.syslogName + "/smtp: " + tried + ": to=<" + triedRcpt + ">, relay=none" + LINE
                + "dsn=4.3.0, status=deferred \\(unknown mail transport error\\)"));
        assertThat(f.queue.path(QueueName.DEFERRED, tried)).exists();
        assertThat(f.log.lines).anyMatch(l -> l.matches(f.syslogName + "/qmgr: " + waiting + ": to=<" + waitingRcpt + ">, relay=none" + LINE
                + "dsn=4.3.0, status=deferred \\(delivery temporarily suspended: unknown mail transport error\\)"));
    }

    @Test
    void activeLimitBoundsMessagesInMemory() throws Exception {
        f.params.put("qmgr_message_active_limit", "2");
        TestAgent smtp = new TestAgent(n -> "sent", n -> Duration.ofMillis(20));
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        for (int i = 0; i < 8; i++) f.message("a@src.test", "x" + i + "@d" + i + ".test");
        f.start();
        f.idle();
        assertThat(smtp.delivered).hasSize(8);
        assertThat(smtp.maxTotal.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void statusOfTheWrongClassIsReplacedWithAWarning() throws Exception {
        f.routes.put("err4.test", "error:4.7.1 odd class");
        f.routes.put("retry3.test", "retry:5.1.1 bad class");
        f.create();
        f.qmgr.register("error", org.posthorn.error.ErrorService.forService("error"), 0, f.agentLog("error"));
        f.qmgr.register("retry", org.posthorn.error.ErrorService.forService("retry"), 0, f.agentLog("error"));
        String id = f.message("bob@src.test", "p@retry3.test", "q@err4.test");
        f.start();
        f.idle();
        String e = f.syslogName + "/error: ";
        // as Postfix 3.7.11 logged for the same transport table
        assertThat(f.log.lines).contains(e + "warning: defer_append: ignoring dsn code \"5.1.1\"",
                e + "warning: bounce_append: ignoring dsn code \"4.7.1\"");
        assertThat(f.log.lines).anyMatch(l -> l.matches(e + id + ": to=<p@retry3.test>, relay=none" + LINE
                + "dsn=4.0.0, status=deferred \\(bad class\\)"));
        assertThat(f.log.lines).anyMatch(l -> l.matches(e + id + ": to=<q@err4.test>, relay=none" + LINE
                + "dsn=5.0.0, status=bounced \\(odd class\\)"));
    }

    @Test
    void aSmallMessageIsNotStuckBehindABigMailingToTheSameDestination() throws Exception {
        f.params.put("smtp_destination_concurrency_limit", "1");
        f.params.put("smtp_destination_recipient_limit", "2");
        TestAgent smtp = new TestAgent(n -> "sent", n -> Duration.ofMillis(10));
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String[] list = new String[40];
        for (int i = 0; i < list.length; i++) list[i] = "m" + i + "@same.test";
        f.message("list@src.test", list);
        f.message("a@src.test", "single@same.test");
        f.start();
        f.idle();
        assertThat(smtp.delivered).hasSize(41);
        assertThat(smtp.delivered.indexOf("single@same.test")).isLessThan(5);
    }

    @Test
    void rateDelayPausesBetweenDeliveriesToADestination() throws Exception {
        f.params.put("smtp_destination_rate_delay", "1s");
        List<Instant> times = new CopyOnWriteArrayList<>();
        f.create().register("smtp", request -> {
            times.add(Instant.now());
            for (DeliveryRecipient r : request.recipients()) request.report().sent(r, DeliveryStatus.of("2.0.0", "x", "ok"));
        }, 0, f.agentLog("smtp"));
        for (int i = 0; i < 3; i++) f.message("a@src.test", "r" + i + "@paced.test");
        f.start();
        f.idle();
        assertThat(times).hasSize(3);
        assertThat(Duration.between(times.get(0), times.get(1)).toMillis()).isGreaterThanOrEqualTo(950);
        assertThat(Duration.between(times.get(1), times.get(2)).toMillis()).isGreaterThanOrEqualTo(950);
    }

    @Test
    void recipientLimitReadsABigMessageInBatches() throws Exception {
        f.params.put("qmgr_message_recipient_limit", "10");
        f.params.put("qmgr_message_recipient_minimum", "4");
        f.params.put("smtp_destination_recipient_limit", "100");
        TestAgent smtp = TestAgent.sending();
        f.create().register("smtp", smtp, 0, f.agentLog("smtp"));
        String[] list = new String[25];
        for (int i = 0; i < list.length; i++) list[i] = "m" + i + "@big.test";
        String id = f.message("list@src.test", list);
        f.start();
        f.idle();
        // batches of at most 10 recipients, all delivered, then the file is removed
        assertThat(smtp.requests).extracting(r -> r.recipients().size()).containsExactly(10, 10, 5);
        assertThat(smtp.delivered).hasSize(25);
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": removed");
    }

    @Test
    void aReplacingQmgrLeavesFilesAloneWhileAnEarlierDeliveryRuns() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<String> deliveries = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        DeliveryAgent slow = request -> {
            entered.countDown();
            release.await();
            for (DeliveryRecipient r : request.recipients()) {
                deliveries.add(r.address());
                request.report().sent(r, DeliveryStatus.of("2.0.0", "x", "ok"));
            }
        };
        Qmgr first = f.create();
        first.register("smtp", slow, 0, f.agentLog("smtp"));
        String id = f.message("a@src.test", "x@one.test");
        first.start();
        // stop only once the delivery runs: before that the file is fair game for the next qmgr
        assertThat(entered.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        first.stop(); // a reload replaces qmgr while the delivery is still running

        f.qmgr = null;
        Qmgr second = f.create();
        second.register("smtp", slow, 0, f.agentLog("smtp"));
        second.start();
        f.idle();
        assertThat(f.queue.path(QueueName.ACTIVE, id)).exists(); // not taken from the running delivery
        release.countDown();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (deliveries.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        Thread.sleep(100);
        second.trigger("D".getBytes(StandardCharsets.US_ASCII)); // the next queue run takes the orphan back
        f.idle();
        assertThat(deliveries).containsExactly("x@one.test");
        assertThat(f.queue.find(id, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)).isEmpty();
        assertThat(f.log.lines).contains(f.syslogName + "/qmgr: " + id + ": removed");
    }
}
