package io.mosaik.spring.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds free loopback ports for tests that need a fixed one. */
final class FreePorts {

    private FreePorts() {
    }

    /** A TCP port free on 127.0.0.1 right now. */
    static int tcp() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
