package io.mosaik.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.spring.boot.MosaikAutoConfiguration;
import io.mosaik.spring.boot.MosaikConfigurationException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** When the endpoint and the health contributor exist, and when they back off. */
@Timeout(60)
class MosaikActuatorAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class,
                    MosaikActuatorAutoConfiguration.class))
            .withPropertyValues("mosaik.network-id=actuator-test");

    @Test
    void endpointOnlyWhenExposed() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MosaikEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=health,mosaik")
                .run(context -> assertThat(context).hasSingleBean(MosaikEndpoint.class));
    }

    @Test
    void endpointCanBeSwitchedOff() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=*", "management.endpoint.mosaik.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(MosaikEndpoint.class));
    }

    @Test
    void healthIndicatorIsUpAndCanBeDisabled() {
        runner.run(context -> {
            assertThat(context).hasBean("mosaikHealthIndicator");
            assertThat(context.getBean(MosaikHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
        });
        runner.withPropertyValues("management.health.mosaik.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(MosaikHealthIndicator.class));
    }

    @Test
    void endpointNamesTheDeclaredGroups() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=mosaik",
                "mosaik.groups.ledger.key=actuator-test-secret", "mosaik.groups.ledger.state-machine=ledgerMachine")
                .withBean("ledgerMachine", Counter.class, Counter::new).run(context -> {
                    List<?> groups = (List<?>) context.getBean(MosaikEndpoint.class).section("groups");
                    assertThat(groups).singleElement().extracting("name").isEqualTo("ledger");
                });
    }

    @Test
    void groupLeaderlessTimeoutIsAProperty() {
        assertThat(new MosaikHealthProperties().getGroupLeaderlessTimeout())
                .isEqualTo(MosaikHealthIndicator.DEFAULT_GROUP_LEADERLESS_TIMEOUT);
        runner.withPropertyValues("mosaik.health.group-leaderless-timeout=5s")
                .run(context -> assertThat(context.getBean(MosaikHealthProperties.class).getGroupLeaderlessTimeout())
                        .isEqualTo(Duration.ofSeconds(5)));
    }

    @Test
    void negativeGroupLeaderlessTimeoutStopsTheApplication() {
        runner.withPropertyValues("mosaik.health.group-leaderless-timeout=-1s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(MosaikConfigurationException.class)
                    .rootCause().hasMessageContaining("mosaik.health.group-leaderless-timeout");
        });
    }

    @Test
    void backsOffWithoutANetwork() {
        runner.withPropertyValues("mosaik.enabled=false", "management.endpoints.web.exposure.include=*")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MosaikEndpoint.class)
                        .doesNotHaveBean(MosaikHealthIndicator.class));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MosaikActuatorAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=*")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MosaikEndpoint.class)
                        .doesNotHaveBean(MosaikHealthIndicator.class));
    }
}
