package io.mosaik.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a replicated collection by name, at a field, a constructor or {@code @Bean} method parameter,
 * or a setter:
 *
 * <pre>{@code
 * BalanceController(@MosaikCollection("balances") ReplicatedMapWriter<String, Long> balances) { ... }
 *
 * @Autowired @MosaikCollection("orders") ReplicatedVec<Order> orders;
 * }</pre>
 *
 * <p>It says which collection, not whether to inject: a field or a setter needs {@code @Autowired} as
 * well (without it Spring leaves the field {@code null}); constructor and {@code @Bean} method parameters
 * are injected anyway.
 *
 * <p>When {@code mosaik.collections.<value>} is declared, its bean is injected; the injection point's type
 * must be the declaration's interface or its reader interface, with the declared types, or the context
 * fails to start saying so. Otherwise the collection is opened from the injection point alone: its kind
 * from the interface ({@code ReplicatedMap}, {@code ReplicatedVec}, {@code ReplicatedSet},
 * {@code ReplicatedCell}, {@code ReplicatedOnce}, {@code ReplicatedPriorityQueue}), writer for a
 * {@code ...Writer} interface and reader for the others, element types from its type arguments, which
 * must be classes (a wildcard or a type variable fails the start). Injection points of one name share one
 * handle per role, and the handles are closed with the context. If any bean of the context takes a name
 * as a writer, that name is opened as a writer first, so the node joins as a voting member whatever order
 * the beans are created in. {@link MosaikCollectionCustomizer} beans apply to these collections too.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface MosaikCollection {

    /**
     * The collection's name: its bean name under {@code mosaik.collections}, or the name of a collection
     * opened from the injection point (which the customizers see).
     *
     * @return the name
     */
    String value();

    /**
     * For a collection opened from the injection point: the store's name, when it differs from
     * {@link #value()}. Empty: the name. Not allowed on a declared collection (set its {@code store}).
     *
     * @return the store name, or empty
     */
    String store() default "";

    /**
     * For a priority queue opened from the injection point: the most entries it holds (the lowest
     * ranked are evicted); part of its identity. 0: unbounded. Not allowed on a declared collection (set
     * its {@code capacity}).
     *
     * @return the capacity, or 0
     */
    long capacity() default 0;
}
