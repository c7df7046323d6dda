package io.stasis.forensics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

    private final Redactor redactor = new Redactor(List.of(), List.of());

    @Test
    void commandValuedFlagsAreMaskedInTheArguments() {
        assertEquals("-XX:OnOutOfMemoryError=<redacted>", redactor.argument("-XX:OnOutOfMemoryError=curl -u admin:s3 http://x"));
        assertEquals("-XX:OnError=<redacted>", redactor.argument("-XX:OnError=echo s3"));
        assertEquals("-XX:MaxHeapSize=64m", redactor.argument("-XX:MaxHeapSize=64m"));
        assertEquals(2, redactor.maskedArguments());
    }

    @Test
    void commandValuedFlagsAreMaskedInVmFlagsSpacesIncluded() {
        String flags = "-XX:CICompilerCount=2 -XX:OnOutOfMemoryError=curl -u admin:s3 -XX:x http://h -XX:+UseG1GC";
        assertEquals("-XX:CICompilerCount=2 -XX:OnOutOfMemoryError=<redacted> -XX:+UseG1GC",
                redactor.vmFlags(flags, Map.of("OnOutOfMemoryError", "curl -u admin:s3 -XX:x http://h", "OnError", "")));
    }

    @Test
    void aValueNotKnownExactlyIsMaskedUpToTheNextFlag() {
        assertEquals("-XX:OnError=<redacted> -XX:+UseG1GC\n-XX:OnOutOfMemoryError=<redacted>",
                redactor.vmFlags("-XX:OnError=echo a b -XX:+UseG1GC\n-XX:OnOutOfMemoryError=kill %p", Map.of()));
    }
}
