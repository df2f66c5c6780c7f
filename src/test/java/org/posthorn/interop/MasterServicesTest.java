package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.master.Master;
import org.posthorn.master.PublicSocket;

/** The master in this JVM with test services on loopback ports: limits, failures, triggers, reload, seams. */
@Tag("interop")
class MasterServicesTest {
    @TempDir
    Path dir;
    private Master master;

    @BeforeAll
    static void registerTestServices() {
        System.setProperty("posthorn.service.echo", EchoTestService.class.getName());
        System.setProperty("posthorn.service.hold", HoldTestService.class.getName());
        System.setProperty("posthorn.service.flaky", FlakyTestService.class.getName());
        System.setProperty("posthorn.service.trig", TriggerTestService.class.getName());
        System.setProperty("posthorn.service.provider", SeamTestServices.Provider.class.getName());
        System.setProperty("posthorn.service.consumer", SeamTestServices.Consumer.class.getName());
    }

    @AfterEach
    void stopMaster() {
        if (master != null) master.stop(15);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Master start(String... masterCf) throws Exception {
        Files.createDirectories(dir.resolve("etc"));
        writeMainCf(dir, "service_throttle_time = 2s", "test_greeting = from main.cf");
        Files.writeString(dir.resolve("etc/master.cf"), String.join("\n", masterCf) + "\n");
        master = new Master(dir.resolve("etc"), false);
        master.start();
        return master;
    }

    /** A main.cf for a test instance in {@code dir}: queue, data and maillog_file inside it, myhostname mx. */
    static void writeMainCf(Path dir, String... more) throws IOException {
        Files.createDirectories(dir.resolve("etc"));
        List<String> lines = new ArrayList<>(List.of(
                "queue_directory = " + dir.resolve("spool"),
                "data_directory = " + dir.resolve("data"),
                "maillog_file = " + dir.resolve("maillog"),
                "maillog_file_prefixes = " + dir,
                "myhostname = mx.example.test",
                "inet_interfaces = 127.0.0.1",
                "mail_owner = " + System.getProperty("user.name")));
        lines.addAll(List.of(more));
        Files.writeString(dir.resolve("etc/main.cf"), String.join("\n", lines) + "\n");
    }

    /** A line-oriented client with a read timeout. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(int port, int timeoutMillis) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(timeoutMillis);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
        }

        String read() throws IOException {
            return in.readLine();
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private String maillog() throws IOException {
        Path f = dir.resolve("maillog");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private void awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!maillog().contains(text)) {
            if (System.nanoTime() > deadline) throw new AssertionError("no \"" + text + "\" in maillog:\n" + maillog());
            Thread.sleep(20);
        }
    }

    @Test
    void maxprocBoundsConcurrentSessionsAndTheRestWaitInTheListenQueue() throws Exception {
        int port = freePort();
        HoldTestService.MAX.set(0);
        start("127.0.0.1:" + port + " inet n - n - 2 hold");
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) clients.add(new Client(port, 400));
        assertThat(clients.get(0).read()).isEqualTo("220 held");
        assertThat(clients.get(1).read()).isEqualTo("220 held");
        assertThatThrownBy(() -> clients.get(2).read()).isInstanceOf(SocketTimeoutException.class);
        assertThat(HoldTestService.MAX.get()).isEqualTo(2);
        clients.get(0).close();
        clients.get(2).socket.setSoTimeout(5000);
        assertThat(clients.get(2).read()).isEqualTo("220 held");
        assertThat(HoldTestService.MAX.get()).isEqualTo(2);
        for (Client c : clients) c.close();
    }

    @Test
    void aFailingServiceIsRestartedWithBackOffWhileAnotherKeepsServing() throws Exception {
        int flakyPort = freePort();
        int echoPort = freePort();
        FlakyTestService.START_FAILURES.set(2);
        FlakyTestService.STARTS.set(0);
        long t0 = System.nanoTime();
        start("127.0.0.1:" + flakyPort + " inet n - n - - flaky",
                "127.0.0.1:" + echoPort + " inet n - n - - echo");
        // the echo service answers at once, while flaky is throttled
        try (Client echo = new Client(echoPort, 2000)) {
            assertThat(echo.read()).isEqualTo("220 from main.cf");
        }
        assertThat(FlakyTestService.STARTS.get()).isLessThan(3);
        try (Client flaky = new Client(flakyPort, 10_000)) {
            assertThat(flaky.read()).isEqualTo("220 flaky");
            flaky.send("hi");
            assertThat(flaky.read()).isEqualTo("250 hi");
        }
        // two failed starts, each followed by at least a second of throttling
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(1900);
        assertThat(FlakyTestService.STARTS.get()).isEqualTo(3);
        awaitLog("bad command startup");
        String log = maillog();
        assertThat(log).containsPattern("mx postfix/flaky\\[\\d+\\]: fatal: java.lang.IllegalStateException: cannot open the flaky resource");
        assertThat(log).containsPattern("mx postfix/master\\[\\d+\\]: warning: flaky: bad command startup -- throttling for 1 seconds");

        // a session that throws is logged; the service is replaced and serves the next client
        try (Client flaky = new Client(flakyPort, 5000)) {
            assertThat(flaky.read()).isEqualTo("220 flaky");
            flaky.send("boom");
            assertThat(flaky.read()).isNull();
        }
        // lines reach the file in order: once the master's warning is there, the service's fatal line is too
        awaitLog("warning: process flaky (service 127.0.0.1:" + flakyPort + "/inet) session failed");
        assertThat(maillog()).containsPattern("mx postfix/flaky\\[\\d+\\]: fatal: java.lang.IllegalStateException: boom requested");
        try (Client flaky = new Client(flakyPort, 10_000)) {
            assertThat(flaky.read()).isEqualTo("220 flaky");
        }
        try (Client echo = new Client(echoPort, 2000)) {
            assertThat(echo.read()).isEqualTo("220 from main.cf");
        }
    }

    @Test
    void triggersThroughPublicSocketsAndWakeupTimersReachTheService() throws Exception {
        TriggerTestService.EVENTS.clear();
        start("pickup unix n - n - 1 trig",
                "qmgr unix n - n 1 1 trig",
                "flush unix n - n 1? 0 trig");
        Path queue = dir.resolve("spool");
        assertThat(PublicSocket.trigger(queue, "pickup", "W")).isTrue();
        assertThat(PublicSocket.trigger(queue, "qmgr", PublicSocket.FLUSH_DEFERRED)).isTrue();
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(seen.contains("pickup:W") && seen.contains("qmgr:FADI") && seen.contains("qmgr:wakeup"))
                && System.nanoTime() < deadline) {
            String e = TriggerTestService.EVENTS.poll(100, TimeUnit.MILLISECONDS);
            if (e != null) seen.add(e);
        }
        assertThat(seen).contains("pickup:W", "qmgr:FADI", "qmgr:wakeup");
        // "1?": no wakeup before the first use
        assertThat(seen).doesNotContain("flush:wakeup");
        assertThat(PublicSocket.trigger(queue, "nosuch", "W")).isFalse();
    }

    @Test
    void reloadGivesNewSessionsTheNewOverridesAndLetsRunningOnesFinish() throws Exception {
        int port = freePort();
        int added = freePort();
        start("127.0.0.1:" + port + " inet n - n - - echo -o test_greeting=one -o syslog_name=postfix/first");
        Client old = new Client(port, 5000);
        assertThat(old.read()).isEqualTo("220 one");
        Files.writeString(dir.resolve("etc/master.cf"),
                "127.0.0.1:" + port + " inet n - n - - echo -o test_greeting=two\n"
                        + "127.0.0.1:" + added + " inet n - n - - echo\n");
        master.reload();
        try (Client fresh = new Client(port, 5000)) {
            assertThat(fresh.read()).isEqualTo("220 two");
        }
        try (Client other = new Client(added, 5000)) {
            assertThat(other.read()).isEqualTo("220 from main.cf");
        }
        // the session from before the reload goes on with its old service
        old.send("still here");
        assertThat(old.read()).isEqualTo("250 still here");
        old.close();
        Files.writeString(dir.resolve("etc/master.cf"), "127.0.0.1:" + port + " inet n - n - - echo\n");
        master.reload();
        assertThatThrownBy(() -> new Client(added, 1000).close()).isInstanceOf(ConnectException.class);
        awaitLog("postfix/echo[");
        String log = maillog();
        assertThat(log).containsPattern("mx postfix/master\\[\\d+\\]: reload -- version \\S+, configuration " + dir.resolve("etc"));
        assertThat(log).containsPattern("mx postfix/first/echo\\[\\d+\\]: connect from test");
        assertThat(log).containsPattern("mx postfix/echo\\[\\d+\\]: connect from test");
    }

    @Test
    void servicesFindEachOthersSeams() throws Exception {
        int port = freePort();
        start("127.0.0.1:" + port + " inet n - n - - consumer",
                "greeter unix - - n - 1 provider");
        try (Client c = new Client(port, 5000)) {
            assertThat(c.read()).isEqualTo("hello from greeter");
        }
        assertThat(Files.exists(dir.resolve("spool/private/greeter"))).isTrue();
    }

    @Test
    void stopClosesListenersAndLogsTheSignal() throws Exception {
        int port = freePort();
        start("127.0.0.1:" + port + " inet n - n - - echo -o syslog_name=postfix/$service_name",
                "pickup unix n - n 60 1 nosuchprogram");
        // "$service_name" in an override is the row's name, as Postfix defines it
        try (Client c = new Client(port, 5000)) {
            assertThat(c.read()).isEqualTo("220 from main.cf");
        }
        awaitLog("connect from test");
        assertThat(maillog()).containsPattern("mx postfix/127\\.0\\.0\\.1:" + port + "/echo\\[\\d+\\]: connect from test");
        awaitLog("service pickup/unix: program \"nosuchprogram\" is not available");
        assertThat(maillog()).containsPattern("mx postfix/master\\[\\d+\\]: warning: .*master.cf: line 2: service pickup/unix: program \"nosuchprogram\" is not available");
        master.stop(15);
        master = null;
        assertThatThrownBy(() -> new Client(port, 1000).close()).isInstanceOf(ConnectException.class);
        assertThat(maillog()).containsPattern("mx postfix/master\\[\\d+\\]: terminating on signal 15\\n$");
    }
}
