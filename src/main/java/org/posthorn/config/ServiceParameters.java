package org.posthorn.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-transport parameters that exist because master.cf has a service: for a service
 * run by a delivery agent the queue manager feeds (smtp, lmtp, local, virtual, pipe, error),
 * "service_destination_concurrency_limit" and friends default to the matching
 * "default_..." parameter; pipe and spawn services also get "service_time_limit".
 */
public final class ServiceParameters {
    /** Suffix and default text of the queue manager's per-transport parameters. */
    private static final Map<String, String> QMGR = new LinkedHashMap<>();

    static {
        for (String s : List.of("delivery_slot_cost", "delivery_slot_discount", "delivery_slot_loan",
                "destination_concurrency_failed_cohort_limit", "destination_concurrency_limit",
                "destination_concurrency_negative_feedback", "destination_concurrency_positive_feedback",
                "destination_rate_delay", "destination_recipient_limit", "extra_recipient_limit",
                "minimum_delivery_slots", "recipient_limit", "recipient_refill_delay",
                "recipient_refill_limit", "transport_rate_delay")) {
            QMGR.put("_" + s, "$default_" + s);
        }
        QMGR.put("_initial_destination_concurrency", "$initial_destination_concurrency");
    }

    private static final String TIME_LIMIT = "_time_limit";
    private static final List<String> QMGR_AGENTS = List.of("smtp", "lmtp", "local", "virtual", "pipe", "error");

    private ServiceParameters() {
    }

    /** The default text of a per-transport parameter name, whatever the transport; null if none. */
    static String defaultText(String name) {
        for (Map.Entry<String, String> e : QMGR.entrySet()) {
            if (name.endsWith(e.getKey()) && name.length() > e.getKey().length()) return e.getValue();
        }
        if (name.endsWith(TIME_LIMIT) && name.length() > TIME_LIMIT.length()) return "$command_time_limit";
        return null;
    }

    /**
     * The parameters master.cf's services add (name to default text). A name that is also
     * built in (local_destination_concurrency_limit) keeps its built-in default but counts
     * in the service class, as postconf -C shows.
     */
    public static Map<String, String> of(MasterCf master) {
        Map<String, String> out = new LinkedHashMap<>();
        if (master == null) return out;
        for (MasterCf.Service s : master.services()) {
            String cmd = s.command();
            if (QMGR_AGENTS.contains(cmd)) {
                for (Map.Entry<String, String> e : QMGR.entrySet()) add(out, s.name() + e.getKey(), e.getValue());
            }
            if (cmd.equals("pipe") || cmd.equals("spawn")) add(out, s.name() + TIME_LIMIT, "$command_time_limit");
        }
        return out;
    }

    private static void add(Map<String, String> out, String name, String text) {
        Defaults.Parameter builtin = Defaults.lookup(name);
        out.putIfAbsent(name, builtin != null ? builtin.text() : text);
    }
}
