package io.mosaik.discovery.gossip;

import static io.mosaik.discovery.gossip.GossipCoreTest.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
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
        trees.touch(id(5_000)); // full: one old origin goes, and every other one is marked unused
        for (int origin = 0; origin < 500; origin++) {
            trees.touch(id(1_000 + origin));
        }
        for (int origin = 1; origin <= 400; origin++) {
            trees.touch(id(5_000 + origin));
        }
        assertThat(trees.size()).isEqualTo(1_000);
        int kept = 0;
        for (int origin = 0; origin < 1_000; origin++) {
            if (trees.isLazy(id(1_000 + origin), id(1))) {
                kept++;
                continue;
            }
            assertThat(origin).as("an origin used since the last sweep is kept").isGreaterThanOrEqualTo(500);
        }
        assertThat(kept).isEqualTo(1_000 - 401);
    }

    @Test
    void anActiveViewLargerThanTheMasksIsRefused() {
        assertThatThrownBy(() -> GossipConfig.defaults().withViewSizes(33, 40))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activeViewSize must be at most 32");
    }
}
