package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.primitives.PeerId;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RaftCodecTest {

    private static PeerId peer(int n) {
        byte[] b = new byte[32];
        b[31] = (byte) n;
        return PeerId.fromBytes(b);
    }

    private static final Configuration CONFIG = new Configuration(77, new TreeSet<>(List.of(peer(1), peer(2))));

    static List<RaftMessage> samples() {
        return List.of(
                new RaftMessage.Hello(5, 3, new LogPosition(2, 9), LeadershipPreference.RELUCTANT),
                new RaftMessage.PreVote(5, 4, new LogPosition(3, 10)),
                new RaftMessage.PreVoteResponse(5, 4, true),
                new RaftMessage.RequestVote(5, 4, new LogPosition(3, 10), true),
                new RaftMessage.TimeoutNow(5, 4),
                new RaftMessage.InstallSnapshotResponse(5, 4, new LogPosition(3, 20), 1024, false),
                new RaftMessage.VoteResponse(5, 4, false),
                new RaftMessage.AppendEntries(5, 4, 10, 3, List.of(
                        new LogEntry(4, 11, LogEntry.Kind.NOOP, new byte[0]),
                        new LogEntry(4, 12, LogEntry.Kind.COMMAND, new byte[] {1, 2, 3}),
                        new LogEntry(4, 13, LogEntry.Kind.CONFIGURATION, CONFIG.encode())), 9, 17),
                new RaftMessage.AppendResponse(5, 4, true, 13, 13, 17),
                new RaftMessage.ForwardCommands(5, List.of(new RaftMessage.Forwarded(-3, new byte[] {7}),
                        new RaftMessage.Forwarded(-2, new byte[] {8}, 4))),
                new RaftMessage.ForwardResponse(5, List.of(new RaftMessage.Accepted(8, new LogPosition(4, 14))), List.of(9L),
                        List.of(10L, 11L)),
                new RaftMessage.ReadIndexRequest(5, 11),
                new RaftMessage.ReadIndexResponse(5, 11, -1));
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        for (RaftMessage message : samples()) {
            RaftMessage back = RaftCodec.decode(RaftCodec.encode(message));
            if (message instanceof RaftMessage.ForwardCommands f) {
                RaftMessage.ForwardCommands g = (RaftMessage.ForwardCommands) back;
                assertThat(g.commands()).hasSameSizeAs(f.commands());
                for (int i = 0; i < f.commands().size(); i++) {
                    assertThat(g.commands().get(i).requestId()).isEqualTo(f.commands().get(i).requestId());
                    assertThat(g.commands().get(i).data()).isEqualTo(f.commands().get(i).data());
                    assertThat(g.commands().get(i).resendTerm()).isEqualTo(f.commands().get(i).resendTerm());
                }
            } else {
                assertThat(back).isEqualTo(message);
            }
        }
    }

    @Test
    void aPrefixedEncodingIsThePrefixThenTheMessage() {
        for (RaftMessage message : samples()) {
            byte[] plain = RaftCodec.encode(message);
            byte[] prefixed = RaftCodec.encode((byte) 9, message);
            assertThat(prefixed[0]).isEqualTo((byte) 9);
            assertThat(java.util.Arrays.copyOfRange(prefixed, 1, prefixed.length)).isEqualTo(plain);
            assertThat(RaftCodec.encode(RaftCodec.decode(prefixed, 1))).as("decoded behind the prefix").isEqualTo(plain);
        }
    }

    @Test
    void aSnapshotChunkSurvivesARoundTripAndOneBeyondItsTotalIsRefused() {
        var chunk = new RaftMessage.InstallSnapshot(5, 4, new LogPosition(3, 20), CONFIG.encode(), 8, 12, 77,
                new byte[] {1, 2, 3, 4});
        var back = (RaftMessage.InstallSnapshot) RaftCodec.decode(RaftCodec.encode(chunk));
        assertThat(back.position()).isEqualTo(chunk.position());
        assertThat(back.configuration()).isEqualTo(chunk.configuration());
        assertThat(back.chunk()).isEqualTo(chunk.chunk());
        assertThat(List.of(back.offset(), back.total(), (long) back.checksum())).containsExactly(8L, 12L, 77L);
        var beyond = new RaftMessage.InstallSnapshot(5, 4, new LogPosition(3, 20), CONFIG.encode(), 10, 12, 77,
                new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> RaftCodec.decode(RaftCodec.encode(beyond)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond its total");
    }

    @Test
    void aConfigurationSurvivesARoundTripAndGarbageIsRefused() {
        assertThat(Configuration.decode(CONFIG.encode())).isEqualTo(CONFIG);
        assertThatThrownBy(() -> Configuration.decode(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        byte[] huge = Arrays.copyOf(CONFIG.encode(), 12);
        huge[8] = 0x7f; // a voter count far beyond the bytes
        assertThatThrownBy(() -> Configuration.decode(huge)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void truncatedCorruptedAndRandomFramesAreRefusedCleanly() {
        SplittableRandom random = new SplittableRandom(1);
        int refused = 0;
        for (RaftMessage message : samples()) {
            byte[] bytes = RaftCodec.encode(message);
            for (int cut = 0; cut < bytes.length; cut++) {
                byte[] truncated = Arrays.copyOf(bytes, cut);
                assertThatThrownBy(() -> RaftCodec.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
                refused++;
            }
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertThatThrownBy(() -> RaftCodec.decode(longer)).isInstanceOf(IllegalArgumentException.class);
            for (int i = 0; i < 2_000; i++) {
                byte[] flipped = bytes.clone();
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 + random.nextInt(255));
                try {
                    RaftCodec.decode(flipped); // some flips still decode to a valid message
                } catch (IllegalArgumentException expected) {
                    refused++;
                }
            }
        }
        for (int i = 0; i < 20_000; i++) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            try {
                RaftCodec.decode(noise);
            } catch (IllegalArgumentException expected) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(20_000);
    }

    @Test
    void anAppendClaimingMoreEntriesThanItCarriesIsRefusedWithoutAllocatingThem() {
        byte[] bytes = RaftCodec.encode(new RaftMessage.AppendEntries(5, 4, 10, 3, List.of(), 9, 0));
        bytes[49] = 0x7f; // the entry count's high byte: two billion entries in zero bytes
        assertThatThrownBy(() -> RaftCodec.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }
}
