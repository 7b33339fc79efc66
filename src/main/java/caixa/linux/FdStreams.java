package caixa.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/** Java streams over a raw file descriptor that the stream owns (closing it closes the descriptor). */
public final class FdStreams {
    private FdStreams() {
    }

    private static final int BUFFER = 16 * 1024;

    public static InputStream input(int fd, String what) {
        return new InputStream() {
            private final Arena arena = Arena.ofShared();
            private final MemorySegment buffer = arena.allocate(BUFFER);
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public synchronized int read(byte[] b, int off, int len) throws IOException {
                if (closed.get()) {
                    throw new IOException(what + ": stream closed");
                }
                if (len == 0) {
                    return 0;
                }
                try {
                    long n = Linux.read(fd, buffer.asSlice(0, Math.min(len, BUFFER)), what);
                    if (n == 0) {
                        return -1;
                    }
                    MemorySegment.copy(buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                    return (int) n;
                } catch (SyscallException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public synchronized void close() {
                if (closed.compareAndSet(false, true)) {
                    Linux.close(fd);
                    arena.close();
                }
            }
        };
    }

    public static OutputStream output(int fd, String what) {
        return new OutputStream() {
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                if (closed.get()) {
                    throw new IOException(what + ": stream closed");
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment data = arena.allocate(len);
                    MemorySegment.copy(b, off, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, len);
                    Linux.write(fd, data, what);
                } catch (SyscallException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public synchronized void close() {
                if (closed.compareAndSet(false, true)) {
                    Linux.close(fd);
                }
            }
        };
    }
}
