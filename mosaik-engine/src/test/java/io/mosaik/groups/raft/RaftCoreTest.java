package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.groups.raft.ClientEvent.CommandAccepted;
import io.mosaik.groups.raft.ClientEvent.CommandFailed;
import io.mosaik.groups.raft.ClientEvent.ReadReady;
import io.mosaik.primitives.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Scenarios of a few Raft cores wired together by hand: messages are delivered in order unless a test
 * cuts a node off, and time moves only when a test says so.
 */
class RaftCoreTest {

    /** The default heartbeat, election timeout, jitter and bootstrap delay. */
    private static final RaftConfig DEFAULT_TIMINGS = RaftConfig.defaults().withTimings(500, 2_000, 500, 100);
    private static final RaftConfig CONFIG = RaftConfig.defaults().withTimings(50, 300, 100, 100).withForwardTimeout(500);

    /** A few cores, a clock, an in-order network that can isolate nodes. */
    static final class Cluster {
        final List<PeerId> ids = new ArrayList<>();
        final List<RaftCore> cores = new ArrayList<>();
        final List<InMemoryLogStorage> storages = new ArrayList<>();
        final List<List<ClientEvent>> events = new ArrayList<>();
        final List<List<LogEntry>> applied = new ArrayList<>();
        final Set<Integer> isolated = new HashSet<>();
        final ArrayDeque<Object[]> wire = new ArrayDeque<>();
        long now;

        Cluster(int size, RaftConfig config) {
            this(size, config, size);
        }

        Cluster(int size, RaftConfig config, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < size; i++) {
                byte[] bytes = new byte[32];
                bytes[0] = (byte) (i + 1); // ids sort in node order: node 0 bootstraps
                ids.add(PeerId.fromBytes(bytes));
            }
            for (int i = 0; i < size; i++) {
                storages.add(new InMemoryLogStorage());
                cores.add(new RaftCore(ids.get(i), config, storages.get(i), new SplittableRandom(random.nextLong()), 0));
                events.add(new ArrayList<>());
                applied.add(new ArrayList<>());
            }
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    if (i != j) {
                        cores.get(i).peerConnected(ids.get(j), 0);
                    }
                }
            }
            settle();
        }

        void settle() {
            for (int rounds = 0; rounds < 10_000; rounds++) {
                for (int i = 0; i < cores.size(); i++) {
                    take(i, cores.get(i).ready());
                }
                if (wire.isEmpty()) {
                    return;
                }
                while (!wire.isEmpty()) {
                    Object[] m = wire.poll();
                    int from = (int) m[0];
                    int to = (int) m[1];
                    if (!isolated.contains(from) && !isolated.contains(to)) {
                        cores.get(to).receive(ids.get(from), (RaftMessage) m[2], now);
                    }
                }
            }
            throw new AssertionError("the cluster does not settle");
        }

        /** Records what a node's ready applied and reported, and puts its messages on the wire. */
        void take(int node, RaftReady ready) {
            events.get(node).addAll(ready.events());
            applied.get(node).addAll(ready.committed());
            for (RaftReady.Outbound out : ready.messages()) {
                wire.add(new Object[] {node, ids.indexOf(out.to()), out.message()});
            }
        }

        /** Advances time in 10 ms ticks, settling after each. */
        void run(long millis) {
            for (long end = now + millis; now < end; ) {
                now += 10;
                for (RaftCore core : cores) {
                    core.tick(now);
                }
                settle();
            }
        }

        int leader() {
            int found = -1;
            for (int i = 0; i < cores.size(); i++) {
                if (!isolated.contains(i) && cores.get(i).role() == RaftCore.Role.LEADER) {
                    assertThat(found).as("one leader").isEqualTo(-1);
                    found = i;
                }
            }
            return found;
        }
    }

    @Test
    void aSingleNodeBootstrapsItselfAndCommitsAtOnce() {
        Cluster c = new Cluster(1, CONFIG);
        c.run(1_000);
        RaftCore core = c.cores.getFirst();
        assertThat(core.role()).isEqualTo(RaftCore.Role.LEADER);
        assertThat(core.configuration().voters()).containsExactly(c.ids.getFirst());
        core.propose(7, new byte[] {42}, c.now);
        c.settle();
        assertThat(c.events.getFirst()).contains(new CommandAccepted(7, new LogPosition(core.term(), 3)));
        assertThat(c.applied.getFirst()).extracting(LogEntry::kind)
                .containsExactly(LogEntry.Kind.CONFIGURATION, LogEntry.Kind.NOOP, LogEntry.Kind.COMMAND);
    }

    @Test
    void threeFreshNodesFormOneGroupAndPromoteLearnersToVoters() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        assertThat(leader).isEqualTo(0);
        for (RaftCore core : c.cores) {
            assertThat(core.configuration().voters()).containsExactlyElementsOf(new TreeSet<>(c.ids));
            assertThat(core.status().formation()).isEqualTo(c.cores.getFirst().status().formation()).isNotZero();
        }
    }

    @Test
    void followersInStepGetOneAppendObjectThatTheShellEncodesOnceAndBothApplyIt() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        RaftCore core = c.cores.get(leader);
        for (int i = 0; i < 3; i++) {
            core.propose(100 + i, new byte[] {(byte) i}, c.now);
        }
        RaftReady ready = core.ready();
        List<RaftReady.Outbound> appends = ready.messages().stream()
                .filter(out -> out.message() instanceof RaftMessage.AppendEntries a && !a.entries().isEmpty()).toList();
        assertThat(appends).extracting(RaftReady.Outbound::to).containsExactlyInAnyOrderElementsOf(
                c.ids.stream().filter(id -> !id.equals(c.ids.get(leader))).toList());
        assertThat(appends.get(0).message()).isSameAs(appends.get(1).message());
        assertThat(((RaftMessage.AppendEntries) appends.get(0).message()).entries()).hasSize(3);

        c.take(leader, ready);
        c.settle();
        c.run(100);
        for (List<LogEntry> entries : c.applied) {
            assertThat(entries.subList(entries.size() - 3, entries.size())).extracting(LogEntry::data)
                    .containsExactly(new byte[] {0}, new byte[] {1}, new byte[] {2});
        }
    }

    @Test
    void aCommitNoAppendCarriesReachesFollowersAfterAShortDelayButAtOnceTheFollowerWaitingForIt() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        int waiting = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        c.cores.get(leader).propose(1, new byte[] {1}, c.now);
        c.settle();
        long first = c.applied.get(leader).getLast().index();
        assertThat(c.applied.get(waiting)).extracting(LogEntry::index).as("not told yet").doesNotContain(first);
        assertThat(c.cores.get(leader).commitNoticesPending()).isTrue();
        c.run(RaftCore.COMMIT_NOTICE_DELAY + 10);
        assertThat(c.applied.get(waiting)).extracting(LogEntry::index).contains(first);
        assertThat(c.applied.get(other)).extracting(LogEntry::index).contains(first);
        assertThat(c.cores.get(leader).commitNoticesPending()).isFalse();

        c.cores.get(waiting).propose(2, new byte[] {2}, c.now); // forwarded: its proposer waits for the commit
        c.settle();
        long second = c.applied.get(leader).getLast().index();
        assertThat(c.applied.get(waiting)).extracting(LogEntry::index).as("told at once").contains(second);
        assertThat(c.events.get(waiting)).contains(new CommandAccepted(2, new LogPosition(c.cores.get(leader).term(), second)));
        assertThat(c.applied.get(other)).extracting(LogEntry::index).doesNotContain(second);
        c.run(RaftCore.COMMIT_NOTICE_DELAY + 10);
        assertThat(c.applied.get(other)).extracting(LogEntry::index).contains(second);
    }

    @Test
    void aCommandProposedOnAFollowerIsForwardedCommittedAndAppliedEverywhere() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        c.cores.get(2).propose(99, new byte[] {1, 2, 3}, c.now);
        c.settle();
        LogPosition at = ((CommandAccepted) c.events.get(2).getLast()).position();
        c.run(100);
        for (List<LogEntry> entries : c.applied) {
            assertThat(entries.getLast().position()).isEqualTo(at);
            assertThat(entries.getLast().data()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aLeaderCutOffFromTheMajorityStepsDownAndTheOthersElectANewOne() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int old = c.leader();
        long oldTerm = c.cores.get(old).term();
        c.isolated.add(old);
        c.run(1_500);
        assertThat(c.cores.get(old).role()).as("the cut-off leader steps down").isNotEqualTo(RaftCore.Role.LEADER);
        int fresh = c.leader();
        assertThat(fresh).isNotEqualTo(old).isNotEqualTo(-1);
        assertThat(c.cores.get(fresh).term()).isGreaterThan(oldTerm);
    }

    @Test
    void aNodeReturningFromIsolationDoesNotDisruptAHealthyLeader() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        long term = c.cores.get(leader).term();
        c.isolated.add(follower);
        c.run(3_000); // its elections fail pre-vote, so its term does not grow
        assertThat(c.cores.get(follower).term()).isEqualTo(term);
        c.isolated.clear();
        c.run(1_000);
        assertThat(c.leader()).isEqualTo(leader);
        assertThat(c.cores.get(leader).term()).isEqualTo(term);
    }

    @Test
    void anUncommittedEntryOfADeposedLeaderIsReplacedAndItsProposerSeesAnotherEntryThere() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int old = c.leader();
        c.isolated.add(old);
        c.cores.get(old).propose(1, new byte[] {9}, c.now); // appended, never replicated
        c.settle();
        LogPosition lost = ((CommandAccepted) c.events.get(old).getLast()).position();
        c.run(1_500);
        int fresh = c.leader();
        c.cores.get(fresh).propose(2, new byte[] {8}, c.now);
        c.settle();
        c.isolated.clear();
        c.run(500);
        LogEntry there = c.storages.get(old).entries(lost.index(), lost.index(), 1).getFirst();
        assertThat(there.term()).isNotEqualTo(lost.term());
        assertThat(c.cores.get(old).commitIndex()).isGreaterThanOrEqualTo(lost.index());
    }

    @Test
    void aReadIndexIsConfirmedByAMajorityAndAForwardedReadGetsTheLeadersCommitIndex() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        c.cores.get(leader).propose(1, new byte[] {1}, c.now);
        c.settle();
        c.cores.get(follower).read(5, c.now);
        c.settle();
        assertThat(c.events.get(follower)).contains(new ReadReady(5, c.cores.get(leader).commitIndex()));
    }

    @Test
    void aLeaderWithoutAMajorityServesNoReads() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        c.isolated.add((leader + 1) % 3);
        c.isolated.add((leader + 2) % 3);
        c.cores.get(leader).read(5, c.now);
        // It notices within two election timeouts, steps down, and the read then waits for a leader.
        c.run(600 + 500);
        assertThat(c.events.get(leader)).noneMatch(e -> e instanceof ReadReady);
        assertThat(c.events.get(leader)).anyMatch(e -> e instanceof ClientEvent.ReadFailed f && f.requestId() == 5);
    }

    @Test
    void aCommandWithoutALeaderFailsAsNotAppliedAfterTheForwardTimeout() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        c.isolated.add(follower);
        c.run(1_000); // the follower forgets its leader when its pre-votes fail
        c.cores.get(follower).propose(3, new byte[] {3}, c.now);
        c.run(600);
        assertThat(c.events.get(follower)).contains(new CommandFailed(3, ClientEvent.Failure.NO_LEADER));
    }

    @Test
    void aLeaderHandsOverWithoutAnElectionTimeoutAndCommandsProposedMeanwhileReachTheNextLeader() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int old = c.leader();
        RaftCore leader = c.cores.get(old);
        leader.propose(1, new byte[] {1}, c.now);
        assertThat(leader.transferLeadership(c.now)).isTrue();
        leader.propose(2, new byte[] {2}, c.now); // waits for the next leader
        c.settle(); // no time passes: nobody's election timer fires
        int next = c.leader();
        assertThat(next).isNotEqualTo(old).isNotEqualTo(-1);
        assertThat(c.cores.get(next).term()).isEqualTo(leader.term());
        c.run(100);
        LogPosition second = c.events.get(old).stream()
                .filter(e -> e instanceof CommandAccepted a && a.requestId() == 2)
                .map(e -> ((CommandAccepted) e).position()).findFirst().orElseThrow();
        assertThat(second.term()).isEqualTo(c.cores.get(next).term());
        for (List<LogEntry> entries : c.applied) {
            assertThat(entries).extracting(LogEntry::data).contains(new byte[] {1}, new byte[] {2});
        }
    }

    @Test
    void aReluctantVoterLetsANormalOneTakeOver() {
        Cluster c = new Cluster(3, CONFIG);
        // Node 2 becomes reluctant (a restart with another preference, same storage).
        c.cores.set(2, new RaftCore(c.ids.get(2), CONFIG.withPreference(LeadershipPreference.RELUCTANT),
                c.storages.get(2), new SplittableRandom(5), 0));
        for (int i = 0; i < 2; i++) {
            c.cores.get(2).peerConnected(c.ids.get(i), 0);
            c.cores.get(i).peerDisconnected(c.ids.get(2), 0);
            c.cores.get(i).peerConnected(c.ids.get(2), 0);
        }
        c.run(2_000);
        assertThat(c.leader()).isEqualTo(0);
        c.isolated.add(0);
        c.run(1_500);
        assertThat(c.leader()).as("the normal voter takes over, not the reluctant one").isEqualTo(1);
        assertThat(c.cores.get(2).configuration().isVoter(c.ids.get(2))).as("it still votes").isTrue();
    }

    /**
     * Cuts a 3-node cluster's leader off and tells its followers their bonds to it closed.
     *
     * @param lost whether the bonds were lost (its process died) rather than closed for its silence
     * @return the leader cut off
     */
    private static int cutOffLeader(Cluster c, boolean lost) {
        int leader = c.leader();
        c.isolated.add(leader);
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                c.cores.get(i).peerDisconnected(c.ids.get(leader), c.now, lost);
            }
        }
        return leader;
    }

    @Test
    void theFollowersOfALeaderWhoseConnectionsClosedElectAnotherWithinAFractionOfTheElectionTimeout() {
        Cluster c = new Cluster(3, DEFAULT_TIMINGS);
        c.run(5_000);
        long term = c.cores.get(c.leader()).term();
        int dead = cutOffLeader(c, true); // its process died: the kernel closes its connections at once
        c.run(800); // a whole election timeout would be 2 to 2.5 s
        int next = c.leader();
        assertThat(next).isNotEqualTo(-1).isNotEqualTo(dead);
        assertThat(c.cores.get(next).term()).isGreaterThan(term);
    }

    @Test
    void followersThatCloseTheirBondsToASilentLeaderWaitForTheElectionTimeout() {
        Cluster c = new Cluster(3, DEFAULT_TIMINGS);
        c.run(5_000);
        long term = c.cores.get(c.leader()).term();
        int stalled = cutOffLeader(c, false); // silent, as in a long pause: the followers close their bonds
        c.run(800);
        for (int i = 0; i < 3; i++) {
            assertThat(c.cores.get(i).term()).as("no election before the election timeout").isEqualTo(term);
        }
        c.run(3_000);
        assertThat(c.leader()).as("but one after it").isNotEqualTo(-1).isNotEqualTo(stalled);
    }

    @Test
    void aCommandForwardedToALeaderWhoseBondClosedFailsAtOnceAsOutcomeUnknown() {
        Cluster c = new Cluster(3, CONFIG.withForwardTimeout(5_000));
        int[] nodes = commandForwardedIntoTheVoid(c);
        int dead = nodes[0];
        int follower = nodes[1];
        assertThat(c.events.get(follower)).noneMatch(e -> e instanceof CommandFailed);
        c.cores.get(follower).peerDisconnected(c.ids.get(dead), c.now);
        c.settle();
        assertThat(c.events.get(follower)).as("failed on the bond's close, not after the 5 s forward timeout")
                .contains(new CommandFailed(77, ClientEvent.Failure.LEADER_UNRESPONSIVE));
    }

    /**
     * Lets a 3-node cluster elect a leader, then has a follower forward command 77 ({@code {7}}) to it,
     * which is lost: answers {leader, follower}, the leader still isolated.
     */
    private static int[] commandForwardedIntoTheVoid(Cluster c) {
        c.run(2_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        c.isolated.add(leader);
        c.cores.get(follower).propose(77, new byte[] {7}, c.now);
        c.settle();
        return new int[] {leader, follower};
    }

    /** Closes and redials the bond between two nodes, as a replaced bond does; the peers live on. */
    private static void replaceBond(Cluster c, int a, int b) {
        c.cores.get(a).peerDisconnected(c.ids.get(b), c.now, false);
        c.cores.get(b).peerDisconnected(c.ids.get(a), c.now, false);
        c.cores.get(a).peerConnected(c.ids.get(b), c.now);
        c.cores.get(b).peerConnected(c.ids.get(a), c.now);
    }

    /** Command 77 ({@code {7}}) of {@code node} was accepted, never failed, and applied exactly once there. */
    private static void assertAcceptedAndAppliedOnce(Cluster c, int node, String why) {
        assertThat(c.events.get(node)).as(why)
                .anyMatch(e -> e instanceof CommandAccepted a && a.requestId() == 77)
                .noneMatch(e -> e instanceof CommandFailed);
        assertThat(appliedCopies(c, node, new byte[] {7})).isEqualTo(1);
    }

    private static long appliedCopies(Cluster c, int node, byte[] data) {
        return c.applied.get(node).stream()
                .filter(e -> e.kind() == LogEntry.Kind.COMMAND && java.util.Arrays.equals(e.data(), data)).count();
    }

    @Test
    void aCommandLostWithAReplacedBondIsSentAgainAndAppliedOnce() {
        Cluster c = new Cluster(3, CONFIG.withForwardTimeout(5_000));
        int[] nodes = commandForwardedIntoTheVoid(c); // lost with the old bond
        int leader = nodes[0];
        int follower = nodes[1];
        c.isolated.remove(leader);
        replaceBond(c, follower, leader);
        c.run(300);
        assertAcceptedAndAppliedOnce(c, follower, "accepted after a resend, not failed as unknown");
    }

    @Test
    void aCommandWhoseAnswerWasLostWithAReplacedBondIsNotAppendedTwice() {
        Cluster c = new Cluster(3, CONFIG.withForwardTimeout(5_000));
        c.run(2_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        c.cores.get(follower).propose(77, new byte[] {7}, c.now);
        RaftReady sent = c.cores.get(follower).ready();
        for (RaftReady.Outbound out : sent.messages()) {
            if (out.message() instanceof RaftMessage.ForwardCommands) {
                c.cores.get(leader).receive(c.ids.get(follower), out.message(), c.now);
            }
        }
        long appendedAt = c.cores.get(leader).lastPosition().index();
        c.cores.get(leader).ready(); // its answer (and its appends) are lost with the old bond
        replaceBond(c, follower, leader);
        c.run(300);
        assertThat(c.events.get(follower)).as("the leader recognised the resend")
                .contains(new CommandAccepted(77, new LogPosition(c.cores.get(leader).term(), appendedAt)))
                .noneMatch(e -> e instanceof CommandFailed);
        for (int i = 0; i < 3; i++) {
            assertThat(appliedCopies(c, i, new byte[] {7})).as("applied once on node %d", i).isEqualTo(1);
        }
    }

    @Test
    void aCommandLostWithAReplacedBondFailsAsUnknownWhenAnotherTermLeads() {
        Cluster c = new Cluster(3, CONFIG.withForwardTimeout(5_000));
        int[] nodes = commandForwardedIntoTheVoid(c);
        int leader = nodes[0];
        int follower = nodes[1];
        c.cores.get(follower).peerDisconnected(c.ids.get(leader), c.now, false); // closed for silence
        c.run(1_500); // the others elect a leader of a later term
        assertThat(c.leader()).isNotEqualTo(-1).isNotEqualTo(leader);
        assertThat(c.events.get(follower)).as("the old leader may have it, and can no longer tell")
                .contains(new CommandFailed(77, ClientEvent.Failure.LEADER_UNRESPONSIVE))
                .noneMatch(e -> e instanceof CommandAccepted a && a.requestId() == 77);
    }

    @Test
    void aCommandWhoseOnlySendWasRefusedGoesToTheNextLeaderEvenIfThatIsItsOwnNode() {
        Cluster c = new Cluster(3, CONFIG.withForwardTimeout(5_000));
        c.run(2_000);
        int old = c.leader();
        int follower = (old + 1) % 3;
        c.cores.get(follower).propose(77, new byte[] {7}, c.now);
        RaftMessage held = c.cores.get(follower).ready().messages().stream().map(RaftReady.Outbound::message)
                .filter(RaftMessage.ForwardCommands.class::isInstance).findFirst().orElseThrow(); // in flight
        assertThat(c.cores.get(old).transferLeadership(c.now)).isTrue();
        c.run(1_000);
        assertThat(c.leader()).as("the transfer went to the proposer").isEqualTo(follower);
        replaceBond(c, follower, old);
        c.cores.get(old).receive(c.ids.get(follower), held, c.now); // arrives late: refused, it leads no more
        c.run(300);
        assertAcceptedAndAppliedOnce(c, follower, "a refusal proves it is in no log: the new leader appends it");
    }

    @Test
    void aLeaderAnswersAResendItCannotTellAboutAsUnknownAndNeverAppendsIt() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        RaftCore core = c.cores.get(leader);
        long formation = core.status().formation();
        long term = core.term();
        List<RaftMessage.Forwarded> many = new ArrayList<>();
        for (long id = 1; id <= 8_200; id++) { // more than the leader remembers
            many.add(new RaftMessage.Forwarded(id, new byte[] {1}));
        }
        core.receive(c.ids.get(follower), new RaftMessage.ForwardCommands(formation, many), c.now);
        core.ready();
        long last = core.lastPosition().index();
        core.receive(c.ids.get(follower), new RaftMessage.ForwardCommands(formation, List.of(
                new RaftMessage.Forwarded(3, new byte[] {1}, term),         // forgotten
                new RaftMessage.Forwarded(8_199, new byte[] {1}, term),     // remembered
                new RaftMessage.Forwarded(9_000, new byte[] {1}, term - 1), // sent in another term
                new RaftMessage.Forwarded(9_001, new byte[] {1}, term))), c.now); // never arrived
        RaftMessage.ForwardResponse answer = core.ready().messages().stream()
                .map(RaftReady.Outbound::message)
                .filter(RaftMessage.ForwardResponse.class::isInstance).map(RaftMessage.ForwardResponse.class::cast)
                .findFirst().orElseThrow();
        assertThat(answer.unknown()).containsExactly(3L, 9_000L);
        assertThat(answer.accepted()).containsExactly(
                new RaftMessage.Accepted(8_199, new LogPosition(term, last - 1)),
                new RaftMessage.Accepted(9_001, new LogPosition(term, last + 1)));
        assertThat(core.lastPosition().index()).as("only the one that never arrived is appended")
                .isEqualTo(last + 1);
    }

    @Test
    void aForwardedReadWhoseRequestWasLostIsAskedAgainBeforeItsDeadline() {
        Cluster c = new Cluster(3, CONFIG.withForwardTimeout(5_000)); // heartbeats every 50 ms
        c.run(2_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        c.cores.get(follower).read(9, c.now);
        c.isolated.add(leader);
        c.settle(); // the request is lost (no time passes, so nothing else happens meanwhile)
        c.isolated.remove(leader);
        c.run(200);
        assertThat(c.events.get(follower)).as("answered after a resend, not failed at the 5 s deadline")
                .anyMatch(e -> e instanceof ReadReady r && r.requestId() == 9)
                .noneMatch(e -> e instanceof ClientEvent.ReadFailed);
    }

    @Test
    void aFollowerThatLosesItsBondToALiveLeaderDisruptsNothing() {
        Cluster c = new Cluster(3, DEFAULT_TIMINGS);
        c.run(5_000);
        int leader = c.leader();
        long term = c.cores.get(leader).term();
        int follower = (leader + 1) % 3;
        c.cores.get(follower).peerDisconnected(c.ids.get(leader), c.now); // the bond is redialed at once
        c.cores.get(leader).peerDisconnected(c.ids.get(follower), c.now);
        c.cores.get(follower).peerConnected(c.ids.get(leader), c.now);
        c.cores.get(leader).peerConnected(c.ids.get(follower), c.now);
        c.run(3_000);
        assertThat(c.leader()).isEqualTo(leader);
        assertThat(c.cores.get(leader).term()).as("no election won against a live leader").isEqualTo(term);
    }

    @Test
    void aLeaderTellsAMemberWhoseBondFormedWhoLeadsWithoutWaitingForAHeartbeat() {
        Cluster c = new Cluster(3, DEFAULT_TIMINGS);
        c.run(5_000);
        int leader = c.leader();
        int follower = (leader + 1) % 3;
        c.cores.get(leader).peerDisconnected(c.ids.get(follower), c.now);
        c.cores.get(leader).ready();
        c.cores.get(leader).peerConnected(c.ids.get(follower), c.now); // no time passes: no heartbeat is due
        assertThat(c.cores.get(leader).ready().messages())
                .anyMatch(out -> out.to().equals(c.ids.get(follower))
                        && out.message() instanceof RaftMessage.AppendEntries);
    }

    @Test
    void anUnreachableVoterIsReplacedByACaughtUpLearnerUnderTheRemovalPolicy() {
        Cluster c = new Cluster(4, CONFIG.withMembership(3, 1, 1_000));
        c.run(3_000);
        int leader = c.leader();
        Configuration before = c.cores.get(leader).configuration();
        assertThat(before.voters()).hasSize(3);
        PeerId learner = c.ids.stream().filter(id -> !before.isVoter(id)).findFirst().orElseThrow();
        int victim = -1;
        for (int i = 0; i < 4; i++) {
            if (i != leader && before.isVoter(c.ids.get(i))) {
                victim = i;
            }
        }
        c.isolated.add(victim);
        c.run(3_000);
        Configuration after = c.cores.get(c.leader()).configuration();
        assertThat(after.voters()).hasSize(3).contains(learner).doesNotContain(c.ids.get(victim));
    }

    @Test
    void withoutARemovalPolicyAnUnreachableVoterStaysAndCountsTowardsTheQuorum() {
        Cluster c = new Cluster(4, CONFIG.withMembership(3, 1, 0));
        c.run(3_000);
        int leader = c.leader();
        Configuration before = c.cores.get(leader).configuration();
        for (int i = 0; i < 4; i++) {
            if (i != leader && before.isVoter(c.ids.get(i))) {
                c.isolated.add(i);
                break;
            }
        }
        c.run(3_000);
        assertThat(c.cores.get(c.leader()).configuration()).isEqualTo(before);
    }

    /** Node 0 alone a voter, node 1 an observer from the start, after 3 s. */
    private static Cluster voterAndObserver() {
        Cluster c = new Cluster(2, CONFIG);
        // Replace node 1 by an observer before anything happens.
        RaftCore observer = new RaftCore(c.ids.get(1), CONFIG.withPreference(LeadershipPreference.OBSERVER),
                new InMemoryLogStorage(), new SplittableRandom(3), 0);
        c.cores.set(1, observer);
        observer.peerConnected(c.ids.get(0), 0);
        c.cores.get(0).peerDisconnected(c.ids.get(1), 0);
        c.cores.get(0).peerConnected(c.ids.get(1), 0);
        c.run(3_000);
        return c;
    }

    @Test
    void anObserverNeverVotesNorLeadsButReplicates() {
        Cluster c = voterAndObserver();
        RaftCore observer = c.cores.get(1);
        assertThat(c.cores.get(0).role()).isEqualTo(RaftCore.Role.LEADER);
        assertThat(c.cores.get(0).configuration().voters()).containsExactly(c.ids.get(0));
        assertThat(observer.commitIndex()).isEqualTo(c.cores.get(0).commitIndex());
        c.isolated.add(0);
        c.run(3_000);
        assertThat(observer.role()).isEqualTo(RaftCore.Role.FOLLOWER);
        assertThat(observer.leader()).as("a silent leader is forgotten").isNull();
    }

    @Test
    void aLeadersAppendsMayLeaveBeforeItsSyncButAnswersAndACommitOfUnsyncedEntriesMayNot() {
        Cluster c = new Cluster(3, CONFIG);
        c.run(2_000);
        int leader = c.leader();
        RaftCore core = c.cores.get(leader);
        long synced = c.storages.get(leader).lastPosition().index();
        core.propose(1, new byte[] {1}, c.now);
        RaftReady ready = core.ready();
        List<RaftReady.Outbound> appends = ready.messages().stream()
                .filter(out -> out.message() instanceof RaftMessage.AppendEntries a && !a.entries().isEmpty()).toList();
        assertThat(appends).hasSize(2).allMatch(out -> RaftReady.maySendBeforeSync(out.message(), synced));
        c.take(leader, ready);
        int follower = (leader + 1) % 3;
        Object[] toFollower = c.wire.stream().filter(m -> (int) m[1] == follower).findFirst().orElseThrow();
        c.cores.get(follower).receive(c.ids.get(leader), (RaftMessage) toFollower[2], c.now);
        RaftReady answer = c.cores.get(follower).ready();
        assertThat(answer.messages()).extracting(RaftReady.Outbound::message)
                .hasAtLeastOneElementOfType(RaftMessage.AppendResponse.class)
                .noneMatch(m -> RaftReady.maySendBeforeSync(m, Long.MAX_VALUE));
        // The acknowledgement commits the entry in a later turn of the leader, which had synced it by then.
        for (RaftReady.Outbound out : answer.messages()) {
            core.receive(c.ids.get(follower), out.message(), c.now);
        }
        RaftReady commit = core.ready();
        assertThat(commit.committed()).extracting(LogEntry::index).containsExactly(synced + 1);
        assertThat(commit.mayProcessBeforeSync(synced + 1)).isTrue();

        // A lone voter commits in the turn it appends: the append telling its observer so waits for the sync.
        Cluster lone = voterAndObserver();
        RaftCore voter = lone.cores.get(0);
        assertThat(voter.configuration().voters()).containsExactly(lone.ids.get(0));
        long before = lone.storages.get(0).lastPosition().index();
        voter.propose(2, new byte[] {2}, lone.now);
        RaftReady committing = voter.ready();
        assertThat(committing.committed()).extracting(LogEntry::index).containsExactly(before + 1);
        assertThat(committing.mayProcessBeforeSync(before)).as("applies and answers after the sync").isFalse();
        assertThat(committing.mayProcessBeforeSync(before + 1)).isTrue();
        List<RaftMessage> toObserver = committing.messages().stream().map(RaftReady.Outbound::message)
                .filter(m -> m instanceof RaftMessage.AppendEntries a && !a.entries().isEmpty()).toList();
        assertThat(toObserver).singleElement()
                .matches(m -> ((RaftMessage.AppendEntries) m).leaderCommit() == before + 1, "commits its own entry")
                .matches(m -> !RaftReady.maySendBeforeSync(m, before), "waits for the sync")
                .matches(m -> RaftReady.maySendBeforeSync(m, before + 1), "may go once the entry is synced");
    }

    @Test
    void messagesFromAnotherFormationAreIgnoredAndCounted() {
        Cluster a = new Cluster(1, CONFIG);
        Cluster b = new Cluster(1, CONFIG, 77);
        a.run(1_000);
        b.run(1_000);
        RaftCore leaderA = a.cores.getFirst();
        RaftCore leaderB = b.cores.getFirst();
        byte[] other = new byte[32];
        other[0] = 9;
        leaderB.receive(PeerId.fromBytes(other), new RaftMessage.AppendEntries(leaderA.status().formation(),
                leaderB.term() + 5, 0, 0, List.of(), 0, 0), 1_000);
        assertThat(leaderB.role()).isEqualTo(RaftCore.Role.LEADER);
        assertThat(leaderB.foreignMessages()).isEqualTo(1);
    }
}
