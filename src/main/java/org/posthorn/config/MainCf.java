package org.posthorn.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * main.cf as postconf(5) defines it: "name = value" logical lines, '#' comment lines and
 * blank lines ignored, a line that starts with white space continuing the logical line
 * before it (comments and blank lines in between do not end it). A later definition of a
 * name replaces an earlier one, with a warning as Postfix gives.
 */
public final class MainCf {
    /** One definition: the value has the continuation lines joined and outer white space removed. */
    public record Entry(String name, String value, int line) {
    }

    /** One logical line: its first and last physical line (0-based, inclusive) and its text. */
    record Logical(int first, int last, String text) {
    }

    private final String label;
    private final Map<String, Entry> entries;
    private final List<String> warnings;

    private MainCf(String label, Map<String, Entry> entries, List<String> warnings) {
        this.label = label;
        this.entries = entries;
        this.warnings = warnings;
    }

    /**
     * Reads file; a missing file is an empty main.cf. label is how messages name the file
     * (Postfix names it as the configuration directory was given, e.g. "dir/main.cf").
     */
    public static MainCf read(Path file, String label) throws IOException {
        List<String> lines;
        try {
            lines = readLines(file);
        } catch (NoSuchFileException e) {
            lines = List.of();
        }
        return parse(lines, label);
    }

    static List<String> readLines(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!out.isEmpty() && out.getLast().isEmpty()) out.removeLast();
        return out;
    }

    public static MainCf parse(List<String> lines, String label) throws ConfigSyntaxException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Logical l : logicalLines(lines, label, warnings)) {
            Entry e = parseEntry(l.text(), label + ", line " + (l.first() + 1), l.first() + 1);
            Entry old = entries.remove(e.name());
            if (old != null && !old.value().equals(e.value())) {
                warnings.add(label + ", line " + e.line() + ": overriding earlier entry: " + old.name() + "=" + old.value());
            }
            entries.put(e.name(), e);
        }
        return new MainCf(label, entries, warnings);
    }

    /** Splits physical lines into logical lines; a leading continuation line is warned about and skipped. */
    static List<Logical> logicalLines(List<String> lines, String label, List<String> warnings) {
        List<Logical> out = new ArrayList<>();
        StringBuilder text = null;
        int first = 0, last = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = stripCr(lines.get(i));
            if (isCommentOrBlank(line)) continue;
            if (Character.isWhitespace(line.charAt(0))) {
                if (text == null) {
                    if (warnings != null) {
                        warnings.add(label + ": logical line must not start with whitespace: \"" + line + "\"");
                    }
                    continue;
                }
                text.append(line);
                last = i;
                continue;
            }
            if (text != null) out.add(new Logical(first, last, text.toString()));
            text = new StringBuilder(line);
            first = last = i;
        }
        if (text != null) out.add(new Logical(first, last, text.toString()));
        return out;
    }

    static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    static boolean isCommentOrBlank(String line) {
        String s = line.stripLeading();
        return s.isEmpty() || s.charAt(0) == '#';
    }

    /** "name = value" as Postfix's split_nameval() takes it; where is put before the message. */
    static Entry parseEntry(String text, String where, int line) throws ConfigSyntaxException {
        String t = text.strip();
        int eq = t.indexOf('=');
        String name = eq < 0 ? t : t.substring(0, eq).strip();
        String prefix = where == null ? "" : where + ": ";
        if (eq == 0 || (eq > 0 && name.isEmpty())) {
            throw new ConfigSyntaxException(prefix + "missing attribute name: \"" + text + "\"");
        }
        if (eq < 0 || !isName(name)) {
            throw new ConfigSyntaxException(prefix + "missing '=' after attribute name: \"" + text + "\"");
        }
        return new Entry(name, t.substring(eq + 1).strip(), line);
    }

    private static boolean isName(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.isWhitespace(name.charAt(i))) return false;
        }
        return true;
    }

    public String label() {
        return label;
    }

    /** The definitions in the order their names first appear. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** Warnings found while reading (continuation without a line, overridden entries). */
    public List<String> warnings() {
        return warnings;
    }
}
