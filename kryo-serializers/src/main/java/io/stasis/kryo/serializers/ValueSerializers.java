package io.stasis.kryo.serializers;

import io.stasis.kryo.Limits;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * JDK value types that stock Kryo cannot write ({@link Path}) or writes with loss: a
 * {@link Locale}'s script and extensions, a {@link ZonedDateTime}'s offset in a daylight-saving
 * overlap, the capacity of a {@link StringBuilder}/{@link StringBuffer}. Plus
 * {@link ConstantSerializer} for the JDK's singletons.
 */
public final class ValueSerializers {

    private ValueSerializers() {
    }

    /** A {@link Path} of the default file system, as its string form. Other file systems are refused at write. */
    public static final class PathSerializer extends Serializer<Path> {
        public PathSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Path path) {
            if (path.getFileSystem() != FileSystems.getDefault()) {
                throw new KryoException("Cannot snapshot the path " + path + ": it belongs to "
                        + path.getFileSystem().provider().getScheme()
                        + " file system, which cannot be reopened on restore; keep its URI or string form instead");
            }
            output.writeString(path.toString());
        }

        @Override
        public Path read(Kryo kryo, Input input, Class<? extends Path> type) {
            return Path.of(input.readString());
        }
    }

    /** A {@link Locale} with its script and extensions (stock Kryo keeps only language, country and variant). */
    public static final class LocaleSerializer extends Serializer<Locale> {
        private static final int PARTS = 0;
        private static final int TAG = 1;
        private static final int SERIAL_FORM = 2;

        public LocaleSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Locale locale) {
            if (locale.getScript().isEmpty() && locale.getExtensionKeys().isEmpty()) {
                output.writeByte(PARTS);
                output.writeString(locale.getLanguage());
                output.writeString(locale.getCountry());
                output.writeString(locale.getVariant());
                return;
            }
            String tag = locale.toLanguageTag();
            if (Locale.forLanguageTag(tag).equals(locale)) {
                output.writeByte(TAG);
                output.writeString(tag);
                return;
            }
            byte[] form = SerialForm.toBytes(locale);
            output.writeByte(SERIAL_FORM);
            output.writeVarInt(form.length, true);
            output.writeBytes(form);
        }

        @Override
        @SuppressWarnings("deprecation") // Locale.of is JDK 19+
        public Locale read(Kryo kryo, Input input, Class<? extends Locale> type) {
            switch (input.readByte()) {
                case PARTS:
                    String language = input.readString();
                    String country = input.readString();
                    return new Locale(language, country, input.readString());
                case TAG:
                    return Locale.forLanguageTag(input.readString());
                default:
                    return (Locale) SerialForm.fromBytes(input.readBytes(input.readVarInt(true)));
            }
        }
    }

    /** A {@link ZonedDateTime} with its offset, so a time in a daylight-saving overlap keeps the later one. */
    public static final class ZonedDateTimeSerializer extends Serializer<ZonedDateTime> {
        public ZonedDateTimeSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, ZonedDateTime time) {
            output.writeVarLong(time.toLocalDate().toEpochDay(), false);
            output.writeVarLong(time.toLocalTime().toNanoOfDay(), true);
            output.writeVarInt(time.getOffset().getTotalSeconds(), false);
            output.writeString(time.getZone().getId());
        }

        @Override
        public ZonedDateTime read(Kryo kryo, Input input, Class<? extends ZonedDateTime> type) {
            LocalDate date = LocalDate.ofEpochDay(input.readVarLong(false));
            LocalTime time = LocalTime.ofNanoOfDay(input.readVarLong(true));
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(input.readVarInt(false));
            return ZonedDateTime.ofLocal(LocalDateTime.of(date, time), ZoneId.of(input.readString()), offset);
        }
    }

    /** {@link StringBuilder} with its capacity. */
    public static final class StringBuilderSerializer extends Serializer<StringBuilder> {
        @Override
        public void write(Kryo kryo, Output output, StringBuilder builder) {
            output.writeVarInt(Limits.writableCapacity(builder.capacity(), builder.length()), true);
            output.writeString(builder.toString());
        }

        @Override
        public StringBuilder read(Kryo kryo, Input input, Class<? extends StringBuilder> type) {
            StringBuilder builder = new StringBuilder(Limits.capacity(input, input.readVarInt(true)));
            return builder.append(input.readString());
        }
    }

    /** {@link StringBuffer} with its capacity. */
    public static final class StringBufferSerializer extends Serializer<StringBuffer> {
        @Override
        public void write(Kryo kryo, Output output, StringBuffer buffer) {
            output.writeVarInt(Limits.writableCapacity(buffer.capacity(), buffer.length()), true);
            output.writeString(buffer.toString());
        }

        @Override
        public StringBuffer read(Kryo kryo, Input input, Class<? extends StringBuffer> type) {
            StringBuffer buffer = new StringBuffer(Limits.capacity(input, input.readVarInt(true)));
            return buffer.append(input.readString());
        }
    }

    /** A JDK singleton ({@code Collections.emptyNavigableSet()}, {@code Collections.reverseOrder()}, ...): nothing is written. */
    public static final class ConstantSerializer<T> extends Serializer<T> {
        private final T instance;

        public ConstantSerializer(T instance) {
            super(false, true);
            this.instance = instance;
        }

        @Override
        public void write(Kryo kryo, Output output, T object) {
        }

        @Override
        public T read(Kryo kryo, Input input, Class<? extends T> type) {
            return instance;
        }
    }
}
