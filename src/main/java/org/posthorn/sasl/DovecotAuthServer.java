package org.posthorn.sasl;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * smtpd_sasl_type = dovecot: Dovecot's authentication protocol (auth-client 1.1) over the
 * socket of smtpd_sasl_path. The handshake: the server sends VERSION, MECH lines (with their
 * security flags), SPID, CUID, COOKIE and DONE; we send VERSION and CPID. Each AUTH request
 * gets CONT (a challenge), OK (with user=) or FAIL (with reason=, user=, temp).
 */
public final class DovecotAuthServer implements SaslServer {
    private final SocketAddress address;
    private final long timeoutMillis;
    private AuthSocket socket;
    private List<Mechanism> mechanisms;
    private int requestId;

    public DovecotAuthServer(SocketAddress address, long timeoutMillis) {
        this.address = address;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * The socket a smtpd_sasl_path value names: {@code inet:host:port}, {@code unix:path}, or a
     * path; a relative path is under the queue directory ({@code private/auth}).
     */
    public static SocketAddress address(String path, java.nio.file.Path queueDirectory) {
        return AuthSocket.address(path, queueDirectory);
    }

    private void connect() throws IOException {
        if (socket != null) return;
        AuthSocket s = AuthSocket.connect(address, timeoutMillis);
        try {
            s.writeLine("VERSION\t1\t1");
            s.writeLine("CPID\t" + ProcessHandle.current().pid());
            List<Mechanism> mechs = new ArrayList<>();
            boolean versionOk = false;
            for (;;) {
                String[] f = s.readLine().split("\t", -1);
                switch (f[0]) {
                    case "VERSION" -> {
                        // major version 1 is the one we speak; minor versions only add
                        if (f.length < 2 || !f[1].equals("1")) {
                            throw new IOException("authentication server protocol version " + (f.length > 1 ? f[1] : "?")
                                    + " is not 1");
                        }
                        versionOk = true;
                    }
                    case "MECH" -> {
                        if (f.length < 2) break;
                        EnumSet<Mechanism.Property> props = EnumSet.noneOf(Mechanism.Property.class);
                        for (int i = 2; i < f.length; i++) {
                            switch (f[i]) {
                                case "plaintext" -> props.add(Mechanism.Property.PLAINTEXT);
                                case "anonymous" -> props.add(Mechanism.Property.ANONYMOUS);
                                case "dictionary" -> props.add(Mechanism.Property.DICTIONARY);
                                case "active" -> props.add(Mechanism.Property.ACTIVE);
                                case "forward-secrecy" -> props.add(Mechanism.Property.FORWARD_SECRECY);
                                case "mutual-auth" -> props.add(Mechanism.Property.MUTUAL_AUTH);
                                default -> { }
                            }
                        }
                        mechs.add(new Mechanism(f[1], props));
                    }
                    case "DONE" -> {
                        if (!versionOk) throw new IOException("authentication server sent no VERSION");
                        socket = s;
                        mechanisms = List.copyOf(mechs);
                        return;
                    }
                    default -> { } // SPID, CUID, COOKIE and future lines
                }
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public List<Mechanism> mechanisms() throws IOException {
        connect();
        return mechanisms;
    }

    @Override
    public Step start(String mechanism, String initialResponse, Peer peer) throws IOException {
        connect();
        requestId++;
        StringBuilder req = new StringBuilder("AUTH\t").append(requestId).append('\t')
                .append(mechanism.toUpperCase(Locale.ROOT)).append("\tservice=").append(escape(peer.service()))
                .append("\tnologin");
        if (peer.serverAddress() != null) req.append("\tlip=").append(peer.serverAddress());
        if (peer.clientAddress() != null) req.append("\trip=").append(peer.clientAddress());
        if (peer.serverPort() > 0) req.append("\tlport=").append(peer.serverPort());
        if (peer.clientPort() > 0) req.append("\trport=").append(peer.clientPort());
        if (peer.secured()) req.append("\tsecured");
        if (initialResponse != null) req.append("\tresp=").append(escape(initialResponse));
        socket.writeLine(req.toString());
        return reply();
    }

    @Override
    public Step next(String response) throws IOException {
        socket.writeLine("CONT\t" + requestId + "\t" + escape(response));
        return reply();
    }

    private Step reply() throws IOException {
        for (;;) {
            String[] f = socket.readLine().split("\t", -1);
            if (f.length < 2 || !f[1].equals(String.valueOf(requestId))) continue;
            switch (f[0]) {
                case "CONT" -> {
                    return new Step.Challenge(f.length > 2 ? f[2] : "");
                }
                case "OK" -> {
                    String user = field(f, "user");
                    return user != null ? new Step.Success(user)
                            : new Step.Failure("Internal authentication server error", null, true);
                }
                case "FAIL" -> {
                    String reason = field(f, "reason");
                    boolean temp = false;
                    for (int i = 2; i < f.length; i++) if (f[i].equals("temp")) temp = true;
                    return new Step.Failure(reason == null ? "" : reason, field(f, "user"), temp);
                }
                default -> { }
            }
        }
    }

    private static String field(String[] f, String name) {
        for (int i = 2; i < f.length; i++) {
            if (f[i].startsWith(name + "=")) return unescape(f[i].substring(name.length() + 1));
        }
        return null;
    }

    /** Dovecot's tab escaping: \001 becomes \0011, tab \001t, newline \001n. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\001' -> out.append("\0011");
                case '\t' -> out.append("\001t");
                case '\n' -> out.append("\001n");
                case '\r' -> out.append("\001r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\001' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(switch (n) {
                    case '1' -> '\001';
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> n;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        if (socket != null) socket.close();
        socket = null;
    }
}
