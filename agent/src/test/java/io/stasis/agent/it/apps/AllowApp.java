package io.stasis.agent.it.apps;

import io.stasis.agent.it.apps.extra.Extra;
import io.stasis.api.Checkpointed;
import io.stasis.api.Stasis;
import java.util.ArrayList;
import java.util.List;

/** State declared as {@code List<Object>}: what it holds is allowed only by the {@code allow} option. */
public final class AllowApp {

    static final class Holder {
        @Checkpointed
        static List<Object> items = new ArrayList<>();
    }

    private AllowApp() {
    }

    public static void main(String[] args) {
        System.out.println("restored items=" + Holder.items + " skipped=" + Stasis.lastRestore().skipped().keySet());
        Holder.items.add(new Extra("e" + Holder.items.size(), Holder.items.size()));
        try {
            System.out.println("committed=" + Stasis.checkpoint("test").id());
        } catch (IllegalStateException e) {
            System.out.println("checkpoint refused: " + e.getMessage());
        }
    }
}
