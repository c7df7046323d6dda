package io.stasis.agent.internal.store.s3;

import io.stasis.agent.internal.PrivateLibrary;
import io.stasis.agent.internal.store.BlobStore;
import io.stasis.agent.internal.store.S3Location;
import java.io.IOException;

/**
 * Opens a store in S3-compatible object storage. The AWS SDK travels inside the agent jar as
 * nested jars ({@code META-INF/stasis/s3/}) and is loaded the first time an {@code s3://} store is
 * opened, by a {@link PrivateLibrary private class loader}. Without an {@code s3://} store none of
 * this runs and nothing of the SDK is loaded.
 */
public final class S3Loader {

    /** The classes that use the SDK: defined by the private loader from the agent jar's bytes. */
    static final String CLIENT_PACKAGE = "io.stasis.agent.internal.store.s3.client.";

    private S3Loader() {
    }

    /** The store at {@code where}; its bucket is checked when it is prepared for reading or writing. */
    public static BlobStore open(S3Location where) throws IOException {
        return PrivateLibrary.instantiate("s3", CLIENT_PACKAGE, "S3Blobs", BlobStore.class,
                "opening " + where + " with the S3 client", new Class<?>[] {S3Location.class}, where);
    }
}
