package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transport soak, short form: 8 ping-pong and 2 bulk streams for {@code mosaik.soak.seconds}
 * (default 120) per transport; fails if any stream goes 3 s without progress. Long form:
 * {@code mvn -pl mosaik-engine test -Dtest=TransportSoakTest -Dmosaik.soak.seconds=900}.
 */
class TransportSoakTest {

    private static final int SECONDS = Integer.getInteger("mosaik.soak.seconds", 120);

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    @Timeout(value = 3600)
    void noStreamStalls(TransportKind transport) throws Exception {
        TransportSoak.Result result = new TransportSoak().run(transport, 8, 2, Duration.ofSeconds(SECONDS),
                Duration.ofSeconds(3));
        System.out.println("soak: " + result.summary());
        assertThat(result.stalledStream()).as("a stream that made no progress for 3 s").isNull();
        assertThat(result.roundTrips()).isPositive();
        assertThat(result.bulkBytes()).isPositive();
    }
}
