package io.stasis.agent.it.apps.extra;

/** A class in a package no root's declared types reach. */
public record Extra(String name, int weight) {
}
