package org.posthorn.queue;

/**
 * The record types of a Postfix queue file (rec_type.h), each with its type byte and the
 * name postcat(1) prints for it. {@code L} is two types: the content-filter record in the
 * envelope and the continuation (long line fragment) in the content; {@link #of} resolves
 * it by segment.
 */
public enum RecordType {
    SIZE('C', "message_size"),
    TIME('T', "message_arrival_time"),
    CTIME('c', "queue_file_create_time"),
    FULL('F', "sender_fullname"),
    INSP('I', "content_inspector"),
    FILT('L', "content_filter"),
    FROM('S', "sender"),
    DONE('D', "done_recipient"),
    DRCP('/', "canceled_recipient"),
    RCPT('R', "recipient"),
    ORCP('O', "original_recipient"),
    WARN('W', "warning_message_time"),
    ATTR('A', "named_attribute"),
    KILL('K', "killed_record"),
    RDR('>', "redirect_to"),
    FLGS('f', "flags"),
    DELAY('d', "unknown_record_type"),
    VERP('V', "verp_delimiters"),
    DSN_RET('<', "dsn_return_flags"),
    DSN_ENVID('i', "dsn_envelope_id"),
    DSN_ORCPT('o', "dsn_original_recipient"),
    DSN_NOTIFY('n', "dsn_notify_flags"),
    MILT_COUNT('m', "unknown_record_type"),
    MESG('M', "message_content"),
    CONT('L', "unterminated_text"),
    NORM('N', "regular_text"),
    DTXT('w', "deleted_text"),
    XTRA('X', "extracted_info"),
    RRTO('r', "return_receipt"),
    ERTO('e', "errors_to"),
    PRIO('P', "priority"),
    PTR('p', "pointer_record"),
    END('E', "message_end");

    private final byte code;
    private final String postcatName;

    RecordType(char code, String postcatName) {
        this.code = (byte) code;
        this.postcatName = postcatName;
    }

    /** The type byte written to the file. */
    public byte code() {
        return code;
    }

    /** The letter, for messages. */
    public char letter() {
        return (char) code;
    }

    /** The name postcat prints before the value ("recipient", "named_attribute"). */
    public String postcatName() {
        return postcatName;
    }

    /**
     * The type of a byte read in a segment; null for a byte that is no Postfix record
     * type. The byte {@code L} is {@link #CONT} in the content and {@link #FILT} elsewhere.
     */
    public static RecordType of(int code, Segment segment) {
        if (code == 'L') return segment == Segment.CONTENT ? CONT : FILT;
        for (RecordType t : values()) {
            if (t.code == (byte) code && t != CONT) return t;
        }
        return null;
    }

    /** The printable form of a type byte for error messages: the letter or its decimal code. */
    static String show(int code) {
        return code > ' ' && code < 127 ? "'" + (char) code + "'" : "code " + (code & 0xff);
    }
}
