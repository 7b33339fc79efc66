package caixa.seccomp;

import caixa.bindings.linux_h;
import caixa.bindings.sock_filter;
import caixa.bindings.sock_fprog;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A classic BPF program as the kernel takes it: {@code struct sock_filter} instructions, each an
 * opcode, two 8-bit forward jump offsets and a 32-bit operand. Built by {@link BpfAssembler}, which
 * resolves labels into offsets.
 *
 * @param instructions at least one, at most BPF_MAXINSNS
 */
public record BpfProgram(List<Instruction> instructions) {
    /**
     * One {@code struct sock_filter}.
     *
     * @param code the opcode: class, size, mode or operation, source (BPF_LD | BPF_W | BPF_ABS, ...)
     * @param jt   for a conditional jump, how many instructions to skip when the test holds (0 to 255)
     * @param jf   ... and when it does not
     * @param k    the operand: an offset, a constant, a return value, or the distance of a BPF_JA
     */
    public record Instruction(int code, int jt, int jf, int k) {
        public Instruction {
            if (code < 0 || code > 0xFFFF || jt < 0 || jt > 0xFF || jf < 0 || jf > 0xFF) {
                throw new IllegalArgumentException("not a sock_filter: code " + code + ", jt " + jt + ", jf " + jf);
            }
        }

        /** As {@code bpf_dbg} and {@code tcpdump -d} write it, with the jumps' targets given by {@code index}. */
        String disassemble(int index) {
            int instructionClass = code & 0x07;
            String operand = "#0x" + Integer.toHexString(k);
            if (code == (linux_h.BPF_LD() | linux_h.BPF_W() | linux_h.BPF_ABS())) {
                return "ld [" + Integer.toUnsignedString(k) + "]";
            }
            if (code == (linux_h.BPF_ALU() | linux_h.BPF_AND() | linux_h.BPF_K())) {
                return "and " + operand;
            }
            if (code == (linux_h.BPF_RET() | linux_h.BPF_K())) {
                return "ret " + operand;
            }
            if (code == (linux_h.BPF_JMP() | linux_h.BPF_JA())) {
                return "ja " + (index + 1 + Integer.toUnsignedLong(k));
            }
            if (instructionClass == linux_h.BPF_JMP() && (code & 0x08) == linux_h.BPF_K()) {
                int operation = code & 0xF0;
                String name = operation == linux_h.BPF_JEQ() ? "jeq"
                        : operation == linux_h.BPF_JGT() ? "jgt"
                        : operation == linux_h.BPF_JGE() ? "jge"
                        : operation == linux_h.BPF_JSET() ? "jset" : "jmp 0x" + Integer.toHexString(operation);
                return name + " " + operand + " jt " + (index + 1 + jt) + " jf " + (index + 1 + jf);
            }
            return "code 0x" + Integer.toHexString(code) + " jt " + jt + " jf " + jf + " k " + operand;
        }
    }

    public BpfProgram {
        instructions = List.copyOf(instructions);
        if (instructions.isEmpty() || instructions.size() > linux_h.BPF_MAXINSNS()) {
            throw new IllegalArgumentException("a BPF program has 1 to " + linux_h.BPF_MAXINSNS()
                    + " instructions, not " + instructions.size());
        }
    }

    public int length() {
        return instructions.size();
    }

    /**
     * The program as a {@code struct sock_fprog} in {@code arena}, pointing at its
     * {@code struct sock_filter[]} in the same arena: what seccomp(2) and SO_ATTACH_FILTER take. The
     * kernel copies the program when it installs it.
     */
    public MemorySegment toSockFprog(Arena arena) {
        MemorySegment filter = sock_filter.allocateArray(instructions.size(), arena);
        for (int i = 0; i < instructions.size(); i++) {
            Instruction instruction = instructions.get(i);
            MemorySegment entry = sock_filter.asSlice(filter, i);
            sock_filter.code(entry, (short) instruction.code());
            sock_filter.jt(entry, (byte) instruction.jt());
            sock_filter.jf(entry, (byte) instruction.jf());
            sock_filter.k(entry, instruction.k());
        }
        MemorySegment program = sock_fprog.allocate(arena);
        sock_fprog.len(program, (short) instructions.size());
        sock_fprog.filter(program, filter);
        return program;
    }

    /** One numbered line per instruction, jump targets as instruction numbers. */
    public String disassemble() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < instructions.size(); i++) {
            text.append(String.format("%04d: %s%n", i, instructions.get(i).disassemble(i)));
        }
        return text.toString();
    }
}
