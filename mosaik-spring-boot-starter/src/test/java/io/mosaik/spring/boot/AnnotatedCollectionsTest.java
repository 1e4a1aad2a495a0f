package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.collections.CollectionInfo;
import io.mosaik.collections.CollectionKind;
import io.mosaik.collections.CollectionRole;
import io.mosaik.collections.ReplicatedCollections;
import io.mosaik.collections.ReplicatedMap;
import io.mosaik.collections.ReplicatedMapWriter;
import io.mosaik.collections.ReplicatedPriorityQueueWriter;
import io.mosaik.collections.ReplicatedSet;
import io.mosaik.collections.ReplicatedSetWriter;
import io.mosaik.collections.ReplicatedVec;
import io.mosaik.collections.ReplicatedVecWriter;
import io.mosaik.collections.Version;
import io.mosaik.groups.GroupClosedException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link MosaikCollection} on its own: a collection not declared in the properties is opened from the
 * injection point (kind and role from the interface, element types from the type arguments), shared by
 * the injection points of its name, and closed with the context; a declared name keeps selecting its
 * bean; an injection point that cannot work stops the start, naming it.
 */
@Timeout(120)
class AnnotatedCollectionsTest {

    /** Reads balances; created before the writer, so the reader is asked for first. */
    public static class BalanceView {
        @Autowired
        @MosaikCollection("balances")
        ReplicatedMap<String, Long> balances;
    }

    /** Writes balances. */
    public static class BalanceDesk {
        final ReplicatedMapWriter<String, Long> balances;

        BalanceDesk(@MosaikCollection("balances") ReplicatedMapWriter<String, Long> balances) {
            this.balances = balances;
        }
    }

    /** Names its collections customizers saw, and makes elections fast. */
    @Configuration(proxyBeanMethods = false)
    static class Fast {
        final List<String> customized = new CopyOnWriteArrayList<>();

        @Bean
        MosaikCollectionCustomizer fast() {
            return (name, config) -> {
                customized.add(name);
                return config.withConsensus(GroupBeansTest.FAST);
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Balances {
        @Bean
        BalanceView view() {
            return new BalanceView();
        }

        @Bean
        BalanceDesk desk(@MosaikCollection("balances") ReplicatedMapWriter<String, Long> balances) {
            return new BalanceDesk(balances);
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withPropertyValues("mosaik.network-id=annotated-collections-test")
            .withUserConfiguration(Fast.class);

    @Test
    void anAnnotationAloneOpensAWriterAndAReaderOfOneStore() {
        runner.withUserConfiguration(Balances.class).run(context -> {
            assertThat(context).hasNotFailed();
            ReplicatedMap<String, Long> view = context.getBean(BalanceView.class).balances;
            ReplicatedMapWriter<String, Long> desk = context.getBean(BalanceDesk.class).balances;
            assertThat(view.role()).isEqualTo(CollectionRole.READER);
            assertThat(desk.role()).isEqualTo(CollectionRole.WRITER);
            assertThat(context.getBean(Fast.class).customized).as("customizers apply").contains("balances");
            CollectionInfo info = context.getBean(ReplicatedCollections.class).list().getFirst();
            assertThat(info.store() + ":" + info.kind() + ":" + info.types() + ":" + info.handles())
                    .isEqualTo("balances:" + CollectionKind.MAP + ":[String, Long]:2");
            assertThat(info.role()).as("the reader came first, yet the node joined as a writer (a voting member)")
                    .isEqualTo(CollectionRole.WRITER);

            desk.when().online().get(30, TimeUnit.SECONDS);
            Version v = desk.put("alice", 100L).get(30, TimeUnit.SECONDS);
            view.when().reaches(v).get(30, TimeUnit.SECONDS);
            assertThat(view.get("alice")).contains(100L);
        });
    }

    /** Two beans taking one vec writer, a reader of its store under another name, a bounded queue. */
    public static class Orders {
        @Autowired
        @MosaikCollection("orders")
        ReplicatedVecWriter<String> orders;
        @Autowired
        @MosaikCollection(value = "ordersView", store = "orders")
        ReplicatedVec<String> view;
        @Autowired
        @MosaikCollection(value = "book", capacity = 10)
        ReplicatedPriorityQueueWriter<Long, String, String> book;
    }

    /** The element type comes from a type argument the subclass binds. */
    public abstract static class Journal<T> {
        @Autowired
        @MosaikCollection("orders")
        ReplicatedVecWriter<T> orders;
    }

    /** A journal of strings. */
    public static class StringJournal extends Journal<String> {
    }

    @Test
    void injectionPointsOfOneNameShareOneHandle() {
        runner.withBean(Orders.class).withBean(StringJournal.class).run(context -> {
            assertThat(context).hasNotFailed();
            Orders orders = context.getBean(Orders.class);
            assertThat(context.getBean(StringJournal.class).orders).isSameAs(orders.orders);
            assertThat(orders.view.role()).isEqualTo(CollectionRole.READER);
            assertThat(orders.book.capacity()).isEqualTo(10);
            assertThat(context.getBean(ReplicatedCollections.class).list())
                    .extracting(info -> info.store() + ":" + info.kind() + ":" + info.handles())
                    .containsExactlyInAnyOrder("orders:" + CollectionKind.VEC + ":2",
                            "book:" + CollectionKind.PRIORITY_QUEUE + ":1");
            assertThat(context.getBeanNamesForType(ReplicatedVec.class)).as("no beans are added").isEmpty();
        });
    }

    @Test
    void handlesCloseWithTheContext() {
        Orders[] orders = new Orders[1];
        runner.withBean(Orders.class).run(context -> orders[0] = context.getBean(Orders.class));
        assertThatThrownBy(() -> orders[0].orders.pushBack("late").get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(GroupClosedException.class)
                .hasMessageContaining("handle");
    }

    @Test
    void aDeclaredNameSelectsTheDeclaredBean() {
        runner.withPropertyValues("mosaik.collections.balances.kind=map",
                        "mosaik.collections.balances.key-type=java.lang.String",
                        "mosaik.collections.balances.value-type=java.lang.Long")
                .withBean(BalanceView.class).withBean(BalanceDesk.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(BalanceView.class).balances).isSameAs(context.getBean("balances"))
                            .isSameAs(context.getBean(BalanceDesk.class).balances);
                    assertThat(context.getBean(ReplicatedCollections.class).list()).singleElement()
                            .extracting(CollectionInfo::handles).isEqualTo(1);
                });
    }

    /** The application's own collection bean, named {@code tags}. */
    @Configuration(proxyBeanMethods = false)
    static class Tags {
        @Bean
        ReplicatedSetWriter<String> tags(ReplicatedCollections collections) {
            return collections.set("tags", String.class).writer();
        }

        @Bean
        TagView tagView(@MosaikCollection("tags") ReplicatedSet<String> tags) {
            return new TagView(tags);
        }
    }

    /** Reads the tags. */
    record TagView(ReplicatedSet<String> tags) {
    }

    @Test
    void anApplicationBeanOfTheNameIsInjected() {
        runner.withUserConfiguration(Tags.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TagView.class).tags()).isSameAs(context.getBean("tags"));
            assertThat(context.getBean(ReplicatedCollections.class).list()).singleElement()
                    .extracting(CollectionInfo::handles).isEqualTo(1);
        });
    }

    /** Takes a vec writer named balances. */
    public static class VecOfBalances {
        @Autowired
        @MosaikCollection("balances")
        ReplicatedVecWriter<String> balances;
    }

    /** Not a collection type. */
    public static class NotACollection {
        @Autowired
        @MosaikCollection("names")
        List<String> names;
    }

    /** A raw type. */
    public static class Raw {
        @SuppressWarnings("rawtypes")
        Raw(@MosaikCollection("names") ReplicatedVec names) {
        }
    }

    /** A wildcard. */
    public static class Wildcard {
        @Autowired
        @MosaikCollection("balances")
        ReplicatedMap<String, ?> balances;
    }

    /** A type variable nothing binds. */
    public static class Unbound<T> {
        @Autowired
        @MosaikCollection("items")
        ReplicatedVec<T> items;
    }

    /** A capacity on a map (declared or not). */
    public static class CapacityOnMap {
        @Autowired
        @MosaikCollection(value = "balances", capacity = 5)
        ReplicatedMap<String, Long> balances;
    }

    /** The name orders as a map, where {@link Orders} has it a vec. */
    public static class OrdersAsMap {
        @Autowired
        @MosaikCollection("orders")
        ReplicatedMap<String, Long> orders;
    }

    @Test
    void anInjectionPointThatCannotWorkIsNamed() {
        check(VecOfBalances.class, "field 'balances' of " + VecOfBalances.class.getName(),
                "it takes ReplicatedVecWriter<String>, but mosaik.collections.balances declares a map writer,"
                        + " ReplicatedMapWriter<String, Long>", true);
        check(CapacityOnMap.class, "field 'balances'", "sets capacity, but mosaik.collections.balances declares",
                true);
        check(NotACollection.class, "field 'names'", "it takes List<String>, which is not a collection");
        check(Raw.class, "parameter 'names' of the constructor of " + Raw.class.getName(),
                "it takes ReplicatedVec without type arguments");
        check(Wildcard.class, "field 'balances'", "type argument 2 of ReplicatedMap<String, ?> is a wildcard");
        check(Unbound.class, "field 'items' of " + Unbound.class.getName(),
                "type argument 1 of ReplicatedVec<T> is the type variable T, which nothing binds here");
        check(CapacityOnMap.class, "field 'balances'", "only a priority queue has one");
        check(OrdersAsMap.class, "field 'orders'", "takes ReplicatedMap<String, Long> as 'orders', but field 'orders'"
                + " of " + Orders.class.getName() + " takes ReplicatedVecWriter<String> under that name", false,
                Orders.class);
    }

    private void check(Class<?> bean, String injectionPoint, String problem) {
        check(bean, injectionPoint, problem, false);
    }

    /** Starts a context with {@code before} and {@code bean}, and {@code balances} declared if asked. */
    private void check(Class<?> bean, String injectionPoint, String problem, boolean declareBalances,
                       Class<?>... before) {
        ApplicationContextRunner checked = runner;
        if (declareBalances) {
            checked = checked.withPropertyValues("mosaik.collections.balances.kind=map",
                    "mosaik.collections.balances.key-type=java.lang.String",
                    "mosaik.collections.balances.value-type=java.lang.Long");
        }
        for (Class<?> first : before) {
            checked = checked.withBean(first);
        }
        checked.withBean(bean).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof MosaikInjectionException)) {
                failure = failure.getCause();
            }
            assertThat(failure).as("a MosaikInjectionException for " + bean.getSimpleName()).isNotNull();
            MosaikInjectionException e = (MosaikInjectionException) failure;
            assertThat(e.getInjectionPoint()).as(bean.getSimpleName()).contains(injectionPoint);
            assertThat(e.getProblem()).as(bean.getSimpleName()).contains(problem);
            FailureAnalysis analysis = new MosaikInjectionFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("Injection point: " + e.getInjectionPoint());
        });
    }
}
