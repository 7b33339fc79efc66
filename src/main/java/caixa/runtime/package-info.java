/**
 * Containers as a Java program uses them: a {@link caixa.runtime.ContainerSpec} says what to run and
 * how it is isolated, {@link caixa.runtime.Container#start} plans the child program from it and
 * starts it, and the returned {@link caixa.runtime.Container} is a handle to wait for or signal.
 *
 * <pre>{@code
 * ContainerSpec spec = ContainerSpec.builder(Path.of("/var/lib/caixa/rootfs/busybox"), "hostname")
 *         .hostname("box")
 *         .build();
 * try (Container box = Container.start(spec)) {
 *     System.out.println(box.waitFor());   // exited with 0
 * }
 * }</pre>
 */
package caixa.runtime;
