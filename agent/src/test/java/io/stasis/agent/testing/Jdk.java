package io.stasis.agent.testing;

import java.nio.file.Path;

/** A JDK that forked test JVMs run on. */
public record Jdk(int feature, Path home) {

    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    @Override
    public String toString() {
        return "JDK " + feature;
    }
}
