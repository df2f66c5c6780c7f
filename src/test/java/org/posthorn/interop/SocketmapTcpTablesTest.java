package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * socketmap: and tcp: clients against small servers written here (Debian has no socketmap or
 * tcp_table server): Debian's postmap and ours send the same requests to the same server and
 * must print the same answers, errors included.
 */
@Tag("interop")
class SocketmapTcpTablesTest {
    @TempDir
    static Path tmp;
    static PostmapOracle oracle;
    static ServerSocket socketmap;
    static ServerSocket tcp;
    static final List<String> socketmapRequests = new CopyOnWriteArrayList<>();
    static final List<String> tcpRequests = new CopyOnWriteArrayList<>();
    static final AtomicInteger tcpConnections = new AtomicInteger();

    /** Keys that find a value or none: asked in one postmap -q - run. */
    static final List<String> KEYS = List.of("Alice@Example.com", "user", "none-key", "a b%c", "ünï", "empty-value",
            "spaced value", "user@sub.example.com");
    /** Keys that make the server report an error: postmap stops at the first, so one run each. */
    static final List<String> ERROR_KEYS = List.of("temp-key", "timeout-key", "perm-key", "odd-reply", "bad-code");

    @BeforeAll
    static void servers() throws Exception {
        assumeTrue(PostmapOracle.available(), "Debian's postmap is not installed: no oracle");
        oracle = new PostmapOracle(tmp.resolve("config"));
        socketmap = serve(SocketmapTcpTablesTest::socketmapSession);
        tcp = serve(SocketmapTcpTablesTest::tcpSession);
    }

    @AfterAll
    static void stop() throws IOException {
        if (socketmap != null) socketmap.close();
        if (tcp != null) tcp.close();
    }

    interface Session {
        void run(InputStream in, OutputStream out) throws IOException;
    }

    static ServerSocket serve(Session session) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            session.run(s.getInputStream(), s.getOutputStream());
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    /** Sendmail's socketmap protocol: netstring "map key" in, netstring "STATUS data" out. */
    static void socketmapSession(InputStream in, OutputStream out) throws IOException {
        while (true) {
            StringBuilder len = new StringBuilder();
            for (int c; (c = in.read()) != ':'; ) {
                if (c < 0) return;
                len.append((char) c);
            }
            byte[] data = in.readNBytes(Integer.parseInt(len.toString()));
            in.read(); // ','
            String request = new String(data, StandardCharsets.UTF_8);
            socketmapRequests.add(request);
            String key = request.substring(request.indexOf(' ') + 1);
            String reply;
            if (key.startsWith("temp")) reply = "TEMP database busy";
            else if (key.startsWith("timeout")) reply = "TIMEOUT";
            else if (key.startsWith("perm")) reply = "PERM no such map";
            else if (key.startsWith("none")) reply = "NOTFOUND ";
            else if (key.startsWith("odd")) reply = "MAYBE later";
            else reply = "OK " + request.replace(' ', '=');
            byte[] r = reply.getBytes(StandardCharsets.UTF_8);
            out.write((r.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(r);
            out.write(',');
            out.flush();
        }
    }

    /** tcp_table(5): "get KEY" in, "200 VALUE" / "500 ..." / "400 ..." out, %XX-encoded. */
    static void tcpSession(InputStream input, OutputStream out) throws IOException {
        tcpConnections.incrementAndGet();
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.ISO_8859_1));
        for (String line; (line = in.readLine()) != null; ) {
            tcpRequests.add(line);
            String key = line.startsWith("get ") ? line.substring(4) : "";
            String reply;
            if (key.startsWith("temp")) reply = "400 try again";
            else if (key.startsWith("none")) reply = "500 not here";
            else if (key.startsWith("odd")) reply = "200 %zz";
            else if (key.startsWith("bad")) reply = "300 what";
            else if (key.startsWith("empty")) reply = "200 ";
            else reply = "200 value%20for%20" + key;
            out.write((reply + "\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    @Test
    void socketmapAnswersAsPostfixDoes() throws Exception {
        String map = "socketmap:inet:127.0.0.1:" + socketmap.getLocalPort() + ":virtual";
        compare(map, socketmapRequests);
        PostmapOracle.Result perm = oracle.ours("-q", "perm-key", map);
        assertThat(perm.err().getFirst()).isEqualTo("warning: " + map + " socketmap server permanent error: no such map");
    }

    @Test
    void socketmapOverAUnixSocket() throws Exception {
        java.nio.file.Path path = tmp.resolve("socketmap.sock");
        try (java.nio.channels.ServerSocketChannel server =
                     java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(path));
            Thread.ofVirtual().start(() -> {
                while (server.isOpen()) {
                    try {
                        java.nio.channels.SocketChannel c = server.accept();
                        Thread.ofVirtual().start(() -> {
                            try (c) {
                                socketmapSession(java.nio.channels.Channels.newInputStream(c),
                                        java.nio.channels.Channels.newOutputStream(c));
                            } catch (IOException e) {
                                // client gone
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String map = "socketmap:unix:" + path + ":aliases";
            String stdin = "Alice@Example.com\nnone-key\nuser\n";
            PostmapOracle.Result want = oracle.postfixWithInput(stdin, "-q", "-", map);
            PostmapOracle.Result got = oracle.oursWithInput(stdin, "-q", "-", map);
            assertThat(got.essence()).isEqualTo(want.essence());
            assertThat(got.out()).isEqualTo("Alice@Example.com\taliases=Alice@Example.com\nuser\taliases=user\n");
        }
    }

    @Test
    void tcpAnswersAsPostfixDoes() throws Exception {
        String map = "tcp:127.0.0.1:" + tcp.getLocalPort();
        compare(map, tcpRequests);
    }

    /** The same answers, errors and requests on the wire from Debian's postmap and ours. */
    private static void compare(String map, List<String> requests) throws Exception {
        String stdin = String.join("\n", KEYS) + "\n";
        requests.clear();
        PostmapOracle.Result want = oracle.postfixWithInput(stdin, "-q", "-", map);
        List<String> postfixSent = List.copyOf(requests);
        requests.clear();
        PostmapOracle.Result got = oracle.oursWithInput(stdin, "-q", "-", map);
        assertThat(got.essence()).as("postmap -q - %s", map).isEqualTo(want.essence());
        assertThat(got.out()).isNotEmpty();
        assertThat(requests).isEqualTo(postfixSent);
        for (String key : ERROR_KEYS) {
            requests.clear();
            want = oracle.postfix("-q", key, map);
            postfixSent = List.copyOf(requests);
            requests.clear();
            got = oracle.ours("-q", key, map);
            assertThat(got.essence()).as("postmap -q '%s' %s", key, map).isEqualTo(want.essence());
            assertThat(requests).as("requests for '%s'", key).isEqualTo(postfixSent);
        }
    }

    @Test
    void tcpConnectionIsReusedAcrossLookups() throws Exception {
        String map = "tcp:127.0.0.1:" + tcp.getLocalPort();
        tcpConnections.set(0);
        try (org.posthorn.table.Table t = org.posthorn.table.TableFactory.openUncached(map,
                org.posthorn.config.Config.of(tmp, java.util.Map.of()), true)) {
            for (int i = 0; i < 5; i++) assertThat(t.lookup("k" + i)).isEqualTo("value for k" + i);
            assertThat(t.lookup("none")).isNull();
        }
        assertThat(tcpConnections.get()).isEqualTo(1);
    }
}
