# Shared by bench/compare, bench/stress and bench/jmh: root, JDK 25, packages, the main jar (and
# its AOT cache), the bench jar and the C floor, all built only when stale.
# shellcheck shell=bash
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_HOME/../bin/common.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "bench: containers, crun, runc and cgroups need root" >&2
    exit 125
fi
caixa_find_jdk
bench_packages() {
    caixa_require_packages busybox-static gcc maven "$@"
}

bench_build() {
    caixa_build_if_stale
    local jar="$BENCH_HOME/target/caixa-bench.jar"
    if [ ! -f "$jar" ] || [ -n "$(find "$BENCH_HOME/src" "$BENCH_HOME/pom.xml" "$CAIXA_JAR" -newer "$jar" -print -quit)" ]; then
        echo "bench: building the benchmarks" >&2
        (cd "$BENCH_HOME" && mvn -q -B -ntp package >&2) || { echo "bench: build failed" >&2; exit 125; }
    fi
    BENCH_CP="$jar:$BENCH_HOME/target/lib/*:$CAIXA_JAR"
    FLOOR="$BENCH_HOME/target/floor"
    if [ ! -x "$FLOOR" ] || [ "$BENCH_HOME/c/floor.c" -nt "$FLOOR" ]; then
        gcc -O2 -Wall -Wextra -Werror -o "$FLOOR" "$BENCH_HOME/c/floor.c" || { echo "bench: gcc floor.c failed" >&2; exit 125; }
    fi
}

# The default busybox rootfs, as caixa run uses it (built on first use).
bench_rootfs() {
    ROOTFS=${CAIXA_ROOTFS:-/var/lib/caixa/rootfs/busybox}
    if [ ! -x "$ROOTFS/bin/busybox" ]; then
        "$BENCH_HOME/../bin/caixa" rootfs busybox "$ROOTFS" >&2
    fi
}

bench_java() {
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dcaixa.bench.rootfs="$ROOTFS" -cp "$BENCH_CP" "$@"
}
