package org.posthorn.qmgr;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A delivery agent for tests: decides each recipient by a function of the next hop
 * ("sent", "deferred", "bounced", "unreachable", "throw"), can take its time, and records
 * the requests and the highest number of deliveries in progress per next hop.
 */
final class TestAgent implements DeliveryAgent {
    final List<DeliveryRequest> requests = new CopyOnWriteArrayList<>();
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final ConcurrentHashMap<String, AtomicInteger> running = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, AtomicInteger> maxRunning = new ConcurrentHashMap<>();
    final AtomicInteger total = new AtomicInteger();
    final AtomicInteger maxTotal = new AtomicInteger();
    private final Function<String, String> verdict;
    private final Function<String, Duration> delay;

    TestAgent(Function<String, String> verdict, Function<String, Duration> delay) {
        this.verdict = verdict;
        this.delay = delay;
    }

    static TestAgent sending() {
        return new TestAgent(n -> "sent", n -> Duration.ZERO);
    }

    @Override
    public void deliver(DeliveryRequest request) throws Exception {
        requests.add(request);
        String hop = request.nexthop();
        int now = running.computeIfAbsent(hop, k -> new AtomicInteger()).incrementAndGet();
        maxRunning.computeIfAbsent(hop, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        maxTotal.accumulateAndGet(total.incrementAndGet(), Math::max);
        try {
            Duration d = delay.apply(hop);
            if (!d.isZero()) Thread.sleep(d);
            String v = verdict.apply(hop);
            for (DeliveryRecipient r : request.recipients()) {
                switch (v) {
                    case "sent" -> {
                        request.report().sent(r, DeliveryStatus.of("2.0.0", hop + "[127.0.0.1]:25", "250 2.0.0 Ok"));
                        delivered.add(r.address());
                    }
                    case "deferred" -> request.report().deferred(r, DeliveryStatus.of("4.2.0", hop + "[127.0.0.1]:25", "450 4.2.0 try again"));
                    case "bounced" -> request.report().bounced(r, new DeliveryStatus("5.1.1", hop + "[127.0.0.1]:25",
                            "host " + hop + " said: 550 5.1.1 no such user", "smtp; 550 5.1.1 no such user", "dns; " + hop,
                            0, Duration.ZERO, Duration.ZERO));
                    case "unreachable" -> request.report().deferred(r, DeliveryStatus.of("4.4.1", "none",
                            "connect to " + hop + "[127.0.0.1]:25: Connection refused"));
                    case "throw" -> throw new IllegalStateException("agent crashed");
                    default -> throw new IllegalArgumentException(v);
                }
            }
        } finally {
            running.get(hop).decrementAndGet();
            total.decrementAndGet();
        }
    }
}
