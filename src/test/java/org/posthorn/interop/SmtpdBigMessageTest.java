package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A 50 MB message by DATA and by BDAT through smtpd in a JVM limited to 64 MB of heap. */
@Tag("interop")
class SmtpdBigMessageTest {
    @Test
    void fiftyMegabytesGoThroughA64MegabyteHeap() throws Exception {
        Path home = Path.of(System.getProperty("posthorn.home", "."));
        // this JVM's class path too: smtpd needs its dependencies (dnsjava)
        String cp = home.resolve("target/test-classes") + ":" + home.resolve("target/classes") + ":"
                + System.getProperty("java.class.path");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx64m", "-cp", cp,
                "org.posthorn.smtpd.BigMessageCheck", String.valueOf(50L * 1024 * 1024)))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        System.out.println(out);
        assertThat(rc).as(out).isZero();
        assertThat(out).contains("queued 2 messages");
    }
}
