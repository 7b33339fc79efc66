package caixa.seccomp;

import caixa.bindings.linux_h;
import caixa.bindings.seccomp_data;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs a seccomp filter on a {@code struct seccomp_data}, as the kernel's classic BPF interpreter does
 * for the instructions the compiler emits, and checks what the kernel's checker checks: every jump
 * lands inside the program, and the program ends only with a {@code ret}. A program this accepts
 * with a wrong offset would give a wrong answer here, which is the point: tests compare its answers
 * with what the profile says.
 */
final class BpfInterpreter {
    private BpfInterpreter() {
    }

    /** The filter's return value for a call of {@code nr} with {@code args} under {@code auditArch}. */
    static int run(BpfProgram program, int auditArch, int nr, long... args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = seccomp_data.allocate(arena);
            seccomp_data.nr(data, nr);
            seccomp_data.arch(data, auditArch);
            for (int i = 0; i < args.length; i++) {
                seccomp_data.args(data, i, args[i]);
            }
            return run(program, data);
        }
    }

    static int run(BpfProgram program, MemorySegment data) {
        List<BpfProgram.Instruction> instructions = program.instructions();
        int accumulator = 0;
        int pc = 0;
        for (int steps = 0; steps <= instructions.size(); steps++) {
            if (pc < 0 || pc >= instructions.size()) {
                throw new AssertionError("control leaves the program at " + pc);
            }
            BpfProgram.Instruction instruction = instructions.get(pc);
            int code = instruction.code();
            int k = instruction.k();
            pc++;
            if (code == (linux_h.BPF_LD() | linux_h.BPF_W() | linux_h.BPF_ABS())) {
                if (k < 0 || k % 4 != 0 || k + 4 > seccomp_data.sizeof()) {
                    throw new AssertionError("load outside seccomp_data: " + k);
                }
                accumulator = data.get(JAVA_INT, k);
            } else if (code == (linux_h.BPF_ALU() | linux_h.BPF_AND() | linux_h.BPF_K())) {
                accumulator &= k;
            } else if (code == (linux_h.BPF_RET() | linux_h.BPF_K())) {
                return k;
            } else if (code == (linux_h.BPF_JMP() | linux_h.BPF_JA())) {
                pc += k;
            } else if ((code & 0x07) == linux_h.BPF_JMP() && (code & 0x08) == linux_h.BPF_K()) {
                int operation = code & 0xF0;
                boolean taken;
                if (operation == linux_h.BPF_JEQ()) {
                    taken = accumulator == k;
                } else if (operation == linux_h.BPF_JGT()) {
                    taken = Integer.compareUnsigned(accumulator, k) > 0;
                } else if (operation == linux_h.BPF_JGE()) {
                    taken = Integer.compareUnsigned(accumulator, k) >= 0;
                } else if (operation == linux_h.BPF_JSET()) {
                    taken = (accumulator & k) != 0;
                } else {
                    throw new AssertionError("unknown jump " + Integer.toHexString(code));
                }
                pc += taken ? instruction.jt() : instruction.jf();
            } else {
                throw new AssertionError("unexpected instruction " + Integer.toHexString(code) + " at " + (pc - 1));
            }
        }
        throw new AssertionError("no ret reached: a loop, which BPF cannot have");
    }

    /** Checks each jump's targets are inside the program, and that the last instruction is a ret, as the kernel does. */
    static void check(BpfProgram program) {
        List<BpfProgram.Instruction> instructions = program.instructions();
        for (int i = 0; i < instructions.size(); i++) {
            BpfProgram.Instruction instruction = instructions.get(i);
            int code = instruction.code();
            if (code == (linux_h.BPF_JMP() | linux_h.BPF_JA())) {
                if (Integer.toUnsignedLong(instruction.k()) >= instructions.size() - i - 1) {
                    throw new AssertionError("ja out of the program at " + i);
                }
            } else if ((code & 0x07) == linux_h.BPF_JMP()) {
                if (i + 1 + Math.max(instruction.jt(), instruction.jf()) >= instructions.size()) {
                    throw new AssertionError("jump out of the program at " + i);
                }
            }
        }
        int lastCode = instructions.getLast().code();
        if (lastCode != (linux_h.BPF_RET() | linux_h.BPF_K())) {
            throw new AssertionError("the program does not end with ret");
        }
    }
}
