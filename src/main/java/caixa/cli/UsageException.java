package caixa.cli;

import java.io.Serial;

/** Bad command-line input; reported as one line, exit status 125. */
final class UsageException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
