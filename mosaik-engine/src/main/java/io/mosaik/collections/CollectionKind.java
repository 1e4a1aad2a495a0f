package io.mosaik.collections;

/** The kinds of replicated collection. */
public enum CollectionKind {
    /** {@link ReplicatedMap}: keys to values. */
    MAP("map"),
    /** {@link ReplicatedVec}: a list indexed from 0, pushed and popped at both ends. */
    VEC("vec"),
    /** {@link ReplicatedSet}: distinct elements. */
    SET("set"),
    /** {@link ReplicatedCell}: one value or none. */
    CELL("cell"),
    /** {@link ReplicatedOnce}: one value, the first written. */
    ONCE("once"),
    /** {@link ReplicatedPriorityQueue}: keys with a priority and a value, ordered by priority. */
    PRIORITY_QUEUE("priority-queue");

    private final String configName;

    CollectionKind(String configName) {
        this.configName = configName;
    }

    /** The name in configuration and meters ({@code map}, {@code priority-queue}...). */
    public String configName() {
        return configName;
    }
}
