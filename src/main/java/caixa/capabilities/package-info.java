/**
 * Linux capabilities for a container's process: the names and numbers ({@link caixa.capabilities.Capability}),
 * the five sets a process carries ({@link caixa.capabilities.CapabilitySet}), docker's defaults and its
 * {@code --cap-add}/{@code --cap-drop}/{@code --privileged} ({@link caixa.capabilities.DockerDefaults}),
 * what this host's bounding set allows ({@link caixa.capabilities.HostCapabilities}), and the child
 * program's steps that set them all before execve ({@link caixa.capabilities.CapabilitySteps}).
 *
 * <p>A capability the host's bounding set lacks is never requested: it is taken out of every set
 * before any step is planned (a capset() naming it would fail with EPERM, and no process here can
 * have it anyway).
 */
package caixa.capabilities;
