package io.mosaik.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link MosaikStartException} (typically a port already in use) with the properties to
 * check. Registered in {@code META-INF/spring.factories}.
 */
public class MosaikStartFailureAnalyzer extends AbstractFailureAnalyzer<MosaikStartException> {

    /** Creates the analyzer; Spring Boot instantiates it from {@code spring.factories}. */
    public MosaikStartFailureAnalyzer() {
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MosaikStartException cause) {
        String reason = cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage();
        String description = "The mosaik node " + cause.getPeerId().toShortString() + " could not start:\n\n"
                + "    Reason: " + reason + "\n";
        String action = "Check mosaik.port and mosaik.bind-address: the port may be in use by another process "
                + "(stop it, choose another port, or set mosaik.port=0 for any free port), and the bind address "
                + "must belong to this machine.";
        return new FailureAnalysis(description, action, cause);
    }
}
