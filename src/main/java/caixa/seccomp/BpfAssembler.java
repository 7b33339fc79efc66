package caixa.seccomp;

import caixa.bindings.linux_h;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a classic BPF program with labels for jump targets, and resolves them into the 8-bit
 * offsets of {@code struct sock_filter}.
 *
 * <p>A conditional jump reaches at most 255 instructions ahead. When a target is farther, the jump
 * goes to an unconditional {@code ja} placed right after it, whose 32-bit offset reaches anywhere:
 * <pre>
 *   jeq #k, FAR, NEAR        becomes      jeq #k, +0, NEAR
 *                                          ja FAR
 * </pre>
 * Each such {@code ja} moves what follows one instruction further, which can push another jump out of
 * reach, so offsets are computed again until none changes. Targets only ever grow farther, so this
 * ends, after a few rounds.
 */
final class BpfAssembler {
    /** How far ahead a conditional jump reaches. */
    static final int MAX_SHORT_JUMP = 0xFF;

    /** A jump target, bound to the position of the next instruction emitted after {@link #bind}. */
    static final class Label {
        private boolean bound;
        private int position;
    }

    private sealed interface Node permits Statement, Branch, Goto, Binding {
    }

    /** An instruction without a target. */
    private record Statement(int code, int k) implements Node {
    }

    /** A conditional jump, with the long jumps it needed so far. */
    private static final class Branch implements Node {
        final int code;
        final int k;
        final Label whenTrue;
        final Label whenFalse;
        boolean trueIsFar;
        boolean falseIsFar;

        Branch(int code, int k, Label whenTrue, Label whenFalse) {
            this.code = code;
            this.k = k;
            this.whenTrue = whenTrue;
            this.whenFalse = whenFalse;
        }

        int size() {
            return 1 + (trueIsFar ? 1 : 0) + (falseIsFar ? 1 : 0);
        }
    }

    private record Goto(Label target) implements Node {
    }

    private record Binding(Label label) implements Node {
    }

    private final List<Node> nodes = new ArrayList<>();

    Label label() {
        return new Label();
    }

    /** The next instruction is {@code label}'s target. */
    void bind(Label label) {
        if (label.bound) {
            throw new IllegalStateException("label bound twice");
        }
        label.bound = true;
        nodes.add(new Binding(label));
    }

    /** A = the 32-bit word at {@code offset} of the packet ({@code struct seccomp_data}, for seccomp). */
    void loadWord(long offset) {
        nodes.add(new Statement(linux_h.BPF_LD() | linux_h.BPF_W() | linux_h.BPF_ABS(), Math.toIntExact(offset)));
    }

    /** A &= {@code mask}. */
    void and(int mask) {
        nodes.add(new Statement(linux_h.BPF_ALU() | linux_h.BPF_AND() | linux_h.BPF_K(), mask));
    }

    /** Ends the program with {@code value}. */
    void ret(int value) {
        nodes.add(new Statement(linux_h.BPF_RET() | linux_h.BPF_K(), value));
    }

    /**
     * Goes to {@code whenTrue} if A compares with {@code k} by {@code operation} (BPF_JEQ, BPF_JGT,
     * BPF_JGE: unsigned; BPF_JSET: A & k != 0), else to {@code whenFalse}. Both must be bound later.
     */
    void jump(int operation, int k, Label whenTrue, Label whenFalse) {
        nodes.add(new Branch(linux_h.BPF_JMP() | operation | linux_h.BPF_K(), k, whenTrue, whenFalse));
    }

    /** Goes to {@code target}, however far. */
    void jumpTo(Label target) {
        nodes.add(new Goto(target));
    }

    BpfProgram assemble() {
        while (layOut()) {
            // a jump was out of reach: lay out again with its long jump
        }
        List<BpfProgram.Instruction> instructions = new ArrayList<>();
        for (Node node : nodes) {
            int position = instructions.size();
            switch (node) {
                case Statement statement -> instructions.add(new BpfProgram.Instruction(statement.code(), 0, 0, statement.k()));
                case Goto jump -> instructions.add(longJump(position, jump.target()));
                case Branch branch -> {
                    int next = position + 1;
                    int jt = branch.trueIsFar ? 0 : distance(next, branch.whenTrue);
                    int jf = branch.falseIsFar ? (branch.trueIsFar ? 1 : 0) : distance(next, branch.whenFalse);
                    instructions.add(new BpfProgram.Instruction(branch.code, jt, jf, branch.k));
                    if (branch.trueIsFar) {
                        instructions.add(longJump(instructions.size(), branch.whenTrue));
                    }
                    if (branch.falseIsFar) {
                        instructions.add(longJump(instructions.size(), branch.whenFalse));
                    }
                }
                case Binding ignored -> {
                }
            }
        }
        return new BpfProgram(instructions);
    }

    /** Places every label; true if some conditional jump turned out to need a long jump. */
    private boolean layOut() {
        int position = 0;
        for (Node node : nodes) {
            switch (node) {
                case Binding binding -> binding.label().position = position;
                case Branch branch -> position += branch.size();
                case Statement ignored -> position++;
                case Goto ignored -> position++;
            }
        }
        boolean changed = false;
        position = 0;
        for (Node node : nodes) {
            if (node instanceof Branch branch) {
                // Measured against the labels as placed above: a long jump added now moves them next round.
                int next = position + 1;
                position += branch.size();
                if (!branch.trueIsFar && distance(next, branch.whenTrue) > MAX_SHORT_JUMP) {
                    branch.trueIsFar = true;
                    changed = true;
                }
                if (!branch.falseIsFar && distance(next, branch.whenFalse) > MAX_SHORT_JUMP) {
                    branch.falseIsFar = true;
                    changed = true;
                }
            } else if (!(node instanceof Binding)) {
                position++;
            }
        }
        return changed;
    }

    private static BpfProgram.Instruction longJump(int position, Label target) {
        return new BpfProgram.Instruction(linux_h.BPF_JMP() | linux_h.BPF_JA(), 0, 0, distance(position + 1, target));
    }

    /** How many instructions a jump whose next instruction is at {@code next} skips to reach {@code target}. */
    private static int distance(int next, Label target) {
        if (!target.bound) {
            throw new IllegalStateException("jump to a label that is never bound");
        }
        if (target.position < next) {
            throw new IllegalStateException("BPF jumps only forward: " + next + " to " + target.position);
        }
        return target.position - next;
    }
}
