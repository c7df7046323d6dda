package io.stasis.kryo;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import io.stasis.kryo.serializers.RefusingSerializer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Kryo's class resolution by name, checked against {@link AllowedClasses} before a name is written
 * or a class loaded, and aware of classes renamed with {@code @RenamedFrom}.
 */
class AllowListClassResolver extends DefaultClassResolver {

    private AllowedClasses allowed;
    /** Classes written under the current allow-list: writeName runs for every object written. */
    private final Set<Class<?>> written = Collections.newSetFromMap(new IdentityHashMap<>());

    AllowListClassResolver(AllowedClasses allowed) {
        this.allowed = allowed;
    }

    AllowedClasses allowed() {
        return allowed;
    }

    /** The classes written by name since the allow-list was last set. */
    Set<Class<?>> written() {
        return written;
    }

    void allow(AllowedClasses allowed) {
        this.allowed = allowed;
        written.clear();
    }

    @Override
    protected void writeName(Output output, Class type, Registration registration) {
        // A type refused outright (a thread, a socket) is left to its serializer, which says why.
        if (!written.contains(type) && !(registration.getSerializer() instanceof RefusingSerializer)) {
            allowed.require(type.getName());
            written.add(type);
        }
        super.writeName(output, type, registration);
    }

    @Override
    protected Class<?> getTypeByName(String className) {
        Class<?> renamed = allowed.renamedTo(className);
        if (renamed != null) {
            return renamed;
        }
        allowed.require(className);
        return super.getTypeByName(className);
    }
}
