package io.mosaik.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot app running one mosaik node. Start several with different ports and a bootstrap entry
 * to form a cluster; {@code scripts/demo-cluster.sh} does that for three nodes.
 */
@SpringBootApplication
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
