package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A node that cannot bind its port stops the application with a report naming the properties to check. */
@Timeout(60)
class StartFailureTest {

    @Test
    void portInUseIsReported() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
                    .withPropertyValues("mosaik.network-id=start-failure-test", "mosaik.transport=tcp",
                            "mosaik.port=" + taken.getLocalPort())
                    .run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(context.getStartupFailure()).hasStackTraceContaining(MosaikStartException.class.getName());
                        FailureAnalysis analysis = new MosaikStartFailureAnalyzer().analyze(context.getStartupFailure());
                        assertThat(analysis).isNotNull();
                        assertThat(analysis.getDescription()).contains(String.valueOf(taken.getLocalPort()));
                        assertThat(analysis.getAction()).contains("mosaik.port").contains("mosaik.bind-address");
                    });
        }
    }
}
