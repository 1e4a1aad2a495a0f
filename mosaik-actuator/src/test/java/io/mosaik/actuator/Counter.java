package io.mosaik.actuator;

import io.mosaik.groups.ApplyContext;
import io.mosaik.groups.ConsensusConfig;
import io.mosaik.groups.StateMachine;
import java.time.Duration;

/** The state machine of the tests' groups: a command adds its value, any query reads the sum. */
public class Counter implements StateMachine<Long, String, Long> {

    /** Timings that form a group within a second or so on loopback. */
    static final ConsensusConfig FAST = ConsensusConfig.defaults()
            .withHeartbeats(Duration.ofMillis(100), Duration.ofMillis(20), 10)
            .withElections(Duration.ofMillis(600), Duration.ofMillis(300), Duration.ofMillis(300));

    private long value;

    @Override
    public Class<Long> commandType() {
        return Long.class;
    }

    @Override
    public Class<String> queryType() {
        return String.class;
    }

    @Override
    public Class<Long> resultType() {
        return Long.class;
    }

    @Override
    public Long apply(Long delta, ApplyContext context) {
        value += delta;
        return value;
    }

    @Override
    public Long query(String query) {
        return value;
    }
}
