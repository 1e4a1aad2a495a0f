/**
 * The {@code quic} transport: QUIC through kwik 0.10.9, used as published.
 *
 * <p>{@link io.mosaik.network.transport.quic.QuicTransport} is the entry point. kwik's lost wake-up in its
 * stream output is neutralised by a watchdog that re-arms stranded streams with zero-length writes; see
 * {@code RearmableOutput} and {@code StallWatchdog} for the reasoning.
 */
package io.mosaik.network.transport.quic;
