package io.mosaik.network.transport.quic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A loopback UDP relay between one client and one server that can be told to drop everything, which
 * makes both ends look dead to each other without either sending a close.
 */
final class UdpRelay implements AutoCloseable {

    private final DatagramSocket front;
    private final DatagramSocket back;
    private volatile SocketAddress client;
    private volatile boolean forwarding = true;

    UdpRelay(InetSocketAddress target) throws IOException {
        front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        back.connect(target);
        Thread.ofVirtual().name("relay-to-server").start(this::forwardToServer);
        Thread.ofVirtual().name("relay-to-client").start(this::forwardToClient);
    }

    /** The address clients dial. */
    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** Drops every datagram from now on. */
    void blackHole() {
        forwarding = false;
    }

    private void forwardToServer() {
        byte[] buffer = new byte[65_535];
        while (!front.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                front.receive(packet);
                client = packet.getSocketAddress();
                if (forwarding) {
                    back.send(new DatagramPacket(packet.getData(), packet.getOffset(), packet.getLength()));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void forwardToClient() {
        byte[] buffer = new byte[65_535];
        while (!back.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                back.receive(packet);
                SocketAddress to = client;
                if (forwarding && to != null) {
                    front.send(new DatagramPacket(packet.getData(), packet.getOffset(), packet.getLength(), to));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
