package io.mosaik.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A Spring Boot app running one mosaik node. Start several with different ports and a bootstrap entry
 * to form a cluster; {@code scripts/demo-cluster.sh} does that for three nodes. A node started with
 * {@code --sample.role=exchange} (and the tag {@code exchange}) produces the {@code quotes} stream; the
 * others (role {@code trader}, the default) consume it and show the last quotes at {@code GET /quotes}.
 */
@SpringBootApplication
@EnableScheduling
public class SampleApplication {

    /** Created by Spring. */
    public SampleApplication() {
    }

    /**
     * Starts the app.
     *
     * @param args Spring Boot arguments, such as {@code --server.port=8081 --mosaik.port=7401}
     */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
