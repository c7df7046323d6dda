package io.stasis.agent.internal.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.function.Supplier;

/**
 * The agent's transformer at start-up: asks the {@link ClassPrefilter} first, and builds the real
 * (Byte Buddy) transformer only when the first class that may need it is loaded. A JVM whose
 * classes need none never loads Byte Buddy.
 */
final class LazyTransformer implements ClassFileTransformer {

    private final ClassPrefilter prefilter;
    private final Supplier<ClassFileTransformer> factory;
    private volatile ClassFileTransformer delegate;
    /** Classes loaded while the real transformer is being built are the agent's own or the JDK's. */
    private final ThreadLocal<Boolean> building = new ThreadLocal<>();

    LazyTransformer(ClassPrefilter prefilter, Supplier<ClassFileTransformer> factory) {
        this.prefilter = prefilter;
        this.factory = factory;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer)
            throws IllegalClassFormatException {
        if (className == null || building.get() != null || ClassPrefilter.ignored(className.replace('/', '.'))
                || !prefilter.mayNeed(loader, className, classfileBuffer)) {
            return null;
        }
        return delegate().transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    private ClassFileTransformer delegate() {
        ClassFileTransformer built = delegate;
        if (built == null) {
            synchronized (this) {
                built = delegate;
                if (built == null) {
                    building.set(Boolean.TRUE);
                    try {
                        built = factory.get();
                    } finally {
                        building.remove();
                    }
                    delegate = built;
                }
            }
        }
        return built;
    }
}
