package io.mosaik.sample;

import io.mosaik.collections.CollectionOfflineException;
import io.mosaik.collections.PriorityEntry;
import io.mosaik.collections.ReplicatedCollection;
import io.mosaik.collections.ReplicatedMap;
import io.mosaik.collections.ReplicatedMapWriter;
import io.mosaik.collections.ReplicatedPriorityQueue;
import io.mosaik.collections.ReplicatedPriorityQueueWriter;
import io.mosaik.collections.Version;
import io.mosaik.spring.boot.MosaikCollection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The replicated collections of the sample over HTTP: the {@code balances} map and the {@code book}
 * order book (a priority queue by price), declared in {@code application.yml}. Writes go through a writer
 * node; reads are served by every node from its own replica. A read may name the version of a write
 * ({@code ?atLeast=N}) to wait until this node has it: read-your-writes across nodes.
 *
 * <p>503 when the collection is offline (nothing was written; retry), 409 on a node that only reads,
 * 504 when a write or a wait takes longer than 10 s.
 */
@RestController
public class CollectionsController {

    private static final long TIMEOUT_SECONDS = 10;

    private final ReplicatedMap<String, Long> balances;
    private final ReplicatedPriorityQueue<Long, String, BookOrder> book;

    /**
     * Creates the controller.
     *
     * @param balances the {@code balances} collection (a writer or a reader, as this node declares it)
     * @param book     the {@code book} collection
     */
    public CollectionsController(@MosaikCollection("balances") ReplicatedMap<String, Long> balances,
                                 @MosaikCollection("book") ReplicatedPriorityQueue<Long, String, BookOrder> book) {
        this.balances = balances;
        this.book = book;
    }

    /**
     * Every balance, as this node has them.
     *
     * @param atLeast a version to wait for first (0: none)
     * @return the balances, with the version and this node's role
     */
    @GetMapping("/balances")
    public CompletableFuture<Balances> balances(@RequestParam(defaultValue = "0") long atLeast) {
        return reached(balances, atLeast).thenApply(version -> new Balances(balances.asMap(),
                balances.version().index(), role(balances)));
    }

    /**
     * One balance.
     *
     * @param account the account
     * @param atLeast a version to wait for first (0: none)
     * @return its balance
     */
    @GetMapping("/balances/{account}")
    public CompletableFuture<Long> balance(@PathVariable String account, @RequestParam(defaultValue = "0") long atLeast) {
        return reached(balances, atLeast).thenApply(version -> balances.get(account).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.NOT_FOUND, "no balance for account " + account)));
    }

    /**
     * Sets a balance (on a writer node).
     *
     * @param account the account
     * @param amount  its new balance
     * @return the write's version
     */
    @PutMapping("/balances/{account}")
    public CompletableFuture<Written> setBalance(@PathVariable String account, @RequestParam long amount) {
        ReplicatedMapWriter<String, Long> writer = writer(balances, ReplicatedMapWriter.class);
        return written(writer.put(account, amount));
    }

    /**
     * The order book, lowest price first.
     *
     * @param atLeast a version to wait for first (0: none)
     * @return its orders
     */
    @GetMapping("/book")
    public CompletableFuture<Book> book(@RequestParam(defaultValue = "0") long atLeast) {
        return reached(book, atLeast).thenApply(version -> new Book(book.ascending(), book.version().index(),
                role(book)));
    }

    /**
     * Adds an order to the book, or replaces the order with that id (on a writer node).
     *
     * @param id       the order id
     * @param price    its price, which ranks it
     * @param side     buy or sell
     * @param quantity how many units
     * @return the write's version
     */
    @PostMapping("/book")
    public CompletableFuture<Written> addOrder(@RequestParam String id, @RequestParam long price,
                                               @RequestParam String side, @RequestParam long quantity) {
        ReplicatedPriorityQueueWriter<Long, String, BookOrder> writer = writer(book, ReplicatedPriorityQueueWriter.class);
        return written(writer.insert(price, id, new BookOrder(side.strip().toLowerCase(Locale.ROOT), quantity)));
    }

    /**
     * Removes an order from the book (on a writer node).
     *
     * @param id the order id
     * @return the write's version
     */
    @DeleteMapping("/book/{id}")
    public CompletableFuture<Written> removeOrder(@PathVariable String id) {
        ReplicatedPriorityQueueWriter<Long, String, BookOrder> writer = writer(book, ReplicatedPriorityQueueWriter.class);
        return written(writer.remove(id));
    }

    private static CompletableFuture<Version> reached(ReplicatedCollection collection, long atLeast) {
        return collection.when().reaches(new Version(Math.max(0, atLeast))).orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static CompletableFuture<Written> written(CompletableFuture<Version> write) {
        return write.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).thenApply(version -> new Written(version.index()));
    }

    @SuppressWarnings("unchecked")
    private static <W> W writer(ReplicatedCollection collection, Class<?> writerType) {
        if (!writerType.isInstance(collection)) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "this node only reads " + collection.storeId()
                    .displayName() + " (its role is reader); write through a writer node");
        }
        return (W) collection;
    }

    private static String role(ReplicatedCollection collection) {
        return collection.role().name().toLowerCase(Locale.ROOT);
    }

    /** The collection is offline here: nothing was written, try again. */
    @ExceptionHandler(CollectionOfflineException.class)
    ProblemDetail offline(CollectionOfflineException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    /** No answer in time. */
    @ExceptionHandler(TimeoutException.class)
    ProblemDetail timeout(TimeoutException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.GATEWAY_TIMEOUT,
                "no answer within " + TIMEOUT_SECONDS + " s; a write may still have been applied: read before retrying");
    }

    /**
     * The answer of a write.
     *
     * @param version the version of the collection that holds it; pass it as {@code atLeast} to a read on
     *                another node to see it there
     */
    public record Written(long version) {
    }

    /**
     * The answer of {@code GET /balances}.
     *
     * @param balances every balance, by account
     * @param version  the version they are at
     * @param role     this node's role for the collection
     */
    public record Balances(Map<String, Long> balances, long version, String role) {
    }

    /**
     * The answer of {@code GET /book}.
     *
     * @param orders  every order, lowest price first
     * @param version the version they are at
     * @param role    this node's role for the collection
     */
    public record Book(List<PriorityEntry<Long, String, BookOrder>> orders, long version, String role) {
    }
}
