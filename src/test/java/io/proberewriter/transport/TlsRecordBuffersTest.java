package io.proberewriter.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** A connection's allocator with heap buffers from a pool that takes them back, and everything else as before. */
class TlsRecordBuffersTest {

    /** What the JDK's engine needs to encrypt into: the largest TLS record with its overhead. */
    private static final int RECORD = 16_709;

    /** An allocator like the one Vert.x gives a connection: nothing of it pooled. */
    private final ByteBufAllocator connection = new UnpooledByteBufAllocator(false);

    private final TlsRecordBuffers buffers = new TlsRecordBuffers(connection);

    @Test
    void aReleasedRecordBufferIsHandedOutAgainInsteadOfANewArray() {
        ByteBuf first = buffers.heapBuffer(RECORD);
        assertTrue(first.hasArray(), "the JDK's TLS engine needs heap buffers");
        byte[] memory = first.array();
        int offset = first.arrayOffset();
        first.release();

        ByteBuf second = buffers.heapBuffer(RECORD);
        try {
            assertSame(memory, second.array(), "a new array for every record: nothing was pooled");
            assertEquals(offset, second.arrayOffset());
        } finally {
            second.release();
        }
    }

    @Test
    void theDecryptedRequestStillComesFromTheConnectionsOwnAllocator() {
        // Netty's TLS handler decrypts into buffer(); Vert.x would copy a pooled one once more, so it stays unpooled.
        ByteBuf decrypted = buffers.buffer(RECORD);
        try {
            assertSame(connection, decrypted.alloc());
        } finally {
            decrypted.release();
        }
        ByteBuf first = buffers.buffer(RECORD);
        byte[] memory = first.array();
        first.release();
        ByteBuf second = buffers.buffer(RECORD);
        try {
            assertNotSame(memory, second.array(), "buffer() was pooled: the request body would be copied again");
        } finally {
            second.release();
        }
    }

    @Test
    void socketBuffersAndTheirPoolingAreTheConnections() {
        ByteBuf socket = buffers.directBuffer(RECORD);
        ByteBuf io = buffers.ioBuffer(RECORD);
        try {
            assertSame(connection, socket.alloc());
            assertSame(connection, io.alloc());
        } finally {
            socket.release();
            io.release();
        }
        // Netty copies heap buffers into direct ones for the socket only when the allocator says it pools them.
        assertEquals(connection.isDirectBufferPooled(), buffers.isDirectBufferPooled());
        assertSame(connection, buffers.compositeBuffer().alloc());
    }
}
