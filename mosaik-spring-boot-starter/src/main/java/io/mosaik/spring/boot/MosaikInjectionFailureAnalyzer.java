package io.mosaik.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link MosaikInjectionException} as Spring Boot's "APPLICATION FAILED TO START" report, with
 * the injection point and the fix. Registered in {@code META-INF/spring.factories}.
 */
public class MosaikInjectionFailureAnalyzer extends AbstractFailureAnalyzer<MosaikInjectionException> {

    /** Creates the analyzer; Spring Boot instantiates it from {@code spring.factories}. */
    public MosaikInjectionFailureAnalyzer() {
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MosaikInjectionException cause) {
        String description = "A mosaik collection could not be injected:\n\n"
                + "    Injection point: " + cause.getInjectionPoint() + "\n"
                + "    Reason: " + cause.getProblem() + "\n";
        return new FailureAnalysis(description, cause.getAction(), cause);
    }
}
