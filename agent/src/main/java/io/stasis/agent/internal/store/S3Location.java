package io.stasis.agent.internal.store;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * A store in S3-compatible object storage: {@code dir=s3://BUCKET/PREFIX} and the {@code s3.*}
 * options. Credentials are not here: the AWS SDK's default provider chain finds them.
 *
 * @param bucket    the bucket
 * @param prefix    the folder in it, without a leading or trailing {@code /}; empty for the bucket's root
 * @param endpoint  an S3-compatible server ({@code s3.endpoint}), or {@code null} for AWS
 * @param region    {@code s3.region}, or {@code null}: the SDK's default chain, or {@code us-east-1}
 *                  with an endpoint
 * @param pathStyle {@code s3.path-style}: address the bucket in the path, not the host name
 * @param lease     {@code s3.lease}: how long the writer's lease lasts without renewal
 */
public record S3Location(String bucket, String prefix, URI endpoint, String region, boolean pathStyle,
                         Duration lease) {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    /** Above the margin a commit is given after its lease is checked (5 s), with room to renew. */
    public static final Duration MIN_LEASE = Duration.ofSeconds(15);

    public static final String SCHEME = "s3://";
    /**
     * S3's rules for bucket names, loosely: what S3-compatible servers accept too. Compiled when a
     * bucket is named, not when the options ask {@link #isS3}: a regular expression's first use costs
     * start-up about 7 ms.
     */
    private static final String BUCKET = "[a-z0-9][a-z0-9.\\-_]{1,62}";

    public static boolean isS3(String dir) {
        return dir != null && dir.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Parses {@code s3://BUCKET/PREFIX}.
     *
     * @throws IllegalArgumentException naming what is wrong, for the option's message
     */
    public S3Location(String bucket, String prefix, URI endpoint, String region, boolean pathStyle) {
        this(bucket, prefix, endpoint, region, pathStyle, DEFAULT_LEASE);
    }

    public static S3Location parse(String url, URI endpoint, String region, boolean pathStyle) {
        return parse(url, endpoint, region, pathStyle, DEFAULT_LEASE);
    }

    public static S3Location parse(String url, URI endpoint, String region, boolean pathStyle, Duration lease) {
        String rest = url.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!bucket.matches(BUCKET)) {
            throw new IllegalArgumentException("'" + bucket + "' is not a bucket name (3 to 63 lower-case letters, digits,"
                    + " '.', '-'): write s3://BUCKET/PREFIX");
        }
        if (prefix.startsWith("/") || prefix.contains("//") || prefix.contains("\\")) {
            throw new IllegalArgumentException("the prefix '" + prefix + "' has an empty folder name or a '\\'");
        }
        if (endpoint != null) {
            String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
                throw new IllegalArgumentException("s3.endpoint '" + endpoint + "' is not an http:// or https:// URL");
            }
        }
        if (lease.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException("s3.lease " + lease.toSeconds() + "s is shorter than " + MIN_LEASE.toSeconds()
                    + "s");
        }
        return new S3Location(bucket, prefix, endpoint, region, pathStyle, lease);
    }

    /** {@code s3://BUCKET/PREFIX}, as written in messages (never with credentials: it holds none). */
    public String url() {
        return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The key of an object of the store named {@code name} ({@code manifests/…}). */
    public String key(String name) {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    @Override
    public String toString() {
        return url() + (endpoint != null ? " at " + endpoint : "");
    }
}
