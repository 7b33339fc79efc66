/**
 * The OCI runtime contract: containers that outlive the process that created them, driven by
 * separate commands (create, start, state, kill, delete, ...) as runc offers them to podman and
 * containerd. State lives in a directory per container, written atomically, and each command holds
 * the container's lock while it works.
 */
package caixa.runtime.oci;
