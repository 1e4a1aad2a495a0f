package io.mosaik.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method a consumer of a stream: it is called with every datum of the stream from every
 * eligible producer in the network, one datum at a time, in each producer's order. The method takes one
 * parameter, the datum; its type is the stream's datum type.
 *
 * <pre>{@code
 * @Component
 * class QuoteBook {
 *     @MosaikConsumer(stream = "quotes", requireTags = "exchange")
 *     void on(Quote quote) { ... }
 * }
 * }</pre>
 *
 * <p>The consumer starts with the application context (after the node) and stops with it. An exception
 * thrown by the method is logged and counted in {@code mosaik.streams.consumer.handler.errors}; the
 * subscription carries on with the next datum.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface MosaikConsumer {

    /**
     * The stream's name; empty (the default) means the fully qualified name of the parameter's type.
     *
     * @return the stream name
     */
    String stream() default "";

    /**
     * Only producers carrying every one of these tags are subscribed to.
     *
     * @return the tags
     */
    String[] requireTags() default {};

    /**
     * How many received datums may wait for the method (see {@code ConsumerBuilder.bufferSize}).
     *
     * @return the capacity
     */
    int bufferSize() default 1_024;
}
