package io.stasis.crac.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The check of an image's page files, run while CRIU restores. CRIU parses every other file of an
 * image, so those are checked before it starts; page files it only copies into the new process's
 * memory, and they hold nearly all of an image. So they are hashed on other threads while CRIU
 * works, CRIU leaves the restored processes stopped ({@code --leave-stopped}: stopped before they
 * return to their own code), and they are let go only once every page file matched the
 * authenticated manifest. Otherwise they are killed, having run nothing of the image.
 */
final class PageCheck {

    /** CRIU's page files: {@code pages-1.img}, the raw memory that {@code pagemap-*.img} places. */
    private static final Pattern PAGES = Pattern.compile("pages-\\d+\\.img");

    private final CompletableFuture<List<String>> problems;

    private PageCheck(CompletableFuture<List<String>> problems) {
        this.problems = problems;
    }

    /** Whether the file of this name holds pages: checked by this, and not before CRIU starts. */
    static boolean holdsPages(String name) {
        return PAGES.matcher(name).matches();
    }

    /** Starts checking the page files in {@code images} against {@code manifest}, on other threads. */
    static PageCheck start(Path images, ImageManifest manifest) {
        return new PageCheck(CompletableFuture.supplyAsync(() -> {
            try {
                return CriuRestorer.fileProblems(manifest,
                        ImageManifest.filesIn(images, manifest.format(), PageCheck::holdsPages), PageCheck::holdsPages);
            } catch (IOException | RuntimeException e) {
                return List.of("the image's page files cannot be checked: " + e.getMessage());
            }
        }));
    }

    /**
     * The check for page files decrypted from sealed files that matched the authenticated manifest:
     * that check came before the decryptor read a byte, and what it writes is a function of those
     * bytes (each 64 KiB authenticated by age's ChaCha20-Poly1305), so hashing the clear pages
     * again would repeat it at the cost of a pass over the whole image.
     */
    static PageCheck ofVerifiedSealedFiles() {
        return new PageCheck(CompletableFuture.completedFuture(List.of()));
    }

    /** Waits for the check: what is wrong with the page files, or nothing. */
    List<String> problems() {
        return problems.join();
    }

    /** Lets the stopped {@code processes} go on: {@code SIGCONT} to each, which Java cannot send. */
    static void resume(List<Long> processes) throws ImageException {
        if (processes.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-CONT", "--"));
        processes.forEach(id -> command.add(Long.toString(id)));
        Processes.Result result = Processes.run(command, Processes.SHORT);
        if (result.exitCode() != 0) {
            throw new ImageException("cannot let the restored process go on (" + String.join(" ", command) + "): "
                    + result.output().strip());
        }
    }
}
