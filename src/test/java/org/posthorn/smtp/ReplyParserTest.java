package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplyParserTest {
    private static List<Reply> parse(String text, int chunk) {
        ReplyParser p = new ReplyParser();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<Reply> out = new ArrayList<>();
        for (int i = 0; i < b.length; i += chunk) {
            p.feed(b, i, Math.min(chunk, b.length - i));
            for (Reply r; (r = p.poll()) != null; ) out.add(r);
        }
        return out;
    }

    @Test
    void singleLineWithEnhancedCode() {
        List<Reply> r = parse("250 2.0.0 Ok: queued as ABC123\r\n", 100);
        assertThat(r).hasSize(1);
        assertThat(r.getFirst().code()).isEqualTo(250);
        assertThat(r.getFirst().enhanced()).isEqualTo("2.0.0");
        assertThat(r.getFirst().dsn()).isEqualTo("2.0.0");
        assertThat(r.getFirst().text()).isEqualTo("250 2.0.0 Ok: queued as ABC123");
    }

    @Test
    void multiLineJoinedAsPostfixQuotesIt() {
        List<Reply> r = parse("550-5.7.1 first line\r\n550-5.7.1 second\r\n550 5.7.1 last\r\n", 100);
        assertThat(r).hasSize(1);
        assertThat(r.getFirst().text()).isEqualTo("550-5.7.1 first line 550-5.7.1 second 550 5.7.1 last");
        assertThat(r.getFirst().dsn()).isEqualTo("5.7.1");
        assertThat(r.getFirst().lineText(1)).isEqualTo("5.7.1 second");
    }

    @Test
    void everyChunkSizeGivesTheSameReplies() {
        String text = "220 mx.example ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"
                + "452 4.5.3 Too many recipients\r\n354 go ahead\r\n";
        List<Reply> whole = parse(text, text.length());
        assertThat(whole).extracting(Reply::code).containsExactly(220, 250, 452, 354);
        Random random = new Random(7);
        for (int chunk = 1; chunk < 12; chunk++) assertThat(parse(text, chunk)).isEqualTo(whole);
        for (int i = 0; i < 20; i++) assertThat(parse(text, 1 + random.nextInt(30))).isEqualTo(whole);
    }

    @Test
    void bareLfAndNoTextAndNoEnhancedCode() {
        List<Reply> r = parse("250\n421 closing\n", 3);
        assertThat(r).extracting(Reply::code).containsExactly(250, 421);
        assertThat(r.get(0).text()).isEqualTo("250");
        assertThat(r.get(1).enhanced()).isNull();
        assertThat(r.get(1).dsn()).isEqualTo("4.0.0");
    }

    @Test
    void enhancedCodeOfAnotherClassIsIgnored() {
        Reply r = parse("550 4.1.1 odd\r\n", 50).getFirst();
        assertThat(r.dsn()).isEqualTo("5.0.0");
    }

    @Test
    void overlongLinesAreCutAndManyLinesBounded() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 500; i++) sb.append("250-").append("x".repeat(5000)).append("\r\n");
        sb.append("250 end\r\n");
        List<Reply> r = parse(sb.toString(), 4096);
        assertThat(r).hasSize(1);
        assertThat(r.getFirst().lines()).hasSize(ReplyParser.MAX_LINES);
        assertThat(r.getFirst().lines().getFirst()).hasSize(ReplyParser.MAX_LINE);
    }

    @Test
    void garbageLineEndsTheReply() {
        List<Reply> r = parse("hello there\r\n250 ok\r\n", 5);
        assertThat(r).extracting(Reply::code).containsExactly(0, 250);
    }
}
