package io.stasis.agent.internal.image;

import io.stasis.crac.image.CracEngine;

/**
 * Where {@code org.crac} sends the application's Resources: to the agent's compat bridge, unless
 * the JDK has {@code jdk.crac} or the application chose otherwise. Apart from {@link ImageSupport}
 * and naming none of the bridge's classes, so that it can run before they are defined.
 */
public final class OrgCracRoute {

    static final String COMPAT_PROPERTY = "org.crac.Core.Compat";
    static final String COMPAT_PACKAGE = "io.stasis.crac.compat";
    /** What {@code org.crac.Core} is called as a class file; loading it reads {@link #COMPAT_PROPERTY}. */
    public static final String ORG_CRAC_CORE = "org/crac/Core";

    private OrgCracRoute() {
    }

    /**
     * At start-up, before the application's code runs: {@code org.crac.Core} reads the compat
     * property once, when it is initialized, so the application's Resources come to us however soon
     * it registers them. Not on a CRaC JDK, where they go to {@code jdk.crac}.
     */
    public static void route() {
        if (System.getProperty(COMPAT_PROPERTY) == null && !CracEngine.available()) {
            System.setProperty(COMPAT_PROPERTY, COMPAT_PACKAGE);
        }
    }
}
