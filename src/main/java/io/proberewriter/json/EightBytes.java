package io.proberewriter.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A byte array read eight bytes at a time, for the loops over request bodies that pass a run of plain bytes in one
 * test: the JSON skip's strings ({@link JsonSkipScanner}) and the UTF-8 check of the webhook's bodies.
 */
public final class EightBytes {

    /** The top bit of each of the eight bytes: set in a long's byte when that byte is 0x80 or more. */
    public static final long HIGH_BITS = 0x8080808080808080L;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private EightBytes() {
    }

    /** The eight bytes from {@code offset} as one long, in the machine's order (the tests made of it do not care). */
    public static long at(byte[] bytes, int offset) {
        return (long) LONGS.get(bytes, offset);
    }
}
