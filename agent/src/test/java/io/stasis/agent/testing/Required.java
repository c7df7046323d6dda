package io.stasis.agent.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** A real component a test needs: missing in CI ({@code CI=true}) fails; elsewhere, aborts loudly. */
public final class Required {

    private Required() {
    }

    public static void component(boolean present, String missing) {
        if (present) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true and " + missing);
        }
        System.err.println("\n!!!!! WARNING: " + missing + " !!!!!\n");
        Assumptions.abort(missing);
    }
}
