package io.mosaik.sample;

/**
 * An order resting in the replicated order book ({@code book}), keyed by its id, ranked by its price.
 *
 * @param side     {@code buy} or {@code sell}
 * @param quantity how many units
 */
public record BookOrder(String side, long quantity) {
}
