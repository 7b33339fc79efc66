# Shared by bin/caixa and bin/test: find JDK 25, install what the build and the tests need, and
# build with Maven only when a source is newer than the jar.
# shellcheck shell=bash

CAIXA_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CAIXA_JAR="$CAIXA_HOME/target/caixa.jar"

caixa_find_jdk() {
    # The JDK's release file tells its version without starting a JVM (which costs as much as a run).
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && { grep -qs '^JAVA_VERSION="25' "$JAVA_HOME/release" \
            || { [ ! -f "$JAVA_HOME/release" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; }; }; then
        return
    fi
    local candidate
    for candidate in /usr/lib/jvm/*25*; do
        if [ -x "$candidate/bin/java" ]; then
            export JAVA_HOME="$candidate"
            return
        fi
    done
    echo "caixa: no JDK 25 found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
    exit 125
}

# Debian packages that must be present; installs them as root, prints the command otherwise.
caixa_require_packages() {
    local missing=() unsure=() pkg installed
    # dpkg keeps a file list for each unpacked package: checking for it costs no process, while a
    # dpkg-query reads dpkg's whole database (~40 ms, on every bin/caixa). Only the others are asked.
    for pkg in "$@"; do
        [ -f "/var/lib/dpkg/info/$pkg.list" ] || compgen -G "/var/lib/dpkg/info/$pkg:*.list" >/dev/null \
            || unsure+=("$pkg")
    done
    [ ${#unsure[@]} -eq 0 ] && return
    installed=$'\n'$(dpkg-query -W -f='${Package} ${Status}\n' "${unsure[@]}" 2>/dev/null \
        | sed -n 's/ install ok installed$//p')$'\n'
    for pkg in "${unsure[@]}"; do
        [[ $installed == *$'\n'"$pkg"$'\n'* ]] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -eq 0 ]; then
        echo "caixa: installing ${missing[*]}" >&2
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 \
            || { echo "caixa: apt-get install ${missing[*]} failed" >&2; exit 125; }
    else
        echo "caixa: missing packages; run: sudo apt-get install -y ${missing[*]}" >&2
        exit 125
    fi
}

caixa_build_if_stale() {
    if [ -f "$CAIXA_JAR" ] && [ -z "$(find "$CAIXA_HOME/src/main" "$CAIXA_HOME/bindings" "$CAIXA_HOME/pom.xml" \
            -newer "$CAIXA_JAR" -print -quit)" ]; then
        return
    fi
    # Another user's checkout (root's, for a rootless caller): building would fail on its target/.
    local target="$CAIXA_HOME/target"
    if { [ -e "$target" ] && [ ! -w "$target" ]; } || { [ ! -e "$target" ] && [ ! -w "$CAIXA_HOME" ]; }; then
        echo "caixa: $CAIXA_JAR is missing or older than the sources, and $target is not writable by" \
            "$(id -un): build it as the checkout's owner (bin/caixa --version)" >&2
        exit 125
    fi
    caixa_require_packages maven
    echo "caixa: building (sources changed)" >&2
    (cd "$CAIXA_HOME" && mvn -q -B -DskipTests package >&2) || { echo "caixa: build failed" >&2; exit 125; }
}
