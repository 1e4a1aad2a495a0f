package io.mosaik.spring.boot;

import io.mosaik.network.Network;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Starts every {@link Network} bean of the context when the context starts, and closes them when it
 * stops, whether the network was auto-configured or defined by the application.
 *
 * <p>It runs in an early phase, so the node is listening before the web server accepts requests (an
 * actuator probe never sees it half started) and is closed only after the web server has stopped. A
 * closed network cannot be started again, so a context that is stopped and started again fails to
 * start its node; restart the application instead.
 */
public class MosaikNetworkLifecycle implements SmartLifecycle {

    /**
     * Before Boot's web server (its start/stop life cycle runs at {@code DEFAULT_PHASE - 2048}, graceful
     * shutdown at {@code DEFAULT_PHASE - 1024}), so the node listens before requests arrive and closes
     * after the last request is done.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final ObjectProvider<Network> networks;
    private final List<Network> started = new ArrayList<>();
    private volatile boolean running;

    /**
     * Creates the life cycle.
     *
     * @param networks the context's networks, looked up when the context starts
     */
    public MosaikNetworkLifecycle(ObjectProvider<Network> networks) {
        this.networks = networks;
    }

    /**
     * Starts every network bean.
     *
     * @throws MosaikStartException if one cannot start, typically because its port is taken
     */
    @Override
    public void start() {
        synchronized (started) {
            for (Network network : networks.orderedStream().toList()) {
                start(network);
                started.add(network);
            }
            running = true;
        }
    }

    /**
     * Starts one network, or does nothing if it runs already.
     *
     * @param network the network
     * @throws MosaikStartException if it cannot start, typically because its port is taken
     */
    static void start(Network network) {
        try {
            network.start();
        } catch (IOException | RuntimeException e) {
            throw new MosaikStartException(network.peerId(), e);
        }
    }

    /** Closes the networks this life cycle started, the last started first. */
    @Override
    public void stop() {
        synchronized (started) {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
            started.clear();
            running = false;
        }
    }

    /** Whether the networks were started and not stopped since. */
    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
