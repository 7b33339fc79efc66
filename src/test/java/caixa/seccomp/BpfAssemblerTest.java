package caixa.seccomp;

import caixa.bindings.linux_h;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Labels become jump offsets, and a target beyond a conditional jump's 255 instructions gets a long jump. */
class BpfAssemblerTest {
    private static final int JA = linux_h.BPF_JMP() | linux_h.BPF_JA();
    private static final int JEQ = linux_h.BPF_JMP() | linux_h.BPF_JEQ() | linux_h.BPF_K();

    /** jeq 7 → FAR, else NEAR, with {@code gap} instructions between the jump and FAR. */
    private static BpfProgram farAndNear(int gap) {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label far = asm.label();
        BpfAssembler.Label near = asm.label();
        asm.loadWord(0);
        asm.jump(linux_h.BPF_JEQ(), 7, far, near);
        asm.bind(near);
        asm.ret(1);
        for (int i = 1; i < gap; i++) {
            asm.ret(100 + i);
        }
        asm.bind(far);
        asm.ret(2);
        return asm.assemble();
    }

    @Test
    void aTargetWithinReachIsAShortJump() {
        BpfProgram program = farAndNear(255);

        assertEquals(new BpfProgram.Instruction(JEQ, 255, 0, 7), program.instructions().get(1));
        assertEquals(2, BpfInterpreter.run(program, 0, 7));
        assertEquals(1, BpfInterpreter.run(program, 0, 8));
    }

    @Test
    void aTargetOutOfReachGoesThroughALongJump() {
        BpfProgram program = farAndNear(256);

        // jeq #7, +0 (the ja), +1 (over the ja); ja over the near ret and the gap.
        assertEquals(new BpfProgram.Instruction(JEQ, 0, 1, 7), program.instructions().get(1));
        assertEquals(new BpfProgram.Instruction(JA, 0, 0, 256), program.instructions().get(2));
        BpfInterpreter.check(program);
        assertEquals(2, BpfInterpreter.run(program, 0, 7));
        assertEquals(1, BpfInterpreter.run(program, 0, 8));
    }

    @Test
    void bothTargetsOutOfReach() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label whenTrue = asm.label();
        BpfAssembler.Label whenFalse = asm.label();
        asm.loadWord(0);
        asm.jump(linux_h.BPF_JEQ(), 7, whenTrue, whenFalse);
        for (int i = 0; i < 300; i++) {
            asm.ret(100 + i);
        }
        asm.bind(whenFalse);
        asm.ret(1);
        for (int i = 0; i < 300; i++) {
            asm.ret(1000 + i);
        }
        asm.bind(whenTrue);
        asm.ret(2);
        BpfProgram program = asm.assemble();

        assertEquals(new BpfProgram.Instruction(JEQ, 0, 1, 7), program.instructions().get(1));
        assertEquals(JA, program.instructions().get(2).code());
        assertEquals(JA, program.instructions().get(3).code());
        BpfInterpreter.check(program);
        assertEquals(2, BpfInterpreter.run(program, 0, 7));
        assertEquals(1, BpfInterpreter.run(program, 0, 8));
    }

    /**
     * Twenty jumps, each with its target exactly 255 instructions ahead, except the last one's at 256.
     * The last one's long jump lies within every other jump's reach and pushes its target one further:
     * a single pass over the program would leave those nineteen pointing one instruction short.
     */
    @Test
    void aLongJumpThatPushesOthersOutOfReachIsFollowedThrough() {
        BpfAssembler asm = new BpfAssembler();
        int jumps = 20;
        BpfAssembler.Label[] targets = new BpfAssembler.Label[jumps];
        asm.loadWord(0);
        for (int i = 0; i < jumps; i++) {
            targets[i] = asm.label();
            BpfAssembler.Label next = asm.label();
            asm.jump(linux_h.BPF_JEQ(), i, targets[i], next);
            asm.bind(next);
        }
        // The jumps sit at 1 to 20; jump i's target at 257 + i, except the last one's, at 277.
        asm.ret(-1);
        for (int position = 22; position < 257; position++) {
            asm.ret(-2);
        }
        for (int i = 0; i < jumps - 1; i++) {
            asm.bind(targets[i]);
            asm.ret(i);
        }
        asm.ret(-3);
        asm.bind(targets[jumps - 1]);
        asm.ret(jumps - 1);
        BpfProgram program = asm.assemble();

        BpfInterpreter.check(program);
        for (int i = 0; i < jumps; i++) {
            assertEquals(i, BpfInterpreter.run(program, 0, i), "value " + i);
        }
        assertEquals(-1, BpfInterpreter.run(program, 0, jumps));
        assertEquals(jumps, program.instructions().stream().filter(instruction -> instruction.code() == JA).count());
    }

    @Test
    void jumpsGoForwardOnly() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label back = asm.label();
        asm.bind(back);
        asm.loadWord(0);
        asm.jumpTo(back);

        assertThrows(IllegalStateException.class, asm::assemble);
    }

    @Test
    void aLabelNeverBoundIsAnError() {
        BpfAssembler asm = new BpfAssembler();
        asm.jumpTo(asm.label());

        assertThrows(IllegalStateException.class, asm::assemble);
    }

    @Test
    void aProgramLongerThanTheKernelTakesIsRefused() {
        BpfAssembler asm = new BpfAssembler();
        for (int i = 0; i <= linux_h.BPF_MAXINSNS(); i++) {
            asm.ret(0);
        }

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, asm::assemble);
        assertTrue(e.getMessage().contains("4097"), e.getMessage());
    }
}
