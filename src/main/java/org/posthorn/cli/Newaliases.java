package org.posthorn.cli;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.config.Config;
import org.posthorn.config.Instance;

/**
 * newaliases(1) (sendmail -bi): runs postalias on every table named in alias_database.
 * Options as Postfix's sendmail takes them here: -C config_dir, -v.
 */
public final class Newaliases implements Command {
    @Override
    public int run(String[] args) throws Exception {
        Getopt g = new Getopt("newaliases", args, "C:vo:");
        String configDir = null;
        int c;
        try {
            while ((c = g.next()) != -1) {
                if (c == 'C') configDir = g.optarg();
            }
        } catch (CommandFailure e) {
            // Postfix's sendmail scans the options twice, so its complaint appears twice
            String first = e.getMessage().lines().findFirst().orElse("");
            System.err.println("newaliases: " + first);
            System.err.println("newaliases: " + first);
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, "usage: newaliases [options]");
        }
        Config config = Config.load(Instance.configDir(configDir));
        List<String> postalias = new ArrayList<>(List.of("-c", config.configDir().toString()));
        postalias.addAll(config.getList("alias_database"));
        if (postalias.size() == 2) return 0;
        return new Postalias().run(postalias.toArray(String[]::new));
    }
}
