package org.posthorn.config;

import java.util.Map;

/** FOUNDATION STUB: a few defaults until the parameter registry arrives. */
final class Defaults {
    static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry("mail_version", "3.7.11"),
            Map.entry("syslog_name", "postfix"),
            Map.entry("default_process_limit", "100"),
            Map.entry("queue_directory", "/var/spool/postfix"),
            Map.entry("hash_queue_names", "deferred, defer"),
            Map.entry("hash_queue_depth", "1"),
            Map.entry("enable_long_queue_ids", "no"),
            Map.entry("default_database_type", "hash"),
            Map.entry("alias_database", "hash:/etc/aliases"),
            Map.entry("alias_maps", "hash:/etc/aliases, nis:mail.aliases"),
            Map.entry("recipient_delimiter", ""),
            Map.entry("parent_domain_matches_subdomains",
                    "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,relay_domains,smtpd_access_maps"));

    private Defaults() {
    }
}
