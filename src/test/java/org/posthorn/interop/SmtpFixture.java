package org.posthorn.interop;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryReport;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.queue.Envelope;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.Recipient;
import org.posthorn.smtp.LmtpService;
import org.posthorn.smtp.SmtpService;

/**
 * What the smtp/lmtp interop tests share: queue files written with QueueFileWriter in a temp
 * queue, the smtp or lmtp service started with a test context (no qmgr: registration is
 * skipped with a warning), a recording DeliveryReport, a log recorder, free ports, and
 * external programs (smtp-sink, dnsmasq, dovecot) run as child processes.
 */
final class SmtpFixture {
    /** The syslog_name of the services these tests start, so that their log lines can be picked out. */
    static final String SYSLOG_NAME = "smtp-interop";
    private static final List<String> LOG = new CopyOnWriteArrayList<>();
    private static volatile Recorder recorder;

    /** Records the lines of our services; other tests may close every sink (Log.clearSinks), so it is re-added. */
    private static final class Recorder implements LogSink {
        volatile boolean closed;

        @Override
        public void write(Log.Severity severity, String tag, long pid, String text) {
            if (tag.startsWith(SYSLOG_NAME + "/")) LOG.add(text);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static synchronized void ensureRecorder() {
        if (recorder == null || recorder.closed) {
            recorder = new Recorder();
            Log.addSink(recorder);
        }
    }

    private SmtpFixture() {
    }

    /** Log lines of the services started here (tests run in parallel: look for lines unique to a test). */
    static List<String> log() {
        return List.copyOf(LOG);
    }

    /** One reported outcome. */
    record Outcome(String kind, DeliveryRecipient recipient, DeliveryStatus status) {
        String address() {
            return recipient.address();
        }
    }

    /** The recording test double for qmgr's DeliveryReport. */
    static final class RecordingReport implements DeliveryReport {
        final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

        @Override
        public void sent(DeliveryRecipient recipient, DeliveryStatus status) {
            outcomes.add(new Outcome("sent", recipient, status));
        }

        @Override
        public void deferred(DeliveryRecipient recipient, DeliveryStatus status) {
            outcomes.add(new Outcome("deferred", recipient, status));
        }

        @Override
        public void bounced(DeliveryRecipient recipient, DeliveryStatus status) {
            outcomes.add(new Outcome("bounced", recipient, status));
        }

        Outcome of(String address) {
            for (Outcome o : outcomes) if (o.address().equals(address)) return o;
            throw new AssertionError("no outcome for " + address + " in " + outcomes);
        }
    }

    /** A message in a temp queue. */
    record Message(Path file, String queueId, Envelope envelope, List<DeliveryRecipient> recipients) {
    }

    /** Writes a queue file with these recipients and content ("\n" or "\r\n" line ends). */
    static Message message(Path queueRoot, String sender, List<QueueFileWriter.Rcpt> rcpts, String content,
                           Map<String, String> attributes, int smtputf8Flags) throws IOException {
        QueueDirectory q = QueueDirectory.of(queueRoot);
        q.check();
        QueueFileWriter w = QueueFileWriter.create(q, QueueName.INCOMING, 2048);
        w.envelopeStart(Instant.now(), "remote");
        for (var a : attributes.entrySet()) w.attribute(a.getKey(), a.getValue());
        w.sender(sender);
        for (QueueFileWriter.Rcpt r : rcpts) w.recipient(r);
        w.smtputf8Flags(smtputf8Flags);
        w.beginContent();
        w.copyContent(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
        w.endContent();
        String id = w.finish(QueueName.ACTIVE);
        Path file = w.path();
        try (QueueFileReader r = QueueFileReader.open(file)) {
            Envelope env = r.envelope();
            List<DeliveryRecipient> out = new ArrayList<>();
            for (Recipient rc : env.pendingRecipients()) {
                out.add(new DeliveryRecipient(rc.address(), rc.originalAddress(), rc.dsnOrigRcpt(), rc.dsnNotify(),
                        rc.offset()));
            }
            return new Message(file, id, env, out);
        }
    }

    static Message message(Path queueRoot, String sender, List<String> rcpts, String content) throws IOException {
        return message(queueRoot, sender, rcpts.stream().map(QueueFileWriter.Rcpt::of).toList(), content, Map.of(), 0);
    }

    /** Delivers a message through the agent to a nexthop and returns the report. */
    static RecordingReport deliver(SmtpService agent, String nexthop, Message m) throws Exception {
        return deliver(agent, nexthop, m, null, null);
    }

    static RecordingReport deliver(SmtpService agent, String nexthop, Message m, String dsnRet, String envid)
            throws Exception {
        RecordingReport report = new RecordingReport();
        long size = m.envelope().size() == null ? 0 : m.envelope().size().contentSize();
        agent.deliver(new DeliveryRequest("smtp", nexthop, m.queueId(), m.file(), m.envelope().arrivalTime(),
                Instant.now(), m.envelope().sender(), size, dsnRet, envid, m.envelope().attributes(),
                m.recipients(), report));
        return report;
    }

    /** Starts smtp(8) or lmtp(8) with these main.cf settings, as the master would (minus qmgr). */
    static SmtpService start(boolean lmtp, Path dir, Map<String, String> settings) {
        Map<String, String> values = new HashMap<>();
        values.put("myhostname", "posthorn.test");
        // current defaults (smtputf8_enable = yes ...), as the default instance has them
        values.put("compatibility_level", "3.6");
        values.put("queue_directory", dir.resolve("queue").toString());
        values.putAll(settings);
        Config config = Config.of(dir, values);
        String program = lmtp ? "lmtp" : "smtp";
        MasterCf.Service entry = new MasterCf.Service(program, "unix", "-", "-", "n", "-", "-", program, List.of(), 1);
        ensureRecorder();
        Log log = Log.of(SYSLOG_NAME, program);
        ServiceContext context = new ServiceContext() {
            @Override
            public MasterCf.Service entry() {
                return entry;
            }

            @Override
            public Config config() {
                return config;
            }

            @Override
            public Log log() {
                return log;
            }

            @Override
            public Path queueDirectory() {
                return dir.resolve("queue");
            }

            @Override
            public <T> T seam(Class<T> type) {
                throw new IllegalStateException("no service provides " + type.getSimpleName());
            }

            @Override
            public boolean stopping() {
                return false;
            }
        };
        SmtpService service = lmtp ? new LmtpService() : new SmtpService();
        service.start(context);
        return service;
    }

    /** A TCP port that was free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Waits until host:port accepts connections (a child server came up). */
    static void awaitListening(String host, int port, Process process) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ": "
                        + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nothing listens on " + host + ":" + port);
    }

    /** smtp-sink on host:port with options; each transaction dumped in dir (-d). */
    static final class SmtpSink implements AutoCloseable {
        final Process process;
        final Path dumps;
        final int port;

        SmtpSink(Path dumps, String host, int port, String... options) throws Exception {
            this.dumps = dumps;
            this.port = port;
            Files.createDirectories(dumps);
            List<String> cmd = new ArrayList<>(List.of("smtp-sink", "-u", "root", "-d", dumps + "/%M."));
            cmd.addAll(List.of(options));
            cmd.add(host + ":" + port);
            cmd.add("100");
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            awaitListening(host, port, process);
        }

        /** The dumped transactions (X-Mail-Args, X-Rcpt-Args, Received, then the message as received). */
        List<String> messages() throws IOException {
            List<String> out = new ArrayList<>();
            try (var files = Files.list(dumps)) {
                for (Path p : files.sorted().toList()) out.add(Files.readString(p, StandardCharsets.ISO_8859_1));
            }
            return out;
        }

        /** Waits for n dumps: smtp-sink writes them as the transaction ends. */
        List<String> awaitMessages(int n) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<String> m = messages();
            while (m.size() < n && System.nanoTime() < end) {
                Thread.sleep(50);
                m = messages();
            }
            return m;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
