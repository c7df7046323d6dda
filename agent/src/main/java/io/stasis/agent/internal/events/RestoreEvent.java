package io.stasis.agent.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("io.stasis.Restore")
@Label("Restore")
@Category("Stasis")
@Description("One root restored from a snapshot when its owner appeared, on the thread that made the owner."
        + " Its duration is reading and assigning the root's values.")
@StackTrace(false)
final class RestoreEvent extends jdk.jfr.Event {

    @Label("Root")
    @Description("The root's name: \"static CLASS\", \"CLASS[KEY]\", or CLASS for a singleton instance")
    String root;

    @Label("Snapshot")
    @Description("The id of the snapshot restored from")
    String snapshot;

    @Label("Size")
    @Description("The root's serialized data")
    @DataAmount
    long bytes;

    @Label("Outcome")
    @Description("restored, partial (some fields no longer exist or changed type), skipped (kept its constructor state)")
    String outcome;

    @Label("Problem")
    @Description("What was left out or why it was skipped; empty when restored whole")
    String problem;
}
