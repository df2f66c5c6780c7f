package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MimeDowngradeTest {
    /** Runs lines through the downgrade; returns the output lines. */
    private static List<String> downgrade(String... lines) throws IOException {
        List<String> out = new ArrayList<>();
        MimeDowngrade d = new MimeDowngrade((data, off, len, lineEnd) -> {
            assertThat(lineEnd).isTrue();
            out.add(new String(data, off, len, StandardCharsets.ISO_8859_1));
        });
        for (String l : lines) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            d.text(b, 0, b.length, true);
        }
        return out;
    }

    /** Decodes quoted-printable lines back to bytes (soft breaks joined, hard breaks as LF). */
    private static byte[] decode(List<String> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String l : lines) {
            boolean soft = l.endsWith("=");
            String body = soft ? l.substring(0, l.length() - 1) : l;
            for (int i = 0; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c == '=') {
                    out.write(Integer.parseInt(body.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    out.write(c);
                }
            }
            if (!soft) out.write('\n');
        }
        return out.toByteArray();
    }

    private static void assertSevenBitShortLines(List<String> lines) {
        for (String l : lines) {
            assertThat(l.length()).isLessThanOrEqualTo(76);
            assertThat(l.chars().allMatch(c -> c < 128)).as(l).isTrue();
        }
    }

    @Test
    void eightBitTextPartBecomesQuotedPrintable() throws IOException {
        String body = "Grüße aus Köln = ok, trailing space ";
        List<String> out = downgrade("Subject: test", "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body);
        assertThat(out.subList(0, 5)).containsExactly("Subject: test", "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "");
        List<String> encoded = out.subList(5, out.size());
        assertSevenBitShortLines(encoded);
        assertThat(encoded.getFirst()).isEqualTo("Gr=C3=BC=C3=9Fe aus K=C3=B6ln =3D ok, trailing space=20");
        assertThat(new String(decode(encoded), StandardCharsets.UTF_8)).isEqualTo(body + "\n");
    }

    @Test
    void longLinesGetSoftBreaksAndDecodeBack() throws IOException {
        String body = "ä".repeat(100) + " x".repeat(60);
        List<String> out = downgrade("Content-Transfer-Encoding: 8bit", "", body, "second");
        List<String> encoded = out.subList(2, out.size());
        assertThat(encoded.size()).isGreaterThan(3);
        assertSevenBitShortLines(encoded);
        assertThat(new String(decode(encoded), StandardCharsets.UTF_8)).isEqualTo(body + "\nsecond\n");
    }

    @Test
    void multipartConvertsOnlyItsEightBitLeaves() throws IOException {
        List<String> out = downgrade(
                "MIME-Version: 1.0",
                "Content-Type: multipart/mixed;",
                "\tboundary=\"b1\"",
                "Content-Transfer-Encoding: 8bit",
                "",
                "preamble",
                "--b1",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                "ümlaut",
                "--b1",
                "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: base64",
                "",
                "AAEC",
                "--b1--",
                "epilogue ü");
        assertThat(out).containsExactly(
                "MIME-Version: 1.0",
                "Content-Type: multipart/mixed;",
                "\tboundary=\"b1\"",
                "Content-Transfer-Encoding: 7bit",
                "",
                "preamble",
                "--b1",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                "=C3=BCmlaut",
                "--b1",
                "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: base64",
                "",
                "AAEC",
                "--b1--",
                new String("epilogue ü".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }

    @Test
    void nestedMessageHeadersAreParsed() throws IOException {
        List<String> out = downgrade(
                "Content-Type: message/rfc822",
                "Content-Transfer-Encoding: 8bit",
                "",
                "Subject: inner",
                "Content-Transfer-Encoding: 8bit",
                "",
                "é");
        assertThat(out).containsExactly("Content-Type: message/rfc822", "Content-Transfer-Encoding: 7bit", "",
                "Subject: inner", "Content-Transfer-Encoding: quoted-printable", "", "=C3=A9");
    }

    @Test
    void sevenBitAndUndeclaredPartsPassUnchanged() throws IOException {
        List<String> out = downgrade("Subject: x", "", "plain ü text");
        assertThat(out.get(2)).isEqualTo(new String("plain ü text".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1));
    }
}
