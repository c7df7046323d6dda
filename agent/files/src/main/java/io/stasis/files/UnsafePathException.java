package io.stasis.files;

import java.io.IOException;

/**
 * A path Stasis will not use because someone else could read, replace or redirect what it holds:
 * a link planted by another user, a directory or file another user owns, or one that others can
 * write. The message names the path, the reason and the fix.
 */
public final class UnsafePathException extends IOException {

    private static final long serialVersionUID = 1L;

    UnsafePathException(String message) {
        super(message);
    }
}
