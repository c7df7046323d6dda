package io.stasis.canary;

/** A class no test allows: if it is ever initialized, a system property says so. */
public class Canary {
    static {
        System.setProperty("stasis.canary.initialized", "true");
    }

    public String note = "tweet";

    public static boolean initialized() {
        return System.getProperty("stasis.canary.initialized") != null;
    }
}
