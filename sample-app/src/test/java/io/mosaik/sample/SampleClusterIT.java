package io.mosaik.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the packaged application three times with {@code java -jar}, the second and third nodes
 * bootstrapping to the first, and checks over HTTP that they list each other in their connections and
 * catalogs, that quotes flow, that the {@code counter} group forms with one leader and takes an add
 * on one node that the others read, and that the {@code balances} map and the {@code book} queue written
 * on a writer node read the same on every node. Runs in Failsafe, after
 * {@code package}; each node's output goes to {@code target/it-logs/node-N.log}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SampleClusterIT {

    /** Generous: three JVMs start at once on a 2-core machine that may be building something else. */
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.shared();
    private final List<Node> nodes = new ArrayList<>();

    @Test
    void threeNodesGivenOneSeedFindEachOtherStreamQuotesAndShareACounterAndCollections() throws Exception {
        Node first = start("node-1", null);
        JsonNode firstNode = awaitNode(first);
        String firstAddress = firstNode.get("address").asString();
        assertThat(firstAddress).endsWith("@127.0.0.1:" + first.mosaikPort);

        Node second = start("node-2", firstAddress);
        Node third = start("node-3", firstAddress);
        String firstPeer = firstNode.get("peerId").asString();
        String secondPeer = awaitNode(second).get("peerId").asString();
        String thirdPeer = awaitNode(third).get("peerId").asString();

        await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            assertThat(mosaik(first).get("connections").has(secondPeer)).as("node 1 lists node 2").isTrue();
            assertThat(mosaik(second).get("connections").has(firstPeer)).as("node 2 lists node 1").isTrue();
            // the catalogs: node 2 and node 3 only know node 1's address, and find each other through it
            JsonNode catalogOfSecond = mosaik(second).get("catalog");
            JsonNode catalogOfThird = mosaik(third).get("catalog");
            assertThat(mosaik(first).get("catalog").has(secondPeer)).as("node 1 knows node 2").isTrue();
            assertThat(mosaik(first).get("catalog").has(thirdPeer)).as("node 1 knows node 3").isTrue();
            assertThat(catalogOfSecond.has(thirdPeer)).as("node 2 knows node 3").isTrue();
            assertThat(catalogOfThird.has(secondPeer)).as("node 3 knows node 2").isTrue();
            assertThat(catalogOfSecond.get(thirdPeer).get("tags").valueStream().map(JsonNode::asString))
                    .as("node 3's tags, by name, in node 2's catalog").contains("node-3");
        });
        JsonNode fromSecond = mosaik(second).get("connections").get(firstPeer);
        assertThat(fromSecond.get("direction").asString()).isEqualTo("outbound");
        assertThat(fromSecond.get("remoteAddress").asString()).contains(String.valueOf(first.mosaikPort));
        assertThat(mosaik(first).get("peerCount").asInt()).isEqualTo(2);

        // quotes flow from the exchange (node 1) to both traders
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            for (Node trader : List.of(second, third)) {
                assertThat(get(trader, "/quotes").get("received").asLong()).as("quotes at %s", trader.log)
                        .isPositive();
            }
            JsonNode producer = get(first, "/actuator/mosaik/streams").get("producers").get(0);
            assertThat(producer.get("stream").asString()).isEqualTo("quotes");
            assertThat(producer.get("subscribers").size()).isEqualTo(2);
            assertThat(producer.get("subscribers").get(0).get("stats").get("datums").asLong()).isPositive();
        });
        JsonNode consumer = get(second, "/actuator/mosaik/streams").get("consumers").get(0);
        assertThat(consumer.get("stream").asString()).isEqualTo("quotes");
        assertThat(consumer.get("producers").get(0).get("peer").asString()).isEqualTo(firstPeer);

        // the counter group: one leader every node agrees on, three voters, each node bonded with the others
        List<Node> cluster = List.of(first, second, third);
        List<String> peers = List.of(firstPeer, secondPeer, thirdPeer);
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            String leader = counterGroup(first).get("leader").asString();
            assertThat(leader).as("the leader node 1 knows").isIn(peers);
            for (Node node : cluster) {
                JsonNode group = counterGroup(node);
                assertThat(group.get("leader").asString()).as("the leader at %s", node.log).isEqualTo(leader);
                assertThat(group.get("online").asBoolean()).as("online at %s", node.log).isTrue();
                assertThat(group.get("voterCount").asInt()).as("voters at %s", node.log).isEqualTo(3);
                assertThat(group.get("bondCount").asInt()).as("bonds at %s", node.log).isEqualTo(2);
            }
            JsonNode leaderView = get(cluster.get(peers.indexOf(leader)), "/actuator/mosaik/groups/counter");
            assertThat(leaderView.get("role").asString()).isEqualTo("LEADER");
            assertThat(leaderView.get("followers").size()).as("the leader's followers").isEqualTo(2);
        });

        // an add on one node (forwarded to the leader unless it leads), read strongly on the other two
        JsonNode added = addToCounter(second, 5);
        assertThat(added.get("value").asLong()).isEqualTo(5);
        assertThat(added.get("term").asLong()).isPositive();
        assertThat(added.get("index").asLong()).isPositive();
        for (Node other : List.of(first, third)) {
            JsonNode read = get(other, "/counter");
            assertThat(read.get("consistency").asString()).isEqualTo("strong");
            assertThat(read.get("value").asLong()).as("the counter at %s", other.log).isEqualTo(5);
        }

        // the balances map: written on node 2, read on every node (the other writer, node 1, and the reader,
        // node 3) once it has that version
        long version = write(second, "PUT", "/balances/alice?amount=42");
        for (Node node : cluster) {
            JsonNode read = get(node, "/balances?atLeast=" + version);
            assertThat(read.get("role").asString()).as("the role at %s", node.log)
                    .isEqualTo(node == third ? "reader" : "writer");
            assertThat(read.get("balances").get("alice").asLong()).as("alice at %s", node.log).isEqualTo(42);
        }

        // the order book: an order posted on node 1, read on node 3, which only reads
        long booked = write(first, "POST", "/book?id=o1&price=101&side=sell&quantity=5");
        JsonNode book = get(third, "/book?atLeast=" + booked);
        assertThat(book.get("role").asString()).isEqualTo("reader");
        assertThat(book.get("orders")).singleElement().satisfies(order -> {
            assertThat(order.get("priority").asLong()).isEqualTo(101);
            assertThat(order.get("key").asString()).isEqualTo("o1");
            assertThat(order.get("value").get("side").asString()).isEqualTo("sell");
            assertThat(order.get("value").get("quantity").asLong()).isEqualTo(5);
        });
        HttpRequest refused = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + third.httpPort
                + "/balances/bob?amount=1")).PUT(HttpRequest.BodyPublishers.noBody()).build();
        assertThat(http.send(refused, HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("a reader node refuses writes").isEqualTo(409);
    }

    /** The {@code counter} group as {@code /actuator/mosaik/groups} lists it. */
    private JsonNode counterGroup(Node node) throws Exception {
        for (JsonNode group : get(node, "/actuator/mosaik/groups")) {
            if ("counter".equals(group.path("name").asString())) {
                return group;
            }
        }
        throw new AssertionError("no counter group at " + node.log);
    }

    /**
     * Adds to the counter through a node. Retried only while the answer is 503: no leader took the
     * command, so it was not applied and a retry cannot count it twice.
     */
    private JsonNode addToCounter(Node node, long delta) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort
                + "/counter/add?delta=" + delta)).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = sendUntilOnline(request);
        assertThat(response.statusCode()).as("POST /counter/add: %s", response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    /**
     * Writes to a collection through a node and returns the write's version. Retried only while the
     * answer is 503: the collection was offline, so nothing was written.
     */
    private long write(Node node, String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
                .header("Accept", "application/json").method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(15)).build();
        HttpResponse<String> response = sendUntilOnline(request);
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(200);
        return json.readTree(response.body()).get("version").asLong();
    }

    /** Sends a request again while the answer is 503 (nothing was applied), for up to {@link #STARTUP}. */
    private HttpResponse<String> sendUntilOnline(HttpRequest request) {
        return await().atMost(STARTUP).pollInterval(Duration.ofMillis(500))
                .until(() -> http.send(request, HttpResponse.BodyHandlers.ofString()),
                        answer -> answer.statusCode() != 503);
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (Node node : nodes) {
            node.process.destroy();
        }
        for (Node node : nodes) {
            if (!node.process.waitFor(20, TimeUnit.SECONDS)) {
                node.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            List<String> lines = Files.exists(node.log) ? Files.readAllLines(node.log) : List.of();
            System.out.println("---- " + node.log + " (last lines) ----");
            lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(System.out::println);
        }
    }

    private Node start(String name, String bootstrap) throws IOException {
        Path jar = Path.of(System.getProperty("sample.jar", "target/sample-app-0.1.0-SNAPSHOT.jar"));
        assertThat(jar).as("the packaged application (run `mvn package` first)").exists();
        Path logs = Files.createDirectories(Path.of(System.getProperty("sample.logs", "target/it-logs")));
        int httpPort = freePort();
        int mosaikPort = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), // the JDK running the tests
                "-Xmx256m", "-XX:TieredStopAtLevel=1", // three JVMs on 2 cores: start fast, stay small
                "-jar", jar.toString(),
                "--server.port=" + httpPort, "--server.address=127.0.0.1",
                "--mosaik.port=" + mosaikPort, "--mosaik.bind-address=127.0.0.1"));
        if (bootstrap != null) {
            command.add("--mosaik.discovery.bootstrap=" + bootstrap);
        }
        boolean exchange = name.equals("node-1"); // node 1 produces the quotes stream, the others consume it
        command.add("--mosaik.discovery.tags=demo," + name + (exchange ? ",exchange" : ""));
        command.add("--sample.role=" + (exchange ? "exchange" : "trader"));
        if (name.equals("node-3")) { // as in the demo: node 3 only reads the balances and the order book
            command.add("--sample.collections-role=reader");
        }
        Path log = logs.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Node node = new Node(process, httpPort, mosaikPort, log);
        nodes.add(node);
        return node;
    }

    /** Waits until the node answers {@code /actuator/mosaik} and returns its {@code node} section. */
    private JsonNode awaitNode(Node node) {
        return await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .failFast("the process exited; see " + node.log, () -> !node.process.isAlive())
                .until(() -> mosaik(node).get("node"), section -> section != null
                        && "RUNNING".equals(section.path("state").asString()));
    }

    private JsonNode mosaik(Node node) throws Exception {
        return get(node, "/actuator/mosaik");
    }

    private JsonNode get(Node node, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private record Node(Process process, int httpPort, int mosaikPort, Path log) {
    }
}
