package io.mosaik.actuator;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code mosaik.health.*} settings of the {@code mosaik} health contributor. The field comments are
 * the descriptions IDEs show for each property.
 */
@ConfigurationProperties(prefix = "mosaik.health")
public class MosaikHealthProperties {

    /**
     * How long a group this node is a member of may have no leader before the node reports DOWN. A group
     * without a leader takes no commands and answers no strong queries; a short gap (an election, the
     * group forming) is normal.
     */
    private Duration groupLeaderlessTimeout = Duration.ofSeconds(30);

    /** The defaults; Spring Boot binds the configured values. */
    public MosaikHealthProperties() {
    }

    /** How long a group may have no leader before the node is DOWN; default 30s. */
    public Duration getGroupLeaderlessTimeout() {
        return groupLeaderlessTimeout;
    }

    /** Sets how long a group may have no leader before the node is DOWN. */
    public void setGroupLeaderlessTimeout(Duration groupLeaderlessTimeout) {
        this.groupLeaderlessTimeout = groupLeaderlessTimeout;
    }
}
