package io.stasis.forensics.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;

/** The JSON parts of a bundle, written with Jackson's streaming generator, pretty-printed. */
final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder().build()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private Json() {
    }

    static JsonGenerator to(OutputStream out) throws IOException {
        return FACTORY.createGenerator(out, JsonEncoding.UTF8).useDefaultPrettyPrinter();
    }
}
