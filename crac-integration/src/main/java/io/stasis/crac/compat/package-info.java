/**
 * The {@code org.crac} compat bridge for JDKs without CRaC. The agent sets
 * {@code -Dorg.crac.Core.Compat=io.stasis.crac.compat} and puts this package on the bootstrap class
 * path; {@code org.crac} then registers the application's Resources here instead of discarding them.
 * JDK classes only. Not an API for applications: they keep using {@code org.crac}.
 */
package io.stasis.crac.compat;
