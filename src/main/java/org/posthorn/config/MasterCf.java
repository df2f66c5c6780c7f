package org.posthorn.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * master.cf as master(5) defines it: one service per logical line (a line that starts with
 * white space continues the previous one, '#' lines are comments), eight columns, then the
 * command's arguments where {@code -o name=value} and {@code -o { name = value }} override
 * main.cf for that service. A later (name, type) pair replaces an earlier one in
 * {@link #services()}; {@link #entries()} keeps every row as written, as postconf -M shows.
 */
public final class MasterCf {
    private static final Set<String> TYPES = Set.of("inet", "unix", "unix-dgram", "fifo", "pass");

    /** The names postconf -F gives the columns. */
    public static final List<String> FIELDS = List.of("service", "type", "private", "unprivileged", "chroot",
            "wakeup", "process_limit", "command");

    private final Path file;
    private final List<Service> entries;
    private final List<Service> services;
    private final List<String> warnings;

    private MasterCf(Path file, List<Service> entries, List<String> warnings) {
        this.file = file;
        this.entries = List.copyOf(entries);
        Map<String, Service> byKey = new LinkedHashMap<>();
        for (Service s : entries) {
            byKey.remove(s.key());
            byKey.put(s.key(), s);
        }
        this.services = List.copyOf(byKey.values());
        this.warnings = List.copyOf(warnings);
    }

    public static MasterCf load(Path configDir) throws IOException, ConfigException {
        Path file = configDir.resolve("master.cf");
        return parse(file, Files.readAllLines(file));
    }

    /** As {@link #load(Path)}, naming the file dirLabel/master.cf in messages; null when it does not exist. */
    public static MasterCf loadIfExists(Path configDir, String dirLabel) throws IOException, ConfigException {
        Path file = configDir.resolve("master.cf");
        try {
            return parseChecked(Path.of(dirLabel, "master.cf"), MainCf.readLines(file));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Splits master.cf into rows; only a row with fewer than eight columns is an error here,
     * so that the master can report every bad column itself (org.posthorn.master.MasterCfCheck).
     */
    public static MasterCf parse(Path file, List<String> lines) throws ConfigException {
        return parse(file, lines, false);
    }

    /** As {@link #parse}, and the first bad column (type, y/n flags, wakeup, process limit) is an error, as in postconf. */
    public static MasterCf parseChecked(Path file, List<String> lines) throws ConfigException {
        return parse(file, lines, true);
    }

    private static MasterCf parse(Path file, List<String> lines, boolean checked) throws ConfigException {
        List<String> warnings = new ArrayList<>();
        List<Service> entries = new ArrayList<>();
        for (MainCf.Logical l : MainCf.logicalLines(lines, file.toString(), warnings)) {
            Service s = Service.parse(file, l.first() + 1, l.text(), warnings);
            if (checked) s.check(file);
            entries.add(s);
        }
        return new MasterCf(file, entries, warnings);
    }

    public Path file() {
        return file;
    }

    /** The services, a later (name, type) replacing an earlier one. */
    public List<Service> services() {
        return services;
    }

    /** Every row in file order, duplicates included. */
    public List<Service> entries() {
        return entries;
    }

    /** Warnings while reading (a continuation line with nothing to continue, a missing '}'). */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * One master.cf row. Columns keep their text as written ("-" for the built-in default);
     * the typed accessors apply master(5)'s defaults.
     *
     * @param line the line in master.cf where the entry starts, for messages
     * @param args the command's words after the command name, -o options included; a
     *             "{ a b }" group is one word "a b", and "-o { name = value }" becomes
     *             "-o" "name=value"
     */
    public record Service(String name, String type, String privateColumn, String unprivColumn,
                          String chrootColumn, String wakeupColumn, String maxprocColumn,
                          String command, List<String> args, int line) {

        /** "name/type", how postconf names a service. */
        public String key() {
            return name + "/" + type;
        }

        static Service parse(Path file, int line, String text) throws ConfigException {
            return parse(file, line, text, new ArrayList<>());
        }

        static Service parse(Path file, int line, String text, List<String> warnings) throws ConfigException {
            String where = "file " + file + ": line " + line + ": ";
            List<String> words = splitWords(file, line, text, warnings);
            if (words.size() < 8) throw new ConfigException(where + "bad field count");
            List<String> args = normalizeOptions(words.subList(8, words.size()));
            return new Service(words.get(0), words.get(1), words.get(2), words.get(3), words.get(4), words.get(5),
                    words.get(6), words.get(7), List.copyOf(args), line);
        }

        /** Throws for the first column master(5) does not allow, naming the file and line. */
        void check(Path file) throws ConfigException {
            String where = "file " + file + ": line " + line + ": ";
            String text = String.join(" ", columns()) + " " + String.join(" ", commandWords());
            if (!TYPES.contains(type)) throw bad(where, "type", type, text);
            check(where, "private", privateColumn, text);
            check(where, "unprivileged", unprivColumn, text);
            check(where, "chroot", chrootColumn, text);
            String wakeupDigits = wakeupColumn.endsWith("?") ? wakeupColumn.substring(0, wakeupColumn.length() - 1) : wakeupColumn;
            if (!wakeupColumn.equals("-") && !isDigits(wakeupDigits)) throw bad(where, "wakeup", wakeupColumn, text);
            if (!maxprocColumn.equals("-") && !isDigits(maxprocColumn)) throw bad(where, "process_limit", maxprocColumn, text);
        }

        private static boolean isDigits(String s) {
            if (s.isEmpty() || s.length() > 9) return false;
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
            }
            return true;
        }

        private static void check(String where, String field, String value, String text) throws ConfigException {
            if (!value.equals("-") && !value.equals("y") && !value.equals("n")) throw bad(where, field, value, text);
        }

        private static ConfigException bad(String where, String field, String value, String text) {
            return new ConfigException(where + "invalid " + field + " field \"" + value + "\" in \"" + text + "\"");
        }

        /**
         * The daemon options before the first other argument: "-o { name = value }" and
         * "-o name = value" become "name=value", as postconf -M shows them.
         */
        private static List<String> normalizeOptions(List<String> words) {
            List<String> out = new ArrayList<>(words);
            for (int i : optionValues(out)) {
                String nv = out.get(i);
                int eq = nv.indexOf('=');
                out.set(i, nv.substring(0, eq).strip() + "=" + nv.substring(eq + 1).strip());
            }
            return out;
        }

        /**
         * Where the "name=value" words of "-o" options are in args, among the options that come
         * before the first other argument (postconf's reading; pipe's argv=... ends them).
         */
        public static List<Integer> optionValues(List<String> args) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("-") || a.equals("--")) break;
                if (a.equals("-o") && i + 1 < args.size()) {
                    if (args.get(++i).indexOf('=') > 0) out.add(i);
                }
            }
            return out;
        }

        /** Splits on white space; "{ a b }" is one word "a b" (braces and outer spaces removed). */
        static List<String> splitWords(Path file, int line, String text) throws ConfigException {
            return splitWords(file, line, text, new ArrayList<>());
        }

        static List<String> splitWords(Path file, int line, String text, List<String> warnings) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '{') {
                    int depth = 0;
                    int j = i;
                    for (; j < text.length(); j++) {
                        if (text.charAt(j) == '{') depth++;
                        else if (text.charAt(j) == '}' && --depth == 0) break;
                    }
                    if (j >= text.length()) {
                        // Postfix warns and takes the rest of the line as the group
                        warnings.add(file.getFileName() + ": missing '}' in \"" + text.substring(i) + "\"");
                    }
                    out.add(text.substring(i + 1, Math.min(j, text.length())).strip());
                    i = j + 1;
                } else {
                    int j = i;
                    while (j < text.length() && !Character.isWhitespace(text.charAt(j))) j++;
                    out.add(text.substring(i, j));
                    i = j;
                }
            }
            return out;
        }

        /**
         * The -o overrides in order, read as the daemons' getopt does: options end at the
         * first argument that is not one; "-o name=value" and "-oname=value".
         */
        public Map<String, String> overrides() {
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("-") || a.length() < 2) break;
                if (a.equals("--")) break;
                String nv = null;
                if (a.equals("-o") && i + 1 < args.size()) nv = args.get(++i);
                else if (a.startsWith("-o")) nv = a.substring(2);
                else if (a.length() == 2 && "imnst".indexOf(a.charAt(1)) >= 0) i++; // options with a value
                if (nv == null) continue;
                int eq = nv.indexOf('=');
                if (eq > 0) out.put(nv.substring(0, eq).strip(), nv.substring(eq + 1).strip());
            }
            return out;
        }

        /** The first seven columns as written, in order. */
        public List<String> columns() {
            return List.of(name, type, privateColumn, unprivColumn, chrootColumn, wakeupColumn, maxprocColumn);
        }

        /** This row with another column (a name from {@link #FIELDS}), checked as when read. */
        public Service withField(String field, String value) throws ConfigException {
            List<String> cols = new ArrayList<>(columns());
            String commandText = String.join(" ", commandWords());
            int i = FIELDS.indexOf(field);
            if (i < 0) throw new ConfigException("invalid service attribute name: \"" + field + "\"");
            if (i < cols.size()) cols.set(i, value);
            else commandText = value;
            List<Service> parsed = parseChecked(Path.of("master.cf"), List.of(String.join(" ", cols) + " " + commandText)).entries();
            if (parsed.isEmpty()) throw new ConfigException("bad field count");
            return parsed.getFirst();
        }

        /** This row with "-o name=value" set in place, added after the other options, or removed (value null). */
        public Service withOption(String optionName, String value) {
            List<String> out = new ArrayList<>(args);
            int insertAt = 0;
            boolean done = false;
            for (int i = 0; i < out.size(); i++) {
                String a = out.get(i);
                if (!a.startsWith("-") || a.equals("--")) break;
                insertAt = i + 1;
                if (!a.equals("-o") || i + 1 >= out.size()) continue;
                insertAt = i + 2;
                if (!out.get(i + 1).startsWith(optionName + "=")) {
                    i++;
                } else if (value == null) {
                    out.subList(i, i + 2).clear();
                    insertAt = i;
                    i--;
                } else {
                    out.set(++i, optionName + "=" + value);
                    done = true;
                }
            }
            if (value != null && !done) out.addAll(insertAt, List.of("-o", optionName + "=" + value));
            return withArgs(out);
        }

        /** This row with each "-o name=value" value expanded, $service_name being this row's name (postconf -x). */
        public Service withExpandedOptions(Config config) {
            Config view = config.withOverrides(Map.of("service_name", name));
            List<String> out = new ArrayList<>(args);
            for (int i : optionValues(out)) {
                String nv = out.get(i);
                int eq = nv.indexOf('=');
                out.set(i, nv.substring(0, eq + 1) + view.expand(nv.substring(eq + 1)));
            }
            return withArgs(out);
        }

        private Service withArgs(List<String> newArgs) {
            return new Service(name, type, privateColumn, unprivColumn, chrootColumn, wakeupColumn, maxprocColumn,
                    command, List.copyOf(newArgs), line);
        }

        /** The command and its arguments as postconf -M prints them: groups with white space in braces. */
        public List<String> commandWords() {
            List<String> out = new ArrayList<>(args.size() + 1);
            out.add(command);
            for (String a : args) out.add(a.isEmpty() || a.chars().anyMatch(Character::isWhitespace) ? "{" + a + "}" : a);
            return out;
        }

        public boolean isPrivate() {
            return !privateColumn.equals("n") && !type.equals("inet");
        }

        public boolean isUnprivileged() {
            return !unprivColumn.equals("n");
        }

        public boolean isChroot() {
            return chrootColumn.equals("y");
        }

        /** Wakeup seconds (0 = none); "N?" means only after the first use. */
        public int wakeupSeconds() {
            String w = wakeupColumn.equals("-") ? "0" : wakeupColumn.replace("?", "");
            return Integer.parseInt(w);
        }

        public boolean wakeupAfterFirstUse() {
            return wakeupColumn.endsWith("?");
        }

        /** maxproc, "-" meaning default_process_limit; 0 means unlimited. */
        public int maxproc(Config config) {
            return maxprocColumn.equals("-") ? config.getInt("default_process_limit") : Integer.parseInt(maxprocColumn);
        }
    }
}
