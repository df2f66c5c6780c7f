package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.posthorn.table.RegexpTable;
import org.posthorn.table.TableException;

/**
 * Compares RegexpTable with Debian's Postfix 3.7 ("postmap -q - regexp:FILE" and
 * "pcre:FILE") on a corpus of realistic tables: every key must get the same answer, and
 * the same table lines must draw warnings (rules Postfix skips).
 */
@Tag("interop")
class RegexpOracleTest {
    private static final Path POSTMAP = Path.of("/usr/sbin/postmap");
    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    @TempDir
    Path dir;

    /** What Postfix answered for each key, and the lines its warnings named. */
    private record Oracle(Map<String, String> answers, TreeSet<Integer> warnedLines, String stderr) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"header_checks.regexp", "body_checks.regexp", "access.regexp", "transport.regexp",
            "ifendif.regexp", "flags.regexp", "errors.regexp", "header_checks_pcre.pcre", "access_pcre.pcre",
            "errors_pcre.pcre", "tricky.regexp", "tricky_pcre.pcre"})
    void sameAnswersAsPostfix(String table) throws Exception {
        assumeTrue(Files.isExecutable(POSTMAP), "Debian's postmap is not installed");
        String type = table.endsWith(".pcre") ? "pcre" : "regexp";
        Path file = copy(table);
        String base = table.substring(0, table.lastIndexOf('.'));
        List<String> keys = Files.readAllLines(copy(base + ".keys"), StandardCharsets.UTF_8);
        keys.removeIf(String::isEmpty);

        Oracle oracle = postmap(type + ":" + file, keys);
        List<String> warnings = new ArrayList<>();
        RegexpTable ours = RegexpTable.open(type, file.toString(), warnings::add);

        List<String> differences = new ArrayList<>();
        for (String key : keys) {
            String expected = oracle.answers.get(key);
            String actual = ours.lookup(key);
            if (!java.util.Objects.equals(expected, actual)) {
                differences.add("key [" + key + "]: postfix " + show(expected) + ", posthorn " + show(actual));
            }
        }
        assertThat(differences).as("lookups that differ from Postfix").isEmpty();
        assertThat(lines(warnings)).as("lines warned about; postfix said:\n" + oracle.stderr + "\nwe said:\n"
                + String.join("\n", warnings)).isEqualTo(oracle.warnedLines);
        RegexpCorpusCount.add(keys.size());
    }

    /** Keys with newlines and other bytes that "postmap -q -" cannot carry: one query each. */
    @Test
    void singleKeysAgreeWithPostfix() throws Exception {
        assumeTrue(Files.isExecutable(POSTMAP), "Debian's postmap is not installed");
        String[][] cases = {
                {"regexp", "/^line2$/m ml\n/^x$/ x\n/^a.b$/ dot\n/^c[^d]e$/ neg\n/^(.*)$/ all=$1\n",
                        "line1\nline2", "x\n", "a\nb", "c\ne", "zz"},
                {"regexp", "/^a.b$/m dot\n/^c[^d]e$/m neg\n/^$/m emptyline\n/end$/m endline\n/^mid/m mid\n",
                        "a\nb", "c\ne", "x\n", "one end\ntwo", "x\nmid"},
                {"pcre", "/^x$/ dollar\n/^y$/E endonly\n/^a.b$/ dot\n/^c.d$/s nodot\n/^l2$/m ml\n/\\Aq\\Z/ bigz\n",
                        "x\n", "y\n", "a\nb", "c\nd", "l1\nl2\nl3", "q\n", "x\n\n"},
                {"pcre", "/^(\\w+)\\s+(\\w+)$/ $2 $1\n/^.$/ one\n", "hello\nworld", "é", "\t"},
                {"regexp", "/^.$/ one\n/^..$/ two\n/^É$/ upper\n", "é", "É"},
        };
        List<String> differences = new ArrayList<>();
        int n = 0;
        for (String[] c : cases) {
            Path file = dir.resolve("single" + n++);
            Files.writeString(file, c[1]);
            RegexpTable ours = RegexpTable.open(c[0], file.toString(), w -> { });
            for (int k = 2; k < c.length; k++) {
                String expected = postmapOne(c[0] + ":" + file, c[k]);
                String actual = ours.lookup(c[k]);
                if (!java.util.Objects.equals(expected, actual)) {
                    differences.add(c[0] + " table " + show(c[1]) + " key " + show(c[k]) + ": postfix "
                            + show(expected) + ", posthorn " + show(actual));
                }
            }
            RegexpCorpusCount.add(c.length - 2);
        }
        assertThat(differences).isEmpty();
    }

    /** Inline tables regexp:{ {rule}, ... } (Postfix 3.7) answer as Postfix does, and bad ones fail. */
    @Test
    void inlineTablesAgreeWithPostfix() throws Exception {
        assumeTrue(Files.isExecutable(POSTMAP), "Debian's postmap is not installed");
        String[][] cases = {
                {"regexp", "{ {/^(.*)@bar$/ u=$1}, {/x/ y} }", "foo@bar", "x", "q"},
                {"pcre", "{{/^(.*)@bar$/ u=$1},{/x/ y, z}}", "foo@bar", "x"},
                {"pcre", "{ {/x/ {y}} }", "x"},
                {"regexp", "{ { if /^a/ }, {/b$/ ab}, { endif }, {/./ any} }", "ab", "xb", "a"},
        };
        List<String> differences = new ArrayList<>();
        for (String[] c : cases) {
            RegexpTable ours = RegexpTable.open(c[0], c[1], w -> { });
            for (int k = 2; k < c.length; k++) {
                String expected = postmapOne(c[0] + ":" + c[1], c[k]);
                String actual = ours.lookup(c[k]);
                if (!java.util.Objects.equals(expected, actual)) {
                    differences.add(c[1] + " key " + c[k] + ": postfix " + show(expected) + ", posthorn " + show(actual));
                }
            }
            RegexpCorpusCount.add(c.length - 2);
        }
        assertThat(differences).isEmpty();
        for (String bad : List.of("{/x/ y}", "{ {/x/ y} ", "{ {/x/ y}} x", "{ {/x/ y} {z}x }")) {
            Process p = run(List.of(POSTMAP.toString(), "-q", "x", "pcre:" + bad), "");
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isEqualTo(1);
            assertThat(err).contains("fatal");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RegexpTable.open("pcre", bad, w -> { }))
                    .isInstanceOf(TableException.class)
                    .hasMessage(err.strip().replaceFirst("^postmap: fatal: ", ""));
        }
    }

    private Path copy(String resource) throws IOException {
        Path target = dir.resolve(resource);
        try (InputStream in = getClass().getResourceAsStream("/org/posthorn/interop/regexp/" + resource)) {
            assertThat(in).as(resource).isNotNull();
            Files.copy(in, target);
        }
        return target;
    }

    private static Oracle postmap(String map, List<String> keys) throws Exception {
        Process p = run(List.of(POSTMAP.toString(), "-q", "-", map), String.join("\n", keys) + "\n");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<String, String> answers = new HashMap<>();
        for (String line : out.split("\n", -1)) {
            // "key<TAB>value"; keys may hold tabs themselves, so take the longest known key.
            String best = null;
            for (String key : keys) {
                if (line.startsWith(key + "\t") && (best == null || key.length() > best.length())) best = key;
            }
            if (best != null) answers.put(best, line.substring(best.length() + 1));
        }
        return new Oracle(answers, lines(List.of(err.split("\n"))), err);
    }

    /** Postfix's answer for one key: the value, or null when postmap exits 1. */
    private static String postmapOne(String map, String key) throws Exception {
        Process p = run(List.of(POSTMAP.toString(), "-q", key, map), "");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        int status = p.waitFor();
        if (status != 0) return null;
        return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }

    private static Process run(List<String> command, String input) throws IOException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        return p;
    }

    private static TreeSet<Integer> lines(List<String> warnings) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String w : warnings) {
            // The warnings about empty results come from postmap itself, not from the table.
            if (w.contains("empty string result") || w.contains("should return NO RESULT")) continue;
            Matcher m = LINE.matcher(w);
            if (m.find()) out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static String show(String s) {
        return s == null ? "(not found)" : "\"" + s.replace("\n", "\\n") + "\"";
    }
}
