package org.posthorn.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What the log lines need from a client's TLS ClientHello that JSSE does not tell: the
 * groups of its key shares, its supported groups and its signature schemes (TLS code points),
 * in the client's order. The record is
 * read off the socket before the handshake and handed back to JSSE as already consumed input.
 */
public record ClientHello(byte[] raw, List<Integer> keyShares, List<Integer> groups, List<Integer> signatureSchemes) {
    /** A ClientHello is well under this; a bigger first record is passed through unread. */
    private static final int MAX_RECORD = 16384 + 5;

    /**
     * Reads the first TLS record (or a few, while they carry one fragmented ClientHello);
     * never throws for malformed input: JSSE will reject that itself.
     */
    public static ClientHello read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        for (int records = 0; records < 4; records++) {
            byte[] header = in.readNBytes(5);
            raw.write(header);
            if (header.length < 5 || header[0] != 22) break; // not a handshake record
            int len = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
            if (len > MAX_RECORD) break;
            byte[] body = in.readNBytes(len);
            raw.write(body);
            handshake.write(body);
            byte[] h = handshake.toByteArray();
            if (h.length >= 4) {
                int need = ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
                if (h.length >= 4 + need) break;
            }
            if (body.length < len) break;
        }
        List<Integer> shares = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        List<Integer> schemes = new ArrayList<>();
        try {
            parse(handshake.toByteArray(), shares, groups, schemes);
        } catch (RuntimeException e) {
            shares.clear();
            groups.clear();
            schemes.clear();
        }
        return new ClientHello(raw.toByteArray(), List.copyOf(shares), List.copyOf(groups), List.copyOf(schemes));
    }

    private static void parse(byte[] h, List<Integer> shares, List<Integer> groups, List<Integer> schemes) {
        if (h.length < 4 || h[0] != 1) return;
        int p = 4 + 2 + 32; // type, length, version, random
        p += 1 + (h[p] & 0xff); // session id
        p += 2 + u16(h, p); // cipher suites
        p += 1 + (h[p] & 0xff); // compression methods
        int end = p + 2 + u16(h, p);
        p += 2;
        while (p + 4 <= end && p + 4 <= h.length) {
            int type = u16(h, p);
            int len = u16(h, p + 2);
            int body = p + 4;
            if (type == 0x000a || type == 0x000d) { // supported_groups, signature_algorithms
                int n = u16(h, body);
                for (int i = body + 2; i + 1 < body + 2 + n; i += 2) (type == 0x000a ? groups : schemes).add(u16(h, i));
            } else if (type == 0x0033) { // key_share
                int n = u16(h, body);
                int i = body + 2;
                while (i + 4 <= body + 2 + n) {
                    shares.add(u16(h, i));
                    i += 4 + u16(h, i + 2);
                }
            }
            p = body + len;
        }
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    /**
     * The group a server preferring {@code serverGroups} (TLS code points) settles on as JSSE
     * does: the first key share it supports, else (a HelloRetryRequest) the first of the
     * client's supported groups it supports; -1 when none.
     */
    public int chosenGroup(List<Integer> serverGroups) {
        for (int g : keyShares) if (serverGroups.contains(g)) return g;
        for (int g : groups) if (serverGroups.contains(g)) return g;
        return -1;
    }
}
