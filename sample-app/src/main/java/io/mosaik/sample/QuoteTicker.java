package io.mosaik.sample;

import io.mosaik.network.Network;
import io.mosaik.streams.Producer;
import io.mosaik.streams.SendStatus;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The exchange role ({@code --sample.role=exchange}): produces the {@code quotes} stream, one quote per
 * symbol every half second. Quotes sent while no trader is subscribed are dropped (the producer is
 * offline), as a live price feed would.
 */
@Component
@ConditionalOnProperty(name = "sample.role", havingValue = "exchange")
public class QuoteTicker {

    private static final List<String> SYMBOLS = List.of("ACME", "GLOBEX", "INITECH");

    private final Producer<Quote> quotes;
    private final AtomicLong sequence = new AtomicLong();
    private final long[] prices = {10_000, 25_000, 4_200};

    /**
     * Creates the ticker.
     *
     * @param network the node
     */
    public QuoteTicker(Network network) {
        this.quotes = network.streams().producer(Quote.class).streamId("quotes").build();
    }

    /** Sends the next quote of every symbol. */
    @Scheduled(fixedRate = 500)
    public void tick() {
        for (int i = 0; i < SYMBOLS.size(); i++) {
            prices[i] = Math.max(1, prices[i] + ThreadLocalRandom.current().nextLong(-50, 51));
            SendStatus status = quotes.trySend(new Quote(SYMBOLS.get(i), prices[i], sequence.incrementAndGet()));
            if (status == SendStatus.CLOSED) {
                return;
            }
        }
    }
}
