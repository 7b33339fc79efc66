package caixa.spec;

import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

/**
 * Checks linux.seccomp's shape, so that a malformed filter fails at create as it would with runc.
 * Names (actions, architectures, operators) are checked when {@code caixa.seccomp} compiles the
 * filter, at {@link OciBundle#toSpec}.
 */
final class Seccomp {
    /** A syscall has six arguments. */
    private static final int MAX_ARG_INDEX = 5;

    private Seccomp() {
    }

    static JsonObjectNode check(JsonObjectNode seccomp) {
        seccomp.requireString("defaultAction");
        seccomp.optionalLong("defaultErrnoRet", 0, Values.UINT32_MAX);
        seccomp.optionalStringList("architectures");
        seccomp.optionalStringList("flags");
        seccomp.optionalString("listenerPath");
        seccomp.optionalString("listenerMetadata");
        for (JsonObjectNode rule : seccomp.optionalObjectList("syscalls")) {
            rule.requireNonEmptyStringList("names");
            rule.requireString("action");
            rule.optionalLong("errnoRet", 0, Values.UINT32_MAX);
            for (JsonObjectNode arg : rule.optionalObjectList("args")) {
                arg.requireInt("index", 0, MAX_ARG_INDEX);
                arg.required("value").asUint64();
                arg.optional("valueTwo").ifPresent(JsonNode::asUint64);
                arg.requireString("op");
            }
        }
        return seccomp;
    }
}
