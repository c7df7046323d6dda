package io.stasis.agent.internal.config;

import java.time.Duration;

/**
 * The {@code group*} options: this JVM is one member of a group whose snapshots are cut and
 * restored together, coordinated through ZooKeeper.
 *
 * @param name      the group ({@code group}); every member names the same one
 * @param member    this member's id ({@code group.member}), stable across restarts
 * @param size      how many members the group has ({@code group.size}); an epoch needs all of them
 * @param zookeeper the ZooKeeper connect string ({@code group.zookeeper}, {@code host:port[,host:port…]})
 * @param timeout   how long a member waits for the others: at start-up to agree on the epoch to
 *                  restore, in an epoch for every snapshot to be durable ({@code group.timeout})
 */
public record GroupOptions(String name, String member, int size, String zookeeper, Duration timeout) {

    /** How long ZooKeeper keeps the session of a member it no longer hears from; a dead member's place frees after it. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
}
