#!/usr/bin/env bash
# The cgroup v2 lane: boots Debian's kernel under qemu with cgroup_no_v1=all (a pure cgroup v2
# system with every controller), and runs a subset of the test suite inside it, in one JVM, against
# this checkout's build. Called as `bin/test --cgroup2-vm`; run it as root.
#
# Host side (this script): installs qemu from Debian when missing, fetches Debian's kernel package
# with `apt-get download` and unpacks it under target/vm (nothing goes to /boot), extracts the
# uncompressed vmlinux, builds an initramfs from the static busybox and the few modules the guest
# needs, builds the project, boots the guest, and turns what it left in the results share into
# target/vm-reports/ and an exit code. Guest side: init (the initramfs), then guest.sh.
#
# Environment: CAIXA_VM_TIMEOUT (seconds, default 1800) bounds the qemu run; CAIXA_VM_MEMORY (MiB,
# default 3072); CAIXA_VM_TESTS (JUnit console launcher selectors, overriding the lane's subset).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../../../bin/common.sh"

VM_DIR="$CAIXA_HOME/target/vm"
REPORTS_DIR="$CAIXA_HOME/target/vm-reports"
RESULTS="$VM_DIR/results"
TIMEOUT=${CAIXA_VM_TIMEOUT:-1800}
MEMORY=${CAIXA_VM_MEMORY:-3072}
LANE=$(dirname "$(readlink -f "$0")")

# The subset: the cgroup tests and experiments (CPU share, OOM kill, pids limit, CLONE_INTO_CGROUP,
# cgroup.kill, the stale sweep), the `caixa cgroup` verbs and `caixa top --once` against the kernel's
# files, and the core container tests (namespaces, pivot_root, exit codes and signals, start errors).
# Each `caixa` command is a JVM of its own, slow to start under TCG: only three CLI tests are here.
# Left out, since they check v1 files and the guest has no v1 hierarchy: V1TranslationTest, and
# DeviceControllerTest's v1 case (its v2 cases, the eBPF device program, run).
DEFAULT_TESTS=(
    --select-package=caixa.cgroups
    --exclude-classname=caixa[.]cgroups[.]V1TranslationTest
    --exclude-methodname=caixa[.]cgroups[.]DeviceControllerTest#v1.*
    --select-class=caixa.runtime.CgroupLimitsTest
    --select-class=caixa.runtime.IsolationTest
    --select-class=caixa.runtime.ExitAndSignalTest
    --select-class=caixa.runtime.StartErrorTest
    --select-class=caixa.cli.RootlessTest
    --select-method=caixa.cli.CgroupCommandTest#limitsRoundTripThroughTheKernelFiles
    --select-method=caixa.cli.CgroupCommandTest#memoryPeakOfAClassifiedProcess
    --select-method=caixa.cli.CgroupCommandTest#topShowsARunningContainer
)

log() {
    echo "cgroup2-vm: $*" >&2
}

die() {
    log "$*"
    exit 125
}

# qemu without its recommended GUI packages; kmod for depmod/modprobe; xz for the kernel image.
require_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return
    [ "$(id -u)" -eq 0 ] || die "missing packages; run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
    log "installing ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 \
        || die "apt-get install ${missing[*]} failed"
}

# The package linux-image-amd64 points at (linux-image-6.1.0-NN-amd64 on bookworm).
kernel_package() {
    local pkg
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    if [ -z "$pkg" ]; then
        apt-get update -qq >&2 || true
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    fi
    [ -n "$pkg" ] || die "apt-cache knows no linux-image-amd64 (is Debian's archive in the apt sources?)"
    echo "$pkg"
}

# Unpacks the kernel package under target/vm/kernel, once per package version.
fetch_kernel() {
    local pkg=$1 deb
    if [ -f "$VM_DIR/kernel/.package" ] && [ "$(cat "$VM_DIR/kernel/.package")" = "$pkg" ]; then
        return
    fi
    rm -rf "$VM_DIR/kernel" "$VM_DIR/debs" "$VM_DIR/vmlinux"
    mkdir -p "$VM_DIR/debs"
    log "downloading $pkg"
    # _apt cannot write to a root-owned directory in /work: it downloads as root then (a warning only).
    (cd "$VM_DIR/debs" && apt-get download -qq "$pkg" 2>&1 | grep -v "unsandboxed" >&2 || true)
    deb=$(ls "$VM_DIR/debs/${pkg}_"*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || die "apt-get download $pkg failed"
    dpkg -x "$deb" "$VM_DIR/kernel"
    echo "$pkg" > "$VM_DIR/kernel/.package"
}

# vmlinuz is a boot stub with an xz-compressed vmlinux inside: booting the ELF itself skips the
# firmware and the decompression, both slow under TCG.
extract_vmlinux() {
    local vmlinuz=$1 offset
    [ -f "$VM_DIR/vmlinux" ] && return
    offset=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1)
    [ -n "$offset" ] || die "$vmlinuz: no xz stream found"
    tail -c +"$((offset + 1))" "$vmlinuz" | xz -dc --single-stream > "$VM_DIR/vmlinux.tmp" 2>/dev/null || true
    [ "$(head -c 4 "$VM_DIR/vmlinux.tmp" | od -An -c | tr -d ' ')" = "177ELF" ] || die "$vmlinuz: no ELF in its xz stream"
    mv "$VM_DIR/vmlinux.tmp" "$VM_DIR/vmlinux"
}

# The initramfs: static busybox, init, and the modules for virtio, 9p and overlay in load order.
build_initramfs() {
    local version=$1 dir="$VM_DIR/initramfs" mod n=0
    rm -rf "$dir" "$VM_DIR/initramfs.cpio"
    mkdir -p "$dir"/{bin,dev,proc,sys,lower,rw,newroot,modules}
    cp /bin/busybox "$dir/bin/busybox"
    cp "$LANE/init" "$dir/init"
    chmod 755 "$dir/init"
    # The .deb ships no modules.dep: make one, then let modprobe order the dependencies.
    depmod -b "$VM_DIR/kernel" "$version"
    for mod in $(for wanted in virtio_pci 9pnet_virtio 9p overlay; do
                modprobe -d "$VM_DIR/kernel" -S "$version" --show-depends "$wanted" || die "no module $wanted"
            done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
        n=$((n + 1))
        cp "$mod" "$dir/modules/$(printf '%02d' "$n")-$(basename "$mod")"
    done
    [ "$n" -ge 5 ] || die "modprobe found only $n modules for virtio, 9p and overlay"
    (cd "$dir" && find . | busybox cpio -o -H newc --quiet > "$VM_DIR/initramfs.cpio")
}

junit_console() {
    local junit platform jar
    junit=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$CAIXA_HOME/pom.xml")
    # JUnit 5.x.y runs on platform 1.x.y.
    platform="1.${junit#5.}"
    jar="$VM_DIR/junit-platform-console-standalone-$platform.jar"
    if [ ! -f "$jar" ]; then
        (cd "$CAIXA_HOME" && mvn -B -ntp -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
            -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
            -DoutputDirectory="$VM_DIR") >&2 || die "cannot fetch junit-platform-console-standalone $platform"
    fi
    echo "$jar"
}

main() {
    caixa_find_jdk
    require_packages busybox-static gcc maven qemu-system-x86 kmod xz-utils
    [ "$(id -u)" -eq 0 ] || die "run it as root (containers and cgroups need it)"
    mkdir -p "$VM_DIR"

    local started=$SECONDS pkg version jar tests
    pkg=$(kernel_package)
    fetch_kernel "$pkg"
    version=${pkg#linux-image-}
    extract_vmlinux "$VM_DIR/kernel/boot/vmlinuz-$version"
    build_initramfs "$version"

    log "building the project"
    (cd "$CAIXA_HOME" && mvn -B -ntp -q -DskipTests package) >&2 || die "build failed"
    jar=$(junit_console)
    # The guest reads the host's files while it runs: it gets a copy of this build, which a
    # rebuild on the host meanwhile cannot change under it.
    rm -rf "$VM_DIR/build"
    mkdir -p "$VM_DIR/build"
    cp -a "$CAIXA_HOME/target/classes" "$CAIXA_HOME/target/test-classes" "$CAIXA_HOME/target/caixa.jar" "$VM_DIR/build/"

    if [ -n "${CAIXA_VM_TESTS:-}" ]; then
        tests=$CAIXA_VM_TESTS
    else
        tests="${DEFAULT_TESTS[*]}"
    fi
    rm -rf "$RESULTS" "$REPORTS_DIR"
    mkdir -p "$RESULTS"
    # What the guest runs, read by guest.sh from the results share.
    cat > "$RESULTS/lane.env" <<EOF
CAIXA_HOME='$CAIXA_HOME'
JAVA_HOME='$JAVA_HOME'
JUNIT_CONSOLE='$jar'
BUILD='$VM_DIR/build'
TESTS='$tests'
EOF

    log "booting $pkg (qemu TCG, 2 vCPUs, $MEMORY MiB; at most $TIMEOUT s)"
    local boot=$SECONDS qemu_status=0
    timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
        -accel tcg,thread=multi -cpu max -smp 2 -m "$MEMORY" \
        -kernel "$VM_DIR/vmlinux" -initrd "$VM_DIR/initramfs.cpio" \
        -append "console=ttyS0 cgroup_no_v1=all panic=-1 mitigations=off quiet loglevel=4 caixa.lane=$LANE" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -virtfs local,path="$RESULTS",mount_tag=results,security_model=none,multidevs=remap \
        -display none -serial file:"$VM_DIR/console.log" -monitor none -no-reboot -nodefaults \
        || qemu_status=$?
    log "guest ran $((SECONDS - boot)) s (qemu status $qemu_status)"

    if [ -f "$RESULTS/junit.log" ]; then
        cat "$RESULTS/junit.log"
    fi
    if [ -d "$RESULTS/reports" ]; then
        mkdir -p "$REPORTS_DIR"
        cp "$RESULTS"/reports/*.xml "$REPORTS_DIR"/ 2>/dev/null || true
    fi
    if [ ! -f "$RESULTS/exit-code" ]; then
        [ "$qemu_status" -eq 124 ] && log "timed out after $TIMEOUT s"
        log "the guest left no result; the end of its console (target/vm/console.log):"
        tail -n 40 "$VM_DIR/console.log" >&2 || true
        exit 1
    fi
    local status
    status=$(cat "$RESULTS/exit-code")
    log "wall time $((SECONDS - started)) s; the tests' exit code $status; reports in target/vm-reports"
    summarize
    [ "$status" = 0 ] && [ -n "$(ls "$REPORTS_DIR"/*.xml 2>/dev/null)" ] || exit 1
}

# The counts from the JUnit XML, as a closing line CI reads.
summarize() {
    local xml tests=0 failures=0 errors=0 skipped=0 t f e s
    for xml in "$REPORTS_DIR"/*.xml; do
        [ -f "$xml" ] || continue
        read -r t f e s < <(sed -n 's/.*<testsuite [^>]*tests="\([0-9]*\)" skipped="\([0-9]*\)" failures="\([0-9]*\)" errors="\([0-9]*\)".*/\1 \3 \4 \2/p' "$xml" | head -n 1) || true
        tests=$((tests + ${t:-0})); failures=$((failures + ${f:-0})); errors=$((errors + ${e:-0})); skipped=$((skipped + ${s:-0}))
    done
    echo "cgroup2-vm: $((tests - failures - errors - skipped)) passed, $((failures + errors)) failed, $skipped skipped"
}

main "$@"
