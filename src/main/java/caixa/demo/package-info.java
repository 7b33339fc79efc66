/** The walkthrough that inspired caixa (unshare, chroot, mounts, a user namespace), replayed with the library. */
package caixa.demo;
