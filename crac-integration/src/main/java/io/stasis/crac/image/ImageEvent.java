package io.stasis.crac.image;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("io.stasis.Image")
@Label("Image")
@Category("Stasis")
@Description("A full-process image taken of this JVM, recorded when the JVM goes on: in the JVM that was imaged"
        + " (left running) or in the one restored from the image. Its duration runs from the Resources' beforeCheckpoint"
        + " to their afterRestore.")
@StackTrace(false)
final class ImageEvent extends jdk.jfr.Event {

    @Label("Engine")
    @Description("criu or crac")
    String engine;

    @Label("Directory")
    String directory;

    @Label("Outcome")
    @Description("left-running, restored, failed; with crac, returned (the JDK does not say which process this is)")
    String outcome;

    @Label("Failure")
    String failure;
}
