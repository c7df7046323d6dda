package io.stasis.agent.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

@Name("io.stasis.QuiesceWait")
@Label("Quiesce Wait")
@Category("Stasis")
@Description("A thread held at the quiesce gate: it tried to enter a unit of work while a checkpoint was being cut."
        + " Recorded only above the threshold (10 ms unless a recording's settings say otherwise).")
@Threshold("10 ms")
final class QuiesceWaitEvent extends jdk.jfr.Event {
}
