/**
 * Configuration: main.cf ({@link org.posthorn.config.MainCf}, {@link org.posthorn.config.Config}
 * with Postfix 3.7's $name expansion in {@link org.posthorn.config.Expander}), master.cf
 * ({@link org.posthorn.config.MasterCf}), the parameter registry
 * ({@link org.posthorn.config.Defaults}: every Postfix parameter, generated from Postfix into
 * parameters.tsv by src/build/gen-parameters.py; Posthorn's own go in posthorn-parameters.tsv),
 * and what postconf needs to print and edit them.
 *
 * <p>Where postconf differs from Debian's Postfix 3.7.11 postconf on the same files:
 * <ul>
 * <li>mail_version is Posthorn's version, so values built from it ("$mail_name $mail_version"
 *     in milter_macro_v) differ too; process_id is the JVM's. Every other default, the
 *     directories (daemon_directory, ...) included, is Debian's text.</li>
 * <li>Warnings are printed once each, in file order. Postfix prints some in hash-table order,
 *     and repeats main.cf warnings when it rereads a main.cf changed within the last second.</li>
 * <li>postconf -e appends several new names in command-line order; Postfix's order is random
 *     (its hash table has a random seed).</li>
 * <li>master.cf field errors name the file and line ("file DIR/master.cf: line 3: invalid type
 *     field ..."); Postfix names neither for these.</li>
 * <li>-m lists the table types Posthorn builds, -a only dovecot, -A nothing; -b, -t and -T
 *     are not supported. -m, -l, -a and -A do not read main.cf.</li>
 * <li>When a loop is found, the parameter named in "unreasonable macro call nesting" can differ
 *     (Postfix expands in hash-table order).</li>
 * <li>ldap:, mysql:, pgsql:, sqlite: and memcache: configuration files are checked against the
 *     parameter names those clients take as observed from Postfix; their values are not checked.</li>
 * <li>The typed getters check syntax (numbers, yes/no, time units), not Postfix's per-parameter
 *     ranges.</li>
 * </ul>
 */
package org.posthorn.config;
