/**
 * The parent's system calls: thin wrappers over the generated {@code caixa.bindings} that capture
 * {@code errno} ({@link java.lang.foreign.Linker.Option#captureCallState}) and turn a failure into a
 * {@link caixa.linux.SyscallException} naming the call, its subject and the error. jextract does not
 * capture errno, so this layer builds its own downcall handles from the generated addresses and
 * descriptors instead of editing generated code.
 */
package caixa.linux;
