package org.posthorn.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted SMTP/LMTP server for the cases smtp-sink cannot play (replies per recipient, 452
 * too many recipients, a SIZE limit, no SMTPUTF8, a multi-line reject, LMTP per-recipient
 * results): it answers each command from the script and records the commands and messages.
 */
final class ScriptedServer implements AutoCloseable {
    /** One received transaction. */
    record Transaction(String mail, List<String> rcpts, String data) {
    }

    String greeting = "220 scripted.test ESMTP";
    List<String> keywords = List.of("PIPELINING", "8BITMIME", "DSN", "SMTPUTF8", "SIZE 100000");
    Function<String, String> rcptReply = a -> "250 2.1.5 Ok";
    String mailReply = "250 2.1.0 Ok";
    /** The end-of-data reply for a recipient (LMTP asks once per accepted recipient, SMTP once with null). */
    Function<String, String> dataReply = a -> "250 2.0.0 Ok: queued as SCRIPTED";
    final List<String> commands = new CopyOnWriteArrayList<>();
    final List<Transaction> transactions = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private final ServerSocket server;
    private final boolean lmtp;

    ScriptedServer(boolean lmtp) throws IOException {
        this.lmtp = lmtp;
        server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> session(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket s) {
        try (s) {
            s.setSoTimeout(20000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            send(out, greeting);
            if (!greeting.startsWith("2")) {
                // let the client say QUIT, then go
                in.readLine();
                return;
            }
            String mail = null;
            List<String> accepted = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                commands.add(line);
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO", "LHLO" -> {
                        List<String> lines = new ArrayList<>();
                        lines.add("scripted.test");
                        lines.addAll(keywords);
                        StringBuilder sb = new StringBuilder();
                        for (int i = 0; i < lines.size(); i++) {
                            sb.append("250").append(i == lines.size() - 1 ? " " : "-").append(lines.get(i)).append("\r\n");
                        }
                        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                    }
                    case "HELO" -> send(out, "250 scripted.test");
                    case "MAIL" -> {
                        mail = line;
                        accepted.clear();
                        send(out, mailReply);
                    }
                    case "RCPT" -> {
                        String addr = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                        String reply = rcptReply.apply(addr);
                        if (reply.startsWith("2")) accepted.add(addr);
                        send(out, reply);
                    }
                    case "DATA" -> {
                        if (accepted.isEmpty()) {
                            send(out, "554 5.5.1 Error: no valid recipients");
                            continue;
                        }
                        send(out, "354 End data with <CR><LF>.<CR><LF>");
                        StringBuilder data = new StringBuilder();
                        for (String d; (d = in.readLine()) != null && !d.equals("."); ) {
                            data.append(d.startsWith(".") ? d.substring(1) : d).append('\n');
                        }
                        transactions.add(new Transaction(mail, List.copyOf(accepted), data.toString()));
                        if (lmtp) {
                            StringBuilder sb = new StringBuilder();
                            for (String a : accepted) sb.append(dataReply.apply(a)).append("\r\n");
                            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                        } else {
                            send(out, dataReply.apply(null));
                        }
                        accepted.clear();
                    }
                    case "RSET" -> {
                        accepted.clear();
                        send(out, "250 2.0.0 Ok");
                    }
                    case "QUIT" -> {
                        send(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> send(out, "502 5.5.2 Error: command not recognized");
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply.replace("\n", "\r\n") + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
