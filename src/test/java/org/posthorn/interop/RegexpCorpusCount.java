package org.posthorn.interop;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts the keys the regexp oracle tests compared, printed once at JVM exit. */
final class RegexpCorpusCount {
    private static final AtomicInteger KEYS = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> System.out.println("regexp/pcre oracle: " + KEYS.get() + " keys compared with Debian's postmap")));
    }

    private RegexpCorpusCount() {
    }

    static void add(int n) {
        KEYS.addAndGet(n);
    }
}
