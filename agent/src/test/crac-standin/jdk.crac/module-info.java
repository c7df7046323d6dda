/**
 * A stand-in for a CRaC JDK's {@code jdk.crac} module, built by {@code CracStandInIT} from the
 * published API: the same types and signatures, and a {@link jdk.crac.Core#checkpointRestore()}
 * that notifies the Resources as a CRaC JDK's simulated engine does, without an image.
 */
module jdk.crac {
    exports jdk.crac;
}
