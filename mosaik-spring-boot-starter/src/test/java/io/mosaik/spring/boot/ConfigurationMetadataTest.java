package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.network.TransportKind;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The configuration processor ran and wrote the IDE metadata for {@code mosaik.*}. */
class ConfigurationMetadataTest {

    @Test
    void everyPropertyHasADescription() throws Exception {
        Map<String, JsonNode> properties = mosaikProperties();
        assertThat(properties).containsKeys("mosaik.enabled", "mosaik.network-id", "mosaik.secret-key",
                "mosaik.key-file", "mosaik.transport", "mosaik.bind-address", "mosaik.port",
                "mosaik.max-frame-size", "mosaik.idle-timeout", "mosaik.handshake-timeout",
                "mosaik.discovery.bootstrap", "mosaik.groups", "mosaik.data-dir");
        assertThat(properties.get("mosaik.network-id").path("description").asString()).contains("network");
        properties.forEach((name, property) -> assertThat(property.path("description").asString())
                .as("description of %s", name).isNotBlank());
        assertThat(properties.get("mosaik.max-frame-size").path("defaultValue").asString()).isEqualTo("4MB");
        assertThat(properties.get("mosaik.idle-timeout").path("defaultValue").asString()).isEqualTo("10s");
        assertThat(properties.get("mosaik.bind-address").path("defaultValue").asString()).isEqualTo("127.0.0.1");
    }

    @Test
    void transportDefaultAndHintsMatchTheEngine() throws Exception {
        JsonNode metadata = ourMetadata();
        // the default is declared by hand in additional-spring-configuration-metadata.json (the processor
        // cannot evaluate TransportKind.DEFAULT): this catches a change of the engine's default
        assertThat(mosaikProperties().get("mosaik.transport").path("defaultValue").asString())
                .isEqualTo(TransportKind.DEFAULT.configName());
        JsonNode hint = null;
        for (JsonNode candidate : metadata.path("hints")) {
            if (candidate.path("name").asString().equals("mosaik.transport")) {
                hint = candidate;
            }
        }
        assertThat(hint).isNotNull();
        assertThat(hint.path("values").findValuesAsString("value"))
                .containsExactlyInAnyOrder(java.util.Arrays.stream(TransportKind.values())
                        .map(TransportKind::configName).toArray(String[]::new));
    }

    @Test
    void autoConfigurationMetadataIsGenerated() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-autoconfigure-metadata.properties")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes()))
                    .contains("io.mosaik.spring.boot.MosaikAutoConfiguration.ConditionalOnClass=io.mosaik.network.Network");
        }
    }

    private static Map<String, JsonNode> mosaikProperties() throws Exception {
        Map<String, JsonNode> properties = new HashMap<>();
        for (JsonNode property : ourMetadata().path("properties")) {
            properties.put(property.path("name").asString(), property);
        }
        return properties;
    }

    /** Other jars on the test class path have a metadata file too: ours is the one with the mosaik group. */
    private static JsonNode ourMetadata() throws Exception {
        JsonMapper mapper = JsonMapper.shared();
        for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                JsonNode metadata = mapper.readTree(in);
                for (JsonNode group : metadata.path("groups")) {
                    if (group.path("name").asString().equals("mosaik")) {
                        return metadata;
                    }
                }
            }
        }
        throw new AssertionError("no spring-configuration-metadata.json with the mosaik group on the class path");
    }
}
