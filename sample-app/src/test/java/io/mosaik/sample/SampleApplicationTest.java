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

    @Autowired
    io.mosaik.collections.ReplicatedMap<String, Long> balances;

    @Autowired
    io.mosaik.collections.ReplicatedPriorityQueue<Long, String, BookOrder> book;

    @Test
    void balancesAndTheOrderBookAreWrittenAndReadOverHttp() throws Exception {
        balances.when().online().get(60, TimeUnit.SECONDS); // alone, a writer forms the group
        CollectionsController.Written written = client.put().uri("/balances/alice?amount=120")
                .accept(MediaType.APPLICATION_JSON).exchange().expectStatus().isOk()
                .expectBody(CollectionsController.Written.class).returnResult().getResponseBody();
        assertThat(written.version()).isPositive();
        client.get().uri("/balances?atLeast=" + written.version()).accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.balances.alice").isEqualTo(120)
                .jsonPath("$.role").isEqualTo("writer");
        client.get().uri("/balances/alice").exchange().expectStatus().isOk().expectBody(Long.class).isEqualTo(120L);
        client.get().uri("/balances/nobody").exchange().expectStatus().isNotFound();

        book.when().online().get(60, TimeUnit.SECONDS);
        client.post().uri("/book?id=o1&price=101&side=sell&quantity=5").exchange().expectStatus().isOk();
        CollectionsController.Written last = client.post().uri("/book?id=o2&price=99&side=buy&quantity=3")
                .exchange().expectStatus().isOk().expectBody(CollectionsController.Written.class).returnResult()
                .getResponseBody();
        client.get().uri("/book?atLeast=" + last.version()).accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.orders[0].key").isEqualTo("o2")
                .jsonPath("$.orders[0].priority").isEqualTo(99)
                .jsonPath("$.orders[0].value.side").isEqualTo("buy")
                .jsonPath("$.orders[1].key").isEqualTo("o1");
        client.delete().uri("/book/o2").exchange().expectStatus().isOk();
        client.post().uri("/book?id=o3&price=many&side=buy&quantity=1").exchange().expectStatus().isBadRequest();
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
