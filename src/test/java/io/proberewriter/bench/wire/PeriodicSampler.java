package io.proberewriter.bench.wire;

/**
 * A daemon thread that runs one reading of a process at a fixed period until closed: what {@link ProcessMemory} and
 * {@link ProcessCpu} each need, written once.
 */
final class PeriodicSampler implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;

    PeriodicSampler(String name, long periodMillis, Runnable reading) {
        this.thread = new Thread(() -> {
            while (running) {
                reading.run();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
