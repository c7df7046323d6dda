package io.stasis.agent.it.apps;

/**
 * Owns no state and returns from {@code main} at once: it ends before the agent's start-up, which
 * runs beside {@code main}, can have finished.
 */
public final class QuickExitApp {

    private QuickExitApp() {
    }

    public static void main(String[] args) {
        System.out.println("done");
    }
}
