package io.mosaik.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The configuration processor wrote the IDE metadata for this module's properties. */
class ConfigurationMetadataTest {

    @Test
    void healthPropertiesHaveADescriptionAndADefault() throws Exception {
        Map<String, JsonNode> properties = properties();
        JsonNode timeout = properties.get("mosaik.health.group-leaderless-timeout");
        assertThat(timeout).isNotNull();
        assertThat(timeout.path("description").asString()).contains("leader");
        assertThat(timeout.path("defaultValue").asString()).isEqualTo("30s");
        // declared by hand in additional-spring-configuration-metadata.json, merged by the processor
        assertThat(properties.get("management.health.mosaik.enabled").path("description").asString()).isNotBlank();
    }

    /** Other jars have a metadata file too: ours is the one that declares mosaik.health. */
    private static Map<String, JsonNode> properties() throws Exception {
        for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                Map<String, JsonNode> properties = new HashMap<>();
                JsonMapper.shared().readTree(in).path("properties")
                        .forEach(property -> properties.put(property.path("name").asString(), property));
                if (properties.containsKey("mosaik.health.group-leaderless-timeout")) {
                    return properties;
                }
            }
        }
        throw new AssertionError("no spring-configuration-metadata.json with mosaik.health on the class path");
    }
}
