package io.mosaik.sample;

import io.mosaik.spring.boot.MosaikConsumer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The trader role (the default): consumes the {@code quotes} stream of every node tagged
 * {@code exchange}, keeps the last quote per symbol, and shows them at {@code GET /quotes}.
 */
@RestController
@ConditionalOnProperty(name = "sample.role", havingValue = "trader", matchIfMissing = true)
public class QuoteBook {

    private final Map<String, Quote> last = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();

    /** Created by Spring. */
    public QuoteBook() {
    }

    /**
     * Takes one quote from the stream.
     *
     * @param quote the quote
     */
    @MosaikConsumer(stream = "quotes", requireTags = "exchange")
    public void on(Quote quote) {
        last.put(quote.symbol(), quote);
        received.incrementAndGet();
    }

    /**
     * The last quote of every symbol and how many quotes arrived.
     *
     * @return the book
     */
    @GetMapping("/quotes")
    public Book book() {
        return new Book(received.get(), new TreeMap<>(last));
    }

    /**
     * The answer of {@code GET /quotes}.
     *
     * @param received how many quotes this node received
     * @param last     the last quote per symbol
     */
    public record Book(long received, Map<String, Quote> last) {
    }
}
