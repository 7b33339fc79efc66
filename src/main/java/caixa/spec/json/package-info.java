/**
 * JSON for the OCI runtime: a strict RFC 8259 parser, a value model, a writer, and a reader layer
 * whose errors name the JSON path ({@code config.json: process.args: must be a non-empty array}).
 * No dependencies.
 *
 * <pre>{@code
 * JsonObjectNode config = JsonNode.parse("config.json", Files.readAllBytes(bundle.resolve("config.json"))).asObject();
 * JsonObjectNode process = config.requireObject("process");
 * List<String> args = process.requireNonEmptyStringList("args");
 * Optional<String> hostname = config.optionalString("hostname");
 * for (JsonObjectNode mount : config.optionalObjectList("mounts")) {
 *     String destination = mount.requireString("destination");   // errors name mounts[2].destination
 * }
 * }</pre>
 *
 * <h2>What the parser accepts</h2>
 * Exactly RFC 8259's grammar, with these decisions where the RFC leaves room (they are the
 * JSONTestSuite's {@code i_} cases, and a few of its {@code y_} ones):
 * <ul>
 * <li><b>Duplicate keys are refused</b>, naming the key. The RFC only says names SHOULD be unique and
 *     that software behaves unpredictably otherwise; Go's decoder (runc's) keeps the last value,
 *     other parsers the first. I-JSON (RFC 7493) forbids them, and a runtime should not guess which
 *     {@code "root"} was meant. This is the one place the parser refuses texts the grammar
 *     allows ({@code y_object_duplicated_key*}).
 * <li><b>Lone surrogates are refused</b>, escaped ({@code "\uD800"}) or not, as I-JSON requires: a
 *     string must encode to UTF-8 to reach the kernel as a path or an argument, and a lone
 *     surrogate cannot. A pair must be written as two escapes, high then low.
 * <li><b>Input must be UTF-8</b>, decoded strictly by {@link Json#parse(byte[])}: invalid, overlong,
 *     truncated and surrogate-encoding sequences and code points above U+10FFFF are errors, and so
 *     is UTF-16 with or without a BOM (RFC 8259 section 8.1 requires UTF-8 between systems).
 *     Noncharacters such as U+FFFF are accepted: they are valid Unicode scalar values.
 * <li><b>A byte order mark is refused</b>: section 8.1 allows ignoring it, but runc refuses it too,
 *     and a config.json that works here should work there.
 * <li><b>Numbers of any size are accepted</b> and kept as their exact text; it is
 *     {@link JsonNumber}'s accessors that refuse a value their type cannot hold (a long, an int, a
 *     finite double) instead of rounding or saturating it.
 * <li><b>Nesting is limited to {@value Json#MAX_DEPTH} levels</b>, so 500 nested arrays parse and
 *     100,000 are an error, not a StackOverflowError.
 * </ul>
 * Syntax errors read {@code line L column C: reason}, the column counting code points from 1.
 */
package caixa.spec.json;
