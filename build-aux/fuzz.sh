#!/bin/bash
# Fuzzes the ministry coordinate-file reader (src/core/ld-coordfile.c) with libFuzzer.
#   build-aux/fuzz.sh [SECONDS]     (default 600; 0 builds only)
# Needs clang and libclang-rt-dev (Debian 12: clang-14, libclang-rt-14-dev). The target and its
# seed corpus live in tests/fuzz/; new inputs the fuzzer finds go to build-fuzz/corpus/, and a
# crash leaves build-fuzz/crash-* with the input that caused it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build-fuzz
seconds=${1:-600}
cc=${CC_FUZZ:-clang}

mkdir -p "$out/corpus"
: > "$out/config.h"
# shellcheck disable=SC2046
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$out" -I"$root/src/core" \
  "$root/tests/fuzz/fuzz-coordfile.c" "$root"/src/core/ld-coordfile*.c \
  $(pkg-config --cflags --libs gio-2.0) -lm \
  -o "$out/fuzz-coordfile"

if [ "$seconds" -gt 0 ]; then
  cd "$out"
  ./fuzz-coordfile -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 corpus "$root/tests/fuzz/corpus"
fi
