package io.mosaik.network;

import java.time.Duration;

/**
 * Runs the transport soak from the command line, without JUnit, for the long form:
 * {@code java -cp <test class path> io.mosaik.network.TransportSoakMain quic 900}.
 */
final class TransportSoakMain {

    private TransportSoakMain() {
    }

    public static void main(String[] args) throws Exception {
        TransportKind kind = TransportKind.parse(args.length > 0 ? args[0] : "quic");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 900;
        TransportSoak.Result result = new TransportSoak().run(kind, 8, 2, Duration.ofSeconds(seconds),
                Duration.ofSeconds(3));
        System.out.println("soak: " + result.summary());
        System.exit(result.stalledStream() == null ? 0 : 1);
    }
}
