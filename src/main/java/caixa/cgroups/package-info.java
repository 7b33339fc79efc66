/**
 * cgroups v2 (unified) and v1 (legacy, hybrid) behind one vocabulary: callers always speak v2 key
 * names ({@code cpu.max}, {@code memory.max}, {@code memory.peak}, ...), and a controller that lives in
 * a v1 hierarchy on this host has them translated ({@link caixa.cgroups.V1Translation}). The host's
 * layout is detected as runc does ({@link caixa.cgroups.CgroupLayout}); on a hybrid host each
 * controller is used where it is mounted. Every read and write goes through FFM openat/read/write on
 * the cgroup's directory descriptor.
 */
package caixa.cgroups;
