package org.posthorn.dns;

/**
 * One mail exchanger: its preference and host name (without the trailing dot). A null MX
 * (RFC 7505) is preference 0 with the root name, i.e. an empty host name here.
 */
public record MxHost(int preference, String host) {
    public boolean isNull() {
        return host.isEmpty();
    }
}
