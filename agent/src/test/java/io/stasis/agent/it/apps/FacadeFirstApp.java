package io.stasis.agent.it.apps;

import io.stasis.api.Stasis;

/**
 * Owns no state and calls the facade in its first statement: nothing the agent rewrites has loaded
 * before it, so the facade is what needs the bootstrap bridge first.
 */
public final class FacadeFirstApp {

    private FacadeFirstApp() {
    }

    public static void main(String[] args) {
        boolean active = Stasis.isActive();
        System.out.println("active=" + active);
        System.out.println("checkpoint=" + Stasis.checkpoint("first").id());
    }
}
