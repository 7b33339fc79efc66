package caixa.cgroups;

import caixa.bindings.bpf_cgroup_dev_ctx;
import caixa.bindings.bpf_insn;
import caixa.bindings.linux_h;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) that does on cgroup v2 what devices.allow and
 * devices.deny do on v1, laid out as runc's device filter lays it out: the request is loaded into
 * registers once, then each rule is a block that jumps to the next block unless the request matches,
 * and returns 1 (allow) or 0 (deny) if it does; the last block returns the default.
 *
 * <p>Which rule decides: the rules after the last one for all devices ({@code a}, which sets the
 * default, as on v1; allow when there is none, as v1's root cgroup does), the later before the earlier.
 * An allow rule matches a request for access it wholly grants; a deny rule one for access it partly
 * denies. So later rules override earlier ones, which is what v1 does for the lists people write
 * (deny all, then allow some), though not in every corner: v1 removes an exception only when a later
 * rule names the very same devices.
 */
final class DeviceProgram {

    /**
     * One {@code struct bpf_insn}.
     *
     * @param code   the opcode: class, operation and source
     * @param dst    the destination register
     * @param src    the source register
     * @param offset a memory offset, or how many instructions a jump skips
     * @param imm    the immediate operand
     */
    record Instruction(int code, int dst, int src, int offset, int imm) {
        Instruction withOffset(int newOffset) {
            return new Instruction(code, dst, src, newOffset, imm);
        }
    }

    /** The program's license, which the kernel reads only to allow GPL-only helpers; it calls none. As runc's. */
    static final String LICENSE = "Apache";

    /** {@code access_type} is {@code (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*} (the header's comment). */
    private static final int ACCESS_SHIFT = 16;
    private static final int TYPE_MASK = (1 << ACCESS_SHIFT) - 1;

    // Registers: R1 holds the context on entry; R0 the result on exit. The request goes in R2..R5.
    private static final int CONTEXT = linux_h.BPF_REG_1();
    private static final int RESULT = linux_h.BPF_REG_0();
    private static final int TYPE = linux_h.BPF_REG_2();
    private static final int ACCESS = linux_h.BPF_REG_3();
    private static final int MAJOR = linux_h.BPF_REG_4();
    private static final int MINOR = linux_h.BPF_REG_5();
    /** Scratch for the access test; the context pointer is not needed once the request is loaded. */
    private static final int SCRATCH = linux_h.BPF_REG_1();

    // The few opcodes the program uses (32-bit ALU operations zero the upper half, as runc's do).
    static final int LOAD_WORD = linux_h.BPF_LDX() | linux_h.BPF_MEM() | linux_h.BPF_W();
    static final int AND_IMM = linux_h.BPF_ALU() | linux_h.BPF_AND() | linux_h.BPF_K();
    static final int SHIFT_RIGHT_IMM = linux_h.BPF_ALU() | linux_h.BPF_RSH() | linux_h.BPF_K();
    static final int MOVE_REG = linux_h.BPF_ALU() | linux_h.BPF_MOV() | linux_h.BPF_X();
    static final int MOVE_IMM = linux_h.BPF_ALU() | linux_h.BPF_MOV() | linux_h.BPF_K();
    static final int JUMP_NE_IMM = linux_h.BPF_JMP() | linux_h.BPF_JNE() | linux_h.BPF_K();
    static final int JUMP_NE_REG = linux_h.BPF_JMP() | linux_h.BPF_JNE() | linux_h.BPF_X();
    static final int JUMP_EQ_IMM = linux_h.BPF_JMP() | linux_h.BPF_JEQ() | linux_h.BPF_K();
    static final int EXIT = linux_h.BPF_JMP() | linux_h.BPF_EXIT();

    /**
     * The register byte follows the opcode: {@code __u8 dst_reg:4, src_reg:4}, a bitfield jextract leaves
     * out. C fills a bitfield from the low bits up on a little-endian machine, from the high bits down on
     * a big-endian one.
     */
    private static final long REGISTERS_OFFSET = bpf_insn.code$offset() + bpf_insn.code$layout().byteSize();
    private static final boolean DST_IN_LOW_NIBBLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final List<Instruction> instructions;

    private DeviceProgram(List<Instruction> instructions) {
        this.instructions = List.copyOf(instructions);
    }

    /** The program for {@code rules}, in the order cgroup v1 would apply them. */
    static DeviceProgram of(List<DeviceRule> rules) {
        int lastAll = -1;
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).type() == DeviceRule.Type.ALL) {
                lastAll = i;
            }
        }
        boolean defaultAllow = lastAll < 0 || rules.get(lastAll).allow();

        List<Instruction> program = new ArrayList<>();
        int accessType = (int) bpf_cgroup_dev_ctx.access_type$offset();
        program.add(new Instruction(LOAD_WORD, TYPE, CONTEXT, accessType, 0));
        program.add(new Instruction(AND_IMM, TYPE, 0, 0, TYPE_MASK));
        program.add(new Instruction(LOAD_WORD, ACCESS, CONTEXT, accessType, 0));
        program.add(new Instruction(SHIFT_RIGHT_IMM, ACCESS, 0, 0, ACCESS_SHIFT));
        program.add(new Instruction(LOAD_WORD, MAJOR, CONTEXT, (int) bpf_cgroup_dev_ctx.major$offset(), 0));
        program.add(new Instruction(LOAD_WORD, MINOR, CONTEXT, (int) bpf_cgroup_dev_ctx.minor$offset(), 0));
        for (int i = rules.size() - 1; i > lastAll; i--) {
            program.addAll(block(rules.get(i)));
        }
        program.add(new Instruction(MOVE_IMM, RESULT, 0, 0, defaultAllow ? 1 : 0));
        program.add(new Instruction(EXIT, 0, 0, 0, 0));
        return new DeviceProgram(program);
    }

    /** One rule: tests that skip to the next block when the request does not match, then the verdict. */
    private static List<Instruction> block(DeviceRule rule) {
        List<Instruction> block = new ArrayList<>();
        List<Integer> skips = new ArrayList<>(); // jumps to the next block: their offsets are known at the end
        int type = rule.type() == DeviceRule.Type.CHAR ? linux_h.BPF_DEVCG_DEV_CHAR() : linux_h.BPF_DEVCG_DEV_BLOCK();
        skip(block, skips, new Instruction(JUMP_NE_IMM, TYPE, 0, 0, type));
        int access = accessBits(rule.access());
        if (access != accessBits("rwm")) {
            block.add(new Instruction(MOVE_REG, SCRATCH, ACCESS, 0, 0));
            block.add(new Instruction(AND_IMM, SCRATCH, 0, 0, access));
            skip(block, skips, rule.allow()
                    ? new Instruction(JUMP_NE_REG, SCRATCH, ACCESS, 0, 0)  // some requested access is not granted
                    : new Instruction(JUMP_EQ_IMM, SCRATCH, 0, 0, 0));     // no requested access is denied
        }
        if (rule.major() != DeviceRule.ANY) {
            skip(block, skips, new Instruction(JUMP_NE_IMM, MAJOR, 0, 0, (int) rule.major()));
        }
        if (rule.minor() != DeviceRule.ANY) {
            skip(block, skips, new Instruction(JUMP_NE_IMM, MINOR, 0, 0, (int) rule.minor()));
        }
        block.add(new Instruction(MOVE_IMM, RESULT, 0, 0, rule.allow() ? 1 : 0));
        block.add(new Instruction(EXIT, 0, 0, 0, 0));
        for (int index : skips) {
            // A jump's offset counts from the instruction after it: to the first one past this block.
            block.set(index, block.get(index).withOffset(block.size() - index - 1));
        }
        return block;
    }

    private static void skip(List<Instruction> block, List<Integer> skips, Instruction jump) {
        skips.add(block.size());
        block.add(jump);
    }

    /** BPF_DEVCG_ACC_* bits for {@code rwm} letters. */
    static int accessBits(String access) {
        int bits = 0;
        for (char letter : access.toCharArray()) {
            bits |= switch (letter) {
                case 'r' -> linux_h.BPF_DEVCG_ACC_READ();
                case 'w' -> linux_h.BPF_DEVCG_ACC_WRITE();
                case 'm' -> linux_h.BPF_DEVCG_ACC_MKNOD();
                default -> throw new IllegalArgumentException("device access '" + access + "'");
            };
        }
        return bits;
    }

    List<Instruction> instructions() {
        return instructions;
    }

    int length() {
        return instructions.size();
    }

    /** The program as the kernel takes it: an array of {@code struct bpf_insn}. */
    MemorySegment encode(SegmentAllocator allocator) {
        MemorySegment array = bpf_insn.allocateArray(instructions.size(), allocator);
        for (int i = 0; i < instructions.size(); i++) {
            Instruction instruction = instructions.get(i);
            MemorySegment slot = bpf_insn.asSlice(array, i);
            bpf_insn.code(slot, (byte) instruction.code());
            int registers = DST_IN_LOW_NIBBLE
                    ? instruction.dst() | instruction.src() << 4
                    : instruction.dst() << 4 | instruction.src();
            slot.set(JAVA_BYTE, REGISTERS_OFFSET, (byte) registers);
            bpf_insn.off(slot, (short) instruction.offset());
            bpf_insn.imm(slot, instruction.imm());
        }
        return array;
    }
}
