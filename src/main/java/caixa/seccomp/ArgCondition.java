package caixa.seccomp;

import java.util.Optional;

/**
 * A test of one system call argument, as libseccomp and OCI write it: the argument's full 64 bits
 * compared as an unsigned number with {@code value}, or, for {@link Op#MASKED_EQ}, masked with
 * {@code value} and compared with {@code valueTwo}.
 *
 * @param index    which argument, 0 to 5
 * @param op       the comparison
 * @param value    what the argument is compared with (the mask, for MASKED_EQ); unsigned
 * @param valueTwo what the masked argument must equal, for MASKED_EQ; unused by the other operators
 */
public record ArgCondition(int index, Op op, long value, long valueTwo) {
    /** A system call has six arguments. */
    public static final int MAX_INDEX = 5;

    public enum Op {
        NE("SCMP_CMP_NE"),
        LT("SCMP_CMP_LT"),
        LE("SCMP_CMP_LE"),
        EQ("SCMP_CMP_EQ"),
        GE("SCMP_CMP_GE"),
        GT("SCMP_CMP_GT"),
        /** {@code (argument & value) == valueTwo}. */
        MASKED_EQ("SCMP_CMP_MASKED_EQ");

        private final String ociName;

        Op(String ociName) {
            this.ociName = ociName;
        }

        public String ociName() {
            return ociName;
        }

        public static Optional<Op> fromOciName(String name) {
            for (Op op : values()) {
                if (op.ociName.equals(name)) {
                    return Optional.of(op);
                }
            }
            return Optional.empty();
        }
    }

    public ArgCondition {
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("argument index must be from 0 to " + MAX_INDEX + ", not " + index);
        }
        if (op == null) {
            throw new IllegalArgumentException("an argument condition needs an operator");
        }
    }

    public static ArgCondition eq(int index, long value) {
        return new ArgCondition(index, Op.EQ, value, 0);
    }

    public static ArgCondition ne(int index, long value) {
        return new ArgCondition(index, Op.NE, value, 0);
    }

    /** {@code (argument & mask) == value}. */
    public static ArgCondition maskedEq(int index, long mask, long value) {
        return new ArgCondition(index, Op.MASKED_EQ, mask, value);
    }

    /** Whether {@code argument} passes, as the filter decides it: the reference for its BPF. */
    public boolean test(long argument) {
        return switch (op) {
            case NE -> argument != value;
            case LT -> Long.compareUnsigned(argument, value) < 0;
            case LE -> Long.compareUnsigned(argument, value) <= 0;
            case EQ -> argument == value;
            case GE -> Long.compareUnsigned(argument, value) >= 0;
            case GT -> Long.compareUnsigned(argument, value) > 0;
            case MASKED_EQ -> (argument & value) == valueTwo;
        };
    }

    @Override
    public String toString() {
        String hex = Long.toUnsignedString(value, 16);
        return op == Op.MASKED_EQ
                ? "(arg" + index + " & 0x" + hex + ") == 0x" + Long.toUnsignedString(valueTwo, 16)
                : "arg" + index + " " + op.ociName() + " 0x" + hex;
    }
}
