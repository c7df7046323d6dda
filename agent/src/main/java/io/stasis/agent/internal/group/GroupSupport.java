package io.stasis.agent.internal.group;

import io.stasis.agent.internal.PrivateLibrary;
import io.stasis.agent.internal.config.GroupOptions;
import java.io.IOException;
import java.time.Duration;

/**
 * Connects a member to its group's coordination. ZooKeeper and Curator travel inside the agent jar
 * as nested jars ({@code META-INF/stasis/zk/}) and are loaded, by a {@link PrivateLibrary private
 * class loader}, only in a JVM started with {@code group=…}.
 */
public final class GroupSupport {

    private static final String CLIENT_PACKAGE = "io.stasis.agent.internal.group.zk.";

    private GroupSupport() {
    }

    /** Connected, or an {@link IOException} that names the address and the cause. */
    public static Coordination connect(GroupOptions group, Duration quiesceTimeout) throws IOException {
        return PrivateLibrary.instantiate("zk", CLIENT_PACKAGE, "ZkCoordination", Coordination.class,
                "the ZooKeeper client", new Class<?>[] {GroupOptions.class, Duration.class}, group, quiesceTimeout);
    }
}
