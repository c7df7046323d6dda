package io.stasis.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.ForgedManifests;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.StoreKey;
import io.stasis.agent.testing.Command;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StasisCommandTest {

    private final CommandRun command = new CommandRun();
    private final ByteArrayOutputStream out = command.out;
    private final ByteArrayOutputStream err = command.err;

    private int run(String... args) {
        return command.run(args);
    }

    @Test
    void helpNamesACommandsUsage() {
        assertEquals(0, run("help", "list"));
        assertTrue(out.toString().contains("List the snapshots in a store, newest first."), out + "" + err);
        assertTrue(!(out + "" + err).contains("Did you mean"), out + "" + err);
    }

    @Test
    void gcOnAStoreAnApplicationWritesToSaysToWait(@TempDir Path dir) throws Exception {
        try (FileSnapshotStore writer = FileSnapshotStore.openForWriting(dir)) {
            assertEquals(1, run("gc", "--dir", dir.toString()));
            assertTrue(err.toString().contains("gc needs the store to itself, and an application is writing to"),
                    err.toString());
            assertTrue(!err.toString().contains("give each JVM its own dir"), err.toString());
        }
    }

    @Test
    void listAndInspectDescribeTheStore(@TempDir Path dir) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(new Snapshot(1, Instant.parse("2026-01-01T00:00:00Z"), "interval", 5_000_000, List.of(
                    new Root(Root.Kind.INSTANCE, "com.acme.Account", "7", List.of("balance"), new byte[10]))));
        }
        assertEquals(0, run("list", "--dir", dir.toString()));
        assertTrue(out.toString().matches("(?s).*\\n1 +2026-01-01T00:00:00Z +interval +1 .*"), out.toString());
        assertEquals(0, run("inspect", "1", "--dir", dir.toString()));
        assertTrue(out.toString().contains("com.acme.Account[7]"), out.toString());
        assertTrue(out.toString().contains("pause 5.000 ms"), out.toString());
    }

    @Test
    void verifyNamesDamagedFilesAndGcRemovesLeftovers(@TempDir Path dir) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            for (long s = 1; s <= 2; s++) {
                store.write(new Snapshot(s, Instant.parse("2026-01-01T00:00:00Z"), "interval", 1, List.of(
                        new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("total"), new byte[] {(byte) s}))));
            }
        }
        assertEquals(0, run("verify", "--dir", dir.toString()));
        assertTrue(out.toString().contains("2 snapshot(s), 2 chunk(s) checked"), out.toString());

        java.nio.file.Files.write(dir.resolve("packs/pack-0000000000000009.pack"), new byte[] {1});
        Path pack = dir.resolve("packs/pack-0000000000000002.pack");
        byte[] bytes = java.nio.file.Files.readAllBytes(pack);
        bytes[bytes.length - 1] ^= 1;
        java.nio.file.Files.write(pack, bytes);
        out.reset();
        assertEquals(1, run("verify", "--dir", dir.toString()));
        assertTrue(out.toString().contains("DAMAGED: packs/pack-0000000000000002.pack at offset 0 (snapshot 2)"),
                out.toString());
        assertTrue(out.toString().contains("leftover (gc removes it): packs/pack-0000000000000009.pack"), out.toString());

        out.reset();
        assertEquals(0, run("gc", "--dir", dir.toString()));
        assertTrue(out.toString().contains("removed packs/pack-0000000000000009.pack"), out.toString());
        out.reset();
        assertEquals(0, run("inspect", "1", "--json", "--dir", dir.toString()));
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertEquals("static com.acme.Ledger", json.at("/roots/0/name").asText());
        assertEquals(1, json.at("/roots/0/bytes").asInt());
    }

    /** Findings 14 and 16: what list marks damaged or foreign never passes verify. */
    @Test
    void whatListMarksDamagedOrForeignNeverPassesVerify(@TempDir Path dir) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(new Snapshot(1, Instant.parse("2026-01-01T00:00:00Z"), "interval", 1, List.of(
                    new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("total"), new byte[100]))));
        }
        long forged = ForgedManifests.forgeFirstChunkOneByteShort(dir);
        java.nio.file.Files.copy(dir.resolve("manifests/snapshot-0000000000000001.json"),
                dir.resolve("manifests/snapshot-12345678901234567.json"));
        assertEquals(0, run("list", "--dir", dir.toString()));
        String list = out.toString();
        assertTrue(list.contains(forged + "        DAMAGED: packs/pack-0000000000000001.pack at offset 0 (snapshot "
                + forged + "): chunk "), list);
        assertTrue(list.contains("has 100 bytes, its manifest says 99"), list);
        assertTrue(list.contains("FOREIGN: manifests/snapshot-12345678901234567.json is named like a snapshot"), list);
        assertTrue(list.contains("1 snapshot(s)") || list.contains("2 snapshot(s)"), list);
        out.reset();
        assertEquals(1, run("verify", "--dir", dir.toString()));
        String verify = out.toString();
        assertTrue(verify.contains("DAMAGED: packs/pack-0000000000000001.pack at offset 0 (snapshot " + forged + ")"),
                verify);
        assertTrue(verify.contains("DAMAGED: manifests/snapshot-12345678901234567.json is named like a snapshot"), verify);
    }

    /** A store encrypted with a key not given is not "damaged": it says which key is missing. */
    @Test
    void aStoreReadWithoutItsKeyIsNotCalledDamaged(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("key");
        java.nio.file.Files.writeString(keyFile, "ab".repeat(32) + "\n");
        java.nio.file.Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path store = dir.resolve("store");
        try (FileSnapshotStore writer = FileSnapshotStore.openForWriting(store, StoreKey.read(keyFile))) {
            writer.write(new Snapshot(1, Instant.parse("2026-01-01T00:00:00Z"), "interval", 1, List.of(
                    new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("total"), new byte[] {1}))));
        }
        assertEquals(0, run("list", "--dir", store.toString()));
        assertTrue(out.toString().contains("1        NO KEY: manifests/snapshot-0000000000000001.json is encrypted (key "),
                out.toString());
        assertTrue(out.toString().contains("(give --encryption-key FILE)"), out.toString());
        assertTrue(!out.toString().contains("DAMAGED"), out.toString());
        out.reset();
        assertEquals(1, run("verify", "--dir", store.toString()));
        assertTrue(out.toString().contains("1 snapshot(s) could not be checked without their key: give --encryption-key FILE"),
                out.toString());
        assertTrue(!out.toString().contains("DAMAGED"), out.toString());
        out.reset();
        assertEquals(0, run("verify", "--dir", store.toString(), "--encryption-key", keyFile.toString()));
    }

    /** While an application writes, a pack no manifest names yet may be the checkpoint it is writing. */
    @Test
    void verifyDoesNotCallAPackOfALiveWriterALeftover(@TempDir Path dir) throws Exception {
        try (FileSnapshotStore writer = FileSnapshotStore.openForWriting(dir)) {
            writer.write(new Snapshot(1, Instant.parse("2026-01-01T00:00:00Z"), "interval", 1, List.of(
                    new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("total"), new byte[] {1}))));
            java.nio.file.Files.write(dir.resolve("packs/pack-0000000000000002.pack"), new byte[] {1});
            Command.Result verify = Command.run(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), StasisCommand.class.getName(), "verify", "--dir",
                    dir.toString());
            String output = verify.output();
            assertEquals(0, verify.exitCode(), output);
            assertTrue(output.contains("not referenced (yet: an application is writing to this store; gc removes it if it "
                    + "stays so): packs/pack-0000000000000002.pack"), output);
            assertTrue(!output.contains("leftover"), output);
        }
    }

    @Test
    void aMissingArgumentGetsTheSynopsisNotTheWholeHelp() {
        assertEquals(2, run("checkpoint"));
        String text = err.toString();
        assertTrue(text.startsWith("error: Missing required parameter: 'PID'"), text);
        assertTrue(text.contains("Usage: stasis-agent.jar checkpoint "), text);
        assertTrue(text.contains("Try 'java -jar stasis-agent.jar help checkpoint' for more."), text);
        assertTrue(!text.contains("Show this help message"), "not the whole help:\n" + text);
    }

    @Test
    void failuresAndUsageErrorsHaveTheirExitStatus(@TempDir Path dir) {
        assertEquals(1, run("list", "--dir", dir.resolve("missing").toString()));
        assertTrue(err.toString().contains("no snapshot directory"), err.toString());
        assertEquals(1, run("inspect", "9", "--dir", dir.toString()));
        assertEquals(2, run("no-such-command"));
        assertEquals(2, run("list", "--bogus"));
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("list") && out.toString().contains("inspect"));
    }
}
