package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.collections.CasResult;
import io.mosaik.collections.CollectionKind;
import io.mosaik.collections.CollectionRole;
import io.mosaik.collections.ReplicatedCellWriter;
import io.mosaik.collections.ReplicatedCollections;
import io.mosaik.collections.ReplicatedMap;
import io.mosaik.collections.ReplicatedMapWriter;
import io.mosaik.collections.ReplicatedOnceWriter;
import io.mosaik.collections.ReplicatedPriorityQueue;
import io.mosaik.collections.ReplicatedSet;
import io.mosaik.collections.ReplicatedSetWriter;
import io.mosaik.collections.ReplicatedVecWriter;
import io.mosaik.collections.Version;
import io.mosaik.network.Network;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Collections in Spring: every {@code mosaik.collections.<name>} becomes a bean of that name typed after
 * its kind, role and types, injectable by generic type or with {@link MosaikCollection}, opened at
 * creation and closed with the context.
 */
@Timeout(120)
class CollectionBeansTest {

    /** Takes collections by qualifier and by generic type. */
    public static class Client {
        final ReplicatedMapWriter<String, Long> balances;
        @Autowired
        @MosaikCollection("balancesView")
        ReplicatedMap<String, Long> view;
        @Autowired
        ReplicatedVecWriter<String> journal;
        @Autowired
        ReplicatedPriorityQueue<Long, String, String> book;
        @Autowired
        ReplicatedSetWriter<String> tags;
        @Autowired
        ReplicatedCellWriter<Long> price;
        @Autowired
        ReplicatedOnceWriter<String> winner;

        Client(@MosaikCollection("balances") ReplicatedMapWriter<String, Long> balances) {
            this.balances = balances;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Client client(@MosaikCollection("balances") ReplicatedMapWriter<String, Long> balances) {
            return new Client(balances);
        }

        @Bean
        MosaikCollectionCustomizer fast() {
            return (name, config) -> config.withConsensus(GroupBeansTest.FAST);
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withPropertyValues("mosaik.network-id=collection-beans-test",
                    "mosaik.collections.balances.kind=map",
                    "mosaik.collections.balances.key-type=java.lang.String",
                    "mosaik.collections.balances.value-type=java.lang.Long",
                    "mosaik.collections.balancesView.kind=map",
                    "mosaik.collections.balancesView.store=balances",
                    "mosaik.collections.balancesView.role=reader",
                    "mosaik.collections.balancesView.key-type=java.lang.String",
                    "mosaik.collections.balancesView.value-type=java.lang.Long",
                    "mosaik.collections.journal.kind=vec",
                    "mosaik.collections.journal.type=java.lang.String",
                    "mosaik.collections.book.kind=priority-queue",
                    "mosaik.collections.book.priority-type=java.lang.Long",
                    "mosaik.collections.book.key-type=java.lang.String",
                    "mosaik.collections.book.value-type=java.lang.String",
                    "mosaik.collections.book.capacity=100",
                    "mosaik.collections.book.role=reader",
                    "mosaik.collections.tags.kind=set",
                    "mosaik.collections.tags.type=java.lang.String",
                    "mosaik.collections.price.kind=cell",
                    "mosaik.collections.price.type=java.lang.Long",
                    "mosaik.collections.winner.kind=once",
                    "mosaik.collections.winner.type=java.lang.String");

    @Test
    void declaredCollectionsAreBeansTypedAfterKindRoleAndTypes() {
        runner.withUserConfiguration(App.class).run(context -> {
            assertThat(context).hasNotFailed();
            Client client = context.getBean(Client.class);
            assertThat(client.balances).isSameAs(context.getBean("balances"));
            assertThat(client.view).isSameAs(context.getBean("balancesView")).isNotInstanceOf(ReplicatedMapWriter.class);
            assertThat(client.journal).isSameAs(context.getBean("journal"));
            assertThat(client.book.capacity()).isEqualTo(100);
            assertThat(client.book.role()).isEqualTo(CollectionRole.READER);
            assertThat(client.tags).isSameAs(context.getBean("tags"));
            assertThat(client.price).isSameAs(context.getBean("price"));
            assertThat(client.winner).isSameAs(context.getBean("winner"));
            assertThat(context.getBeanProvider(org.springframework.core.ResolvableType.forClassWithGenerics(
                    ReplicatedSet.class, Long.class)).getIfAvailable()).as("no set of Long declared").isNull();

            client.balances.when().online().get(30, TimeUnit.SECONDS);
            Version v = client.balances.put("alice", 100L).get(30, TimeUnit.SECONDS);
            client.view.when().reaches(v).get(30, TimeUnit.SECONDS);
            assertThat(client.view.get("alice")).as("the reader shares the writer's replica on this node")
                    .contains(100L);
            assertThat(context.getBean(ReplicatedCollections.class).list())
                    .extracting(info -> info.store() + ":" + info.kind() + ":" + info.handles())
                    .containsExactlyInAnyOrder("balances:" + CollectionKind.MAP + ":2", "book:"
                            + CollectionKind.PRIORITY_QUEUE + ":1", "journal:" + CollectionKind.VEC + ":1",
                            "tags:" + CollectionKind.SET + ":1", "price:" + CollectionKind.CELL + ":1",
                            "winner:" + CollectionKind.ONCE + ":1");
        });
    }

    @Test
    void aSetACellAndAOnceBeanEachWriteAndRead() {
        runner.withUserConfiguration(App.class).run(context -> {
            Client client = context.getBean(Client.class);
            client.tags.when().online().get(30, TimeUnit.SECONDS);
            client.tags.addAll(java.util.List.of("red", "blue")).get(30, TimeUnit.SECONDS);
            assertThat(client.tags.asSet()).containsExactlyInAnyOrder("red", "blue");

            client.price.when().online().get(30, TimeUnit.SECONDS);
            client.price.set(101L).get(30, TimeUnit.SECONDS);
            assertThat(client.price.get()).contains(101L);

            client.winner.when().online().get(30, TimeUnit.SECONDS);
            CasResult first = client.winner.set("first").get(30, TimeUnit.SECONDS);
            CasResult second = client.winner.set("second").get(30, TimeUnit.SECONDS);
            assertThat(first.succeeded()).isTrue();
            assertThat(second.succeeded()).as("a once keeps its first value").isFalse();
            assertThat(client.winner.get()).contains("first");
        });
    }

    @Test
    void collectionsCloseWithTheContext() {
        Network[] network = new Network[1];
        runner.withUserConfiguration(App.class).run(context -> {
            network[0] = context.getBean(Network.class);
            assertThat(network[0].collections().list()).hasSize(6);
        });
        assertThat(network[0].collections().list()).isEmpty();
    }

    @Test
    void aDeclarationThatCannotWorkNamesItsProperty() {
        check("mosaik.collections.x.kind=tree", "mosaik.collections.x.kind", "not a kind");
        check("mosaik.collections.x.kind=map", "mosaik.collections.x.key-type", "no class");
        check(new String[] {"mosaik.collections.x.kind=set", "mosaik.collections.x.type=com.example.Nope"},
                "mosaik.collections.x.type", "not found");
        check(new String[] {"mosaik.collections.x.kind=set", "mosaik.collections.x.type=java.lang.String",
            "mosaik.collections.x.key-type=java.lang.String"}, "mosaik.collections.x.key-type", "does not take");
        check(new String[] {"mosaik.collections.x.kind=set", "mosaik.collections.x.type=java.lang.String",
            "mosaik.collections.x.capacity=3"}, "mosaik.collections.x.capacity", "only a priority-queue");
        check(new String[] {"mosaik.collections.x.kind=cell", "mosaik.collections.x.type=java.lang.String",
            "mosaik.collections.x.role=admin"}, "mosaik.collections.x.role", "not a role");
        check(new String[] {"mosaik.collections.x.kind=priority-queue", "mosaik.collections.x.key-type=java.lang.String",
            "mosaik.collections.x.value-type=java.lang.String", "mosaik.collections.x.priority-type=java.lang.Object"},
                "mosaik.collections.x.priority-type", "not Comparable");
        check(new String[] {"mosaik.collections.x.kind=once", "mosaik.collections.x.type=java.lang.String",
            "mosaik.collections.x.snapshot-every=0"}, "mosaik.collections.x.snapshot-every", "positive");
    }

    private void check(String property, String named, String problem) {
        check(new String[] {property}, named, problem);
    }

    private void check(String[] properties, String named, String problem) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
                .withPropertyValues("mosaik.network-id=collection-beans-test").withPropertyValues(properties)
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    while (failure != null && !(failure instanceof MosaikConfigurationException)) {
                        failure = failure.getCause();
                    }
                    assertThat(failure).as("a MosaikConfigurationException for " + named).isNotNull();
                    MosaikConfigurationException e = (MosaikConfigurationException) failure;
                    assertThat(e.getProperty()).isEqualTo(named);
                    assertThat(e.getProblem()).contains(problem);
                });
    }
}
