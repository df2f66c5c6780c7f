package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;

class IndexedTableTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();
    private final Config config = Config.of(Path.of("/nonexistent"), Map.of("smtputf8_enable", "yes"));

    private String name(String n) {
        return dir.resolve(n).toString();
    }

    @Test
    void roundTripsManyEntriesInEveryTypeWithItsFileName() throws Exception {
        for (DbType type : DbType.values()) {
            TableWriter w = TableWriter.create(type, name("t"), TableWriter.Duplicates.WARN, warnings::add);
            for (int i = 0; i < 5000; i++) w.put("key" + i, "value " + i);
            w.put("ké", "välue");
            w.put("empty", "");
            w.commit(TableWriter.defaultMode());
            assertThat(type.file(name("t"))).exists();
            Table t = TableFactory.openUncached(type.type() + ":" + name("t"), config, true);
            assertThat(t.lookup("key4999")).isEqualTo("value 4999");
            assertThat(t.lookup("KEY17")).isEqualTo("value 17");
            assertThat(t.lookup("KÉ")).isEqualTo("välue");
            assertThat(t.lookup("empty")).isEqualTo("");
            assertThat(t.lookup("key5000")).isNull();
            if (type.listable()) assertThat(t.entries()).hasSize(5002).first().isEqualTo(Map.entry("key0", "value 0"));
            else assertThat(t.entries()).isNull();
        }
        assertThat(dir.resolve("t.db")).exists();
        assertThat(dir.resolve("t.cdb")).exists();
        assertThat(dir.resolve("t.lmdb")).exists();
        assertThat(warnings).isEmpty();
    }

    @Test
    void anEmptyTableFindsNothing() throws Exception {
        TableWriter.create(DbType.HASH, name("e"), TableWriter.Duplicates.WARN, warnings::add).commit(TableWriter.defaultMode());
        Table t = TableFactory.openUncached("hash:" + name("e"), config, true);
        assertThat(t.lookup("x")).isNull();
        assertThat(t.entries()).isEmpty();
    }

    @Test
    void aLongRunningReaderSeesTheRebuiltFile() throws Exception {
        TableWriter w = TableWriter.create(DbType.LMDB, name("r"), TableWriter.Duplicates.WARN, warnings::add);
        w.put("k", "old");
        w.commit(TableWriter.defaultMode());
        Table t = TableFactory.openUncached("lmdb:" + name("r"), config, true);
        assertThat(t.lookup("k")).isEqualTo("old");
        TableWriter u = TableWriter.update(DbType.LMDB, name("r"), TableWriter.Duplicates.REPLACE, warnings::add, true);
        u.put("k", "new");
        u.put("k2", "added");
        u.commit(TableWriter.defaultMode());
        assertThat(t.lookup("k")).isEqualTo("new");
        assertThat(t.lookup("k2")).isEqualTo("added");
        Files.delete(dir.resolve("r.lmdb"));
        assertThat(t.lookup("k")).as("a removed file keeps answering from its mapping").isEqualTo("new");
        TableWriter again = TableWriter.create(DbType.LMDB, name("r"), TableWriter.Duplicates.WARN, warnings::add);
        again.put("k", "rebuilt");
        again.commit(TableWriter.defaultMode());
        assertThat(t.lookup("k")).isEqualTo("rebuilt");
        // same inode rewritten in place with an older time stamp: size or mtime still differ
        Files.setLastModifiedTime(dir.resolve("r.lmdb"), FileTime.fromMillis(0));
        assertThat(t.lookup("k")).isEqualTo("rebuilt");
    }

    @Test
    void duplicatesWarnReplaceOrIgnoreAndNameTheTableAsPostfix() throws Exception {
        for (DbType type : DbType.values()) {
            TableWriter w = TableWriter.create(type, "t", TableWriter.Duplicates.WARN, warnings::add);
            w.put("a", "1");
            w.put("a", "2");
            assertThat(w.entries()).containsExactly(Map.entry("a", "1"));
        }
        assertThat(warnings).containsExactly("t.db: duplicate entry: \"a\"", "t.db: duplicate entry: \"a\"",
                "t: duplicate entry: \"a\"", "lmdb:t: duplicate entry: \"a\"");
        TableWriter r = TableWriter.create(DbType.HASH, "t", TableWriter.Duplicates.REPLACE, warnings::add);
        r.put("a", "1");
        r.put("a", "2");
        assertThat(r.entries()).containsExactly(Map.entry("a", "2"));
        TableWriter i = TableWriter.create(DbType.HASH, "t", TableWriter.Duplicates.IGNORE, warnings::add);
        i.put("a", "1");
        i.put("a", "2");
        assertThat(i.entries()).containsExactly(Map.entry("a", "1"));
        assertThat(warnings).hasSize(4);
    }

    @Test
    void updatesKeepTheFileModeAndCdbCannotBeUpdated() throws Exception {
        TableWriter w = TableWriter.create(DbType.HASH, name("m"), TableWriter.Duplicates.WARN, warnings::add);
        w.put("a", "1");
        w.commit(PosixFilePermissions.fromString("rw-r-----"));
        TableWriter u = TableWriter.update(DbType.HASH, name("m"), TableWriter.Duplicates.WARN, warnings::add, true);
        assertThat(u.delete("a")).isTrue();
        assertThat(u.delete("a")).isFalse();
        u.commit(TableWriter.defaultMode());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("m.db")))).isEqualTo("rw-r-----");
        assertThatThrownBy(() -> TableWriter.update(DbType.CDB, name("m"), TableWriter.Duplicates.WARN, warnings::add, false))
                .hasMessageContaining("inappropriate open flags for cdb database");
        assertThatThrownBy(() -> TableWriter.update(DbType.HASH, name("none"), TableWriter.Duplicates.WARN, warnings::add, true))
                .hasMessage("open database " + name("none") + ".db: No such file or directory");
        assertThat(dir).isDirectoryNotContaining("glob:**tmp*");
    }

    @Test
    void concurrentUpdatesFollowEachOtherAndLoseNothing() throws Exception {
        TableWriter.create(DbType.HASH, name("c"), TableWriter.Duplicates.WARN, warnings::add).commit(TableWriter.defaultMode());
        TableWriter first = TableWriter.update(DbType.HASH, name("c"), TableWriter.Duplicates.WARN, warnings::add, true);
        first.put("a", "1");
        Thread second = Thread.ofVirtual().start(() -> {
            try (TableWriter w = TableWriter.update(DbType.HASH, name("c"), TableWriter.Duplicates.WARN, warnings::add, true)) {
                w.put("b", "2");
                w.commit(TableWriter.defaultMode());
            } catch (TableException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        first.commit(TableWriter.defaultMode());
        second.join();
        Table t = TableFactory.openUncached("hash:" + name("c"), config, true);
        assertThat(t.entries()).containsExactlyInAnyOrder(Map.entry("a", "1"), Map.entry("b", "2"));
    }

    @Test
    void aForeignFileIsRejectedNotMisread() throws Exception {
        Files.writeString(dir.resolve("f.db"), "this is a Berkeley DB file, or so it claims");
        assertThatThrownBy(() -> TableFactory.openUncached("hash:" + name("f"), config, true))
                .isInstanceOf(TableException.class).hasMessageStartingWith("open database " + name("f") + ".db: Invalid argument");
    }
}
