package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChannelOutputTest {
    @Test
    void bytesArriveInOrderWhateverTheWriteSizes() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ChannelOutput out = new ChannelOutput(Channels.newChannel(sink));
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            // single bytes, small records, and now and then one larger than the biggest buffer
            int len = i % 50 == 0 ? ChannelOutput.MAX + 17 : random.nextInt(3000);
            byte[] b = new byte[len + 2];
            random.nextBytes(b);
            out.write(b, 1, len);
            expected.write(b, 1, len);
            out.write(i);
            expected.write(i);
        }
        assertThat(sink.size()).isLessThan(expected.size()); // some still buffered
        out.flush();
        assertThat(sink.toByteArray()).isEqualTo(expected.toByteArray());
    }
}
