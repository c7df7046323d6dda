package io.stasis.forensics;

/** Where forensics reports what it does: the agent's log. */
public interface Reporter {

    void info(String message);

    void warn(String message);

    void error(String message, Throwable cause);

    /** A bundle was written (encrypted) and the disk budget applied: for a copy elsewhere. Must not block. */
    default void written(java.nio.file.Path bundle) {
    }
}
