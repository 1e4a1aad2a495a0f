package io.mosaik.spring.boot;

import java.util.Objects;

/**
 * A {@code mosaik.*} property has a value the node cannot run with. It names the property, says what
 * is wrong and what to do; {@link MosaikConfigurationFailureAnalyzer} turns it into Spring Boot's
 * "APPLICATION FAILED TO START" report.
 */
public class MosaikConfigurationException extends RuntimeException {

    private final String property;
    private final String problem;
    private final String action;

    /**
     * Creates the exception.
     *
     * @param property the property at fault, such as {@code mosaik.network-id}
     * @param problem  what is wrong with it; must never contain a secret value
     * @param action   what the user should do about it
     */
    public MosaikConfigurationException(String property, String problem, String action) {
        this(property, problem, action, null);
    }

    /**
     * Creates the exception with the error that revealed the problem.
     *
     * @param property the property at fault, such as {@code mosaik.key-file}
     * @param problem  what is wrong with it; must never contain a secret value
     * @param action   what the user should do about it
     * @param cause    the underlying error, or {@code null}
     */
    public MosaikConfigurationException(String property, String problem, String action, Throwable cause) {
        super("invalid mosaik configuration, " + property + ": " + problem + ". " + action, cause);
        this.property = Objects.requireNonNull(property, "property");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.action = Objects.requireNonNull(action, "action");
    }

    /** The property at fault, such as {@code mosaik.port} or {@code mosaik.discovery.bootstrap[1]}. */
    public String getProperty() {
        return property;
    }

    /** What is wrong with the property's value. */
    public String getProblem() {
        return problem;
    }

    /** What to do about it. */
    public String getAction() {
        return action;
    }
}
