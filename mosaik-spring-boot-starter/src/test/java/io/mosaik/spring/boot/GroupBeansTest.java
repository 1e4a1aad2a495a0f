package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.groups.ApplyContext;
import io.mosaik.groups.Committed;
import io.mosaik.groups.Consistency;
import io.mosaik.groups.ConsensusConfig;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupClosedException;
import io.mosaik.groups.GroupKey;
import io.mosaik.groups.StateMachine;
import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.Order;

/**
 * Groups in Spring: every {@code mosaik.groups.<name>} becomes a {@link Group} bean of that name,
 * injectable by generic type, adjusted by customizers, joined at creation and closed with the context.
 */
@Timeout(120)
class GroupBeansTest {

    /** A counter: a command adds its value, any query reads the sum. */
    public static class Counter implements StateMachine<Long, String, Long> {
        /** The sum. */
        protected long value;

        @Override
        public Class<Long> commandType() {
            return Long.class;
        }

        @Override
        public Class<String> queryType() {
            return String.class;
        }

        @Override
        public Class<Long> resultType() {
            return Long.class;
        }

        @Override
        public Long apply(Long delta, ApplyContext context) {
            value += delta;
            return value;
        }

        @Override
        public Long query(String query) {
            return value;
        }
    }

    /** Takes the group by its generic type. */
    public static class CounterClient {
        @Autowired
        Group<Long, String, Long> counter;
    }

    @Configuration(proxyBeanMethods = false)
    static class CounterApp {
        @Bean
        Counter counterMachine() {
            return new Counter();
        }

        @Bean
        CounterClient client() {
            return new CounterClient();
        }
    }

    /** The state machine from a method that returns the interface: the generics come from the method. */
    @Configuration(proxyBeanMethods = false)
    static class InterfaceApp {
        @Bean
        StateMachine<Long, String, Long> counterMachine() {
            return new Counter();
        }

        @Bean
        CounterClient client() {
            return new CounterClient();
        }
    }

    /** One prototype state machine serving two groups, each with an instance of its own. */
    @Configuration(proxyBeanMethods = false)
    static class PrototypeApp {
        @Bean
        @Scope("prototype")
        Counter counterMachine() {
            return new Counter();
        }
    }

    /** Records the customizers' calls; the second one (by order) runs first. */
    @Configuration(proxyBeanMethods = false)
    static class CustomizedApp {
        static final ConsensusConfig CUSTOM = FAST.withForwardTimeout(Duration.ofMillis(1234));
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Bean
        Counter counterMachine() {
            return new Counter();
        }

        @Bean
        @Order(2)
        MosaikGroupCustomizer second() {
            return (name, builder) -> {
                calls.add("second:" + name);
                builder.consensus(CUSTOM);
            };
        }

        @Bean
        @Order(1)
        MosaikGroupCustomizer first() {
            return (name, builder) -> calls.add("first:" + name);
        }
    }

    /** The timings every test runs with, as the engine's own group tests use them. */
    static final ConsensusConfig FAST = ConsensusConfig.defaults()
            .withHeartbeats(Duration.ofMillis(100), Duration.ofMillis(20), 10)
            .withElections(Duration.ofMillis(600), Duration.ofMillis(300), Duration.ofMillis(300));

    /** A group {@code counter} of bean {@code counterMachine} with the {@link #FAST} timings. */
    static final String[] FAST_COUNTER = {"mosaik.groups.counter.state-machine=counterMachine",
        "mosaik.groups.counter.heartbeat-interval=100ms", "mosaik.groups.counter.heartbeat-jitter=20ms",
        "mosaik.groups.counter.election-timeout=600ms", "mosaik.groups.counter.election-jitter=300ms",
        "mosaik.groups.counter.bootstrap-delay=300ms"};

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withPropertyValues(FAST_COUNTER)
            .withPropertyValues("mosaik.network-id=group-beans-test",
                    "mosaik.groups.counter.key=group-beans-test-secret");

    @Test
    void declaredGroupIsABeanInjectableByNameAndByGenericType() {
        runner.withUserConfiguration(CounterApp.class).run(context -> {
            assertThat(context).hasNotFailed();
            Group<?, ?, ?> byName = context.getBean("counter", Group.class);
            assertThat(context.getBean(CounterClient.class).counter).isSameAs(byName);
            assertThat(context.getBeanProvider(ResolvableType.forClassWithGenerics(Group.class, Long.class,
                    String.class, Long.class)).getObject()).isSameAs(byName);
            assertThat(context.getBeanProvider(ResolvableType.forClassWithGenerics(Group.class, String.class,
                    String.class, String.class)).getIfAvailable()).as("another generic type").isNull();
        });
    }

    @Test
    void genericsComeFromAMethodThatReturnsTheInterface() {
        runner.withUserConfiguration(InterfaceApp.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(CounterClient.class).counter).isSameAs(context.getBean("counter"));
        });
    }

    @Test
    void propertiesBecomeTheConsensusSettings() {
        runner.withUserConfiguration(CounterApp.class).withPropertyValues(
                "mosaik.groups.counter.target-voters=5", "mosaik.groups.counter.bootstrap-expect=2",
                "mosaik.groups.counter.voter-removal-timeout=0", "mosaik.groups.counter.max-missed-heartbeats=7",
                "mosaik.groups.counter.forward-timeout=1500ms").run(context -> {
                    ConsensusConfig consensus = context.getBean("counter", Group.class).consensus();
                    assertThat(consensus).isEqualTo(new ConsensusConfig(Duration.ofMillis(100), Duration.ofMillis(20),
                            7, Duration.ofMillis(600), Duration.ofMillis(300), Duration.ofMillis(300),
                            Duration.ofMillis(1500), 5, 2, Duration.ZERO));
                });
    }

    @Test
    void theGroupIdFollowsFromTheKeyTheHeartbeatsAndTheStateMachine() {
        runner.withUserConfiguration(CounterApp.class).run(context -> {
            Group<?, ?, ?> group = context.getBean("counter", Group.class);
            Network network = context.getBean(Network.class);
            assertThat(group.id()).isEqualTo(network.groups()
                    .builder(GroupKey.fromSecret("group-beans-test-secret"), new Counter()).consensus(FAST).id());
            assertThat(network.groups().statuses()).extracting(status -> status.id()).containsExactly(group.id());
        });
    }

    @Test
    void unsetPropertiesAreTheEngineDefaults() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
                .withUserConfiguration(CounterApp.class)
                .withPropertyValues("mosaik.network-id=group-beans-test", "mosaik.groups.counter.key=k",
                        "mosaik.groups.counter.state-machine=counterMachine")
                .run(context -> assertThat(context.getBean("counter", Group.class).consensus())
                        .isEqualTo(ConsensusConfig.defaults()));
    }

    @Test
    void customizersRunInOrderWithTheGroupName() {
        runner.withUserConfiguration(CustomizedApp.class).run(context -> {
            assertThat(context.getBean(CustomizedApp.class).calls).containsExactly("first:counter", "second:counter");
            assertThat(context.getBean("counter", Group.class).consensus()).isEqualTo(CustomizedApp.CUSTOM);
        });
    }

    @Test
    void aPrototypeStateMachineServesTwoGroupsWithTwoInstances() {
        runner.withUserConfiguration(PrototypeApp.class).withPropertyValues(
                "mosaik.groups.other.key=another-secret", "mosaik.groups.other.state-machine=counterMachine")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(Network.class).groups().statuses()).hasSize(2);
                });
    }

    @Test
    void theNodeRunsOnceAGroupIsJoinedAndTheGroupClosesWithTheContext() {
        AtomicReference<Group<?, ?, ?>> group = new AtomicReference<>();
        AtomicReference<Network> network = new AtomicReference<>();
        runner.withUserConfiguration(CounterApp.class).run(context -> {
            network.set(context.getBean(Network.class));
            group.set(context.getBean("counter", Group.class));
            assertThat(network.get().state()).isEqualTo(NetworkState.RUNNING);
            assertThat(context.getBean(MosaikNetworkLifecycle.class).isRunning()).isTrue();
        });
        assertThat(network.get().state()).isEqualTo(NetworkState.CLOSED);
        assertThat(network.get().groups().statuses()).isEmpty();
        @SuppressWarnings("unchecked")
        Group<Long, String, Long> closed = (Group<Long, String, Long>) group.get();
        assertThat(closed.execute(1L)).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(GroupClosedException.class);
    }

    @Test
    void executesACommandThroughTheInjectedGroup() {
        runner.withUserConfiguration(CounterApp.class).run(context -> {
            Group<Long, String, Long> counter = context.getBean(CounterClient.class).counter;
            counter.when().leaderElected().get(30, TimeUnit.SECONDS);
            Committed<Long> first = counter.execute(5L).get(30, TimeUnit.SECONDS);
            Committed<Long> second = counter.execute(-2L).get(30, TimeUnit.SECONDS);
            assertThat(first.result()).isEqualTo(5L);
            assertThat(second.result()).isEqualTo(3L);
            assertThat(second.index()).isGreaterThan(first.index());
            assertThat(second.term()).isPositive();
            assertThat(counter.query("value", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(3L);
            assertThat(counter.status().isLeader()).isTrue(); // alone, with bootstrap-expect 1
        });
    }
}
