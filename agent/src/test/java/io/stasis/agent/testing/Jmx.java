package io.stasis.agent.testing;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A real JMX connection from the test process to a forked JVM, as an operator's tool makes one:
 * attach, start the JVM's local management agent, connect to the address it returns.
 */
public final class Jmx implements AutoCloseable {

    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private Jmx(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    public static Jmx connect(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return new Jmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
    }

    public MBeanServerConnection server() {
        return server;
    }

    /** Waits until {@code name} is registered (the agent registers its MBeans a moment after start-up). */
    public void await(String name, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!server.isRegistered(new ObjectName(name))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " was not registered within " + timeout + "; registered: "
                        + server.queryNames(null, null));
            }
            Thread.sleep(50);
        }
    }

    public Object get(String name, String attribute) throws Exception {
        return server.getAttribute(new ObjectName(name), attribute);
    }

    public long number(String name, String attribute) throws Exception {
        return ((Number) get(name, attribute)).longValue();
    }

    public double decimal(String name, String attribute) throws Exception {
        return ((Number) get(name, attribute)).doubleValue();
    }

    /** Every attribute the MBean declares, by name. */
    public Map<String, Object> all(String name) throws Exception {
        ObjectName object = new ObjectName(name);
        List<String> names = java.util.Arrays.stream(server.getMBeanInfo(object).getAttributes())
                .map(javax.management.MBeanAttributeInfo::getName).toList();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Attribute a : server.getAttributes(object, names.toArray(String[]::new)).asList()) {
            values.put(a.getName(), a.getValue());
        }
        return values;
    }

    public Object invoke(String name, String operation, String argument) throws JMException, IOException {
        return server.invoke(new ObjectName(name), operation, new Object[] {argument},
                new String[] {String.class.getName()});
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
