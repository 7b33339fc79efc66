/**
 * Starting a process from a plan. Java describes the child as data ({@link caixa.spawn.ChildProgram}:
 * raw system calls with every argument already in native memory) and the native trampoline clones
 * and replays it; no Java code runs in the child, because a copy of a multi-threaded JVM can deadlock
 * on locks and safepoints held by threads that do not exist in the copy.
 */
package caixa.spawn;
