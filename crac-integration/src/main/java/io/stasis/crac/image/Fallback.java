package io.stasis.crac.image;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The fallback's command line: the imaged application's own, run as the user that ran it, never as
 * whoever runs {@code restore-image}. Root switches to that user through {@code setpriv}; anyone
 * else may start only an application of their own.
 */
final class Fallback {

    private static final long ROOT = 0;

    private Fallback() {
    }

    /** @param caller the effective uid of this process */
    static List<String> command(ImageManifest.Application application, long caller) throws ImageException {
        ImageManifest.User user = application.user();
        if (user.uid() == caller) {
            return application.commandLine();
        }
        if (caller != ROOT) {
            throw new ImageException("the image is of a process of uid " + user.uid() + ", and this command runs as uid "
                    + caller + ": refusing to start the application as another user; run restore-image as uid "
                    + user.uid() + " or as root");
        }
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid()));
        command.add(user.groups().isEmpty() ? "--clear-groups"
                : "--groups=" + user.groups().stream().map(String::valueOf).collect(Collectors.joining(",")));
        command.add("--");
        command.addAll(application.commandLine());
        return command;
    }
}
