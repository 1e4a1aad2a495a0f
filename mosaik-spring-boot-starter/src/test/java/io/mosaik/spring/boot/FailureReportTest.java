package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** The analyzers are registered, and a real application start prints Boot's failure report. */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class FailureReportTest {

    @Test
    void analyzersAreRegisteredInSpringFactories() {
        // Boot's own analyzers need constructor arguments Boot passes in: skip those, we only look for ours
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation().load(FailureAnalyzer.class,
                null, SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> { }));
        assertThat(analyzers).hasAtLeastOneElementOfType(MosaikConfigurationFailureAnalyzer.class)
                .hasAtLeastOneElementOfType(MosaikStartFailureAnalyzer.class)
                .hasAtLeastOneElementOfType(MosaikInjectionFailureAnalyzer.class);
    }

    @Test
    void applicationPrintsTheReport(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties("mosaik.network-id=report-test", "mosaik.port=70000", "spring.main.banner-mode=off");
        assertThatThrownBy(application::run).hasMessageContaining("mosaik.port");
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("Property: mosaik.port")
                .contains("Set mosaik.port to a port between 1 and 65535");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(MosaikAutoConfiguration.class)
    static class App {
    }
}
