package org.posthorn.local;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.posthorn.config.Config;

/**
 * The main.cf parameters of local(8), virtual(8) and pipe(8) with Postfix 3.7's defaults
 * (Debian's build: fcntl and dotlock locking), laid over a configuration view so that
 * {@code config.get(name)} works whether or not the parameter registry knows them.
 */
public final class Parameters {
    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("home_mailbox", ""),
            Map.entry("mail_spool_directory", "/var/mail"),
            Map.entry("mailbox_command", ""),
            Map.entry("mailbox_command_maps", ""),
            Map.entry("mailbox_transport", ""),
            Map.entry("mailbox_transport_maps", ""),
            Map.entry("fallback_transport", ""),
            Map.entry("fallback_transport_maps", ""),
            Map.entry("luser_relay", ""),
            Map.entry("forward_path", "$home/.forward${recipient_delimiter}${extension}, $home/.forward"),
            Map.entry("allow_mail_to_commands", "alias, forward"),
            Map.entry("allow_mail_to_files", "alias, forward"),
            Map.entry("prepend_delivered_header", "command, file, forward"),
            Map.entry("enable_original_recipient", "yes"),
            Map.entry("mailbox_size_limit", "51200000"),
            Map.entry("message_size_limit", "10240000"),
            Map.entry("mailbox_delivery_lock", "fcntl, dotlock"),
            Map.entry("deliver_lock_attempts", "20"),
            Map.entry("deliver_lock_delay", "1s"),
            Map.entry("stale_lock_time", "500s"),
            Map.entry("command_time_limit", "1000s"),
            Map.entry("local_command_shell", ""),
            Map.entry("command_execution_directory", ""),
            Map.entry("export_environment", "TZ MAIL_CONFIG LANG"),
            Map.entry("command_expansion_filter",
                    "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            Map.entry("forward_expansion_filter",
                    "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            Map.entry("expand_owner_alias", "no"),
            Map.entry("owner_request_special", "yes"),
            Map.entry("recipient_delimiter", ""),
            Map.entry("double_bounce_sender", "double-bounce"),
            Map.entry("default_privs", "nobody"),
            Map.entry("duplicate_filter_limit", "1000"),
            Map.entry("virtual_mailbox_base", ""),
            Map.entry("virtual_mailbox_maps", ""),
            Map.entry("virtual_uid_maps", ""),
            Map.entry("virtual_gid_maps", ""),
            Map.entry("virtual_minimum_uid", "100"),
            Map.entry("virtual_mailbox_limit", "51200000"),
            Map.entry("virtual_mailbox_lock", "fcntl, dotlock"));

    private Parameters() {
    }

    /** The view with our defaults under every parameter main.cf and -o leave unset. */
    public static Config withDefaults(Config config) {
        Map<String, String> missing = new HashMap<>();
        for (var e : DEFAULTS.entrySet()) if (config.raw(e.getKey()) == null) missing.put(e.getKey(), e.getValue());
        return missing.isEmpty() ? config : config.withOverrides(missing);
    }

    /** A lock from a *_lock parameter and the shared deliver_lock_* settings. */
    public static MailboxLock lock(Config config, String parameter) {
        return new MailboxLock(List.copyOf(config.getList(parameter)), config.getInt("deliver_lock_attempts"),
                Duration.ofSeconds(config.getTime("deliver_lock_delay")),
                Duration.ofSeconds(config.getTime("stale_lock_time")));
    }

    /** Whether a class list parameter (allow_mail_to_files ...) names a class (alias, forward, include). */
    public static boolean lists(Config config, String parameter, String cls) {
        for (String s : config.getList(parameter)) if (s.equalsIgnoreCase(cls)) return true;
        return false;
    }
}
