package org.posthorn.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SeamsTest {
    @Test
    void aLookupWaitsForALateProviderAndFailsWithoutOne() throws Exception {
        Seams seams = new Seams();
        assertThatThrownBy(() -> seams.await(Runnable.class, 5000, false))
                .isInstanceOf(IllegalStateException.class).hasMessage("no running service provides Runnable");
        Supplier<String> impl = () -> "cleanup";
        seams.starting(); // the provider
        seams.starting(); // the caller
        long t0 = System.nanoTime();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            seams.register(Supplier.class, impl);
            seams.started();
        });
        assertThat(seams.await(Supplier.class, 5000, true)).isSameAs(impl);
        // the provider is up, only the caller is starting: a missing seam fails at once
        assertThatThrownBy(() -> seams.await(Runnable.class, 5000, true)).isInstanceOf(IllegalStateException.class);
        assertThat(System.nanoTime() - t0).isLessThan(3_000_000_000L);
    }

    @Test
    void withdrawingKeepsANewerRegistration() {
        Seams seams = new Seams();
        Runnable old = () -> { };
        Runnable newer = () -> { };
        seams.register(Runnable.class, old);
        seams.register(Runnable.class, newer);
        seams.withdraw(Runnable.class, old);
        assertThat(seams.await(Runnable.class, 0, false)).isSameAs(newer);
        seams.withdraw(Runnable.class, newer);
        assertThatThrownBy(() -> seams.await(Runnable.class, 5000, false)).isInstanceOf(IllegalStateException.class);
    }
}
