package io.mosaik.sample;

import io.mosaik.groups.CommandOutcomeUnknownException;
import io.mosaik.groups.CommandOverwrittenException;
import io.mosaik.groups.CommandRejectedException;
import io.mosaik.groups.Consistency;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupClosedException;
import io.mosaik.groups.NoLeaderException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The replicated counter over HTTP, on every node: {@code POST /counter/add?delta=N} runs the command
 * through the {@code counter} group (a follower forwards it to the leader) and {@code GET /counter}
 * reads this node's replica, linearizably by default.
 *
 * <p>Failures keep the group's meaning: 503 when no leader took the command (it was not applied; retry),
 * 409 when the leader lost it to another entry (not applied; retry), 504 when the outcome is unknown (it
 * may have been applied: read before retrying), 422 when the counter refused it (an overflow).
 */
@RestController
public class CounterController {

    private static final long TIMEOUT_SECONDS = 10;

    private final Group<CounterMachine.Add, CounterMachine.Read, Long> counter;

    /**
     * Creates the controller.
     *
     * @param counter the group declared as {@code mosaik.groups.counter}, injected by its generic type
     */
    public CounterController(Group<CounterMachine.Add, CounterMachine.Read, Long> counter) {
        this.counter = counter;
    }

    /**
     * Adds to the counter.
     *
     * @param delta how much to add (may be negative)
     * @return the value after this command, and where it committed
     */
    @PostMapping("/counter/add")
    public CompletableFuture<Added> add(@RequestParam long delta) {
        return counter.execute(new CounterMachine.Add(delta)).orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .thenApply(committed -> new Added(committed.result(), committed.term(), committed.index()));
    }

    /**
     * Reads the counter.
     *
     * @param consistency {@code strong} (the default: reflects every add that completed before, on any
     *                    node) or {@code weak} (this node's replica as it is, possibly behind)
     * @return the value
     */
    @GetMapping("/counter")
    public CompletableFuture<Value> value(@RequestParam(defaultValue = "strong") String consistency) {
        Consistency level = switch (consistency.strip().toLowerCase(Locale.ROOT)) {
            case "strong" -> Consistency.STRONG;
            case "weak" -> Consistency.WEAK;
            default -> throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "consistency must be strong or weak, not '" + consistency + "'");
        };
        return counter.query(CounterMachine.Read.VALUE, level).orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .thenApply(value -> new Value(value, level.name().toLowerCase(Locale.ROOT)));
    }

    /** No leader took the request: nothing happened, try again. */
    @ExceptionHandler({NoLeaderException.class, GroupClosedException.class})
    ProblemDetail unavailable(RuntimeException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    /** Another entry took the command's place: it was not applied, try again. */
    @ExceptionHandler(CommandOverwrittenException.class)
    ProblemDetail overwritten(CommandOverwrittenException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    /** The counter refused the command on every node (an overflow); the value is unchanged. */
    @ExceptionHandler(CommandRejectedException.class)
    ProblemDetail rejected(CommandRejectedException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }

    /** No answer in time: the command may or may not have been applied. */
    @ExceptionHandler({CommandOutcomeUnknownException.class, TimeoutException.class})
    ProblemDetail unknown(Exception e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.GATEWAY_TIMEOUT,
                "no answer in time; the command may have been applied, read the counter before retrying ("
                        + e.getMessage() + ")");
    }

    /**
     * The answer of {@code POST /counter/add}.
     *
     * @param value the counter after the command
     * @param term  the term of the command's log entry
     * @param index the index of the command's log entry
     */
    public record Added(long value, long term, long index) {
    }

    /**
     * The answer of {@code GET /counter}.
     *
     * @param value       the counter
     * @param consistency how it was read, {@code strong} or {@code weak}
     */
    public record Value(long value, String consistency) {
    }
}
