package io.mosaik.sample;

import io.mosaik.network.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

/** The sample application's context: its node, its page and its actuator endpoints. */
@Timeout(120)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class SampleApplicationTest {

    @Autowired
    RestTestClient client;

    @Autowired
    Network network;

    @Test
    void homePageShowsTheNode() {
        client.get().uri("/").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.peerId").isEqualTo(network.peerId().toHex())
                .jsonPath("$.address").isEqualTo(network.address().toString())
                .jsonPath("$.state").isEqualTo("RUNNING");
    }

    @Test
    void actuatorShowsTheNodeOnTheDemoNetwork() {
        client.get().uri("/actuator/mosaik").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.node.peerId").isEqualTo(network.peerId().toHex())
                .jsonPath("$.node.networkId").isEqualTo(io.mosaik.primitives.NetworkId.of("mosaik-demo").toString())
                .jsonPath("$.node.state").isEqualTo("RUNNING")
                .jsonPath("$.connectionCount").isEqualTo(0);
        client.get().uri("/actuator/health").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.components.mosaik.status").isEqualTo("UP");
        client.get().uri("/actuator/metrics/mosaik.network.connections.current").accept(MediaType.APPLICATION_JSON)
                .exchange().expectStatus().isOk();
    }
}
