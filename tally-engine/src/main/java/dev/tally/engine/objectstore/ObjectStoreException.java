package dev.tally.engine.objectstore;

/** An object store could not be read or written (I/O, network, refused credentials). */
public class ObjectStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public ObjectStoreException(String message) {
        super(message);
    }
}
