package org.posthorn.bounce;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.posthorn.config.Config;

/**
 * The main.cf parameters of bounce(8), with Postfix 3.7's defaults for those the
 * configuration does not know yet.
 *
 * @param notifyClasses notify_classes, lower case; "bounce" implies "2bounce" as observed on Postfix 3.7
 */
record BounceSettings(String myhostname, String myorigin, String mailName, Set<String> notifyClasses,
                      String bounceNoticeRecipient, String twoBounceNoticeRecipient, String delayNoticeRecipient,
                      String doubleBounceSender, long bounceSizeLimit, long delayWarningTime,
                      long maximalQueueLifetime) {

    private static final Map<String, String> FALLBACK = Map.of(
            "mail_name", "Postfix",
            "notify_classes", "resource, software",
            "bounce_notice_recipient", "postmaster",
            "2bounce_notice_recipient", "postmaster",
            "delay_notice_recipient", "postmaster",
            "double_bounce_sender", "double-bounce",
            "bounce_size_limit", "50000",
            "delay_warning_time", "0h",
            "maximal_queue_lifetime", "5d");

    static BounceSettings of(Config config) {
        Map<String, String> missing = new HashMap<>();
        FALLBACK.forEach((k, v) -> {
            if (config.raw(k) == null) missing.put(k, v);
        });
        Config c = missing.isEmpty() ? config : config.withOverrides(missing);
        Set<String> classes = new HashSet<>();
        for (String s : c.getList("notify_classes")) classes.add(s.toLowerCase(Locale.ROOT));
        if (classes.contains("bounce")) classes.add("2bounce");
        return new BounceSettings(c.get("myhostname").strip(), c.get("myorigin").strip(), c.get("mail_name").strip(),
                Set.copyOf(classes), c.get("bounce_notice_recipient").strip(), c.get("2bounce_notice_recipient").strip(),
                c.get("delay_notice_recipient").strip(), c.get("double_bounce_sender").strip(),
                c.getSize("bounce_size_limit"), c.getTime("delay_warning_time"), c.getTime("maximal_queue_lifetime"));
    }

    /** double_bounce_sender qualified with $myorigin, as Postfix's mail_addr_double_bounce(). */
    String doubleBounceAddress() {
        return doubleBounceSender.contains("@") ? doubleBounceSender : doubleBounceSender + "@" + myorigin;
    }
}
