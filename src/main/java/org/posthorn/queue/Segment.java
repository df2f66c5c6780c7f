package org.posthorn.queue;

/**
 * The three parts of a queue file and the record types each may hold (rec_type.h): the
 * envelope up to {@code M}, the content up to {@code X}, the extracted records up to
 * {@code E}. The first letter of each set ends the segment. Files written by postdrop
 * into maildrop/ may only use the narrower postdrop sets. Pointer records ({@code p})
 * may appear anywhere and are followed by the reader, not checked here.
 */
public enum Segment {
    ENVELOPE("MCTcFILSDRO/WVA>K<ion", "MFSRVAin"),
    CONTENT("XLNw", "XLN"),
    EXTRACTED("EDRO/PreAFIL>Kon", "EAR");

    private final String allowed;
    private final String postdropAllowed;

    Segment(String allowed, String postdropAllowed) {
        this.allowed = allowed;
        this.postdropAllowed = postdropAllowed;
    }

    /** Whether a type byte may appear in this segment of a queue file written by cleanup. */
    public boolean allows(int code) {
        return code > 0 && code < 128 && allowed.indexOf(code) >= 0;
    }

    /** Whether a type byte may appear in this segment of a file written by postdrop. */
    public boolean allowsFromPostdrop(int code) {
        return code > 0 && code < 128 && postdropAllowed.indexOf(code) >= 0;
    }

    /**
     * Whether a type byte may appear in a segment of a cleanup queue file, or of a maildrop
     * file, which also starts with the {@code T} record postdrop writes itself.
     */
    public static boolean allows(Segment segment, int code, boolean maildrop) {
        if (!maildrop) return segment.allows(code);
        return segment.allowsFromPostdrop(code) || (segment == ENVELOPE && code == 'T');
    }

    /** The type byte that ends this segment: M, X or E. */
    public byte terminator() {
        return (byte) allowed.charAt(0);
    }

    /** The segment after this one, or null after the extracted segment. */
    public Segment next() {
        return switch (this) {
            case ENVELOPE -> CONTENT;
            case CONTENT -> EXTRACTED;
            case EXTRACTED -> null;
        };
    }

    /** The letters allowed here, for error messages. */
    public String allowedLetters() {
        return allowed;
    }
}
