package dev.tally.kafka.owned;

/** A question reached a worker that does not own the customer's partition (the caller asks the owner again). */
public final class NotOwnerException extends RuntimeException {
    public NotOwnerException(String worker, int partition) {
        super("worker " + worker + " does not own partition " + partition);
    }
}
