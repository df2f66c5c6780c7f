package org.posthorn.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** postconf -e/-X/-# and -Me/-MX/-M# rewriting (the oracle tests compare them with Postfix). */
class EditorTest {
    @TempDir
    Path dir;

    @Test
    void mainCfEditsKeepCommentsAndOrder() throws Exception {
        Path f = dir.resolve("main.cf");
        String start = "# head\nmyorigin = a\n  continued\n# mid\n   \n  more\nrelayhost = x\nmyorigin = dup\n#tail";
        Files.writeString(f, start);
        Map<String, String> set = new LinkedHashMap<>();
        set.put("myorigin", "new");
        set.put("zz", "1");
        List<String> warnings = new ArrayList<>();
        MainCfEditor.edit(f, "d/main.cf", EditMode.SET, set, warnings::add);
        assertThat(Files.readString(f)).isEqualTo("# head\nmyorigin = new\n# mid\n   \nrelayhost = x\nmyorigin = new\n#tailzz = 1\n");
        assertThat(warnings).containsExactly("d/main.cf: multiple entries for \"myorigin\"");
        assertThat(Files.list(dir)).containsExactly(f);

        Files.writeString(f, start);
        MainCfEditor.edit(f, "d/main.cf", EditMode.COMMENT, Map.of("myorigin", ""), w -> { });
        assertThat(Files.readString(f)).isEqualTo(
                "# head\n#myorigin = a\n#  continued\n# mid\n   \n#  more\nrelayhost = x\n#myorigin = dup\n#tail");

        Files.writeString(f, start);
        MainCfEditor.edit(f, "d/main.cf", EditMode.REMOVE, Map.of("relayhost", ""), w -> { });
        assertThat(Files.readString(f)).isEqualTo("# head\nmyorigin = a\n  continued\n# mid\n   \n  more\nmyorigin = dup\n#tail");
    }

    @Test
    void masterCfEdits() throws Exception {
        Path f = dir.resolve("master.cf");
        String start = "# top\nsmtp inet n - n - - smtpd\n  -o a=b\n# mid\nrelay unix - - n - - smtp\n";
        Files.writeString(f, start);
        MasterCf.Service s = MasterCf.parse(f, List.of("relay unix - - y - 5 smtp -o x=y")).entries().getFirst();
        MasterCfEditor.edit(f, EditMode.SET, Map.of("relay/unix", s), false);
        assertThat(Files.readString(f)).isEqualTo("# top\nsmtp inet n - n - - smtpd\n  -o a=b\n# mid\n"
                + "relay      unix  -       -       y       -       5       smtp\n    -o x=y\n");

        Files.writeString(f, start);
        MasterCf.Service t = MasterCf.parse(f, List.of("smtp inet n - y - - smtpd")).entries().getFirst();
        MasterCfEditor.edit(f, EditMode.SET, Map.of("smtp/inet", t), true);
        assertThat(Files.readString(f)).as("a changed field is written after the comments that follow")
                .isEqualTo("# top\n# mid\nsmtp       inet  n       -       y       -       -       smtpd\nrelay unix - - n - - smtp\n");

        Files.writeString(f, start);
        Map<String, MasterCf.Service> gone = new LinkedHashMap<>();
        gone.put("smtp/inet", null);
        MasterCfEditor.edit(f, EditMode.COMMENT, gone, false);
        assertThat(Files.readString(f)).isEqualTo("# top\n#smtp inet n - n - - smtpd\n#  -o a=b\n# mid\nrelay unix - - n - - smtp\n");

        Files.writeString(f, start);
        MasterCfEditor.edit(f, EditMode.REMOVE, gone, false);
        assertThat(Files.readString(f)).isEqualTo("# top\n# mid\nrelay unix - - n - - smtp\n");
    }

    @Test
    void namespaceFindsUserDefinedUndefinedAndDatabaseParameters() throws Exception {
        Map<String, String> main = new LinkedHashMap<>();
        main.put("relayhost", "$target ${zz:x}");
        main.put("target", "[gw]");
        main.put("unused_one", "1");
        main.put("smtpd_restriction_classes", "freemail");
        main.put("freemail", "reject");
        main.put("virtual_alias_maps", "ldap:src");
        main.put("src_server_host", "h");
        main.put("src_bogus", "b");
        MasterCf master = MasterCf.parse(Path.of("d/master.cf"), List.of("smtp inet n - n - - smtpd -o q=$qq"));
        ParameterNamespace ns = ParameterNamespace.of(main, "d/main.cf", master);
        assertThat(ns.isKnown("target")).isTrue();
        assertThat(ns.isKnown("freemail")).isTrue();
        assertThat(ns.isKnown("src_server_host")).isTrue();
        assertThat(ns.isKnown("src_bogus")).isFalse();
        assertThat(ns.isKnown("unused_one")).isFalse();
        assertThat(ns.isKnown("q")).isFalse();
        assertThat(ns.isKnown("relay_recipient_limit")).isFalse();
        assertThat(ns.warnings()).containsExactlyInAnyOrder("d/main.cf: undefined parameter: zz",
                "d/master.cf: undefined parameter: qq");
    }
}
