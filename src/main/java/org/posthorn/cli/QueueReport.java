package org.posthorn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import org.posthorn.showq.ShowqMessage;

/**
 * postqueue's two renderings of the showq stream: the Sendmail-style listing of
 * {@code postqueue -p} / mailq (short or long queue ID columns, status marks {@code *}
 * active, {@code !} hold, {@code #} forced expiry, a reason line whenever the reason
 * changes, the Kbytes/Requests trailer), and the JSON lines of {@code postqueue -j}.
 */
final class QueueReport {
    private final PrintStream out;
    private final boolean json;
    private final boolean longIds;
    private ZoneId zone;
    private long count;
    private long bytes;

    QueueReport(PrintStream out, boolean json, boolean longIds, ZoneId zone) {
        this.out = out;
        this.json = json;
        this.longIds = longIds;
        this.zone = zone;
    }

    /** A report in the system's time zone, looked up at the first message: an empty queue needs none. */
    QueueReport(PrintStream out, boolean json, boolean longIds) {
        this(out, json, longIds, null);
    }

    void message(ShowqMessage m) throws IOException {
        if (json) {
            json(m);
        } else {
            listing(m);
        }
        count++;
        bytes += m.size();
        // the buffer goes out as it fills; a closed pipe (mailq | head) ends the listing
        if ((count & 255) == 0 && out.checkError()) throw new IOException("output write error");
    }

    /** Ends the report: the -p trailer, or nothing for -j. */
    void finish() {
        if (json) {
            out.flush();
            return;
        }
        if (count == 0) {
            out.print("Mail queue is empty\n");
        } else {
            out.printf(Locale.ROOT, "\n-- %d Kbytes in %d Request%s.\n", Long.divideUnsigned(bytes, 1024), count, count == 1 ? "" : "s");
        }
        out.flush();
    }

    private void listing(ShowqMessage m) {
        if (count > 0) {
            out.print('\n');
        } else if (longIds) {
            out.print(row("----Queue ID-----", "--Size--", "---Arrival Time----", "--Sender/Recipient------"));
        } else {
            out.print(row("-Queue ID-", "--Size--", "----Arrival Time----", "-Sender/Recipient-------"));
        }
        StringBuilder id = new StringBuilder(m.queueId());
        if (m.queueName().equals("active")) id.append('*');
        else if (m.queueName().equals("hold")) id.append('!');
        if (m.forcedExpire()) id.append('#');
        String time = asctime(m.arrivalTime());
        StringBuilder line = new StringBuilder(100);
        pad(line, id, longIds ? 17 : 11, false).append(' ');
        pad(line, Long.toString(m.size()), longIds ? 8 : 7, true).append(' ');
        line.append(time, 0, longIds ? 19 : 20).append(' ').append(m.sender()).append('\n');
        out.print(line);
        String saved = "";
        for (ShowqMessage.Recipient r : m.recipients()) {
            // a reason line only when it differs from the previous recipient's
            if (!saved.equals(r.reason())) {
                saved = r.reason();
                String shown = saved.isEmpty() ? "reason unavailable" : saved;
                out.print(" ".repeat(Math.max(0, 76 - shown.length())) + "(" + shown + ")\n");
            }
            out.print(row("", "", "", r.address()));
        }
    }

    /** One line of four columns: left-aligned, right-aligned, left-aligned, as is. */
    private String row(CharSequence a, String b, String c, String d) {
        StringBuilder line = new StringBuilder(100);
        pad(line, a, longIds ? 17 : 11, false).append(' ');
        pad(line, b, longIds ? 8 : 7, true).append(' ');
        pad(line, c, longIds ? 19 : 20, false).append(' ');
        return line.append(d).append('\n').toString();
    }

    /** printf's %-Ns (left) or %Ns (right): pads to at least width, never cuts. */
    private static StringBuilder pad(StringBuilder b, CharSequence s, int width, boolean right) {
        if (!right) b.append(s);
        for (int i = s.length(); i < width; i++) b.append(' ');
        if (right) b.append(s);
        return b;
    }

    /** asctime(localtime(t)): "Fri Nov  6 19:36:13 2026" (the newline is cut by the column widths). */
    private String asctime(long epoch) {
        if (zone == null) zone = ZoneId.systemDefault();
        ZonedDateTime t = Instant.ofEpochSecond(epoch).atZone(zone);
        String day = t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ROOT);
        String month = t.getMonth().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ROOT);
        StringBuilder b = new StringBuilder(26).append(day, 0, 3).append(' ').append(month, 0, 3);
        b.append(t.getDayOfMonth() < 10 ? "  " : " ").append(t.getDayOfMonth()).append(' ');
        two(b, t.getHour()).append(':');
        two(b, t.getMinute()).append(':');
        two(b, t.getSecond()).append(' ');
        return b.append(t.getYear()).append('\n').toString();
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append(v < 10 ? "0" : "").append(v);
    }

    private void json(ShowqMessage m) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"queue_name\": \"").append(quote(m.queueName())).append("\", ");
        b.append("\"queue_id\": \"").append(quote(m.queueId())).append("\", ");
        b.append("\"arrival_time\": ").append(m.arrivalTime()).append(", ");
        b.append("\"message_size\": ").append(m.size()).append(", ");
        b.append("\"forced_expire\": ").append(m.forcedExpire()).append(", ");
        b.append("\"sender\": \"").append(quote(m.sender())).append("\", ");
        b.append("\"recipients\": [");
        int n = 0;
        for (ShowqMessage.Recipient r : m.recipients()) {
            if (n++ > 0) b.append(", ");
            b.append("{\"address\": \"").append(quote(r.address())).append('"');
            if (!r.reason().isEmpty()) b.append(", \"delay_reason\": \"").append(quote(r.reason())).append('"');
            b.append('}');
        }
        b.append("]}\n");
        out.print(b);
    }

    /** JSON string escaping as Postfix's showq_json: short escapes for common controls, \\u00XX for the rest. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\', '"' -> b.append('\\').append(c);
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
