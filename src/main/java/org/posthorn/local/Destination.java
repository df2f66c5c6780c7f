package org.posthorn.local;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.address.Quote;

/**
 * One destination of an alias, a .forward file or an :include: file (aliases(5)):
 * {@code |command}, {@code /file/path}, {@code :include:/file}, a backslash and a user name (the user's
 * own mailbox, no further expansion) or a mail address.
 */
public sealed interface Destination {
    record Command(String command) implements Destination {
    }

    record File(String path) implements Destination {
    }

    record Include(String path) implements Destination {
    }

    record Mailbox(String user) implements Destination {
    }

    record Address(String address) implements Destination {
    }

    /**
     * Splits each line at the commas outside quotes, comments and angle brackets, and
     * classifies each element; every line is a list of its own, as Postfix reads .forward and
     * include files line by line. Lines that start with '#' are comments.
     */
    static List<Destination> parse(String text) {
        List<Destination> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.stripLeading().startsWith("#")) continue;
            StringBuilder item = new StringBuilder();
            boolean quoted = false;
            int comment = 0;
            int angle = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    item.append(c).append(line.charAt(++i));
                    continue;
                }
                if (c == '"' && comment == 0) quoted = !quoted;
                else if (!quoted && c == '(') comment++;
                else if (!quoted && c == ')' && comment > 0) comment--;
                else if (!quoted && comment == 0 && c == '<') angle++;
                else if (!quoted && comment == 0 && c == '>' && angle > 0) angle--;
                if (c == ',' && !quoted && comment == 0 && angle == 0) {
                    add(out, item.toString());
                    item.setLength(0);
                } else {
                    item.append(c);
                }
            }
            add(out, item.toString());
        }
        return out;
    }

    private static void add(List<Destination> out, String raw) {
        String s = raw.strip();
        if (s.isEmpty()) return;
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = unquote(s.substring(1, s.length() - 1));
        if (s.startsWith("|")) {
            out.add(new Command(s.substring(1).strip()));
        } else if (s.regionMatches(true, 0, ":include:", 0, 9)) {
            out.add(new Include(s.substring(9).strip()));
        } else if (s.startsWith("/")) {
            out.add(new File(s));
        } else if (s.startsWith("\\")) {
            out.add(new Mailbox(unquote(s.substring(1)).strip()));
        } else {
            int lt = s.indexOf('<');
            int gt = s.lastIndexOf('>');
            if (lt >= 0 && gt > lt) s = s.substring(lt + 1, gt).strip();
            s = s.replaceAll("\\([^)]*\\)", "").strip();
            if (!s.isEmpty()) out.add(new Address(Quote.unquoteLocal(s)));
        }
    }

    private static String unquote(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) c = s.charAt(++i);
            b.append(c);
        }
        return b.toString();
    }
}
