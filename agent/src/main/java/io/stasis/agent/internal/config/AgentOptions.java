package io.stasis.agent.internal.config;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.kryo.AllowedClasses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The agent's options, parsed and checked. See {@link OptionsParser} for where they come from.
 *
 * @param dir            where snapshots are stored; with {@code dir=s3://…}, the local directory
 *                       ({@code ./stasis-data}) under which images and bundles go by default
 * @param restore        {@code latest}, {@code none}, or a snapshot id
 * @param interval       period of automatic checkpoints (with {@code interval=auto}, the first), or
 *                       {@code null} when off
 * @param onExit         take a final snapshot on orderly shutdown
 * @param keep           snapshots retained
 * @param quiesce        method patterns treated as {@code @QuiescePoint}
 * @param fields         field patterns treated as {@code @Checkpointed}
 * @param quiesceTimeout how long a cut waits for units of work to drain
 * @param allow          packages ({@code com.acme.*}) and classes a snapshot may name beyond the JDK's
 *                       types and those reachable from each root's fields ({@code allow}), checked
 * @param encryptionKey  the key file that encrypts snapshots at rest, or {@code null}
 * @param imageDir       where {@code Core.checkpointRestore()} writes a full-process image, or
 *                       {@code null} for {@code dir/image}
 * @param forensics      incident forensics ({@code forensics*} options), or {@code null} when off
 * @param acceptPlain    with {@code encryptionKey}, read plain (unauthenticated) snapshots too, to
 *                       migrate a store that was plain ({@code encryption.accept-plain})
 * @param log            where the agent's lines go ({@code log})
 * @param logLevel       the least severe line written ({@code log.level})
 * @param maxAge         when no checkpoint has succeeded for this long, the state is stale (a warning,
 *                       the {@code Stale} attribute, {@code status} exits 1); {@code null} when not set
 * @param cadence        how the interval adapts and backs off, or {@code null} when {@code interval=off}
 * @param s3             the store in object storage ({@code dir=s3://…}, {@code s3.*}), or {@code null}
 * @param mirror         where a local store is copied in the background ({@code mirror=s3://…},
 *                       {@code s3.*}), or {@code null}
 * @param forensicsUpload where forensic bundles are uploaded once written ({@code forensics.dir=s3://…},
 *                       {@code s3.*}), or {@code null}; they are written locally first, to
 *                       {@code dir/forensics}
 * @param group          this JVM's group ({@code group*}), or {@code null} when it checkpoints on its own
 * @param compression    how new chunks are stored ({@code compression})
 */
public record AgentOptions(Path dir, String restore, Duration interval, boolean onExit, int keep,
                           List<MemberPattern> quiesce, List<MemberPattern> fields, Duration quiesceTimeout,
                           List<String> allow, Path encryptionKey, Path imageDir,
                           io.stasis.forensics.ForensicsConfig forensics, boolean acceptPlain,
                           Log.Target log, Log.Level logLevel, Duration maxAge, CadenceOptions cadence,
                           S3Location s3, S3Location mirror, S3Location forensicsUpload, GroupOptions group,
                           Compression compression) {

    /** {@code compression}: LZ4 takes less room, none less CPU (a write took 2.5 times less, benchmarks §5). */
    public enum Compression { LZ4, NONE }

    public static final String RESTORE_LATEST = "latest";
    public static final String RESTORE_NONE = "none";

    /** Where snapshots are, for messages: the absolute directory, or {@code s3://BUCKET/PREFIX}. */
    public String storeLocation() {
        return s3 != null ? s3.url() : dir.toAbsolutePath().normalize().toString();
    }

    /**
     * The classes a snapshot may name beyond those reachable from each root's fields. Made when
     * asked, so that {@code premain} loads none of Kryo's classes.
     */
    public AllowedClasses allowed() {
        return allow.isEmpty() ? AllowedClasses.jdk() : AllowedClasses.jdk().andPackages(allow);
    }

    /** Where {@code Core.checkpointRestore()} writes a full-process image. */
    public Path imageDirOrDefault() {
        return imageDir != null ? imageDir : dir.resolve("image");
    }

    public AgentOptions {
        quiesce = List.copyOf(quiesce);
        fields = List.copyOf(fields);
        allow = List.copyOf(allow);
    }
}
