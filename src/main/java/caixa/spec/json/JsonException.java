package caixa.spec.json;

import java.io.Serial;

/**
 * A JSON text that cannot be parsed ({@code line 3 column 7: ...}), a number that does not fit the
 * type asked for, or a document value that a reader refuses ({@code config.json: process.args: ...}).
 * The message is meant for the user as it is.
 */
public final class JsonException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
