package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.MasterCf;

/**
 * The submission (587) and submissions (465) rows of the default master.cf: commented out as
 * Debian's Postfix ships them (same rows, same -o overrides, as Debian's postconf -P reads
 * them once uncommented), and working when enabled: the -o overrides apply to that service
 * only (AUTH there, none on the plain smtpd row; its own syslog_name; its recipient
 * restrictions).
 */
@Tag("interop")
class SubmissionServiceTest {
    private static final Path DEBIAN = Path.of("/usr/share/postfix/master.cf.dist");
    @TempDir
    Path tmp;

    /** The commented service rows and -o lines of the submission blocks. */
    private static List<String> submissionLines(List<String> masterCf) {
        List<String> out = new ArrayList<>();
        boolean inside = false;
        for (String l : masterCf) {
            if (l.matches("#(127\\.0\\.0\\.1:)?submissions? .*")) {
                inside = true;
                out.add(l.replaceAll("\\s+", " "));
            } else if (inside && l.startsWith("#  -o ")) {
                out.add(l);
            } else if (!l.startsWith("#     ") && !l.startsWith("# ")) {
                inside = false;
            }
        }
        return out;
    }

    private static List<String> template() throws IOException {
        try (InputStream in = MasterCf.class.getResourceAsStream("default-master.cf")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void commentedRowsAreDebians() throws Exception {
        List<String> ours = submissionLines(template());
        assertThat(ours).hasSize(25);
        if (Files.exists(DEBIAN)) assertThat(ours).isEqualTo(submissionLines(Files.readAllLines(DEBIAN)));
    }

    @Test
    void uncommentedTheyParseAsPostfixReadsThem() throws Exception {
        // one row of each service (the any-client rows), uncommented
        List<String> lines = new ArrayList<>();
        for (String l : submissionLines(template())) {
            if (!l.startsWith("#127.0.0.1:")) lines.add(l.substring(1));
        }
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Files.write(etc.resolve("master.cf"), lines);
        Files.writeString(etc.resolve("main.cf"), "compatibility_level = 3.6\n");
        MasterCf cf = MasterCf.parse(etc.resolve("master.cf"), lines);
        TreeSet<String> ourParams = new TreeSet<>();
        for (MasterCf.Service s : cf.services()) {
            s.overrides().forEach((k, v) -> ourParams.add((s.name() + "/" + s.type() + "/" + k + " = " + v).strip()));
        }
        assertThat(ourParams).hasSize(21);
        Process p = new ProcessBuilder("postconf", "-c", etc.toString(), "-P").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() == 0) assertThat(ourParams).isEqualTo(new TreeSet<>(out.lines().toList()));
    }

    @Test
    void anEnabledSubmissionRowTakesItsOverrides() throws Exception {
        Path dir = tmp.resolve("instance");
        try (E2eInstance ours = new E2eInstance(dir)) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("sasl_passwd"), "carol@example.org " + DovecotAuth.doveadmPw("SHA512-CRYPT", "carol pw") + "\n");
            int submission = MasterServicesTest.freePort();
            // Debian's submission row and overrides, minus what needs STARTTLS, on a free port
            List<String> row = new ArrayList<>(List.of("127.0.0.1:" + submission + " inet n - y - - smtpd"));
            for (String l : submissionLines(template())) {
                if (l.startsWith("#  -o ") && !l.contains("tls") && lineOfFirstBlock(l)) row.add(l.substring(1));
            }
            ours.configure(List.of("smtpd_sasl_type = posthorn", "posthorn_sasl_password_maps = texthash:" + dir.resolve("sasl_passwd"),
                    "mynetworks = 192.0.2.0/24", "smtpd_relay_restrictions = permit_mynetworks, reject"),
                    String.join("\n", dedupe(row)));
            ours.start();
            try (MasterServicesTest.Client plain = new MasterServicesTest.Client(ours.port, 5000)) {
                assertThat(ehlo(plain)).noneMatch(l -> l.contains("AUTH"));
                plain.send("AUTH PLAIN AGNhcm9sQGV4YW1wbGUub3JnAGNhcm9sIHB3");
                assertThat(plain.read()).isEqualTo("503 5.5.1 Error: authentication not enabled");
            }
            try (MasterServicesTest.Client sub = new MasterServicesTest.Client(submission, 5000)) {
                assertThat(ehlo(sub)).contains("250-AUTH PLAIN LOGIN");
                sub.send("MAIL FROM:<carol@example.org>");
                assertThat(sub.read()).startsWith("250 ");
                sub.send("RCPT TO:<x@remote.example>");
                assertThat(sub.read()).isEqualTo("554 5.7.1 <x@remote.example>: Recipient address rejected: Access denied");
                sub.send("RSET");
                assertThat(sub.read()).startsWith("250 ");
                sub.send("AUTH PLAIN AGNhcm9sQGV4YW1wbGUub3JnAGNhcm9sIHB3");
                assertThat(sub.read()).isEqualTo("235 2.7.0 Authentication successful");
                sub.send("MAIL FROM:<carol@example.org>");
                assertThat(sub.read()).startsWith("250 ");
                sub.send("RCPT TO:<x@remote.example>");
                assertThat(sub.read()).isEqualTo("250 2.1.5 Ok");
                sub.send("QUIT");
                assertThat(sub.read()).startsWith("221 ");
            }
            String log = ours.awaitLog(10, l -> l.contains("sasl_username=carol@example.org"));
            assertThat(log).containsPattern("postfix/submission/smtpd\\[\\d+\\]: \\w+: client=localhost\\[127\\.0\\.0\\.1\\], "
                    + "sasl_method=PLAIN, sasl_username=carol@example.org");
        }
    }

    /** The first block's -o lines come before "#127.0.0.1:submissions"; the test uses submission's. */
    private static boolean lineOfFirstBlock(String l) {
        return !l.contains("submissions");
    }

    private static List<String> dedupe(List<String> row) {
        // both blocks share most -o lines: keep the first of each parameter
        List<String> out = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        for (String l : row) {
            String key = l.contains("=") ? l.substring(0, l.indexOf('=')) : l;
            if (seen.add(key)) out.add(l);
        }
        return out;
    }

    private static List<String> ehlo(MasterServicesTest.Client c) throws IOException {
        assertThat(c.read()).startsWith("220 ");
        c.send("EHLO client.example");
        List<String> lines = new ArrayList<>();
        String l;
        do {
            l = c.read();
            lines.add(l);
        } while (l != null && l.startsWith("250-"));
        return lines;
    }
}
