package io.stasis.forensics;

/** Where forensics reports what it does: the agent's log. */
public interface Reporter {

    void info(String message);

    void warn(String message);

    void error(String message, Throwable cause);
}
