package io.mosaik.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link MosaikConfigurationException} as Spring Boot's "APPLICATION FAILED TO START" report,
 * so the user reads the property and the fix instead of a stack trace. Registered in
 * {@code META-INF/spring.factories}.
 */
public class MosaikConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<MosaikConfigurationException> {

    /** Creates the analyzer; Spring Boot instantiates it from {@code spring.factories}. */
    public MosaikConfigurationFailureAnalyzer() {
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MosaikConfigurationException cause) {
        String description = "The mosaik node could not be configured:\n\n"
                + "    Property: " + cause.getProperty() + "\n"
                + "    Reason: " + cause.getProblem() + "\n";
        return new FailureAnalysis(description, cause.getAction(), cause);
    }
}
