#!/usr/bin/env bash
# setup.sh — install everything facefuse needs to build, idempotently.
#
# 1. Debian packages (compiler, CMake, FFmpeg/curl/zlib/SQLite/libmicrohttpd/
#    jansson -dev, python3-onnx for the test suite's stand-in models, chromium
#    and node for the browser test) — only those not yet installed.
# 2. ONNX Runtime, first that works of:
#      a. a system ONNX Runtime found by pkg-config (libonnxruntime),
#      b. ONNXRUNTIME_ROOT=<dir> holding include/ and lib/,
#      c. the npm package onnxruntime-node (its Linux x64 libonnxruntime.so.1)
#         plus the C headers of Debian trixie's libonnxruntime-dev .deb,
#         unpacked into third_party/onnxruntime/.
#    The choice is written to build/onnxruntime.cmake-args for build.sh.
# 3. The browser test's npm package (playwright-core, pinned in
#    tests/browser/package-lock.json) into tests/browser/node_modules; when it
#    cannot be had, the browser test is skipped (reported as skipped by ctest).
# A second run does nothing but print what it found.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ort_dir="$root/third_party/onnxruntime"
ort_version="${FACEFUSE_ORT_NPM_VERSION:-1.30.0}"
say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "need root to run: $*"; return 1; fi
}

debian_packages=(build-essential cmake pkg-config git ca-certificates
    libavdevice-dev libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
    libcurl4-openssl-dev zlib1g-dev libkissfft-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev
    parallel python3 python3-onnx python3-numpy python3-scipy python3-yaml chromium)

# clang's libFuzzer runs the fuzz targets of the test suite (tests/fuzz); a
# distribution without libfuzzer-14-dev only loses those tests.
fuzz_packages=(clang libfuzzer-14-dev)

install_fuzz_packages() {
    local missing=()
    for p in "${fuzz_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then say "fuzzing packages: present"; return; fi
    say "installing fuzzing packages: ${missing[*]}"
    { as_root apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
        say "cannot install ${missing[*]}: the fuzz tests will be skipped"
}

install_debian_packages() {
    local wanted=("${debian_packages[@]}") missing=()
    # node and npm: the browser test (and ONNX Runtime when it comes from npm).
    command -v node >/dev/null || wanted+=(nodejs)
    command -v npm >/dev/null || wanted+=(npm)
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then say "Debian packages: present"; return; fi
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

have_ort() {
    pkg-config --exists libonnxruntime 2>/dev/null && return 0
    [ -n "${ONNXRUNTIME_ROOT:-}" ] && return 0
    [ -f "$ort_dir/lib/libonnxruntime.so.1" ] && [ -f "$ort_dir/include/onnxruntime_c_api.h" ]
}

fetch_ort_headers() {   # Debian trixie's libonnxruntime-dev, through a temporary sources list
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    if [ ! -f "$keyring" ]; then   # Ubuntu: Debian's archive keys come as a package
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq debian-archive-keyring >/dev/null
    fi
    local tmp; tmp=$(mktemp -d)
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" > "$tmp/sources.list"
    local opts=(-q -o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
                -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o APT::Sandbox::User=root)
    apt-get "${opts[@]}" update >/dev/null
    (cd "$tmp" && apt-get "${opts[@]}" download libonnxruntime-dev >/dev/null)
    dpkg-deb -x "$tmp"/libonnxruntime-dev_*.deb "$tmp/x"
    mkdir -p "$ort_dir/include"
    cp "$tmp"/x/usr/include/onnxruntime/*.h "$ort_dir/include/"
    rm -rf "$tmp"
}

fetch_ort_library() {   # the npm package's prebuilt Linux x64 shared library
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "onnxruntime-node@$ort_version" >/dev/null 2>&1)
    tar -xzf "$tmp"/onnxruntime-node-*.tgz -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
    mkdir -p "$ort_dir/lib"
    cp "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$ort_dir/lib/"
    ln -sf libonnxruntime.so.1 "$ort_dir/lib/libonnxruntime.so"
    echo "$ort_version" > "$ort_dir/VERSION"
    rm -rf "$tmp"
}

choose_ort() {
    mkdir -p "$root/build"
    local args="$root/build/onnxruntime.cmake-args"
    if [ -n "${ONNXRUNTIME_ROOT:-}" ]; then
        [ -d "$ONNXRUNTIME_ROOT/include" ] || { say "ONNXRUNTIME_ROOT=$ONNXRUNTIME_ROOT has no include/"; exit 1; }
        say "ONNX Runtime: $ONNXRUNTIME_ROOT (ONNXRUNTIME_ROOT)"
        echo "-DONNXRUNTIME_ROOT=$ONNXRUNTIME_ROOT" > "$args"
    elif pkg-config --exists libonnxruntime 2>/dev/null; then
        say "ONNX Runtime: system $(pkg-config --modversion libonnxruntime) (pkg-config)"
        echo "-DONNXRUNTIME_ROOT=" > "$args"
    else
        if [ ! -f "$ort_dir/include/onnxruntime_c_api.h" ]; then say "fetching ONNX Runtime C headers (Debian trixie libonnxruntime-dev)"; fetch_ort_headers; fi
        if [ ! -f "$ort_dir/lib/libonnxruntime.so.1" ]; then say "fetching ONNX Runtime $ort_version library (npm onnxruntime-node)"; fetch_ort_library; fi
        say "ONNX Runtime: $ort_dir"
        echo "-DONNXRUNTIME_ROOT=$ort_dir" > "$args"
    fi
}

install_browser_test() {   # npm ci only when the pinned playwright-core is not there yet
    local dir="$root/tests/browser" want have
    want=$(sed -n 's/.*"playwright-core": "\([^"]*\)".*/\1/p' "$dir/package.json" | head -1)
    have=""
    if [ -f "$dir/node_modules/playwright-core/package.json" ]; then
        have=$(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' "$dir/node_modules/playwright-core/package.json" | head -1)
    fi
    if [ -n "$want" ] && [ "$want" = "$have" ]; then say "browser test: playwright-core $have present"; return; fi
    if ! command -v npm >/dev/null; then say "no npm: the browser test will be skipped"; return; fi
    say "installing the browser test's playwright-core $want (npm ci in tests/browser)"
    # Not fatal: without it (offline, no registry) the browser test is skipped, saying why.
    (cd "$dir" && npm ci --no-audit --no-fund --silent >/dev/null) ||
        say "npm ci failed: the browser test will be skipped"
}

install_debian_packages
install_fuzz_packages
choose_ort
install_browser_test
