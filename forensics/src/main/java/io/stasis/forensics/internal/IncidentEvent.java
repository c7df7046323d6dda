package io.stasis.forensics.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("io.stasis.Incident")
@Label("Incident")
@Category("Stasis")
@Description("A forensic incident captured into an encrypted bundle (or not). Its duration is the capture.")
@StackTrace(false)
final class IncidentEvent extends jdk.jfr.Event {

    @Label("Trigger")
    @Description("uncaught-exception, out-of-memory, deadlock, memory-pressure, gc-pause, slow-unit, manual, ...")
    String trigger;

    @Label("Reason")
    String reason;

    @Label("Outcome")
    @Description("captured or failed")
    String outcome;

    @Label("Bundle")
    @Description("The bundle's file name; empty when none was written")
    String bundle;

    @Label("Bundle Size")
    @DataAmount
    long bytes;

    @Label("Failure")
    String failure;
}
