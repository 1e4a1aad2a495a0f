package io.mosaik.codec;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.ObjectMapper;

/**
 * The default codec's shortcut for flat records: records whose components are all integers, booleans,
 * floating-point numbers, strings or byte arrays (a datum like {@code Quote(String symbol, long price,
 * long sentNanos)}). Jackson spends most of the time for such a small value creating its parser or
 * generator and setting up the call, several times the time of the value itself; this class writes and
 * reads the record's CBOR map directly.
 *
 * <p>The bytes are exactly Jackson's, so nodes with and without the shortcut understand each other. A
 * record type takes the shortcut only when Jackson would treat it plainly: no annotations other than
 * {@code java.lang}'s on the record, its interfaces, components, fields, methods or constructors (so no
 * renamed, ignored or custom-serialized property, no type information), and a probe value built from
 * sample components encodes to Jackson's very bytes and decodes to the same components (so no extra
 * property from a getter-like method, no other property order). Every other type, and every value the
 * shortcut does not write (a {@code null} component, non-ASCII or long text, a NaN), goes to Jackson.
 *
 * <p>Reading takes only what Jackson itself writes: a map holding each component once under its name
 * with a value in its type's shortest form, nothing else. Anything else (another order is fine; a
 * missing, unknown or repeated property, a {@code null}, a longer form, a value of another type, trailing
 * bytes) is left to Jackson, which accepts or refuses it as it always has; so is a value whose
 * constructor throws, to be reported as Jackson reports it.
 */
final class CborRecords {

    private static final int UNSIGNED = 0;
    private static final int NEGATIVE = 1;
    private static final int BYTES = 2;
    private static final int TEXT = 3;
    private static final int MAP = 5;
    private static final int INDEFINITE_MAP = 0xbf;
    private static final int BREAK = 0xff;
    private static final int FALSE = 0xf4;
    private static final int TRUE = 0xf5;
    private static final int FLOAT32 = 0xfa;
    private static final int FLOAT64 = 0xfb;
    /** At most this many components: presence is tracked in one {@code long}. */
    private static final int MAX_COMPONENTS = 64;

    /** How a component is written. */
    private enum Kind {
        LONG(Long.MIN_VALUE, Long.MAX_VALUE), INT(Integer.MIN_VALUE, Integer.MAX_VALUE),
        SHORT(Short.MIN_VALUE, Short.MAX_VALUE), BYTE(Byte.MIN_VALUE, Byte.MAX_VALUE),
        BOOLEAN(0, 0), DOUBLE(0, 0), FLOAT(0, 0), STRING(0, 0), BYTE_ARRAY(0, 0);

        final long min;
        final long max;

        Kind(long min, long max) {
            this.min = min;
            this.max = max;
        }

        static Kind of(Class<?> type) {
            if (type == long.class || type == Long.class) {
                return LONG;
            } else if (type == int.class || type == Integer.class) {
                return INT;
            } else if (type == short.class || type == Short.class) {
                return SHORT;
            } else if (type == byte.class || type == Byte.class) {
                return BYTE;
            } else if (type == boolean.class || type == Boolean.class) {
                return BOOLEAN;
            } else if (type == double.class || type == Double.class) {
                return DOUBLE;
            } else if (type == float.class || type == Float.class) {
                return FLOAT;
            } else if (type == String.class) {
                return STRING;
            } else if (type == byte[].class) {
                return BYTE_ARRAY;
            }
            return null;
        }

        /** A sample value for the probe, with a head of several bytes where the kind has one. */
        Object sample() {
            return switch (this) {
                case LONG -> 0x1_2345_6789L;
                case INT -> -100_000;
                case SHORT -> (short) 300;
                case BYTE -> (byte) -5;
                case BOOLEAN -> Boolean.TRUE;
                case DOUBLE -> 0.5d;
                case FLOAT -> 0.25f;
                case STRING -> "a probe longer than twenty-three";
                case BYTE_ARRAY -> new byte[] {1, 2, 3};
            };
        }

        Object box(long value) {
            return switch (this) {
                case LONG -> value;
                case INT -> (int) value;
                case SHORT -> (short) value;
                default -> (byte) value;
            };
        }
    }

    /** A record type's shape: its components in order, and handles to read and build it. */
    private record Shape(Kind[] kinds, byte[][] names, MethodHandle components, MethodHandle constructor) {
    }

    private static final Shape NONE = new Shape(new Kind[0], new byte[0][], null, null);

    private final ObjectMapper mapper;
    private final ClassValue<Shape> shapes = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            Shape shape = shapeOf(type);
            return shape != null && agreesWithJackson(type, shape) ? shape : NONE;
        }
    };

    /**
     * @param mapper the mapper whose bytes this class writes (the default CBOR mapper: the probe checks each
     *               type against it)
     */
    CborRecords(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Whether values of this type take the shortcut (for tests). */
    boolean takes(Class<?> type) {
        return type.isRecord() && shapes.get(type) != NONE;
    }

    /**
     * Encodes a record.
     *
     * @param value the value
     * @return its CBOR bytes, or {@code null} if Jackson must write it
     */
    byte[] encode(Object value) {
        if (!(value instanceof Record)) {
            return null;
        }
        Shape shape = shapes.get(value.getClass());
        return shape == NONE ? null : encode(shape, value);
    }

    private static byte[] encode(Shape shape, Object value) {
        Kind[] kinds = shape.kinds;
        Object[] values;
        try {
            values = (Object[]) shape.components.invokeExact(value);
        } catch (Throwable e) {
            return null; // an accessor that throws: Jackson reports it
        }
        int size = 2; // the map's start and its break
        for (int i = 0; i < kinds.length; i++) {
            int valueSize = sizeOf(kinds[i], values[i]);
            if (valueSize < 0) {
                return null;
            }
            size += shape.names[i].length + valueSize;
        }
        byte[] out = new byte[size];
        out[0] = (byte) INDEFINITE_MAP;
        int at = 1;
        for (int i = 0; i < kinds.length; i++) {
            byte[] name = shape.names[i];
            System.arraycopy(name, 0, out, at, name.length);
            at = write(out, at + name.length, kinds[i], values[i]);
        }
        out[at] = (byte) BREAK;
        return out;
    }

    /**
     * Decodes a record.
     *
     * @param bytes the input
     * @param type  the type expected
     * @return the value, or {@code null} if Jackson must decide
     */
    Object decode(byte[] bytes, Class<?> type) {
        if (!Record.class.isAssignableFrom(type) || bytes.length == 0) { // isRecord() costs more
            return null;
        }
        Shape shape = shapes.get(type);
        return shape == NONE ? null : decode(shape, bytes);
    }

    private static Object decode(Shape shape, byte[] bytes) {
        int first = bytes[0] & 0xff;
        boolean indefinite = first == INDEFINITE_MAP;
        int count = shape.kinds.length;
        if (!indefinite && (count >= 24 || first != ((MAP << 5) | count))) {
            return null; // a definite map is taken only with a one-byte head, and all components in it
        }
        Object[] arguments = new Object[count];
        long present = 0;
        int at = 1;
        for (int read = 0; read < count; read++) {
            int component = componentAt(shape, bytes, at, read);
            if (component < 0 || (present & (1L << component)) != 0) {
                return null;
            }
            present |= 1L << component;
            at += shape.names[component].length;
            long end = read(bytes, at, shape.kinds[component], arguments, component);
            if (end < 0) {
                return null;
            }
            at = (int) end;
        }
        if (indefinite && (at >= bytes.length || (bytes[at++] & 0xff) != BREAK) || at != bytes.length) {
            return null;
        }
        try {
            return shape.constructor.invokeExact(arguments);
        } catch (Throwable e) {
            return null; // the constructor refuses: Jackson reports it as it always does
        }
    }

    /** The component whose encoded name starts at {@code at} (trying {@code expected} first), or -1. */
    private static int componentAt(Shape shape, byte[] bytes, int at, int expected) {
        if (matches(shape.names[expected], bytes, at)) {
            return expected;
        }
        for (int i = 0; i < shape.names.length; i++) {
            if (i != expected && matches(shape.names[i], bytes, at)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(byte[] name, byte[] bytes, int at) {
        return bytes.length - at >= name.length && Arrays.equals(name, 0, name.length, bytes, at, at + name.length);
    }

    // --- writing ----------------------------------------------------------------------------------

    /** The encoded size of a component's value, or -1 if Jackson must write it. */
    private static int sizeOf(Kind kind, Object value) {
        if (value == null) {
            return -1; // Jackson writes null, or leaves the property out, as configured
        }
        return switch (kind) {
            case LONG, INT, SHORT, BYTE -> {
                long n = ((Number) value).longValue();
                yield headSize(n >= 0 ? n : -1 - n);
            }
            case BOOLEAN -> 1;
            case DOUBLE -> Double.isNaN((Double) value) ? -1 : 9;
            case FLOAT -> Float.isNaN((Float) value) ? -1 : 5;
            case STRING -> {
                String s = (String) value;
                if (s.length() > CborScalars.MAX_TEXT) {
                    yield -1; // Jackson writes longer text in chunks
                }
                for (int i = 0; i < s.length(); i++) {
                    if (s.charAt(i) >= 0x80) {
                        yield -1; // not ASCII: Jackson's UTF-8 writer decides
                    }
                }
                yield headSize(s.length()) + s.length();
            }
            case BYTE_ARRAY -> headSize(((byte[]) value).length) + ((byte[]) value).length;
        };
    }

    /** Writes a component's value at {@code at}; returns where it ends. */
    private static int write(byte[] out, int at, Kind kind, Object value) {
        switch (kind) {
            case LONG, INT, SHORT, BYTE -> {
                long n = ((Number) value).longValue();
                return n >= 0 ? writeHead(out, at, UNSIGNED, n) : writeHead(out, at, NEGATIVE, -1 - n);
            }
            case BOOLEAN -> {
                out[at] = (byte) ((Boolean) value ? TRUE : FALSE);
                return at + 1;
            }
            case DOUBLE -> {
                out[at] = (byte) FLOAT64;
                return writeBits(out, at + 1, Double.doubleToLongBits((Double) value), 8);
            }
            case FLOAT -> {
                out[at] = (byte) FLOAT32;
                return writeBits(out, at + 1, Float.floatToIntBits((Float) value), 4);
            }
            case STRING -> {
                String s = (String) value;
                at = writeHead(out, at, TEXT, s.length());
                return ascii(s, out, at); // checked by sizeOf
            }
            case BYTE_ARRAY -> {
                byte[] bytes = (byte[]) value;
                at = writeHead(out, at, BYTES, bytes.length);
                System.arraycopy(bytes, 0, out, at, bytes.length);
                return at + bytes.length;
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    private static int ascii(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            out[at++] = (byte) s.charAt(i);
        }
        return at;
    }

    /** The size of the shortest head for an argument from 0 to {@link Long#MAX_VALUE}. */
    private static int headSize(long argument) {
        return argument < 24 ? 1 : argument <= 0xff ? 2 : argument <= 0xffff ? 3 : argument <= 0xffff_ffffL ? 5 : 9;
    }

    private static int writeHead(byte[] out, int at, int major, long argument) {
        int size = headSize(argument);
        int info = size == 1 ? (int) argument : size == 2 ? 24 : size == 3 ? 25 : size == 5 ? 26 : 27;
        out[at] = (byte) ((major << 5) | info);
        return writeBits(out, at + 1, argument, size - 1);
    }

    private static int writeBits(byte[] out, int at, long bits, int count) {
        for (int i = count - 1; i >= 0; i--) {
            out[at++] = (byte) (bits >>> (8 * i));
        }
        return at;
    }

    // --- reading ----------------------------------------------------------------------------------

    /**
     * Reads a component's value at {@code at} into {@code arguments[index]}; returns where it ends, or -1
     * if it is not in the form Jackson writes for the kind.
     */
    private static long read(byte[] bytes, int at, Kind kind, Object[] arguments, int index) {
        if (at >= bytes.length) {
            return -1;
        }
        int initial = bytes[at] & 0xff;
        switch (kind) {
            case LONG, INT, SHORT, BYTE -> {
                int major = initial >>> 5;
                long argument = argument(bytes, at);
                if ((major != UNSIGNED && major != NEGATIVE) || argument < 0) {
                    return -1;
                }
                long value = major == UNSIGNED ? argument : -1 - argument;
                if (value < kind.min || value > kind.max) {
                    return -1;
                }
                arguments[index] = kind.box(value);
                return at + headSize(argument);
            }
            case BOOLEAN -> {
                if (initial != TRUE && initial != FALSE) {
                    return -1;
                }
                arguments[index] = initial == TRUE;
                return at + 1;
            }
            case DOUBLE -> {
                if (initial != FLOAT64 || bytes.length - at < 9) {
                    return -1;
                }
                double value = Double.longBitsToDouble(readBits(bytes, at + 1, 8));
                if (Double.isNaN(value)) {
                    return -1;
                }
                arguments[index] = value;
                return at + 9;
            }
            case FLOAT -> {
                if (initial != FLOAT32 || bytes.length - at < 5) {
                    return -1;
                }
                float value = Float.intBitsToFloat((int) readBits(bytes, at + 1, 4));
                if (Float.isNaN(value)) {
                    return -1;
                }
                arguments[index] = value;
                return at + 5;
            }
            case STRING, BYTE_ARRAY -> {
                long length = argument(bytes, at);
                int start = at + (length < 0 ? 0 : headSize(length));
                if (initial >>> 5 != (kind == Kind.STRING ? TEXT : BYTES) || length < 0
                        || length > bytes.length - start) {
                    return -1;
                }
                int end = start + (int) length;
                if (kind == Kind.BYTE_ARRAY) {
                    arguments[index] = Arrays.copyOfRange(bytes, start, end);
                    return end;
                }
                for (int i = start; i < end; i++) {
                    if (bytes[i] < 0) {
                        return -1; // not ASCII: Jackson checks the UTF-8
                    }
                }
                arguments[index] = new String(bytes, start, end - start, StandardCharsets.US_ASCII);
                return end;
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    /**
     * The argument of the definite head at {@code at}, or -1 when it is cut short, indefinite, not in its
     * shortest form or beyond a {@code long}.
     */
    private static long argument(byte[] bytes, int at) {
        int info = bytes[at] & 0x1f;
        if (info < 24) {
            return info;
        }
        int size = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : -1;
        if (size < 0 || bytes.length - at - 1 < size) {
            return -1;
        }
        long value = readBits(bytes, at + 1, size);
        long smallest = size == 1 ? 24 : size == 2 ? 0x100 : size == 4 ? 0x10000 : 0x1_0000_0000L;
        return value >= smallest ? value : -1; // a value beyond a long reads as negative
    }

    private static long readBits(byte[] bytes, int at, int count) {
        long value = 0;
        for (int i = 0; i < count; i++) {
            value = (value << 8) | (bytes[at + i] & 0xff);
        }
        return value;
    }

    // --- which types take the shortcut ------------------------------------------------------------------

    /** The shape of a flat record without annotations, or {@code null}. */
    private static Shape shapeOf(Class<?> type) {
        if (!type.isRecord() || annotated(type)) {
            return null;
        }
        RecordComponent[] components = type.getRecordComponents();
        if (components.length == 0 || components.length > MAX_COMPONENTS) {
            return null;
        }
        Kind[] kinds = new Kind[components.length];
        byte[][] names = new byte[components.length][];
        MethodHandle[] accessors = new MethodHandle[components.length];
        Class<?>[] parameterTypes = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                RecordComponent component = components[i];
                kinds[i] = Kind.of(component.getType());
                String name = component.getName();
                if (kinds[i] == null || !name.chars().allMatch(c -> c < 0x80)) {
                    return null;
                }
                names[i] = new byte[headSize(name.length()) + name.length()];
                ascii(name, names[i], writeHead(names[i], 0, TEXT, name.length()));
                accessors[i] = FastCreators.reach(component.getAccessor())
                        .asType(MethodType.methodType(Object.class, Object.class));
                parameterTypes[i] = component.getType();
            }
            Constructor<?> canonical = type.getDeclaredConstructor(parameterTypes);
            MethodHandle constructor = FastCreators.spreader(canonical);
            // one handle reading every component into an array: one call per value, not one per component
            MethodHandle all = MethodHandles.permuteArguments(
                    MethodHandles.filterArguments(MethodHandles.identity(Object[].class)
                            .asCollector(Object[].class, accessors.length), 0, accessors),
                    MethodType.methodType(Object[].class, Object.class), new int[accessors.length]);
            return constructor == null ? null : new Shape(kinds, names, all, constructor);
        } catch (ReflectiveOperationException | RuntimeException unreachable) {
            return null;
        }
    }

    /**
     * Whether anything Jackson could read a setting from carries an annotation that is not
     * {@code java.lang}'s: the record and its interfaces, its components, fields, methods and constructors
     * with their parameters.
     */
    private static boolean annotated(Class<?> type) {
        Deque<Class<?>> types = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        types.add(type);
        while (!types.isEmpty()) {
            Class<?> next = types.poll();
            if (seen.add(next)) {
                if (foreign(next)) {
                    return true;
                }
                types.addAll(Arrays.asList(next.getInterfaces()));
            }
        }
        for (RecordComponent component : type.getRecordComponents()) {
            if (foreign(component)) {
                return true;
            }
        }
        for (AnnotatedElement element : type.getDeclaredFields()) {
            if (foreign(element)) {
                return true;
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (foreign(method) || Arrays.stream(method.getParameters()).anyMatch(CborRecords::foreign)) {
                return true;
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (foreign(constructor) || Arrays.stream(constructor.getParameters()).anyMatch(CborRecords::foreign)) {
                return true;
            }
        }
        return false;
    }

    private static boolean foreign(AnnotatedElement element) {
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            if (!annotation.annotationType().getPackageName().equals("java.lang")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a probe value of the type, built from sample components, encodes to exactly Jackson's bytes
     * and Jackson's bytes decode to the same components: the same properties in the same order, read back
     * the same way.
     */
    private boolean agreesWithJackson(Class<?> type, Shape shape) {
        try {
            Object[] samples = new Object[shape.kinds.length];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = shape.kinds[i].sample();
            }
            Object probe = shape.constructor.invokeExact(samples);
            byte[] jackson = mapper.writeValueAsBytes(probe);
            if (!Arrays.equals(jackson, encode(shape, probe))) {
                return false;
            }
            Object ours = decode(shape, jackson);
            if (ours == null) {
                return false;
            }
            Object theirs = mapper.readValue(jackson, type);
            Object[] expected = (Object[]) shape.components.invokeExact(theirs);
            Object[] actual = (Object[]) shape.components.invokeExact(ours);
            return Arrays.deepEquals(expected, actual) && Arrays.deepEquals(samples, actual);
        } catch (Throwable e) {
            return false; // a constructor that refuses the samples, or a type Jackson cannot handle
        }
    }
}
