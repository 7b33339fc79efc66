package caixa.cgroups;

import caixa.bindings.bpf_insn;
import caixa.bindings.linux_h;
import caixa.cgroups.DeviceProgram.Instruction;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static caixa.cgroups.DeviceRule.ANY;
import static caixa.cgroups.DeviceRule.Type.ALL;
import static caixa.cgroups.DeviceRule.Type.BLOCK;
import static caixa.cgroups.DeviceRule.Type.CHAR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device program's decisions, run by a small interpreter of the opcodes it uses (the kernel runs
 * it for real in {@link DeviceControllerTest}), and its encoding.
 */
class DeviceProgramTest {

    private static final int CHAR_DEVICE = linux_h.BPF_DEVCG_DEV_CHAR();
    private static final int BLOCK_DEVICE = linux_h.BPF_DEVCG_DEV_BLOCK();

    @Test
    void theDefaults() {
        DeviceProgram program = DeviceProgram.of(DeviceRules.defaults());
        assertTrue(allows(program, CHAR_DEVICE, 1, 3, "r"));
        assertTrue(allows(program, CHAR_DEVICE, 1, 3, "rw"));
        assertTrue(allows(program, CHAR_DEVICE, 1, 9, "r"));
        assertTrue(allows(program, CHAR_DEVICE, 136, 7, "rw"));
        assertTrue(allows(program, CHAR_DEVICE, 10, 200, "rw"));
        assertFalse(allows(program, CHAR_DEVICE, 1, 11, "r"), "/dev/kmsg");
        assertFalse(allows(program, CHAR_DEVICE, 5, 1, "rw"), "/dev/console");
        assertFalse(allows(program, CHAR_DEVICE, 1, 1, "r"), "/dev/mem");
        assertTrue(allows(program, CHAR_DEVICE, 1, 11, "m"), "mknod of a character node");
        assertFalse(allows(program, BLOCK_DEVICE, 8, 0, "m"), "mknod of a block node");
        assertFalse(allows(program, BLOCK_DEVICE, 8, 0, "r"), "a disk");
        assertFalse(allows(program, BLOCK_DEVICE, 1, 3, "r"), "a block device with /dev/null's numbers");
    }

    @Test
    void laterRulesOverrideEarlierOnes() {
        DeviceProgram program = DeviceProgram.of(List.of(DeviceRule.denyAll(),
                DeviceRule.allow(CHAR, 1, 3, "rwm"),
                DeviceRule.deny(CHAR, 1, 3, "w")));
        assertTrue(allows(program, CHAR_DEVICE, 1, 3, "r"));
        assertFalse(allows(program, CHAR_DEVICE, 1, 3, "w"));
        assertFalse(allows(program, CHAR_DEVICE, 1, 3, "rw"), "a deny rule refuses a request it partly covers");
        assertFalse(allows(program, CHAR_DEVICE, 1, 5, "r"));
    }

    @Test
    void anAllowRuleGrantsOnlyRequestsItWhollyCovers() {
        DeviceProgram program = DeviceProgram.of(List.of(DeviceRule.denyAll(), DeviceRule.allow(CHAR, 4, ANY, "r")));
        assertTrue(allows(program, CHAR_DEVICE, 4, 64, "r"));
        assertFalse(allows(program, CHAR_DEVICE, 4, 64, "rw"));
        assertFalse(allows(program, CHAR_DEVICE, 5, 64, "r"));
    }

    @Test
    void withoutARuleForAllDevicesTheDefaultIsAllow() {
        DeviceProgram program = DeviceProgram.of(List.of(DeviceRule.deny(CHAR, 1, 11, "r")));
        assertFalse(allows(program, CHAR_DEVICE, 1, 11, "r"));
        assertFalse(allows(program, CHAR_DEVICE, 1, 11, "rw"));
        assertTrue(allows(program, CHAR_DEVICE, 1, 11, "w"));
        assertTrue(allows(program, BLOCK_DEVICE, 1, 11, "r"));
    }

    @Test
    void aRuleForAllDevicesResetsWhatCameBefore() {
        DeviceProgram allowAll = DeviceProgram.of(DeviceRules.privileged());
        assertTrue(allows(allowAll, BLOCK_DEVICE, 8, 0, "rwm"));
        assertEquals(8, allowAll.length(), "the loads, then the default");

        DeviceProgram denyAll = DeviceProgram.of(List.of(DeviceRule.allow(CHAR, 1, 3, "rwm"), DeviceRule.denyAll()));
        assertFalse(allows(denyAll, CHAR_DEVICE, 1, 3, "r"));
        assertEquals(8, denyAll.length());
    }

    @Test
    void jumpsOnlyGoForwardToTheStartOfTheNextBlock() {
        List<Instruction> instructions = DeviceProgram.of(DeviceRules.defaults()).instructions();
        for (int pc = 0; pc < instructions.size(); pc++) {
            Instruction instruction = instructions.get(pc);
            if (isJump(instruction.code())) {
                int target = pc + 1 + instruction.offset();
                assertTrue(instruction.offset() >= 0 && target < instructions.size(), "jump at " + pc);
                assertEquals(DeviceProgram.EXIT, instructions.get(target - 1).code(),
                        "jump at " + pc + " lands right after an exit");
            }
        }
        assertEquals(DeviceProgram.EXIT, instructions.getLast().code());
    }

    @Test
    void encodesStructBpfInsnAsTheKernelReadsIt() {
        DeviceProgram program = DeviceProgram.of(DeviceRules.defaults());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment encoded = program.encode(arena);
            assertEquals(program.length() * 8L, encoded.byteSize());
            // r2 = *(u32 *)(r1 + 0): opcode 0x61, dst_reg 2 in the low nibble, src_reg 1 in the high one.
            assertEquals(List.of((byte) 0x61, (byte) 0x12, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0),
                    bytes(encoded.asSlice(0, 8)));
            // r2 &= 0xffff: opcode 0x54, dst_reg 2, imm 0xffff.
            MemorySegment second = bpf_insn.asSlice(encoded, 1);
            assertEquals(0x54, bpf_insn.code(second) & 0xff);
            assertEquals(0x02, second.get(JAVA_BYTE, 1));
            assertEquals(0xffff, bpf_insn.imm(second));
            // The last: exit, 0x95.
            assertEquals((byte) 0x95, bpf_insn.code(bpf_insn.asSlice(encoded, program.length() - 1)));
        }
    }

    private static List<Byte> bytes(MemorySegment segment) {
        byte[] array = segment.toArray(JAVA_BYTE);
        return java.util.stream.IntStream.range(0, array.length).mapToObj(i -> array[i]).toList();
    }

    private static boolean isJump(int code) {
        return code == DeviceProgram.JUMP_NE_IMM || code == DeviceProgram.JUMP_NE_REG
                || code == DeviceProgram.JUMP_EQ_IMM;
    }

    /** Runs the program on one request, as the kernel would: true when it returns 1. */
    private static boolean allows(DeviceProgram program, int type, int major, int minor, String access) {
        int[] context = {DeviceProgram.accessBits(access) << 16 | type, major, minor};
        long[] registers = new long[11];
        boolean contextInR1 = true;
        List<Instruction> instructions = program.instructions();
        for (int pc = 0, steps = 0; steps < 4096; pc++, steps++) {
            Instruction i = instructions.get(pc);
            int code = i.code();
            long imm = i.imm(); // sign-extended, as the kernel does for 64-bit comparisons
            if (code == DeviceProgram.LOAD_WORD) {
                assertTrue(contextInR1 && i.src() == linux_h.BPF_REG_1(), "loads only from the context");
                registers[i.dst()] = context[i.offset() / Integer.BYTES] & 0xffffffffL;
            } else if (code == DeviceProgram.AND_IMM) {
                registers[i.dst()] = registers[i.dst()] & imm & 0xffffffffL;
            } else if (code == DeviceProgram.SHIFT_RIGHT_IMM) {
                registers[i.dst()] = (registers[i.dst()] & 0xffffffffL) >>> imm;
            } else if (code == DeviceProgram.MOVE_REG) {
                registers[i.dst()] = registers[i.src()] & 0xffffffffL;
            } else if (code == DeviceProgram.MOVE_IMM) {
                registers[i.dst()] = imm & 0xffffffffL;
            } else if (code == DeviceProgram.JUMP_NE_IMM) {
                pc += registers[i.dst()] != imm ? i.offset() : 0;
            } else if (code == DeviceProgram.JUMP_NE_REG) {
                pc += registers[i.dst()] != registers[i.src()] ? i.offset() : 0;
            } else if (code == DeviceProgram.JUMP_EQ_IMM) {
                pc += registers[i.dst()] == imm ? i.offset() : 0;
            } else if (code == DeviceProgram.EXIT) {
                long result = registers[linux_h.BPF_REG_0()];
                assertTrue(result == 0 || result == 1, "returns 0 or 1");
                return result == 1;
            } else {
                throw new AssertionError("unexpected opcode " + code + " at " + pc);
            }
            if (i.dst() == linux_h.BPF_REG_1()) {
                contextInR1 = false;
            }
        }
        throw new AssertionError("the program did not exit");
    }
}
