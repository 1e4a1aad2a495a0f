package io.mosaik.discovery.gossip;

import static io.mosaik.discovery.gossip.GossipCoreTest.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The compact per-origin trees: masks per neighbour slot, growth, and eviction when full. */
class OriginTreesTest {

    @Test
    void aNeighbourIsLazyPerOriginUntilItLeavesOrComesBack() {
        OriginTrees trees = new OriginTrees(100);
        trees.link(id(1));
        trees.link(id(2));
        trees.set(id(10), id(1), true);
        trees.set(id(11), id(2), true);
        assertThat(trees.isLazy(id(10), id(1))).isTrue();
        assertThat(trees.isLazy(id(10), id(2))).isFalse();
        assertThat(trees.lazyPeers(id(11))).containsExactly(id(2));
        assertThat(trees.isEdgeOfAny(id(1))).isTrue(); // a tree edge of origin 11's tree
        trees.unlink(id(1));
        trees.link(id(1)); // a neighbour that comes back starts as a tree edge everywhere
        assertThat(trees.isLazy(id(10), id(1))).isFalse();
        assertThat(trees.anyLazy(new SplittableRandom(1))).isEqualTo(id(2));
    }

    @Test
    void manyOriginsKeepTheirTreesAndTheLeastRecentlyUsedGoWhenFull() {
        OriginTrees trees = new OriginTrees(1_000);
        trees.link(id(1));
        for (int origin = 0; origin < 1_000; origin++) {
            trees.set(id(1_000 + origin), id(1), true);
        }
        assertThat(trees.size()).isEqualTo(1_000);
        trees.touch(id(5_000)); // full: one old origin goes, and the clock marks every other one unused
        List<Integer> first = IntStream.range(0, 500).filter(origin -> trees.has(id(1_000 + origin))).boxed()
                .toList();
        first.forEach(origin -> trees.touch(id(1_000 + origin))); // used again since the sweep
        for (int origin = 1; origin <= 400; origin++) {
            trees.touch(id(5_000 + origin));
        }

        assertThat(trees.size()).isEqualTo(1_000);
        assertThat(first).hasSizeGreaterThanOrEqualTo(499).allMatch(origin -> trees.isLazy(id(1_000 + origin), id(1)));
        long kept = IntStream.range(0, 1_000).filter(origin -> trees.has(id(1_000 + origin))).count();
        assertThat(kept).isEqualTo(1_000 - 401);
    }

    @Test
    void originsThatShareAProbeRunAreAllFoundAfterOneInTheMiddleGoes() {
        // 12 origins fill a table of 16 slots: runs are long and wrap around its end; each round another layout
        for (int round = 0; round < 50; round++) {
            OriginTrees trees = new OriginTrees(12);
            trees.link(id(1));
            int base = 10_000 + 100 * round;
            List<Integer> origins = IntStream.range(0, 12).map(i -> base + i).boxed().toList();
            origins.forEach(origin -> trees.set(id(origin), id(1), true));
            trees.touch(id(base + 99)); // full: one of them goes, from wherever the clock hand is

            assertThat(trees.size()).isEqualTo(12);
            List<Integer> kept = origins.stream().filter(origin -> trees.has(id(origin))).toList();
            assertThat(kept).as("round %d", round).hasSize(11)
                    .allMatch(origin -> trees.isLazy(id(origin), id(1)));
        }
    }

    @Test
    void anActiveViewLargerThanTheMasksIsRefused() {
        assertThatThrownBy(() -> GossipConfig.defaults().withViewSizes(33, 40))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activeViewSize must be at most 32");
    }
}
