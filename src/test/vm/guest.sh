#!/bin/bash
# The guest's second stage, PID 1 in the host's / (a read-only 9p share under a tmpfs overlay):
# mounts what a booted system has, cgroup2 as a systemd host mounts it with every controller handed
# to the root's children, then runs the chosen tests in one JVM and leaves the JUnit reports and
# the exit code in the results share. Powers off (qemu runs with -no-reboot) however it ends.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
RESULTS=/vm-results

say() {
    echo "cgroup2-vm guest: $*" > /dev/console
}

finish() {
    sync
    umount "$RESULTS" 2>/dev/null
    /bin/busybox reboot -f
}
trap finish EXIT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mkdir -p "$RESULTS"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results "$RESULTS" || { say "cannot mount the results share"; exit 1; }
exec >"$RESULTS/guest.log" 2>&1
# shellcheck source=/dev/null
source "$RESULTS/lane.env"
# Fresh /run and /tmp (the host's leases and temporary files stay out), unless the checkout is there.
for dir in /run /tmp; do
    case "$CAIXA_HOME/" in
        "$dir"/*) ;;
        *) mount -t tmpfs tmpfs "$dir" ;;
    esac
done

mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup || { say "cannot mount cgroup2"; exit 1; }
echo "+cpu +memory +pids +cpuset +io" > /sys/fs/cgroup/cgroup.subtree_control || { say "cannot enable controllers"; exit 1; }
hostname caixa-vm
ip link set lo up 2>/dev/null

# Like a login session under systemd, the tests run in a leaf cgroup of their own, not the root.
mkdir /sys/fs/cgroup/lane
echo $$ > /sys/fs/cgroup/lane/cgroup.procs

echo "kernel: $(uname -r); $(nproc) CPUs; $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
echo "cgroup2 root: controllers '$(cat /sys/fs/cgroup/cgroup.controllers)', subtree_control '$(cat /sys/fs/cgroup/cgroup.subtree_control)'"
echo "cgroup v1 hierarchies: $(awk '$3 == "cgroup"' /proc/mounts | wc -l)"

cd "$CAIXA_HOME" || exit 1
say "running the tests"
start=$(date +%s)
# shellcheck disable=SC2086  # TESTS is a list of selectors
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dbasedir="$CAIXA_HOME" -Dcaixa.jar="$BUILD/caixa.jar" \
    -cp "$JUNIT_CONSOLE:$BUILD/test-classes:$BUILD/classes" \
    org.junit.platform.console.ConsoleLauncher execute \
    --include-engine=junit-jupiter --disable-banner --disable-ansi-colors --details=testfeed --fail-if-no-tests \
    --reports-dir="$RESULTS/reports" $TESTS > "$RESULTS/junit.log" 2>&1
status=$?
echo "tests: exit code $status after $(( $(date +%s) - start )) s"
echo "$status" > "$RESULTS/exit-code"
say "tests done: exit code $status"
