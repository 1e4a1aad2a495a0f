package io.mosaik.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.groups.Group;
import io.mosaik.network.Network;
import java.util.concurrent.TimeUnit;
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

    @Autowired
    Group<CounterMachine.Add, CounterMachine.Read, Long> counter;

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

    @Test
    void counterAddsThroughTheGroupAndReadsBack() throws Exception {
        counter.when().leaderElected().get(60, TimeUnit.SECONDS); // alone, it leads after the bootstrap delay
        long before = value("strong");
        CounterController.Added added = client.post().uri("/counter/add?delta=5").accept(MediaType.APPLICATION_JSON)
                .exchange().expectStatus().isOk()
                .expectBody(CounterController.Added.class).returnResult().getResponseBody();
        assertThat(added.value()).isEqualTo(before + 5);
        assertThat(added.term()).isPositive();
        assertThat(added.index()).isPositive();
        assertThat(value("strong")).isEqualTo(before + 5);
        assertThat(value("weak")).isEqualTo(before + 5);
    }

    @Test
    void counterRefusesAnOverflowAndLeavesTheValueAsItWas() throws Exception {
        counter.when().leaderElected().get(60, TimeUnit.SECONDS);
        long before = value("strong");
        long toMax = Long.MAX_VALUE - before;
        client.post().uri("/counter/add?delta=" + toMax).exchange().expectStatus().isOk();
        client.post().uri("/counter/add?delta=1").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isEqualTo(422);
        assertThat(value("strong")).isEqualTo(Long.MAX_VALUE);
        client.post().uri("/counter/add?delta=" + -toMax).exchange().expectStatus().isOk();
        assertThat(value("strong")).isEqualTo(before);
    }

    @Test
    void counterRefusesBadRequests() {
        client.get().uri("/counter?consistency=sometimes").exchange().expectStatus().isBadRequest();
        client.post().uri("/counter/add").exchange().expectStatus().isBadRequest();
        client.post().uri("/counter/add?delta=many").exchange().expectStatus().isBadRequest();
    }

    private long value(String consistency) {
        CounterController.Value value = client.get().uri("/counter?consistency=" + consistency)
                .accept(MediaType.APPLICATION_JSON).exchange().expectStatus().isOk()
                .expectBody(CounterController.Value.class).returnResult().getResponseBody();
        assertThat(value.consistency()).isEqualTo(consistency);
        return value.value();
    }
}
