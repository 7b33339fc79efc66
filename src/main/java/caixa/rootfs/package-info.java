/**
 * The container's filesystem: the mounts that turn a directory into {@code /} (planned as steps of
 * the child program), and building the default busybox rootfs.
 */
package caixa.rootfs;
