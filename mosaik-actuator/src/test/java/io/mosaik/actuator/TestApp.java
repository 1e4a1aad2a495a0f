package io.mosaik.actuator;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application for the HTTP test: Boot's auto-configuration plus ours, nothing else. */
@SpringBootApplication
public class TestApp {
}
