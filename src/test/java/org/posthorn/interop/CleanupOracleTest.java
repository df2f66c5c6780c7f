package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupDaemon;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;
import org.posthorn.queue.QueueDirectory;

/**
 * Our cleanup against Postfix 3.7's on the same submissions: each message of a corpus is sent
 * over SMTP to a real Postfix (held on arrival by {@code check_client_access static:HOLD}, so
 * its file stays in hold/) and given to our {@link CleanupDaemon} through the Cleanup seam with
 * the same origin, the same main.cf settings and tables, and the Received: header Postfix's
 * smtpd wrote. The two files must print the same under Debian's {@code postcat -q} once
 * queue IDs, times and dates are normalised; rejections must give the same reply and the
 * cleanup log lines must match. Needs root and Debian's postfix package, else fails.
 */
@Tag("interop")
class CleanupOracleTest {
    static Path base;
    static Path script;
    static Side local;
    static Side remote;
    static Side strict;
    static Side tweaked;
    static final List<String> ourLog = new CopyOnWriteArrayList<>();

    /** A real Postfix and our daemon with the same settings. */
    record Side(String name, Path pf, int smtpPort, Path ourEtc, Path ourSpool, CleanupDaemon ours) {
    }

    /** One submission of the corpus. */
    record Case(String name, String sender, List<String> rcpts, String mailParams, String rcptParams, String data) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> corpus() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("missing From Date Message-Id", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: hello\n\nbody line\n"));
        c.add(new Case("all headers present", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "From: Some One <one@example.org>\nTo: rcpt@example.net\nDate: Mon, 2 Nov 2026 10:00:00 +0100\n"
                        + "Message-ID: <abc@example.org>\nSubject: full\n\nbody\n"));
        c.add(new Case("resent, dropped headers, header rewriting", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Resent-From: r@b.example\nFrom: a@b.example\nReturn-Path: <x@y>\nBcc: hidden@x\n"
                        + "To: bob, carol@c.example\nCc: Dan <dan>, (comment) eve\nContent-Length: 12\n\nbody\n"));
        c.add(new Case("canonical and masquerading", "old@example.com", List.of("rcpt@host.example.com"), "", "",
                "From: hdrold@example.com\nTo: x@sub.example.com\nSubject: t\n\nbody\n"));
        c.add(new Case("virtual aliases, recipient bcc, DSN", "sender@client.example.org",
                List.of("list@example.net", "rbcc@example.net", "loop@example.net"), " RET=HDRS ENVID=env1",
                " NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig@example.net", "Subject: v\n\nbody\n"));
        c.add(new Case("sender bcc, duplicates, BODY=8BITMIME", "sbcc@example.com",
                List.of("a@example.net", "a@example.net", "b@example.net"), " BODY=8BITMIME", "", "Subject: dup\n\nbody\n"));
        c.add(new Case("header PREPEND", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: prepend\nFrom: a@b.example\n\nbody\n"));
        c.add(new Case("header REPLACE", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: replace-this\nFrom: a@b.example\n\nbody\n"));
        c.add(new Case("header REJECT", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: reject\nFrom: a@b.example\n\nbody\n"));
        c.add(new Case("header REJECT default text", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "X-Rej2: 1\nFrom: a@b.example\n\nbody\n"));
        c.add(new Case("header DISCARD", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: discard\n\nbody\n"));
        c.add(new Case("header HOLD", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: hold\n\nbody\n"));
        c.add(new Case("header WARN IGNORE INFO", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: warn\nX-Ignore: me\nX-Info: 1\n\nbody\n"));
        c.add(new Case("header REDIRECT BCC FILTER", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "X-Redirect: 1\nX-Bcc: 1\nX-Filter: 1\n\nbody\n"));
        c.add(new Case("body REJECT", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: b\n\nfine\nbadbody line\n"));
        c.add(new Case("body WARN REPLACE IGNORE", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: b\n\nwarnbody\nreplacebody\nignorebody\nend\n"));
        c.add(new Case("body PREPEND DUNNO INFO, header DUNNO, unknown action", "sender@client.example.org",
                List.of("rcpt@example.net"), "", "", "X-Dunno: 1\nX-Odd: 1\n\nprependbody\ndunnobody\ninfobody\n"));
        c.add(new Case("header REJECT with enhanced code", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "X-Rej3: 1\n\nbody\n"));
        c.add(new Case("no empty line before the body, folded headers", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: folded\n  continued\n\tmore\nX-Empty:\nNot a header line\nmore\n"));
        c.add(new Case("headers only", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: only headers\n"));
        c.add(new Case("MIME part header checks", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: mime\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\npreamble\n--b1\n"
                        + "Content-Type: text/plain\nX-Part: 1\n\npart body\n--b1\nContent-Type: message/rfc822\n\n"
                        + "Subject: nested\nFrom: n@example.org\n\nnested body\n--b1--\nepilogue\n"));
        c.add(new Case("null sender", "", List.of("rcpt@example.net"), "", "", "Subject: bounce\n\nbody\n"));
        c.add(new Case("too many hops", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Received: from a\nReceived: from b\nReceived: from c\nSubject: hops\n\nbody\n"));
        c.add(new Case("address headers of every kind", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Reply-To: bob\nSender: sam\nErrors-To: err\nApparently-To: app\nX-Other: xo\nResent-To: rt\n"
                        + "To: \"Quoted, Name\" <q>, group: g1, g2@x.example;\n\nbody\n"));
        c.add(new Case("long header and body lines", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: " + "s".repeat(2500) + "\nX-Long: a\n " + "b".repeat(2100) + "\n\n" + "x".repeat(5000) + "\n"));
        c.add(new Case("8bit transfer encoding, BODY=7BIT", "sender@client.example.org", List.of("rcpt@example.net"),
                " BODY=7BIT", "", "Subject: e\nMIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n\nbody\n"));
        c.add(new Case("BODY=7BIT", "sender@client.example.org", List.of("rcpt@example.net"), " BODY=7BIT", "",
                "Subject: e\n\nbody\n"));
        c.add(new Case("Delivered-To and Received hops", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Delivered-To: a@example.net\nDelivered-To: b@example.net\nReceived: from a\nSubject: h\n\nbody\n"));
        c.add(new Case("folded header WARN", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Subject: warn me\n\tfolded part\n\nbody\n"));
        c.add(new Case("lowercase names, empty group, no space", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "from:someone\nto: undisclosed-recipients:;\nmessage-id:<x@y>\ndate:Mon, 2 Nov 2026 10:00:00 +0100\n\nbody\n"));
        c.add(new Case("resent with existing Message-Id", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                "Message-Id: <orig@example.org>\nResent-To: r\nFrom: f@example.org\nDate: Mon, 2 Nov 2026 10:00:00 +0100\n\nbody\n"));
        c.add(new Case("SMTPUTF8", "sender@client.example.org", List.of("rcpt@example.net"), " SMTPUTF8", "",
                "Subject: utf8\n\nbody\n"));
        c.add(new Case("lookup order in fixed-key tables", "csender+x@example.net",
                List.of("full+ext@example.net", "User@Example.NET", "localuser@reference.test", "localuser@other.example",
                        "anyone@catchall.example", "bob@keepuser.example"), "", "",
                "From: a@olddomain.example\nTo: full@example.net\n\nbody\n"));
        return c;
    }

    static Map<String, String> settings(Path dir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("header_checks", "regexp:" + dir.resolve("header_checks"));
        m.put("mime_header_checks", "regexp:" + dir.resolve("mime_header_checks"));
        m.put("nested_header_checks", "regexp:" + dir.resolve("nested_header_checks"));
        m.put("body_checks", "regexp:" + dir.resolve("body_checks"));
        m.put("canonical_maps", "regexp:" + dir.resolve("canonical") + ", texthash:" + dir.resolve("canonical2"));
        m.put("virtual_alias_maps", "regexp:" + dir.resolve("virtual") + ", texthash:" + dir.resolve("virtual2"));
        m.put("recipient_delimiter", "+");
        m.put("sender_bcc_maps", "regexp:" + dir.resolve("sender_bcc"));
        m.put("recipient_bcc_maps", "regexp:" + dir.resolve("recipient_bcc"));
        m.put("masquerade_domains", "example.com");
        m.put("hopcount_limit", "4");
        return m;
    }

    static void writeTables(Path dir) throws IOException {
        Files.writeString(dir.resolve("header_checks"), """
                /^Subject: reject/ REJECT bad subject
                /^Subject: hold/ HOLD held
                /^Subject: discard/ DISCARD
                /^Subject: prepend/ PREPEND X-Added: yes
                /^Subject: replace(.*)/ REPLACE Subject: replaced${1}
                /^Subject: warn/ WARN warned
                /^X-Ignore/ IGNORE
                /^X-Redirect/ REDIRECT red@x.example
                /^X-Bcc/ BCC bcc@x.example
                /^X-Filter/ FILTER smtp:[127.0.0.1]:25
                /^X-Info/ INFO informed
                /^X-Rej2/ REJECT
                /^X-Dunno/ DUNNO
                /^X-Rej3/ REJECT 5.7.9 enhanced
                /^X-Odd/ FROBNICATE
                """);
        Files.writeString(dir.resolve("mime_header_checks"), """
                /^Content-Type: text\\/plain/ PREPEND X-Mime-Seen: yes
                """);
        Files.writeString(dir.resolve("nested_header_checks"), """
                /^Subject: nested/ REPLACE Subject: nested-replaced
                """);
        Files.writeString(dir.resolve("body_checks"), """
                /^badbody/ REJECT body bad
                /^warnbody/ WARN wb
                /^replacebody/ REPLACE replaced body
                /^ignorebody/ IGNORE
                /^prependbody/ PREPEND inserted line
                /^dunnobody/ DUNNO
                /^infobody/ INFO body info
                """);
        Files.writeString(dir.resolve("canonical"), """
                /^old@example\\.com$/ new@example.com
                /^hdrold@example\\.com$/ hdrnew@example.com
                """);
        Files.writeString(dir.resolve("virtual"), """
                /^list@example\\.net$/ one@example.net, two@example.net, list@example.net
                /^one@example\\.net$/ uno@example.org
                /^loop@example\\.net$/ loop@example.net
                """);
        Files.writeString(dir.resolve("canonical2"), """
                csender@example.net     csender-new@example.org
                @olddomain.example      @newdomain.example
                """);
        Files.writeString(dir.resolve("virtual2"), """
                full@example.net        full-hit@example.org
                user@example.net        user-hit@example.org
                localuser               localpart-hit@example.org
                @catchall.example       caught@example.org
                @keepuser.example       @kept.example
                """);
        Files.writeString(dir.resolve("sender_bcc"), "/^sbcc@example\\.com$/ sender-copy@example.org\n");
        Files.writeString(dir.resolve("recipient_bcc"), "/^rbcc@example\\.net$/ rcpt-copy@example.org\n");
    }

    @BeforeAll
    static void start() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "posthorn-cleanup-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tables = Files.createDirectories(base.resolve("tables"));
        writeTables(tables);
        script = base.resolve("queue-postfix.sh");
        try (InputStream in = CleanupOracleTest.class.getResourceAsStream("queue-postfix.sh")) {
            Files.copy(in, script);
        }
        Log.addSink(new LogSink() {
            @Override
            public void write(Log.Severity severity, String tag, long pid, String text) {
                if (tag.endsWith("/cleanup")) ourLog.add(text);
            }
        });
        local = side("local", tables, Map.of());
        // no client qualifies for local header rewriting: the remote rewrite context
        remote = side("remote", tables, Map.of("local_header_rewrite_clients", ""));
        tweaked = side("tweaked", tables, Map.of("local_header_rewrite_clients", "", "always_add_missing_headers", "yes",
                "undisclosed_recipients_header", "To: undisclosed-recipients:;", "enable_original_recipient", "no",
                "masquerade_exceptions", "root", "masquerade_classes", "envelope_sender, envelope_recipient, header_sender",
                "canonical_classes", "envelope_sender, header_recipient", "header_size_limit", "1000",
                "header_from_format", "obsolete", "delay_warning_time", "4h"));
        strict = side("strict", tables, Map.of("strict_7bit_headers", "yes", "strict_8bitmime_body", "yes",
                "strict_mime_encoding_domain", "yes"));
    }

    static Side side(String name, Path tables, Map<String, String> extra) throws Exception {
        Path pf = base.resolve("pf-" + name);
        int smtpPort = freePort();
        Map<String, String> conf = new LinkedHashMap<>(settings(tables));
        conf.putAll(extra);
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), pf.toString(),
                Integer.toString(smtpPort), Integer.toString(freePort()), "start",
                "smtpd_client_restrictions = check_client_access static:HOLD"));
        conf.forEach((k, v) -> cmd.add(k + " = " + v));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        if (r.status() != 0) {
            throw new IllegalStateException("cannot start the reference Postfix (exit " + r.status() + "): "
                    + r.err() + r.text() + " -- these tests need root and Debian's postfix package");
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), smtpPort)) {
                if (s.isConnected()) break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("Postfix smtpd does not listen on " + smtpPort);
                Thread.sleep(100);
            }
        }
        Path ourEtc = Files.createDirectories(base.resolve("ours-etc-" + name));
        Path spool = base.resolve("ours-spool-" + name);
        Files.writeString(ourEtc.resolve("main.cf"), "queue_directory = " + spool + "\n");
        conf.put("queue_directory", spool.toString());
        conf.put("myhostname", "reference.test");
        conf.put("mydestination", "");
        QueueDirectory dir = QueueDirectory.of(spool);
        dir.setPermissions();
        return new Side(name, pf, smtpPort, ourEtc, spool, new CleanupDaemon(Config.of(ourEtc, conf), dir, Log.of("cleanup")));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Side side : new Side[] {local, remote, strict, tweaked}) {
            if (side != null) PostcatOracle.run(List.of("bash", script.toString(), side.pf().toString(), "0", "0", "stop"));
        }
        if (base != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(base)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException e) {
                // a Postfix daemon still finishing may hold a file: the folder is in /tmp
            }
        }
    }

    static List<Case> remoteCorpus() {
        return corpus().stream().filter(c -> List.of("missing From Date Message-Id", "resent, dropped headers, header rewriting",
                "canonical and masquerading", "address headers of every kind", "lowercase names, empty group, no space",
                "null sender", "header PREPEND").contains(c.name())).toList();
    }

    /** 8-bit text is written here as ISO-8859-1 characters standing for the UTF-8 bytes sent. */
    static List<Case> strictCorpus() {
        String e = new String("\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String s = "sender@client.example.org";
        List<String> r = List.of("rcpt@example.net");
        return List.of(
                new Case("8-bit header", s, r, "", "", "Subject: " + e + "\n\nbody\n"),
                new Case("8-bit body", s, r, "", "", "Subject: b\n\nbody " + e + "\nmore " + e + "\n"),
                new Case("8-bit body declared 8bit", s, r, "", "",
                        "Subject: b\nMIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n\nbody " + e + "\n"),
                new Case("multipart encoding domain", s, r, "", "", "Subject: c\nMIME-Version: 1.0\n"
                        + "Content-Transfer-Encoding: quoted-printable\nContent-Type: multipart/mixed; boundary=x\n\n"
                        + "--x\n\nbody\n--x--\n"),
                new Case("8-bit part without declaration", s, r, "", "", "Subject: p\nMIME-Version: 1.0\n"
                        + "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: 8bit\n\nok " + e
                        + "\n--x\nContent-Type: text/plain\n\nbad " + e + "\n--x--\n"));
    }

    static List<Case> tweakedCorpus() {
        List<Case> c = new ArrayList<>(corpus().stream().filter(k -> List.of("missing From Date Message-Id",
                "resent, dropped headers, header rewriting", "null sender", "all headers present").contains(k.name())).toList());
        c.add(new Case("classes and exceptions", "old@example.com", List.of("root@a.example.com", "u@b.example.com", "old@example.com"),
                "", "", "From: root@c.example.com, hdrold@example.com\nTo: hdrold@example.com, v@d.example.com\n"
                        + "Cc: root@e.example.com\n\nbody\n"));
        StringBuilder huge = new StringBuilder("X-Huge: start");
        for (int i = 0; i < 100; i++) huge.append("\n continuation line ").append(i);
        c.add(new Case("header over header_size_limit", "sender@client.example.org", List.of("rcpt@example.net"), "", "",
                huge + "\nSubject: after\n\nbody\n"));
        return c;
    }

    @ParameterizedTest(name = "tweaked: {0}")
    @MethodSource("tweakedCorpus")
    void sameQueueFileAsPostfixWithOtherSettings(Case c) throws Exception {
        compare(tweaked, c);
    }

    @ParameterizedTest(name = "strict: {0}")
    @MethodSource("strictCorpus")
    void sameOutcomeAsPostfixWithStrictMime(Case c) throws Exception {
        compare(strict, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void sameQueueFileAsPostfix(Case c) throws Exception {
        compare(local, c);
    }

    @ParameterizedTest(name = "remote: {0}")
    @MethodSource("remoteCorpus")
    void sameQueueFileAsPostfixInRemoteContext(Case c) throws Exception {
        compare(remote, c);
    }

    void compare(Side side, Case c) throws Exception {
        Smtp smtp = sendToPostfix(side, c);
        int smtpPort = side.smtpPort();
        CleanupDaemon ours = side.ours();
        Path ourEtc = side.ourEtc();
        // ours, through the seam, with the origin Postfix's smtpd saw
        Origin origin = new Origin("localhost", "127.0.0.1", smtp.localPort, "localhost", "client.example.org", "ESMTP",
                null, null, "127.0.0.1", smtpPort);
        String ret = param(c.mailParams(), "RET");
        Envelope env = new Envelope(c.sender(), Instant.now(), -1, param(c.mailParams(), "BODY"),
                c.mailParams().contains("SMTPUTF8"), ret,
                param(c.mailParams(), "ENVID"));
        ourLog.clear();
        Cleanup.Submission s = ours.open(env, origin);
        ((org.posthorn.cleanup.SubmissionFlags) s).hold(); // as Postfix's smtpd did (check_client_access static:HOLD)
        for (String rcpt : c.rcpts()) {
            String notify = param(c.rcptParams(), "NOTIFY");
            Set<Recipient.Notify> n = EnumSet.noneOf(Recipient.Notify.class);
            if (notify != null) for (String k : notify.split(",")) n.add(Recipient.Notify.valueOf(k));
            s.addRecipient(new Recipient(rcpt, n, param(c.rcptParams(), "ORCPT")));
        }
        for (String line : smtp.received) s.line(line.replace(smtp.queueId, s.queueId()));
        for (String line : c.data().substring(0, c.data().length() - 1).split("\n", -1)) {
            byte[] b = line.getBytes(StandardCharsets.ISO_8859_1); // the bytes sent over SMTP
            s.record(b, 0, b.length, true);
        }
        Cleanup.Result result = s.finish();
        if (smtp.reply.startsWith("250")) {
            assertThat(result).as("our result").isInstanceOf(Cleanup.Result.Queued.class);
            String theirs = normalise(postcat(side.pf().resolve("etc"), smtp.queueId), smtp.queueId);
            if (c.name().contains("DISCARD")) {
                assertThat(theirs).as("Postfix discarded").isEmpty();
                assertThat(postcat(ourEtc, s.queueId())).isEmpty();
            } else {
                String mine = normalise(postcat(ourEtc, s.queueId()), s.queueId());
                assertThat(mine).isEqualTo(theirs);
                if (side == tweaked) {
                    // delay_warning_time = 4h: the W record says arrival + 4h (for mail with a sender)
                    Path file = side.ourSpool().resolve("hold/" + s.queueId());
                    try (org.posthorn.queue.QueueFileReader r = org.posthorn.queue.QueueFileReader.open(file)) {
                        var e = r.envelope();
                        var w = e.first(org.posthorn.queue.RecordType.WARN);
                        assertThat(theirs.contains("warning_message_time")).as("Postfix wrote W").isEqualTo(!c.sender().isEmpty());
                        if (c.sender().isEmpty()) {
                            assertThat(w).isNull();
                        } else {
                            assertThat(Long.parseLong(w.text().strip())).isEqualTo(e.arrivalTime().getEpochSecond() + 4 * 3600);
                        }
                    }
                }
                assertThat(Files.exists(side.ourSpool().resolve("hold/" + s.queueId()))).as("held").isTrue();
            }
        } else {
            assertThat(result).as("our result").isInstanceOf(Cleanup.Result.Rejected.class);
            assertThat(((Cleanup.Result.Rejected) result).reply()).isEqualTo(smtp.reply);
            assertThat(Files.exists(side.ourSpool().resolve("incoming/" + s.queueId()))).isFalse();
        }
        List<String> theirLog = cleanupLog(side, smtp.queueId);
        if (c.name().contains("unknown action")) {
            assertThat(ourLog).contains("warning: unknown command in header_checks map: FROBNICATE");
        }
        List<String> mineLog = new ArrayList<>(ourLog.stream().filter(l -> l.contains(s.queueId()))
                .map(l -> normaliseLog(l, s.queueId())).toList());

        assertThat(mineLog).as("cleanup log").isEqualTo(theirLog);
    }

    /** sendmail -F names: plain, RFC 5322 specials, quotes and backslashes, 8-bit, whitespace, blank. */
    static List<String> fullNames() {
        return List.of("Plain Name", "Doe, John \"J\" (x)", "J. Doe", "back\\slash", "x!y", "J\u00f6rg \u00dcn\u00ef",
                "  spaced \t out ", "   ", "");
    }

    @ParameterizedTest(name = "sendmail -F {0}")
    @MethodSource("fullNames")
    void fullNameAsPostfixPickup(String name) throws Exception {
        compareFullName(local, name, "alice@example.org");
    }

    @ParameterizedTest(name = "header_from_format=obsolete, sendmail -F {0}")
    @MethodSource("fullNames")
    void fullNameWithObsoleteFromFormat(String name) throws Exception {
        compareFullName(tweaked, name, "alice@example.org");
    }

    @org.junit.jupiter.api.Test
    void fullNameWithTheNullSender() throws Exception {
        compareFullName(local, "Some One", "");
    }

    /**
     * Debian's sendmail -F into the real Postfix (pickup, then cleanup holds it on Subject: hold),
     * against our cleanup given the same envelope, full name and pickup Received: header through the seam.
     */
    void compareFullName(Side side, String name, String sender) throws Exception {
        compareFullName(side, name, sender, null);
    }

    /** sendmail -XV: the V record (VERP delimiters) lands where Postfix's cleanup puts it. */
    @org.junit.jupiter.api.Test
    void verpAsPostfixPickup() throws Exception {
        compareFullName(local, "Lister", "owner@lists.example", "+=");
    }

    /** @param verp VERP delimiters given with sendmail -XV (Postfix's default +=), or null */
    void compareFullName(Side side, String name, String sender, String verp) throws Exception {
        Path hold = side.pf().resolve("spool/hold");
        Set<String> before = Set.copyOf(listNames(hold));
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/sendmail", "-C", side.pf().resolve("etc").toString(), "-F", name,
                "-f", sender.isEmpty() ? "<>" : sender));
        if (verp != null) cmd.add("-XV");
        cmd.add("bob@example.net");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String data = "Subject: hold\n\nbody\n";
        try (OutputStream out = p.getOutputStream()) {
            out.write(data.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("Debian's sendmail: " + said).isZero();
        String queueId = null;
        for (long deadline = System.nanoTime() + 20_000_000_000L; queueId == null; Thread.sleep(50)) {
            for (String f : listNames(hold)) if (!before.contains(f)) queueId = f;
            if (queueId == null && System.nanoTime() > deadline) throw new IllegalStateException("Postfix held nothing");
        }
        Thread.sleep(100); // cleanup renames the finished file into hold/
        String theirs = postcat(side.pf().resolve("etc"), queueId);
        List<String> received = new ArrayList<>();
        for (String l : theirs.substring(theirs.indexOf("*** MESSAGE CONTENTS")).split("\n")) {
            if (l.startsWith("Received:") || received.size() == 1) received.add(l);
        }
        Origin local = new Origin(null, null, -1, null, null, null, null, null, null, -1); // as our pickup gives it
        Cleanup.Submission s = side.ours().open(new Envelope(sender, Instant.now(), -1, null, false, null, null, name, verp), local);
        s.addRecipient(new Recipient("bob@example.net", EnumSet.noneOf(Recipient.Notify.class), "rfc822;bob@example.net"));
        for (String line : received) s.line(line.replace(queueId, s.queueId()));
        for (String line : data.substring(0, data.length() - 1).split("\n", -1)) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            s.record(b, 0, b.length, true);
        }
        assertThat(s.finish()).isInstanceOf(Cleanup.Result.Queued.class);
        // Postfix's pickup sends no log_ident; ours is written for every submission (a known difference)
        String mine = normalise(postcat(side.ourEtc(), s.queueId()), s.queueId()).replace("named_attribute: log_ident=QUEUEID\n", "");
        assertThat(mine).isEqualTo(normalise(theirs, queueId));
        if (verp != null) assertThat(theirs).contains("verp_delimiters: " + verp);
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    static String param(String params, String name) {
        for (String p : params.strip().split(" ")) {
            if (p.startsWith(name + "=")) return p.substring(name.length() + 1);
        }
        return null;
    }

    /** One SMTP transaction with the reference Postfix. */
    static final class Smtp {
        int localPort;
        String reply;
        String queueId;
        List<String> received = new ArrayList<>();
    }

    static Smtp sendToPostfix(Side side, Case c) throws Exception {
        Smtp result = new Smtp();
        try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), side.smtpPort())) {
            sock.setSoTimeout(20_000);
            result.localPort = sock.getLocalPort();
            BufferedReader in = new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = sock.getOutputStream();
            expect(in, "220");
            send(out, "EHLO client.example.org");
            expect(in, "250");
            send(out, "MAIL FROM:<" + c.sender() + ">" + c.mailParams());
            expect(in, "250");
            for (String r : c.rcpts()) {
                send(out, "RCPT TO:<" + r + ">" + c.rcptParams());
                expect(in, "250");
            }
            send(out, "DATA");
            expect(in, "354");
            StringBuilder data = new StringBuilder();
            for (String line : c.data().substring(0, c.data().length() - 1).split("\n", -1)) {
                data.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            }
            data.append(".\r\n");
            out.write(data.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            result.reply = expect(in, "");
            send(out, "QUIT");
        }
        Matcher m = Pattern.compile("queued as ([0-9A-Za-z]+)").matcher(result.reply);
        if (m.find()) {
            result.queueId = m.group(1);
        } else {
            // a rejected message: find its queue ID in the log
            Thread.sleep(200);
            String log = Files.readString(side.pf().resolve("maillog"));
            Matcher id = Pattern.compile("smtpd\\[\\d+\\]: ([0-9A-F]+): client=").matcher(log);
            while (id.find()) result.queueId = id.group(1);
        }
        if (result.reply.startsWith("250")) {
            String text = postcat(side.pf().resolve("etc"), result.queueId);
            if (text.isEmpty()) text = "";
            String[] lines = text.split("\n");
            boolean in = false;
            for (String l : lines) {
                if (l.startsWith("*** MESSAGE CONTENTS")) {
                    in = true;
                    continue;
                }
                if (!in) continue;
                if (l.startsWith("Received:") && result.received.isEmpty() || !result.received.isEmpty()
                        && (l.startsWith("\t") || l.startsWith(" ")) && result.received.size() < 3) {
                    result.received.add(l);
                } else {
                    break;
                }
            }
        } else {
            // Postfix's smtpd header for a rejected message is never shown: make the same one
            result.received.add("Received: from client.example.org (localhost [127.0.0.1])");
            result.received.add("\tby reference.test (Postfix) with ESMTP id " + result.queueId);
            result.received.add("\tfor <" + c.rcpts().getFirst() + ">; Fri, 27 Nov 2026 20:47:00 +0000 (UTC)");
        }
        return result;
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) throw new IOException("connection closed");
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) throw new IOException("expected " + code + ", got: " + line);
        return line;
    }

    static String postcat(Path etc, String id) throws Exception {
        PostcatOracle.Result r = PostcatOracle.run(List.of("postcat", "-c", etc.toString(), "-q", id));
        if (r.status() != 0) return "";
        return r.text();
    }

    /** Queue IDs, times, dates, sizes and the queue a file sits in are not compared. */
    static String normalise(String text, String id) {
        String t = text.replace(id, "QUEUEID");
        t = t.replaceAll("(message_arrival_time|create_time|warning_message_time): .*", "$1: TIME");
        t = t.replaceAll("(?m)^message_size: +\\d+ +\\d+ +(\\d+) +(\\d+) +\\d+ +(\\d+)$", "message_size: SIZE $1 $2 $3");
        t = t.replaceAll("\\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4} \\(\\w+\\)", "DATE");
        t = t.replaceAll("<\\d{14}\\.QUEUEID@", "<STAMP.QUEUEID@");
        t = t.replaceAll("log_client_port=\\d+|client_port=\\d+", "PORT");
        return t;
    }

    static String normaliseLog(String line, String id) {
        return line.replace(id, "QUEUEID").replaceAll("<\\d{14}\\.QUEUEID@", "<STAMP.QUEUEID@");
    }

    static List<String> cleanupLog(Side side, String id) throws Exception {
        Thread.sleep(150);
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(side.pf().resolve("maillog"))) {
            int i = l.indexOf("postfix/cleanup[");
            if (i < 0 || !l.contains(id)) continue;
            out.add(normaliseLog(l.substring(l.indexOf("]: ", i) + 3), id));
        }
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
