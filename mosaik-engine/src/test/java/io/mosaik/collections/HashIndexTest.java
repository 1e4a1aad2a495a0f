package io.mosaik.collections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashIndexTest {

    private static Encoded key(int value) {
        return new Encoded(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8),
                (byte) value});
    }

    /** Hashers from good to worst: the real one, one that agrees on many bits, one where every key collides. */
    private static ToLongFunction<byte[]> hasher(String kind) {
        return switch (kind) {
            case "seeded" -> null;
            case "few-bits" -> bytes -> HashIndex.hash(bytes, 7) & 0xF00000000000000FL;
            case "constant" -> bytes -> 42;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"seeded", "few-bits", "constant"})
    void randomPutsAndRemovesAgreeWithAHashMapAndOldVersionsStayAsTheyWere(String kind) {
        ToLongFunction<byte[]> hasher = hasher(kind);
        int keys = kind.equals("constant") ? 40 : 3_000;
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            HashIndex<Integer> index = hasher == null ? HashIndex.empty() : HashIndex.empty(hasher);
            Map<Encoded, Integer> expected = new HashMap<>();
            List<HashIndex<Integer>> versions = new ArrayList<>();
            List<Map<Encoded, Integer>> expectedVersions = new ArrayList<>();
            for (int step = 0; step < 4_000; step++) {
                if (random.nextInt(10) == 0) {
                    // a batch: in place on the nodes it made, never on those of an earlier version
                    HashIndex.Batch<Integer> batch = index.batch();
                    for (int change = random.nextInt(1, 200); change > 0; change--) {
                        Encoded key = key(random.nextInt(keys));
                        if (random.nextInt(3) == 0) {
                            batch.minus(key);
                            expected.remove(key);
                        } else {
                            int value = random.nextInt();
                            batch.plus(key, value);
                            expected.put(key, value);
                        }
                    }
                    index = batch.build();
                } else {
                    Encoded key = key(random.nextInt(keys));
                    if (random.nextInt(3) == 0) {
                        index = index.minus(key);
                        expected.remove(key);
                    } else {
                        int value = random.nextInt();
                        index = index.plus(key, value);
                        expected.put(key, value);
                    }
                }
                if (step % 250 == 0) {
                    versions.add(index);
                    expectedVersions.add(new HashMap<>(expected));
                }
            }
            versions.add(index);
            expectedVersions.add(expected);
            for (int v = 0; v < versions.size(); v++) {
                for (int k = 0; k < keys; k++) {
                    assertThat(versions.get(v).get(key(k))).as("seed %d, version %d, key %d", seed, v, k)
                            .isEqualTo(expectedVersions.get(v).get(key(k)));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"seeded", "few-bits", "constant"})
    void removingEveryKeyLeavesAnIndexThatAcceptsKeysAgain(String kind) {
        ToLongFunction<byte[]> hasher = hasher(kind);
        HashIndex<Integer> index = hasher == null ? HashIndex.empty() : HashIndex.empty(hasher);
        for (int k = 0; k < 200; k++) {
            index = index.plus(key(k), k);
        }
        for (int k = 199; k >= 0; k--) {
            index = index.minus(key(k));
            assertThat(index.get(key(k))).isNull();
            if (k > 0) {
                assertThat(index.get(key(k - 1))).isEqualTo(k - 1);
            }
        }
        index = index.plus(key(5), 5);
        assertThat(index.get(key(5))).isEqualTo(5);
        assertThat(index.get(key(6))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"seeded", "few-bits"})
    void writesThatChangeNothingReturnTheSameIndex(String kind) {
        ToLongFunction<byte[]> hasher = hasher(kind);
        HashIndex<String> index = hasher == null ? HashIndex.empty() : HashIndex.empty(hasher);
        String value = "v";
        for (int k = 0; k < 100; k++) {
            index = index.plus(key(k), value);
        }
        assertThat(index.plus(key(3), value)).isSameAs(index);
        assertThat(index.minus(key(1_000))).isSameAs(index);
    }

    @ParameterizedTest
    @ValueSource(strings = {"seeded", "few-bits", "constant"})
    void anIndexBuiltAtOnceFindsWhatOneBuiltKeyByKeyFindsAndChangesLikeIt(String kind) {
        ToLongFunction<byte[]> hasher = hasher(kind);
        int[] sizes = kind.equals("constant") ? new int[] {0, 1, 2, 3, 40} : new int[] {0, 1, 2, 31, 33, 1_000, 50_000};
        for (int size : sizes) {
            Encoded[] keys = new Encoded[size];
            Object[] values = new Object[size];
            HashIndex<Integer> byKey = hasher == null ? HashIndex.empty() : HashIndex.empty(hasher);
            for (int k = 0; k < size; k++) {
                keys[k] = key(k * 7);
                values[k] = k;
                byKey = byKey.plus(keys[k], k);
            }
            HashIndex<Integer> atOnce = hasher == null ? HashIndex.ofDistinct(keys, values)
                    : HashIndex.ofDistinct(keys, values, hasher);
            for (int k = 0; k < size * 7 + 7; k++) {
                assertThat(atOnce.get(key(k))).as("size %d, key %d", size, k).isEqualTo(byKey.get(key(k)));
            }
            HashIndex<Integer> changed = atOnce;
            for (int k = 0; k < size; k += 4) {
                changed = changed.minus(keys[k]).plus(key(k * 7 + 1), -k);
            }
            HashIndex.Batch<Integer> batch = changed.batch(); // never in place on the built nodes: atOnce stays
            for (int k = 2; k < size; k += 4) {
                batch.minus(keys[k]);
                batch.plus(key(k * 7 + 1), -k);
            }
            changed = batch.build();
            for (int k = 0; k < size; k++) {
                assertThat(changed.get(keys[k])).isEqualTo(k % 2 == 0 ? null : k);
                assertThat(changed.get(key(k * 7 + 1))).isEqualTo(k % 2 == 0 ? -k : null);
                assertThat(atOnce.get(keys[k])).isEqualTo(k);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aBuiltBatchTakesNoMoreChanges() {
        HashIndex.Batch<Integer> batch = HashIndex.<Integer>empty().batch();
        batch.plus(key(1), 1);
        HashIndex<Integer> built = batch.build();
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() -> batch.plus(key(2), 2));
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(batch::build);
        assertThat(built.get(key(1))).isEqualTo(1);
        assertThat(built.get(key(2))).isNull();
    }

    @org.junit.jupiter.api.Test
    void theHashSpreadsKeysThatDifferInOneByteAndDependsOnTheSeed() {
        byte[] a = new byte[13];
        byte[] b = a.clone();
        b[12] = 1;
        assertThat(HashIndex.hash(a, 1)).isNotEqualTo(HashIndex.hash(b, 1));
        assertThat(HashIndex.hash(a, 1)).isNotEqualTo(HashIndex.hash(a, 2));
        assertThat(Long.bitCount(HashIndex.hash(a, 1) ^ HashIndex.hash(b, 1))).isBetween(16, 48);
        assertThat(HashIndex.hash(new byte[0], 1)).isNotEqualTo(HashIndex.hash(new byte[1], 1));
    }
}
