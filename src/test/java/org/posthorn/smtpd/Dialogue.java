package org.posthorn.smtpd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted SMTP dialogue kept as a data file: {@code C: bytes} lines are sent (escapes
 * {@code \r \n \t \\ \xHH}; consecutive C: lines go out in one write), {@code S: line}
 * lines are the reply lines expected back ({@code S: <EOF>} = the server closed),
 * {@code profile: name} picks a set of main.cf settings shared with the Postfix oracle,
 * {@code #} starts a comment. Queue IDs in replies compare as {@code QID}.
 */
public record Dialogue(String name, String profile, List<Step> steps) {
    /** Bytes to send (may be empty: just read), then the reply lines expected. */
    public record Step(byte[] send, List<String> expect) {
    }

    /** The main.cf settings of each profile; both servers get them (Postfix 3.7.11 spellings). */
    public static final Map<String, Map<String, String>> PROFILES = Map.ofEntries(
            Map.entry("default", Map.of()),
            Map.entry("normalize", Map.of("smtpd_forbid_bare_newline", "yes")),
            Map.entry("reject", Map.of("smtpd_forbid_bare_newline", "reject")),
            Map.entry("reject-excluded", Map.of("smtpd_forbid_bare_newline", "reject",
                    "smtpd_forbid_bare_newline_exclusions", "127.0.0.0/8")),
            Map.entry("size", Map.of("message_size_limit", "1000")),
            Map.entry("strict", Map.of("strict_rfc821_envelopes", "yes")),
            Map.entry("softbounce", Map.of("soft_bounce", "yes",
                    "smtpd_recipient_restrictions", "reject_non_fqdn_recipient")),
            Map.entry("timeout", Map.of("smtpd_timeout", "2s")),
            Map.entry("restrict", Map.of("smtpd_helo_restrictions", "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname",
                    "smtpd_sender_restrictions", "reject_non_fqdn_sender",
                    "smtpd_recipient_restrictions", "reject_non_fqdn_recipient",
                    "smtpd_data_restrictions", "reject_unauth_pipelining")),
            Map.entry("nodelay", Map.of("smtpd_delay_reject", "no",
                    "smtpd_helo_restrictions", "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname",
                    "smtpd_sender_restrictions", "reject_non_fqdn_sender",
                    "smtpd_recipient_restrictions", "reject_non_fqdn_recipient")),
            Map.entry("client-reject", Map.of("smtpd_client_restrictions", "reject")),
            Map.entry("client-reject-nodelay", Map.of("smtpd_client_restrictions", "reject", "smtpd_delay_reject", "no")),
            Map.entry("warn-defer", Map.of("smtpd_sender_restrictions", "warn_if_reject reject_non_fqdn_sender, defer_if_permit, permit",
                    "smtpd_data_restrictions", "defer")),
            Map.entry("defer-if", Map.of("smtpd_recipient_restrictions", "defer_if_reject reject_non_fqdn_recipient, defer_if_permit",
                    "smtpd_data_restrictions", "defer", "smtpd_end_of_data_restrictions", "reject")),
            Map.entry("defer-helo", Map.of("smtpd_helo_restrictions", "defer", "smtpd_sender_restrictions", "reject")),
            Map.entry("xclient", Map.of("smtpd_authorized_xclient_hosts", "127.0.0.0/8",
                    "smtpd_authorized_xforward_hosts", "127.0.0.0/8")),
            Map.entry("pipelining", Map.of("smtpd_forbid_unauth_pipelining", "yes")),
            Map.entry("relay", Map.of("mynetworks", "192.0.2.0/24",
                    "smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination",
                    "mydestination", "reference.test",
                    "local_recipient_maps", "inline:{alice=x}",
                    "relay_domains", "relay.test",
                    "relay_recipient_maps", "inline:{bob@relay.test=x}",
                    "virtual_alias_domains", "alias.test",
                    "virtual_alias_maps", "inline:{carol@alias.test=alice@reference.test}",
                    "virtual_mailbox_domains", "mbox.test",
                    "virtual_mailbox_maps", "inline:{dave@mbox.test=x}")),
            Map.entry("relay-reject", Map.of("mynetworks", "192.0.2.0/24",
                    "smtpd_relay_restrictions", "reject_unauth_destination",
                    "smtpd_recipient_restrictions", "permit_auth_destination, reject",
                    "smtpd_sender_restrictions", "reject_unlisted_sender",
                    "relay_domains", "relay.test",
                    "mydestination", "reference.test",
                    "local_recipient_maps", "inline:{alice=x}",
                    "unknown_local_recipient_reject_code", "450")),
            Map.entry("inet", Map.of("mynetworks", "192.0.2.0/24",
                    "smtpd_relay_restrictions", "permit_inet_interfaces, reject")),
            Map.entry("classes", Map.of("smtpd_restriction_classes", "strict",
                    "strict", "check_sender_access inline:{{bad@client.example=REJECT bad sender}}, permit",
                    "smtpd_recipient_restrictions",
                    "check_recipient_access inline:{strict@reference.test=strict, {list@reference.test=reject_unauth_destination}}, "
                            + "warn_if_reject reject_non_fqdn_recipient, reject")),
            Map.entry("actions", Map.of("smtpd_recipient_restrictions", "check_recipient_access inline:{"
                    + "hold@reference.test=HOLD, {holdtext@reference.test=HOLD held for review}, discard@reference.test=DISCARD, "
                    + "{filter@reference.test=FILTER smtp:[127.0.0.1]:10025}, {redirect@reference.test=REDIRECT other@reference.test}, "
                    + "{info@reference.test=INFO informational}, {warn@reference.test=WARN warning text}, "
                    + "dunno@reference.test=DUNNO, ok@reference.test=OK, {prepend@reference.test=PREPEND X-Test: yes}, "
                    + "{bcc@reference.test=BCC copy@reference.test}, {dip@reference.test=DEFER_IF_PERMIT not now}, "
                    + "{dir@reference.test=DEFER_IF_REJECT maybe later}, {code@reference.test=550 5.7.9 go away}, "
                    + "{code4@reference.test=450 try later}}, "
                    + "check_recipient_access inline:{dir@reference.test=REJECT, dip@reference.test=OK}")),
            Map.entry("multibounce", Map.of("smtpd_recipient_restrictions", "reject_multi_recipient_bounce",
                    "smtpd_data_restrictions", "reject_multi_recipient_bounce")),
            Map.entry("footer", Map.of("smtpd_reject_footer", "For help see help.test\\nor call us",
                    "smtpd_recipient_restrictions", "check_recipient_access inline:{x@reference.test=REJECT}")),
            Map.entry("footer-glued", Map.of("smtpd_reject_footer", "\\c. For help see help.test",
                    "smtpd_recipient_restrictions", "check_recipient_access inline:{x@reference.test=REJECT}")),
            Map.entry("multibounce-data", Map.of("smtpd_data_restrictions", "reject_multi_recipient_bounce",
                    "smtpd_etrn_restrictions", "reject")),
            Map.entry("etrn", Map.of("relay_domains", "relay.test",
                    "smtpd_etrn_restrictions", "check_etrn_access inline:{blocked.relay.test=REJECT, {held.relay.test=450 not now}}")),
            Map.entry("limits", Map.of("smtpd_recipient_limit", "2", "smtpd_recipient_overshoot_limit", "2",
                    "message_size_limit", "1000", "smtpd_hard_error_limit", "4",
                    "disable_vrfy_command", "yes", "smtpd_discard_ehlo_keywords", "chunking,vrfy,dsn",
                    "smtpd_junk_command_limit", "2")));

    /** Settings every profile shares: the oracle's identity and 3.7.11's defaults made explicit. */
    public static Map<String, String> mainCf(String profile) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("myhostname", "reference.test");
        // as postfix-instance.sh sets them: they decide the address classes of recipients
        m.put("mydestination", "");
        m.put("inet_interfaces", "127.0.0.1");
        m.put("inet_protocols", "ipv4");
        m.put("alias_maps", "");
        // as the default instance: without it the registry's defaults are Postfix's level-0 ones (smtputf8_enable = no)
        m.put("compatibility_level", "3.6");
        m.put("mynetworks", "127.0.0.0/8");
        m.put("smtpd_error_sleep_time", "0s");
        m.put("smtpd_forbid_bare_newline", "no");
        m.put("smtpd_forbid_bare_newline_exclusions", "");
        m.put("smtpd_forbid_unauth_pipelining", "no");
        m.put("smtpd_timeout", "10s");
        m.put("smtpd_relay_restrictions", "permit_mynetworks reject");
        m.putAll(PROFILES.get(profile));
        return m;
    }

    public static Dialogue load(Path file) throws IOException {
        String profile = "default";
        List<Step> steps = new ArrayList<>();
        ByteArrayOutputStream send = new ByteArrayOutputStream();
        List<String> expect = new ArrayList<>();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (raw.isBlank() || raw.startsWith("#")) continue;
            if (raw.startsWith("profile:")) {
                profile = raw.substring(8).strip();
            } else if (raw.startsWith("C: ") || raw.equals("C:")) {
                if (!expect.isEmpty()) {
                    steps.add(new Step(send.toByteArray(), expect));
                    send.reset();
                    expect = new ArrayList<>();
                }
                send.writeBytes(unescape(raw.length() > 3 ? raw.substring(3) : ""));
            } else if (raw.startsWith("S: ")) {
                expect.add(raw.substring(3));
            } else {
                throw new IOException(file + ": bad line: " + raw);
            }
        }
        if (!expect.isEmpty() || send.size() > 0) steps.add(new Step(send.toByteArray(), expect));
        String name = file.getFileName().toString().replace(".txt", "");
        return new Dialogue(name, profile, steps);
    }

    static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                switch (e) {
                    case 'r' -> out.write('\r');
                    case 'n' -> out.write('\n');
                    case 't' -> out.write('\t');
                    case '\\' -> out.write('\\');
                    case 'x' -> {
                        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + s);
                }
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /**
     * Plays the dialogue against a server and returns what came back, step by step: for each
     * step as many reply lines as the step expects (fewer when the server closed early, then
     * {@code <EOF>}).
     */
    public List<List<String>> play(String host, int port) {
        List<List<String>> got = new ArrayList<>();
        try (Socket s = new Socket(host, port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(8000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            boolean closed = false;
            for (Step step : steps) {
                if (step.send().length > 0 && !closed) {
                    try {
                        out.write(step.send());
                        out.flush();
                    } catch (IOException e) {
                        closed = true;
                    }
                }
                List<String> lines = new ArrayList<>();
                for (String ignored : step.expect()) {
                    String line = closed ? null : readLine(in);
                    if (line == null) {
                        closed = true;
                        lines.add("<EOF>");
                        break;
                    }
                    lines.add(line.replaceAll("queued as [0-9A-Za-z]+", "queued as QID"));
                }
                got.add(lines);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
        return got;
    }

    /** Whether the client talks before the greeting (the first step sends bytes). */
    public boolean pregreet() {
        return !steps.isEmpty() && steps.getFirst().send().length > 0;
    }

    /** What the file expects, in the shape {@link #play} returns. */
    public List<List<String>> expected() {
        List<List<String>> out = new ArrayList<>();
        for (Step s : steps) out.add(s.expect());
        return out;
    }

    /** A short report of the first step where two plays differ, for assertion messages. */
    public String firstDifference(List<List<String>> expected, List<List<String>> got) {
        for (int i = 0; i < Math.max(expected.size(), got.size()); i++) {
            List<String> e = i < expected.size() ? expected.get(i) : List.of();
            List<String> g = i < got.size() ? got.get(i) : List.of();
            if (!e.equals(g)) {
                String sent = new String(steps.get(i).send(), StandardCharsets.ISO_8859_1);
                if (sent.length() > 200) sent = sent.substring(0, 200) + "...";
                return name + " step " + i + ": sent " + sent.replace("\r", "\\r").replace("\n", "\\n")
                        + "\n  expected " + e + "\n  got      " + g;
            }
        }
        return name + ": same";
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            for (;;) {
                int c = in.read();
                if (c < 0) return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
                if (c == '\n') break;
                if (c != '\r') b.write(c);
            }
        } catch (SocketTimeoutException e) {
            return "<TIMEOUT>";
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
