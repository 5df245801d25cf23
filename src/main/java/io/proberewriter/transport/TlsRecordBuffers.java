package io.proberewriter.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * An HTTPS connection's allocator, with the buffers its TLS handler encrypts answers into taken from a pool instead
 * of made new for every answer.
 *
 * <p>Vert.x gives every server connection an allocator that pools direct buffers (socket I/O) but makes a new array
 * for every heap buffer, so that nothing pooled reaches application code. The JDK's TLS engine works on heap
 * buffers, and Netty's TLS handler asks for two per answer it sends: one to gather the response's pieces, and one
 * to encrypt them into, sized for the largest record (about 16.7 KiB) whatever the answer holds. Measured with JFR
 * over the wire, 16% of what an admission of the typical pod allocated (some 23 of 145 KiB), for a response of
 * about 1 KB. Those two live for one write, on the connection's event loop, and Netty releases them once the
 * socket has taken the bytes: nothing above the TLS handler ever sees them, so they are pooled here.
 *
 * <p>Only the handler's {@code heapBuffer} requests come from the pool, and that is what the encrypting side asks
 * for; everything else, the decrypted records of the request above all, comes from the connection's own allocator
 * as before. Pooling those too was measured and gave less: Vert.x copies every pooled buffer that reaches it
 * ({@code VertxHandler.safeBuffer}), so the body was copied once more. Had Netty asked for its encrypting buffers
 * otherwise, they would simply not be pooled, nothing worse.
 *
 * <p>The pool is small on purpose: one heap arena of 128 KiB chunks, and a cache of eight buffers per event loop.
 */
public final class TlsRecordBuffers implements ByteBufAllocator {

    /** 8 KiB pages, 2^4 of them to a chunk. */
    private static final int PAGE_BYTES = 8 * 1024;
    private static final int PAGES_PER_CHUNK_LOG2 = 4;
    private static final int NORMAL_BUFFERS_CACHED_PER_THREAD = 8;

    private static final PooledByteBufAllocator POOL = new PooledByteBufAllocator(false, 1, 0, PAGE_BYTES,
            PAGES_PER_CHUNK_LOG2, 0, NORMAL_BUFFERS_CACHED_PER_THREAD, false, 0);

    private final ByteBufAllocator connection;

    /** @param connection the allocator the connection had: everything but heap buffers still comes from it */
    TlsRecordBuffers(ByteBufAllocator connection) {
        this.connection = connection;
    }

    /**
     * The pool's one arena, for tests and diagnostics: what it has handed out, and what it still counts as taken (a
     * buffer never released, or one kept in an event loop's cache for the next answer).
     */
    public static PoolArenaMetric heapArena() {
        return POOL.metric().heapArenas().get(0);
    }

    @Override
    public ByteBuf heapBuffer() {
        return POOL.heapBuffer();
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
        return POOL.heapBuffer(initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
        return POOL.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf buffer() {
        return connection.buffer();
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        return connection.buffer(initialCapacity);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return connection.buffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf ioBuffer() {
        return connection.ioBuffer();
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return connection.ioBuffer(initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        return connection.ioBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf directBuffer() {
        return connection.directBuffer();
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
        return connection.directBuffer(initialCapacity);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
        return connection.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
        return connection.compositeBuffer();
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
        return connection.compositeBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
        return connection.compositeHeapBuffer();
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return connection.compositeHeapBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
        return connection.compositeDirectBuffer();
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return connection.compositeDirectBuffer(maxNumComponents);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return connection.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return connection.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
