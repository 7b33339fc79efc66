package caixa.spec;

import caixa.spec.json.JsonObjectNode;

/** process.consoleSize: the terminal's size in characters, for the pty the lifecycle allocates. */
public record ConsoleSize(int height, int width) {
    static ConsoleSize read(JsonObjectNode size) {
        // uint in the spec; a winsize holds unsigned shorts, so larger values mean nothing.
        return new ConsoleSize(size.requireInt("height", 0, 65535), size.requireInt("width", 0, 65535));
    }
}
