package org.posthorn.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.posthorn.log.Log;

class TrivialRewriteServiceTest {
    private static byte[] request(String... nameValues) {
        StringBuilder b = new StringBuilder();
        for (String s : nameValues) b.append(s).append('\0');
        return b.append('\0').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void speaksPostfixsProtocol() throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write(request("request", "rewrite", "rule", "local", "address", "user"));
        in.write(request("request", "resolve", "sender", "", "address", "user@remote.example"));
        in.write(request("request", "verify", "sender", "", "address", "user"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrivialRewriteService.serve(new ByteArrayInputStream(in.toByteArray()), out, Fixtures.rewriter(),
                Log.of("test"));
        String expected = "protocol\0trivial_rewrite_protocol\0\0"
                + "flags\0" + "0\0address\0user@host.example.test\0\0"
                + "flags\0" + "0\0transport\0smtp\0nexthop\0remote.example\0recipient\0user@remote.example\0flags\0"
                + "4096\0\0"
                + "flags\0" + "0\0transport\0local\0nexthop\0host.example.test\0recipient\0user@host.example.test\0"
                + "flags\0" + "256\0\0";
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void stopsAtAnUnknownRequest() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] in = request("request", "bogus");
        TrivialRewriteService.serve(new ByteArrayInputStream(in), out, Fixtures.rewriter(), Log.of("test"));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("protocol\0trivial_rewrite_protocol\0\0");
    }
}
