package caixa.spec;

import caixa.capabilities.Capability;
import caixa.capabilities.CapabilitySet;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.util.List;
import java.util.regex.Pattern;

/**
 * process.capabilities: the five capability sets, each a list of names such as {@code CAP_KILL}.
 * An absent set (or an absent capabilities object) is empty, which the spec means as "none".
 *
 * <p>Names are checked for their form when read, and must name a capability caixa knows when the
 * sets are made ({@link #toSet}).
 */
public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
                           List<String> permitted, List<String> ambient) {
    public static final Capabilities NONE = new Capabilities(List.of(), List.of(), List.of(), List.of(), List.of());

    private static final Pattern NAME = Pattern.compile("CAP_[A-Z0-9_]+");

    public Capabilities {
        bounding = List.copyOf(bounding);
        effective = List.copyOf(effective);
        inheritable = List.copyOf(inheritable);
        permitted = List.copyOf(permitted);
        ambient = List.copyOf(ambient);
    }

    static Capabilities read(JsonObjectNode capabilities) {
        return new Capabilities(set(capabilities, "bounding"), set(capabilities, "effective"),
                set(capabilities, "inheritable"), set(capabilities, "permitted"), set(capabilities, "ambient"));
    }

    private static List<String> set(JsonObjectNode capabilities, String name) {
        return capabilities.optional(name).map(JsonNode::asArray).orElse(List.of()).stream()
                .map(Capabilities::name)
                .toList();
    }

    private static String name(JsonNode node) {
        String name = node.asString();
        if (!NAME.matcher(name).matches()) {
            throw node.error("must be a capability name such as CAP_KILL, not \"" + name + "\"");
        }
        return name;
    }

    /** The capability sets these names make; names the runtime does not know are an error. */
    public CapabilitySet toSet() {
        return new CapabilitySet(parse(bounding), parse(effective), parse(permitted), parse(inheritable), parse(ambient));
    }

    private static java.util.Set<Capability> parse(List<String> names) {
        java.util.Set<Capability> set = java.util.EnumSet.noneOf(Capability.class);
        for (String name : names) {
            try {
                set.add(Capability.parse(name));
            } catch (IllegalArgumentException e) {
                throw new caixa.spec.json.JsonException("config.json: process.capabilities: " + e.getMessage());
            }
        }
        return set;
    }
}
