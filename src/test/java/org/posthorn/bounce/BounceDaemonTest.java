package org.posthorn.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;

/** Notices built from bounce, defer and trace logs, checked line by line against Postfix 3.7.11's layout. */
class BounceDaemonTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    static final Instant ARRIVAL = Instant.parse("2026-11-27T21:37:15Z");
    static final Instant NOW = Instant.parse("2026-11-27T21:37:16Z");

    @TempDir
    Path dir;
    QueueDirectory queue;
    BounceLogs logs;
    CapturingCleanup cleanup = new CapturingCleanup();
    final Map<String, String> params = new HashMap<>();
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final String syslogName = "bouncetest" + SEQ.incrementAndGet();

    @BeforeEach
    void setUp() throws Exception {
        queue = QueueDirectory.of(dir.resolve("spool"));
        queue.check();
        logs = new BounceLogs(queue);
        params.put("myhostname", "reference.test");
        params.put("myorigin", "reference.test");
        params.put("syslog_name", syslogName);
        Log.addSink(new LogSink() {
            @Override
            public void write(Log.Severity severity, String tag, long pid, String text) {
                if (tag.startsWith(syslogName + "/")) logLines.add(text);
            }
        });
    }

    BounceDaemon daemon() {
        return daemon(() -> cleanup);
    }

    BounceDaemon daemon(java.util.function.Supplier<Cleanup> c) {
        return new BounceDaemon(Config.of(dir, params), logs, c, Log.of(syslogName, "bounce"),
                Clock.fixed(NOW, ZoneOffset.UTC), ZoneId.of("UTC"));
    }

    /** An original message in active/, as cleanup writes it. */
    Bounce.Notice original(String sender, String ret, int notify, String... recipients) throws Exception {
        String id;
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(ARRIVAL, "local");
            w.sender(sender);
            for (String r : recipients) w.recipient(new QueueFileWriter.Rcpt("rfc822;" + r, notify, r, r));
            w.beginContent();
            for (String l : ORIGINAL.split("\n", -1)) w.contentLine(l);
            w.endContent();
            id = w.finish(QueueName.ACTIVE);
        }
        return new Bounce.Notice(id, queue.path(QueueName.ACTIVE, id), sender, null, ret);
    }

    static final String ORIGINAL = """
            Received: by reference.test (Postfix, from userid 0)
            \tid D67AD211CD2; Fri, 27 Nov 2026 21:37:15 +0000 (UTC)
            From: Alice <alice@sender.test>
            To: bob@bad.test
            Subject: test bounce
            Message-ID: <m1@sender.test>
            Date: Fri, 27 Nov 2026 20:00:00 +0000

            Hello Bob,
            this is the body.""";

    void bounceEntry(Bounce.Notice n, String rcpt, int notify, String status, String reason) throws Exception {
        logs.append(QueueName.BOUNCE, n.queueId(), new BounceLogs.Entry(rcpt, rcpt, 300, "rfc822;" + rcpt, notify,
                status, "failed", null, null, reason));
    }

    /** What Postfix 3.7.11 sent for this message (captured from a real bounce), with our IDs. */
    static String expectedFailure(String id, String newId) {
        String b = id + "." + NOW.getEpochSecond() + "/reference.test";
        return """
                Received: by reference.test (Postfix)
                \tid NEWID; Fri, 27 Nov 2026 21:37:16 +0000 (UTC)
                Date: Fri, 27 Nov 2026 21:37:16 +0000 (UTC)
                From: Mail Delivery System <MAILER-DAEMON@reference.test>
                Subject: Undelivered Mail Returned to Sender
                To: alice@sender.test
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status;
                \tboundary="BOUNDARY"
                Content-Transfer-Encoding: 8bit

                This is a MIME-encapsulated message.

                --BOUNDARY
                Content-Description: Notification
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: 8bit

                This is the mail system at host reference.test.

                I'm sorry to have to inform you that your message could not
                be delivered to one or more recipients. It's attached below.

                For further assistance, please send mail to postmaster.

                If you do so, please include this problem report. You can
                delete your own text from the attached returned message.

                                   The mail system

                <bob@bad.test>: no such user

                --BOUNDARY
                Content-Description: Delivery report
                Content-Type: message/delivery-status

                Reporting-MTA: dns; reference.test
                X-Postfix-Queue-ID: QID
                X-Postfix-Sender: rfc822; alice@sender.test
                Arrival-Date: Fri, 27 Nov 2026 21:37:15 +0000 (UTC)

                Final-Recipient: rfc822; bob@bad.test
                Original-Recipient: rfc822;bob@bad.test
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: X-Postfix; no such user

                --BOUNDARY
                Content-Description: Undelivered Message
                Content-Type: message/rfc822
                Content-Transfer-Encoding: 8bit

                Return-Path: <alice@sender.test>
                ORIGINAL

                --BOUNDARY--
                """.replace("BOUNDARY", b).replace("QID", id).replace("NEWID", newId).replace("ORIGINAL", ORIGINAL);
    }

    @Test
    void nonDeliveryNoticeIsPostfixsLineForLine() throws Exception {
        Bounce.Notice n = original("alice@sender.test", null, 0, "bob@bad.test");
        bounceEntry(n, "bob@bad.test", 0, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(n)).isTrue();
        assertThat(cleanup.queued).hasSize(1);
        CapturingCleanup.Mail mail = cleanup.queued.get(0);
        assertThat(mail.sender()).isEmpty();
        assertThat(mail.recipients()).containsExactly("alice@sender.test");
        assertThat(mail.text()).isEqualTo(expectedFailure(n.queueId(), mail.queueId()));
        assertThat(logLines).contains(n.queueId() + ": sender non-delivery notification: " + mail.queueId());
        assertThat(logs.path(QueueName.BOUNCE, n.queueId())).doesNotExist();
    }

    @Test
    void longReasonsWrapAt79ColumnsAsPostfix() {
        String reason = "<x@long.test>: this is a rather long rejection reason that goes on and on so that the "
                + "wrapping of lines in the notice can be seen clearly by everyone";
        assertThat(NoticeWriter.wrap(reason)).containsExactly(
                "<x@long.test>: this is a rather long rejection reason that goes on and on so",
                "    that the wrapping of lines in the notice can be seen clearly by everyone");
        assertThat(NoticeWriter.wrap("Diagnostic-Code: X-Postfix; this is a rather long rejection reason that goes on "
                + "and on so that the wrapping of lines in the notice can be seen clearly by everyone")).containsExactly(
                "Diagnostic-Code: X-Postfix; this is a rather long rejection reason that goes on",
                "    and on so that the wrapping of lines in the notice can be seen clearly by",
                "    everyone");
        assertThat(NoticeWriter.wrap("short")).containsExactly("short");
    }

    @Test
    void retHdrsAndBounceSizeLimitReturnOnlyTheHeaders() throws Exception {
        Bounce.Notice n = original("alice@sender.test", "HDRS", 0, "bob@bad.test");
        bounceEntry(n, "bob@bad.test", 0, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(n)).isTrue();
        String text = cleanup.queued.get(0).text();
        assertThat(text).contains("Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n")
                .contains("Date: Fri, 27 Nov 2026 20:00:00 +0000\n\n--").doesNotContain("Hello Bob");

        params.put("bounce_size_limit", "100");
        Bounce.Notice big = original("alice@sender.test", null, 0, "bob@bad.test");
        bounceEntry(big, "bob@bad.test", 0, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(big)).isTrue();
        assertThat(cleanup.queued.get(1).text()).contains("Content-Type: text/rfc822-headers").doesNotContain("Hello Bob");
    }

    @Test
    void notifyNeverOrWithoutFailureSuppressesTheSendersNotice() throws Exception {
        Bounce.Notice n = original("alice@sender.test", null, BounceDaemon.NOTIFY_NEVER, "bob@bad.test");
        bounceEntry(n, "bob@bad.test", BounceDaemon.NOTIFY_NEVER, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(n)).isTrue();
        Bounce.Notice s = original("alice@sender.test", null, BounceDaemon.NOTIFY_SUCCESS, "bob@bad.test");
        bounceEntry(s, "bob@bad.test", BounceDaemon.NOTIFY_SUCCESS | BounceDaemon.NOTIFY_DELAY, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(s)).isTrue();
        assertThat(cleanup.queued).isEmpty();
        assertThat(logs.path(QueueName.BOUNCE, n.queueId())).doesNotExist();
        assertThat(logs.path(QueueName.BOUNCE, s.queueId())).doesNotExist();

        // of two recipients only the one that asked for FAILURE is reported
        Bounce.Notice two = original("alice@sender.test", null, 0, "bob@bad.test", "carl@bad.test");
        bounceEntry(two, "bob@bad.test", BounceDaemon.NOTIFY_NEVER, "5.1.1", "no such user");
        bounceEntry(two, "carl@bad.test", BounceDaemon.NOTIFY_FAILURE, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(two)).isTrue();
        assertThat(cleanup.queued).hasSize(1);
        assertThat(cleanup.queued.get(0).text()).contains("Final-Recipient: rfc822; carl@bad.test")
                .doesNotContain("Final-Recipient: rfc822; bob@bad.test");
    }

    @Test
    void postmasterCopyPerNotifyClassesHasOnlyHeaders() throws Exception {
        params.put("notify_classes", "bounce");
        params.put("bounce_notice_recipient", "pm@admin.test");
        Bounce.Notice n = original("alice@sender.test", null, 0, "bob@bad.test");
        bounceEntry(n, "bob@bad.test", 0, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(n)).isTrue();
        assertThat(cleanup.queued).hasSize(2);
        CapturingCleanup.Mail pm = cleanup.queued.get(1);
        assertThat(pm.sender()).isEqualTo("double-bounce@reference.test");
        assertThat(pm.recipients()).containsExactly("pm@admin.test");
        assertThat(pm.text()).contains("Subject: Postmaster Copy: Undelivered Mail\nTo: pm@admin.test\n"
                        + "Auto-Submitted: auto-generated\n")
                .contains("Content-Transfer-Encoding: 8bit\n\n\n<bob@bad.test>: no such user\n\n--")
                .contains("Content-Type: text/rfc822-headers").doesNotContain("I'm sorry").doesNotContain("Hello Bob");
        assertThat(logLines).contains(n.queueId() + ": postmaster non-delivery notification: " + pm.queueId());
    }

    @Test
    void doubleBounceGoesTo2bounceRecipientOrNowhere() throws Exception {
        Bounce.Notice n = original("", null, 0, "bob@bad.test");
        bounceEntry(n, "bob@bad.test", 0, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(n)).isTrue(); // default notify_classes: dropped
        assertThat(cleanup.queued).isEmpty();

        params.put("notify_classes", "2bounce");
        params.put("2bounce_notice_recipient", "pm2@admin.test");
        Bounce.Notice m = original("", null, 0, "bob@bad.test");
        bounceEntry(m, "bob@bad.test", 0, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(m)).isTrue();
        CapturingCleanup.Mail pm = cleanup.queued.get(0);
        assertThat(pm.recipients()).containsExactly("pm2@admin.test");
        assertThat(pm.sender()).isEqualTo("double-bounce@reference.test");
        assertThat(pm.text()).contains("X-Postfix-Sender: rfc822; MAILER-DAEMON@reference.test")
                .contains("Return-Path: <MAILER-DAEMON@reference.test>");

        // a postmaster notice that bounced: never a triple bounce
        Bounce.Notice d = original("double-bounce@reference.test", null, 0, "pm2@admin.test");
        bounceEntry(d, "pm2@admin.test", 0, "5.1.1", "no such user");
        assertThat(daemon().flushBounced(d)).isTrue();
        assertThat(cleanup.queued).hasSize(1);
        assertThat(logLines).contains("warning: " + d.queueId() + ": undeliverable postmaster notification discarded");
    }

    @Test
    void withoutCleanupOrWhenRefusedTheLogStays() throws Exception {
        Bounce.Notice n = original("alice@sender.test", null, 0, "bob@bad.test");
        bounceEntry(n, "bob@bad.test", 0, "5.1.1", "no such user");
        BounceDaemon none = daemon(() -> {
            throw new IllegalStateException("no service provides Cleanup");
        });
        assertThat(none.flushBounced(n)).isFalse();
        assertThat(logs.path(QueueName.BOUNCE, n.queueId())).exists();
        cleanup.refuse = new Cleanup.Result.Rejected(451, "4.3.0", "Error: queue file write error");
        assertThat(daemon().flushBounced(n)).isFalse();
        assertThat(logs.path(QueueName.BOUNCE, n.queueId())).exists();
        cleanup.refuse = null;
        assertThat(daemon().flushBounced(n)).isTrue();
        assertThat(logs.path(QueueName.BOUNCE, n.queueId())).doesNotExist();
    }

    void deferEntry(Bounce.Notice n, String rcpt, int notify) throws Exception {
        logs.append(QueueName.DEFER, n.queueId(), new BounceLogs.Entry(rcpt, rcpt, 300, "rfc822;" + rcpt, notify,
                "4.4.1", "delayed", null, null, "try again later"));
    }

    @Test
    void delayWarningKeepsTheDeferLog() throws Exception {
        params.put("delay_warning_time", "4h");
        params.put("notify_classes", "delay");
        params.put("delay_notice_recipient", "pmd@admin.test");
        Bounce.Notice n = original("alice@sender.test", null, 0, "d@later.test");
        deferEntry(n, "d@later.test", 0);
        assertThat(daemon().warnDelayed(n)).isTrue();
        assertThat(logs.path(QueueName.DEFER, n.queueId())).exists();
        String text = cleanup.queued.get(0).text();
        assertThat(text).contains("Subject: Delayed Mail (still being retried)\n")
                .contains("""
                        ####################################################################
                        # THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
                        ####################################################################

                        Your message could not be delivered for more than 4 hour(s).
                        It will be retried until it is 5 day(s) old.
                        """)
                .contains("""
                        Final-Recipient: rfc822; d@later.test
                        Original-Recipient: rfc822;d@later.test
                        Action: delayed
                        Status: 4.4.1
                        Diagnostic-Code: X-Postfix; try again later
                        Will-Retry-Until: Wed,  2 Dec 2026 21:37:15 +0000 (UTC)
                        """)
                .contains("Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers")
                .doesNotContain("Hello Bob");
        assertThat(cleanup.queued.get(1).text()).contains("Subject: Postmaster Warning: Delayed Mail\nTo: pmd@admin.test");
        assertThat(logLines).contains(n.queueId() + ": sender delay notification: " + cleanup.queued.get(0).queueId(),
                n.queueId() + ": postmaster delay notification: " + cleanup.queued.get(1).queueId());
    }

    @Test
    void expiredMessageBouncesItsDeferredRecipients() throws Exception {
        Bounce.Notice n = original("alice@sender.test", null, 0, "d@later.test");
        deferEntry(n, "d@later.test", 0);
        assertThat(daemon().flushExpired(n)).isTrue();
        assertThat(logs.path(QueueName.DEFER, n.queueId())).doesNotExist();
        assertThat(cleanup.queued.get(0).text()).contains("Subject: Undelivered Mail Returned to Sender")
                .contains("<d@later.test>: try again later\n")
                .contains("Action: failed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; try again later\n\n")
                .doesNotContain("Will-Retry-Until");
    }

    @Test
    void successNoticeFromTheTraceLog() throws Exception {
        Bounce.Notice n = original("alice@sender.test", null, BounceDaemon.NOTIFY_SUCCESS, "s@ok.test");
        logs.append(QueueName.TRACE, n.queueId(), new BounceLogs.Entry("s@ok.test", "s@ok.test", 300, "rfc822;s@ok.test",
                BounceDaemon.NOTIFY_SUCCESS, "2.0.0", "delivered", null, null, "ok.test"));
        assertThat(daemon().flushTraced(n)).isTrue();
        assertThat(logs.path(QueueName.TRACE, n.queueId())).doesNotExist();
        assertThat(cleanup.queued.get(0).text()).contains("Subject: Successful Mail Delivery Report\n")
                .contains("""
                        Your message was successfully delivered to the destination(s)
                        listed below. If the message was delivered to mailbox you will
                        receive no further notifications. Otherwise you may still receive
                        notifications of mail delivery errors from other systems.

                                           The mail system

                        <s@ok.test>: ok.test
                        """)
                .contains("Action: delivered\nStatus: 2.0.0\nDiagnostic-Code: X-Postfix; ok.test\n")
                .contains("Content-Description: Message Headers\nContent-Type: text/rfc822-headers");
        assertThat(logLines).contains(n.queueId() + ": sender delivery status notification: "
                + cleanup.queued.get(0).queueId());
    }

    @Test
    void sendmailVerboseReportListsEveryOutcomeWhateverNotifySays() throws Exception {
        Bounce.Notice n = original("alice@sender.test", null, 0, "bob@live.test", "carol@dead.test");
        logs.append(QueueName.TRACE, n.queueId(), new BounceLogs.Entry("bob@live.test", "bob@live.test", 300,
                "rfc822;bob@live.test", 0, "2.0.0", "relayed", "smtp; 250 2.0.0 Ok", "dns; 127.0.0.1",
                "delivery via 127.0.0.1[127.0.0.1]:25: 250 2.0.0 Ok"));
        logs.append(QueueName.TRACE, n.queueId(), new BounceLogs.Entry("carol@dead.test", "carol@dead.test", 400,
                "rfc822;carol@dead.test", BounceDaemon.NOTIFY_NEVER, "4.4.1", "delayed", null, null,
                "connect to 127.0.0.1[127.0.0.1]:1: Connection refused"));
        assertThat(daemon().flushReport(n)).isTrue();
        assertThat(logs.path(QueueName.TRACE, n.queueId())).doesNotExist();
        assertThat(cleanup.queued).hasSize(1);
        assertThat(cleanup.queued.get(0).text()).contains("Subject: Mail Delivery Status Report\nTo: alice@sender.test\n")
                .contains("""
                        This is the mail system at host reference.test.

                        Enclosed is the mail delivery report that you requested.

                                           The mail system

                        <bob@live.test>: delivery via 127.0.0.1[127.0.0.1]:25: 250 2.0.0 Ok

                        <carol@dead.test>: connect to 127.0.0.1[127.0.0.1]:1: Connection refused
                        """)
                .contains("Action: relayed\nStatus: 2.0.0\nRemote-MTA: dns; 127.0.0.1\nDiagnostic-Code: smtp; 250 2.0.0 Ok\n")
                .contains("Action: delayed\nStatus: 4.4.1\n")
                .doesNotContain("Will-Retry-Until")
                .contains("Content-Description: Message Headers\nContent-Type: text/rfc822-headers");
        assertThat(logLines).contains(n.queueId() + ": sender delivery status notification: "
                + cleanup.queued.get(0).queueId());
    }

    @Test
    void remoteMtaAndSmtpDiagnosticAndExpandedFrom() throws Exception {
        Bounce.Notice n = original("alice@sender.test", null, 0, "bob@remote.test");
        logs.append(QueueName.BOUNCE, n.queueId(), new BounceLogs.Entry("bob@remote.test", "list@sender.test", 300,
                "rfc822;list@sender.test", 0, "5.1.1", "failed", "smtp; 550 5.1.1 <bob@remote.test>: no such user",
                "dns; mx.remote.test", "host mx.remote.test[192.0.2.1] said: 550 5.1.1 <bob@remote.test>: no such user"
                        + " (in reply to RCPT TO command)"));
        assertThat(daemon().flushBounced(n)).isTrue();
        assertThat(cleanup.queued.get(0).text()).contains("""
                <bob@remote.test> (expanded from <list@sender.test>): host
                    mx.remote.test[192.0.2.1] said: 550 5.1.1 <bob@remote.test>: no such user
                    (in reply to RCPT TO command)
                """).contains("""
                Final-Recipient: rfc822; bob@remote.test
                Original-Recipient: rfc822;list@sender.test
                Action: failed
                Status: 5.1.1
                Remote-MTA: dns; mx.remote.test
                Diagnostic-Code: smtp; 550 5.1.1 <bob@remote.test>: no such user
                """);
    }

    @Test
    void logReaderSkipsBrokenEntriesWithTheFileAndLine() throws Exception {
        Path f = dir.resolve("log");
        Files.writeString(f, "\n<a@b>: x\nrecipient=a@b\nstatus=5.0.0\nreason=x\n\ngarbage\nstatus=5.0.0\n\n");
        List<BounceLogs.Entry> e = BounceLogReader.read(f, Log.of(syslogName, "bounce"));
        assertThat(e).hasSize(1);
        assertThat(e.get(0).recipient()).isEqualTo("a@b");
        assertThat(new ArrayList<>(logLines)).anyMatch(l -> l.contains(f + ": line 7: ignoring malformed entry"))
                .anyMatch(l -> l.contains(f + ": line 7: entry without recipient skipped"));
    }
}
