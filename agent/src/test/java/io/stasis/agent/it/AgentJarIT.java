package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.testing.ForkedJvm;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;

/** What the built agent jar holds: our classes, relocated dependencies, the nested bridge, the manifest. */
class AgentJarIT {

    @Test
    void everyClassIsOursOrRelocatedUnderOurPackage() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            List<String> foreign = new ArrayList<>();
            int classes = 0;
            for (JarEntry entry : jar.stream().toList()) {
                if (entry.getName().endsWith(".class")) {
                    classes++;
                    if (!entry.getName().startsWith("io/stasis/agent/")) {
                        foreign.add(entry.getName());
                    }
                }
            }
            assertEquals(List.of(), foreign, "classes outside io/stasis/agent");
            assertTrue(classes > 500, "ASM, Kryo and picocli are inside: " + classes);
            assertNotNull(jar.getEntry("io/stasis/agent/shaded/asm/ClassReader.class"));
            assertNotNull(jar.getEntry("io/stasis/agent/shaded/esotericsoftware/kryo/Kryo.class"));
            assertNotNull(jar.getEntry("io/stasis/agent/shaded/kryo/SnapshotKryo.class"));
            assertEquals(null, jar.getEntry("io/stasis/api/Stasis.class"), "the API is the application's, not the agent's");
            assertNotNull(jar.getEntry("io/stasis/agent/shaded/crac/CriuDumper.class"));
            assertNotNull(jar.getEntry("io/stasis/agent/shaded/files/PrivateFiles.class"));
        }
    }

    @Test
    void theManifestMakesItAnAgentAndATool() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.stasis.agent.StasisAgent", main.getValue("Premain-Class"));
            assertEquals("io.stasis.agent.StasisAgent", main.getValue("Agent-Class"));
            assertEquals("io.stasis.agent.cli.StasisCommand", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    void theNestedBridgesHoldOnlyTheirPackages() throws Exception {
        List<String> bridge = nestedClasses("META-INF/stasis/stasis-bootstrap.jar");
        assertTrue(bridge.contains("io/stasis/bootstrap/QuiesceGate.class"), bridge.toString());
        assertTrue(bridge.stream().allMatch(c -> c.startsWith("io/stasis/bootstrap/")), bridge.toString());

        List<String> compat = nestedClasses("META-INF/stasis/stasis-crac-compat.jar");
        for (String name : List.of("Core", "Context", "Resource", "CheckpointException", "RestoreException")) {
            assertTrue(compat.contains("io/stasis/crac/compat/" + name + ".class"), "org.crac needs " + name + ": " + compat);
        }
        assertTrue(compat.stream().allMatch(c -> c.startsWith("io/stasis/crac/compat/")), compat.toString());
    }

    private static List<String> nestedClasses(String path) throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile());
             InputStream nested = jar.getInputStream(jar.getEntry(path));
             JarInputStream bridge = new JarInputStream(nested)) {
            List<String> classes = new ArrayList<>();
            for (JarEntry entry; (entry = bridge.getNextJarEntry()) != null; ) {
                if (entry.getName().endsWith(".class")) {
                    classes.add(entry.getName());
                }
            }
            return classes;
        }
    }
}
