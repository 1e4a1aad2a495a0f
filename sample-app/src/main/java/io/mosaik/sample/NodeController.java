package io.mosaik.sample;

import io.mosaik.network.ConnectionInfo;
import io.mosaik.network.Network;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /}: who this node is, in one line of JSON, and where to look for more. */
@RestController
public class NodeController {

    private final Network network;

    /**
     * Creates the controller.
     *
     * @param network the application's mosaik node
     */
    public NodeController(Network network) {
        this.network = network;
    }

    /**
     * This node's identity and address; give the address to another node as
     * {@code --mosaik.discovery.bootstrap=<address>} to have it connect to this one.
     *
     * @return the summary
     */
    @GetMapping("/")
    public NodeSummary node() {
        return new NodeSummary(network.peerId().toHex(), network.address().toString(), network.state().name(),
                network.connections().stream().map(ConnectionInfo::peer).distinct().count(),
                "/actuator/mosaik");
    }

    /**
     * The answer of {@code GET /}.
     *
     * @param peerId      the node's peer id
     * @param address     where other nodes dial it, {@code peerId@host:port}
     * @param state       its life-cycle state
     * @param connections the number of peers it is connected to
     * @param details     where the full description is
     */
    public record NodeSummary(String peerId, String address, String state, long connections, String details) {
    }
}
