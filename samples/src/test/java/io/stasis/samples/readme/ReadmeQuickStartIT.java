package io.stasis.samples.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.testing.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Quick start, run as printed: its Java block saved where it says, its command block
 * run by bash from a directory that looks like the repository's root (the build itself is the one
 * under test). Nothing is copied into this test, so the README cannot drift from what works.
 */
class ReadmeQuickStartIT {

    private static final Path ROOT = Path.of(System.getProperty("it.projectRoot", "..")).toAbsolutePath().normalize();
    private static final Pattern RESUMING = Pattern.compile("resuming after (\\d+) lines");

    @Test
    void quickStartSavesTheCountsAndResumesAfterKill9(@TempDir Path dir) throws Exception {
        String output = bash(dir, quickStart(dir).commands());

        List<Long> resumed = RESUMING.matcher(output).results().map(m -> Long.parseLong(m.group(1))).toList();
        assertEquals(3, resumed.size(), output);
        assertEquals(0, resumed.get(0), output);
        assertTrue(output.contains("100000 lines: {be=200000, not=100000, or=100000, to=200000}"), output);
        assertTrue(resumed.get(1) >= 100_000, "the second run resumes from the first run's exit snapshot:\n" + output);
        assertTrue(resumed.get(2) > resumed.get(1),
                "the third run resumes from a snapshot the killed run took:\n" + output);
        assertTrue(output.contains("question="), "the killed run's words were restored:\n" + output);
        assertTrue(output.matches("(?s).*static WordCounter .*counts = TreeMap\\(\\d+\\) \\{.*\"question\": \\d+.*"),
                "inspect shows the stored counts:\n" + output);
        assertTrue(!output.contains("WARNING") && !output.contains("ERROR"), output);
    }

    @Test
    void withoutTheApiAtRunTimeTheAgentSaysWhyNothingIsSaved(@TempDir Path dir) throws Exception {
        QuickStart quickStart = quickStart(dir);
        String program = quickStart.program().getFileName().toString().replace(".java", "");
        String output = bash(dir, "cd " + quickStart.program().getParent() + "\n"
                + "javac -cp " + ROOT.resolve("agent/api/target/stasis-api.jar") + " " + program + ".java\n"
                + "echo 'a b' | java -javaagent:" + ROOT.resolve("agent/target/stasis-agent.jar") + "=dir=./state -cp . "
                + program + "\n");
        assertTrue(io.stasis.agent.testing.AgentLog.has(output, "WARNING", program + " uses @Checkpointed or @QuiescePoint, but "
                + "io.stasis.api is not on its class path at run time"), output);
        assertTrue(output.contains("add stasis-api.jar"), output);
    }

    private record QuickStart(Path program, String commands) {
    }

    /** Saves the Quick start's program where it says, in a directory that looks like the repository's root. */
    private static QuickStart quickStart(Path dir) throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String quickStart = section(readme, "## Quick start");
        Matcher saveAs = Pattern.compile("Save this as `([^`]+)`").matcher(quickStart);
        assertTrue(saveAs.find(), "the Quick start says where to save the program");
        String program = block(quickStart, "java", saveAs.end());
        int commandsAt = quickStart.indexOf("```bash", quickStart.indexOf(program));
        String commands = block(quickStart, "bash", commandsAt);

        Files.createSymbolicLink(dir.resolve("agent"), ROOT.resolve("agent"));
        Path source = dir.resolve(saveAs.group(1));
        Files.createDirectories(source.getParent());
        Files.writeString(source, program);
        return new QuickStart(source, commands);
    }

    private static String bash(Path dir, String commands) throws IOException, InterruptedException {
        Command.Result bash = Command.run(new ProcessBuilder("bash", "-e", "-c", commands).directory(dir.toFile()),
                Duration.ofMinutes(5));
        System.out.println(bash.output());
        assertEquals(0, bash.exitCode(), bash.output());
        return bash.output();
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf(heading);
        assertTrue(start >= 0, "the README has no '" + heading + "'");
        int end = markdown.indexOf("\n## ", start + heading.length());
        return end < 0 ? markdown.substring(start) : markdown.substring(start, end);
    }

    private static String block(String markdown, String language, int from) {
        String fence = "```" + language + "\n";
        int start = markdown.indexOf(fence, from);
        assertTrue(start >= 0, "no ```" + language + " block after offset " + from);
        int end = markdown.indexOf("\n```", start + fence.length());
        return markdown.substring(start + fence.length(), end + 1);
    }
}
