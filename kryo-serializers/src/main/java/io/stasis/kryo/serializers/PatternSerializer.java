package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.regex.Pattern;

/** A {@link Pattern} as its source and flags. */
public final class PatternSerializer extends Serializer<Pattern> {

    public PatternSerializer() {
        super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, Pattern pattern) {
        output.writeString(pattern.pattern());
        output.writeVarInt(pattern.flags(), true);
    }

    @Override
    public Pattern read(Kryo kryo, Input input, Class<? extends Pattern> type) {
        String source = input.readString();
        return Pattern.compile(source, input.readVarInt(true));
    }
}
