package io.mosaik.spring.boot;

import java.util.Objects;
import org.springframework.beans.BeansException;

/**
 * An injection point the starter answers, one annotated with {@link MosaikCollection}, cannot be given
 * what it asks for: a type that is not a collection, a type argument that is not a class, a type that
 * differs from the declared collection's. It names the injection point, says what is wrong and what to
 * do; {@link MosaikInjectionFailureAnalyzer} turns it into Spring Boot's "APPLICATION FAILED TO START"
 * report.
 */
public class MosaikInjectionException extends BeansException {

    private final String injectionPoint;
    private final String problem;
    private final String action;

    /**
     * Creates the exception.
     *
     * @param injectionPoint the injection point, such as {@code field 'orders' of com.example.Desk}
     * @param problem        what is wrong with it
     * @param action         what the user should do about it
     */
    public MosaikInjectionException(String injectionPoint, String problem, String action) {
        super("cannot inject a mosaik collection at " + injectionPoint + ": " + problem + ". " + action);
        this.injectionPoint = Objects.requireNonNull(injectionPoint, "injectionPoint");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.action = Objects.requireNonNull(action, "action");
    }

    /** The injection point, such as {@code parameter 'orders' of the constructor of com.example.Desk}. */
    public String getInjectionPoint() {
        return injectionPoint;
    }

    /** What is wrong with it. */
    public String getProblem() {
        return problem;
    }

    /** What to do about it. */
    public String getAction() {
        return action;
    }
}
