package org.posthorn.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpansionTest {
    final Map<String, String> v = new HashMap<>(Map.of("home", "/home/joe", "user", "joe", "recipient_delimiter", "+",
            "empty", "", "bad", "a b;c"));

    @Test
    void forms() {
        Expansion e = Expansion.of(v, null);
        assertThat(e.expand("$home/.forward")).isEqualTo("/home/joe/.forward");
        assertThat(e.expand("${home}x$(user)")).isEqualTo("/home/joex" + "joe");
        assertThat(e.expand("a${user?-set}b${empty?-set}c")).isEqualTo("a-setbc");
        assertThat(e.expand("a${empty:def}b${user:def}")).isEqualTo("adefbjoe");
        assertThat(e.expand("cost $$5 and $")).isEqualTo("cost $5 and $");
        assertThat(e.expand("x${nosuch}y")).isEqualTo("xy");
    }

    @Test
    void undefinedReferencesSkipForwardPathEntries() {
        Expansion e = Expansion.of(v, null);
        assertThat(e.expandDefined("$home/.forward${recipient_delimiter}${extension}")).isNull();
        v.put("extension", "lists");
        assertThat(e.expandDefined("$home/.forward${recipient_delimiter}${extension}")).isEqualTo("/home/joe/.forward+lists");
        assertThat(e.expandDefined("$home/.forward${extension?x}${nosuch?y}")).isEqualTo("/home/joe/.forwardx");
    }

    @Test
    void filterReplacesUnsafeCharacters() {
        assertThat(Expansion.of(v, Parameters.DEFAULTS.get("command_expansion_filter")).expand("<$bad>")).isEqualTo("<a_b_c>");
    }

    @Test
    void destinations() {
        assertThat(Destination.parse("alice, \"|/usr/bin/vacation -a joe\", /var/spool/archive, :include:/etc/list,\n"
                + "# comment, ignored\n\\joe, Bob Smith <bob@example.com>, \"odd name\"@example.com (comment)\n"))
                .containsExactly(new Destination.Address("alice"), new Destination.Command("/usr/bin/vacation -a joe"),
                        new Destination.File("/var/spool/archive"), new Destination.Include("/etc/list"),
                        new Destination.Mailbox("joe"), new Destination.Address("bob@example.com"),
                        new Destination.Address("odd name@example.com"));
        assertThat(Destination.parse("")).isEqualTo(List.of());
    }

    @Test
    void sysexits() {
        assertThat(SysExits.of(75).dsn()).isEqualTo("4.3.0");
        assertThat(SysExits.of(67).dsn()).isEqualTo("5.1.1");
        assertThat(SysExits.of(1)).isNull();
        assertThat(CommandRunner.shellArgv("/usr/bin/procmail -a x", "")).containsExactly("/usr/bin/procmail", "-a", "x");
        assertThat(CommandRunner.shellArgv("cat > /tmp/x", "")).containsExactly("/bin/sh", "-c", "cat > /tmp/x");
        assertThat(CommandRunner.shellArgv("cat", "/bin/bash -e")).containsExactly("/bin/bash", "-e", "-c", "cat");
    }
}
