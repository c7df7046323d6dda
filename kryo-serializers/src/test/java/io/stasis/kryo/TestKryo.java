package io.stasis.kryo;

import com.esotericsoftware.kryo.Kryo;
import java.util.List;

/** Snapshot Kryos for tests whose graphs hold this package's test classes. */
final class TestKryo {

    static final AllowedClasses TEST_CLASSES = AllowedClasses.jdk().andPackages(List.of("io.stasis.kryo.*"));

    private TestKryo() {
    }

    static Kryo create(ClassLoader loader) {
        return SnapshotKryo.create(loader, TEST_CLASSES);
    }
}
