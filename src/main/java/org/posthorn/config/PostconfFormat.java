package org.posthorn.config;

import java.util.List;

/**
 * How postconf lays out what it prints: words joined by single spaces, folded (-f) before a
 * word that would make the line 80 columns or longer, continuation lines indented by four
 * spaces; master.cf rows in aligned columns.
 */
public final class PostconfFormat {
    /** The longest folded line: 80 columns for main.cf parameters, 79 for master.cf entries (as Postfix). */
    static final int PARAMETER_LINE = 80;
    static final int MASTER_LINE = 79;
    static final String INDENT = "    ";
    /** Where each master.cf column starts: service, type, private, unpriv, chroot, wakeup, maxproc, command. */
    private static final int[] COLUMNS = {0, 11, 17, 25, 33, 41, 49, 57};

    private PostconfFormat() {
    }

    /** The white-space separated words of text. */
    public static List<String> words(String text) {
        List<String> out = new java.util.ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) i++;
            int start = i;
            while (i < n && !Character.isWhitespace(text.charAt(i))) i++;
            if (i > start) out.add(text.substring(start, i));
        }
        return out;
    }

    /** "name = value" ("name =" when empty), folded when fold is set. */
    public static String parameter(String name, String value, boolean fold) {
        StringBuilder sb = new StringBuilder(name).append(" =");
        appendWords(sb, words(value), fold, 0, PARAMETER_LINE);
        return sb.toString();
    }

    /** A value alone, as postconf -h prints it. */
    public static String value(String value, boolean fold) {
        StringBuilder sb = new StringBuilder();
        appendWords(sb, words(value), fold, 0, PARAMETER_LINE);
        return sb.toString();
    }

    /** Appends words after what sb holds; lineStart is where the current line begins in sb. */
    private static int appendWords(StringBuilder sb, List<String> words, boolean fold, int lineStart, int maxLine) {
        for (String w : words) {
            int len = sb.length() - lineStart;
            if (len == 0) {
                sb.append(w);
            } else if (fold && len > INDENT.length() && len + 1 + w.length() > maxLine) {
                sb.append('\n');
                lineStart = sb.length();
                sb.append(INDENT).append(w);
            } else {
                sb.append(' ').append(w);
            }
        }
        return lineStart;
    }

    /**
     * The command field as postconf -F prints it after prefix ("name/type/command = "); a
     * null prefix prints the field name only.
     */
    public static String command(String prefix, MasterCf.Service s, boolean fold) {
        if (prefix == null) return s.key() + "/command";
        StringBuilder sb = new StringBuilder(prefix).append(s.command());
        appendArgs(sb, s, fold, prefix.isEmpty());
        return sb.toString();
    }

    /** A master.cf row as postconf -M prints it; with fold, each "-o name=value" on its own line. */
    public static String masterEntry(MasterCf.Service s, boolean fold) {
        String[] cols = {s.name(), s.type(), s.privateColumn(), s.unprivColumn(), s.chrootColumn(),
                s.wakeupColumn(), s.maxprocColumn(), s.command()};
        StringBuilder sb = new StringBuilder(128);
        for (int i = 0; i < cols.length; i++) {
            if (i > 0) {
                if (sb.length() < COLUMNS[i]) sb.append(" ".repeat(COLUMNS[i] - sb.length()));
                else sb.append(' ');
            }
            sb.append(cols[i]);
        }
        appendArgs(sb, s, fold, false);
        return sb.toString();
    }

    /**
     * Appends the command's arguments. glueShort copies a quirk of postconf -Fh: a word
     * that follows a line of four characters or fewer ("pipe") gets no space before it,
     * so Postfix prints "pipeflags=R ..." there.
     */
    private static void appendArgs(StringBuilder sb, MasterCf.Service s, boolean fold, boolean glueShort) {
        List<String> words = s.commandWords();
        int lineStart = sb.lastIndexOf("\n") + 1;
        boolean options = true;
        boolean afterOption = false;
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (options && (!w.startsWith("-") || w.equals("--"))) options = false;
            boolean dashO = fold && options && w.equals("-o") && i + 1 < words.size();
            if (dashO || fold && afterOption) {
                // with -f each "-o name=value" has a line of its own, and so does what follows it
                sb.append('\n');
                lineStart = sb.length();
                sb.append(INDENT).append(dashO ? "-o " + words.get(++i) : w);
                afterOption = dashO;
                continue;
            }
            int len = sb.length() - lineStart;
            if (glueShort && !w.equals("-o") && len > 0 && len <= INDENT.length()) sb.append(w);
            else lineStart = appendWords(sb, List.of(w), fold, lineStart, MASTER_LINE);
        }
    }
}
