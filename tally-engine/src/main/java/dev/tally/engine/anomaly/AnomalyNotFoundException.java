package dev.tally.engine.anomaly;

/** No anomaly with that id in the tenant. */
public final class AnomalyNotFoundException extends RuntimeException {
    public AnomalyNotFoundException(String id) {
        super("no anomaly '" + id + "'");
    }
}
