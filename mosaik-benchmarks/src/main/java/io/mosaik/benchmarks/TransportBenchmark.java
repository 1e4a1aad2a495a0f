package io.mosaik.benchmarks;

import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.TransportKind;
import io.mosaik.network.transport.Frames;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the transports on loopback, both ends in one JVM, and prints a table: connection set-up
 * (dial + TLS + peer authentication), 1 KiB ping-pong on one link (p50, p99, msg/s), and bulk
 * throughput of 64 KiB frames on one link. "raw-tcp" is a plain socket with the same framing and no
 * TLS or mosaik, as the ceiling.
 *
 * <p>Run: {@code scripts/bench-transport.sh [seconds-per-phase]}.
 */
public final class TransportBenchmark {

    private static final NetworkId NETWORK = NetworkId.of("mosaik-bench");
    private static final int HANDSHAKES = 20;

    private TransportBenchmark() {
    }

    /**
     * Runs every transport and prints the table.
     *
     * @param args optional: seconds per measured phase (default 5)
     * @throws Exception if a phase fails
     */
    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 5);
        List<String> rows = new ArrayList<>();
        rows.add(rawTcp(phase));
        for (TransportKind kind : TransportKind.values()) {
            rows.add(mosaik(kind, phase));
        }
        System.out.println();
        System.out.printf("%-8s | %-22s | %-34s | %s%n", "transport", "connect p50 / p99 (ms)",
                "1 KiB ping-pong p50 / p99 (us), msg/s", "bulk 64 KiB frames (MB/s)");
        System.out.println("-".repeat(100));
        rows.forEach(System.out::println);
        System.out.printf("%nJDK %s, %d cores, %s, %d s per phase%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), phase.toSeconds());
        System.exit(0);
    }

    private static String mosaik(TransportKind kind, Duration phase) throws Exception {
        System.err.println("measuring " + kind.configName() + " ...");
        try (Network server = Network.builder(NETWORK).transport(kind).start()) {
            server.handle("bench/echo", link -> {
                try {
                    while (true) {
                        link.sendBytes(link.receiveBytes());
                    }
                } catch (LinkClosedException done) {
                    // client finished
                }
            });
            AtomicLong sunk = new AtomicLong();
            server.handle("bench/sink", link -> {
                try {
                    while (true) {
                        sunk.addAndGet(link.receiveBytes().length);
                    }
                } catch (LinkClosedException done) {
                    // client finished
                }
            });

            LatencyHistogram connects = new LatencyHistogram();
            for (int i = 0; i < HANDSHAKES; i++) {
                try (Network client = Network.builder(NETWORK).transport(kind).start()) {
                    long start = System.nanoTime();
                    client.connect(server.address()).get(60, TimeUnit.SECONDS);
                    connects.record(System.nanoTime() - start);
                }
            }

            try (Network client = Network.builder(NETWORK).transport(kind).start()) {
                Link echo = client.openLink(server.address(), "bench/echo").get(60, TimeUnit.SECONDS);
                PingPong pingPong = pingPong(phase, payload -> {
                    echo.sendBytes(payload);
                    echo.receiveBytes();
                });
                echo.close();

                Link bulk = client.openLink(server.address(), "bench/sink").get(60, TimeUnit.SECONDS);
                double megabytesPerSecond = bulk(phase, bulk::sendBytes, sunk);
                bulk.close();
                return row(kind.configName(), connects, pingPong, megabytesPerSecond);
            }
        }
    }

    private static String rawTcp(Duration phase) throws Exception {
        System.err.println("measuring raw-tcp ...");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 50, loopback)) {
            AtomicLong sunk = new AtomicLong();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        socket.setTcpNoDelay(true);
                        Thread.ofVirtual().start(() -> serveRaw(socket, sunk));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            LatencyHistogram connects = new LatencyHistogram();
            for (int i = 0; i < HANDSHAKES; i++) {
                long start = System.nanoTime();
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(loopback, server.getLocalPort()));
                    connects.record(System.nanoTime() - start);
                }
            }
            PingPong pingPong;
            try (Socket socket = new Socket(loopback, server.getLocalPort())) {
                socket.setTcpNoDelay(true);
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                Frames.Reader in = new Frames.Reader(new BufferedInputStream(socket.getInputStream(), 1 << 16), 1 << 24);
                out.write(new byte[] {'E'});
                pingPong = pingPong(phase, payload -> {
                    out.write(Frames.data(payload));
                    out.flush();
                    in.read();
                });
            }
            double megabytesPerSecond;
            try (Socket socket = new Socket(loopback, server.getLocalPort())) {
                socket.setTcpNoDelay(true);
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                out.write(new byte[] {'S'});
                megabytesPerSecond = bulk(phase, payload -> {
                    out.write(Frames.data(payload));
                    out.flush();
                }, sunk);
            }
            server.close();
            acceptor.join(Duration.ofSeconds(5));
            return row("raw-tcp", connects, pingPong, megabytesPerSecond);
        }
    }

    private static void serveRaw(Socket socket, AtomicLong sunk) {
        try (socket) {
            BufferedInputStream input = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            int mode = input.read();
            if (mode < 0) {
                return;
            }
            Frames.Reader in = new Frames.Reader(input, 1 << 24);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            for (Frames.Frame frame = in.read(); frame != null; frame = in.read()) {
                if (mode == 'E') {
                    out.write(Frames.data(frame.body()));
                    out.flush();
                } else {
                    sunk.addAndGet(frame.body().length);
                }
            }
        } catch (IOException done) {
            // the client finished
        }
    }

    private record PingPong(LatencyHistogram latencies, double perSecond) {
    }

    @FunctionalInterface
    private interface Exchange {
        void run(byte[] payload) throws IOException;
    }

    private static PingPong pingPong(Duration phase, Exchange exchange) throws IOException {
        byte[] payload = new byte[1024];
        long warmupEnd = System.nanoTime() + Math.min(phase.toNanos(), TimeUnit.SECONDS.toNanos(2));
        while (System.nanoTime() < warmupEnd) {
            exchange.run(payload);
        }
        LatencyHistogram latencies = new LatencyHistogram();
        long start = System.nanoTime();
        long end = start + phase.toNanos();
        long now = start;
        while (now < end) {
            exchange.run(payload);
            long after = System.nanoTime();
            latencies.record(after - now);
            now = after;
        }
        return new PingPong(latencies, latencies.count() / ((now - start) / 1e9));
    }

    private static double bulk(Duration phase, Exchange send, AtomicLong sunk) throws IOException {
        byte[] payload = new byte[64 * 1024];
        long start = System.nanoTime();
        long before = sunk.get();
        long end = start + phase.toNanos();
        while (System.nanoTime() < end) {
            send.run(payload);
        }
        return (sunk.get() - before) / ((System.nanoTime() - start) / 1e9) / 1e6;
    }

    private static String row(String name, LatencyHistogram connects, PingPong pingPong, double megabytesPerSecond) {
        return String.format(Locale.ROOT, "%-9s | %8.2f / %8.2f      | %8.0f / %8.0f, %9.0f     | %9.1f", name,
                connects.percentileMicros(50) / 1000, connects.percentileMicros(99) / 1000,
                pingPong.latencies().percentileMicros(50), pingPong.latencies().percentileMicros(99),
                pingPong.perSecond(), megabytesPerSecond);
    }
}
