package caixa.spawn;

import caixa.bindings.linux_h;

import java.lang.foreign.MemorySegment;

/**
 * Loads the native trampoline shipped in the jar. The generated bindings resolve symbols through the
 * class loader's lookup, which sees libraries loaded with {@link System#load}: loading it here is
 * what makes {@code linux_h.caixa_spawn} callable.
 */
final class Trampoline {
    private Trampoline() {
    }

    static {
        System.load(NativeFiles.locate("libcaixa_trampoline.so").toString());
    }

    /** Clones and runs the program; the child's pid, or -errno when clone3 failed. */
    static long spawn(MemorySegment program) {
        return linux_h.caixa_spawn(program);
    }
}
