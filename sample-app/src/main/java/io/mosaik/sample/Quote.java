package io.mosaik.sample;

/**
 * A price quote: the datum of the demo's {@code quotes} stream.
 *
 * @param symbol  the instrument
 * @param price   the price in cents
 * @param sequence the exchange's running number, to see that nothing is lost or reordered
 */
public record Quote(String symbol, long price, long sequence) {
}
