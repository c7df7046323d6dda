package io.stasis.crac.compat;

/**
 * What {@code org.crac.Resource} turns into on a JDK without CRaC: the {@code org.crac} library
 * wraps each Resource the application registers in a proxy of this interface.
 */
public interface Resource {

    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
