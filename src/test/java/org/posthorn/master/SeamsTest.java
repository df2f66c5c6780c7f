package org.posthorn.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SeamsTest {
    @Test
    void aLookupWaitsForALateProviderAndFailsWithoutOne() throws Exception {
        Seams seams = new Seams();
        assertThatThrownBy(() -> seams.await(Runnable.class, 0))
                .isInstanceOf(IllegalStateException.class).hasMessage("no running service provides Runnable");
        Supplier<String> impl = () -> "cleanup";
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            seams.register(Supplier.class, impl);
        });
        assertThat(seams.await(Supplier.class, 5000)).isSameAs(impl);
    }

    @Test
    void withdrawingKeepsANewerRegistration() {
        Seams seams = new Seams();
        Runnable old = () -> { };
        Runnable newer = () -> { };
        seams.register(Runnable.class, old);
        seams.register(Runnable.class, newer);
        seams.withdraw(Runnable.class, old);
        assertThat(seams.await(Runnable.class, 0)).isSameAs(newer);
        seams.withdraw(Runnable.class, newer);
        assertThatThrownBy(() -> seams.await(Runnable.class, 0)).isInstanceOf(IllegalStateException.class);
    }
}
