package io.mosaik.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Picks a collection declared under {@code mosaik.collections.<name>} at an injection point, by name:
 *
 * <pre>{@code
 * BalanceController(@MosaikCollection("balances") ReplicatedMapWriter<String, Long> balances) { ... }
 * }</pre>
 *
 * It is a qualifier: the bean named {@code value} is injected, and the injection point's type
 * (reader or writer interface, generic types) must match the declaration's kind, role and types, or the
 * context fails to start with Spring's "no qualifying bean" message. Plain injection by generic type works
 * too when only one declared collection matches.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface MosaikCollection {

    /** The collection's name under {@code mosaik.collections} (its bean name). */
    String value();
}
