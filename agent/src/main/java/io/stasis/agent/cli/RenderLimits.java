package io.stasis.agent.cli;

import picocli.CommandLine.Option;

/** How much of each value {@code inspect} and {@code decrypt --render} show. */
final class RenderLimits {

    @Option(names = "--depth", defaultValue = "5", paramLabel = "N",
            description = "Show objects nested at most N levels deep; deeper ones as {…}. Default: ${DEFAULT-VALUE}")
    int depth = 5;
    @Option(names = "--elements", defaultValue = "10", paramLabel = "N",
            description = "Show at most N elements of each collection, map or array, then '… M more'. Default: ${DEFAULT-VALUE}")
    int elements = 10;
    @Option(names = "--string", defaultValue = "120", paramLabel = "N",
            description = "Show at most N characters of each string. Default: ${DEFAULT-VALUE}")
    int string = 120;

    RenderLimits() {
    }

    RenderLimits(int depth, int elements, int string) {
        this.depth = depth;
        this.elements = elements;
        this.string = string;
    }
}
