package org.posthorn.cleanup;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Just enough MIME structure for cleanup's checks, streaming and bounded: the Content-Type
 * of each header block, a stack of multipart boundaries (at most mime_nesting_limit deep,
 * boundaries cut to mime_boundary_length_limit), and whether a part's headers or a
 * message/rfc822 part's nested headers come next.
 */
final class MimeTracker {
    private final int nestingLimit;
    private final int boundaryLimit;
    private final Deque<String> boundaries = new ArrayDeque<>();
    private String type;
    private String boundary;
    private boolean partHeadersNext;

    MimeTracker(int nestingLimit, int boundaryLimit) {
        this.nestingLimit = nestingLimit;
        this.boundaryLimit = boundaryLimit;
    }

    /** Notes a header of the current block; only Content-Type matters. */
    void header(String lowerName, String header, CleanupSubmission.HeaderClass cls) {
        if (!lowerName.equals("content-type")) return;
        String value = header.substring(header.indexOf(':') + 1).replace('\n', ' ').strip();
        int semi = value.indexOf(';');
        type = (semi < 0 ? value : value.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        boundary = parameter(value, "boundary");
    }

    /** The Content-Type of the header block being read (lower case, without parameters), or null. */
    String currentType() {
        return type;
    }

    /** The end of a header block; true when the body that follows is a nested message's headers. */
    boolean endHeaders() {
        String t = type;
        String b = boundary;
        type = null;
        boundary = null;
        if (t == null) return false;
        if (t.startsWith("multipart/") && b != null && !b.isEmpty() && boundaries.size() < nestingLimit) {
            boundaries.push(b.length() > boundaryLimit ? b.substring(0, boundaryLimit) : b);
            return false;
        }
        return t.equals("message/rfc822") || t.equals("message/global");
    }

    /** Whether a body line is a boundary of an open multipart; part headers follow unless it closes one. */
    boolean isBoundary(String line) {
        if (boundaries.isEmpty() || !line.startsWith("--")) return false;
        String rest = line.substring(2).stripTrailing();
        int depth = 0;
        for (String b : boundaries) {
            depth++;
            if (rest.startsWith(b)) {
                String tail = rest.substring(b.length());
                if (!tail.isEmpty() && !tail.equals("--")) continue;
                for (int i = 1; i < depth; i++) boundaries.pop();
                if (tail.equals("--")) {
                    boundaries.pop();
                    partHeadersNext = false;
                } else {
                    partHeadersNext = true;
                }
                return true;
            }
        }
        return false;
    }

    /** Whether the boundary just seen opens a part (its headers come next). */
    boolean inPartHeaders() {
        boolean r = partHeadersNext;
        partHeadersNext = false;
        return r;
    }

    /** A parameter of a header value (token or quoted string), or null. */
    static String parameter(String value, String name) {
        String lower = value.toLowerCase(Locale.ROOT);
        int i = 0;
        while ((i = lower.indexOf(name, i)) >= 0) {
            int before = i - 1;
            while (before >= 0 && Character.isWhitespace(lower.charAt(before))) before--;
            int j = i + name.length();
            while (j < value.length() && Character.isWhitespace(value.charAt(j))) j++;
            if ((before < 0 || lower.charAt(before) == ';') && j < value.length() && value.charAt(j) == '=') {
                j++;
                while (j < value.length() && Character.isWhitespace(value.charAt(j))) j++;
                if (j < value.length() && value.charAt(j) == '"') {
                    int end = value.indexOf('"', j + 1);
                    return value.substring(j + 1, end < 0 ? value.length() : end);
                }
                int end = j;
                while (end < value.length() && value.charAt(end) != ';' && !Character.isWhitespace(value.charAt(end))) end++;
                return value.substring(j, end);
            }
            i += name.length();
        }
        return null;
    }
}
