#!/usr/bin/env bash
# Runs the cargo-fuzz targets for a bounded time each, seeded at run time from the corpus and
# tests/fixtures (copied into a temporary directory; corpus files are never committed).
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 15; the targets default to all of them. Needs the nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). Exits non-zero on the first
# crash, timeout or out-of-memory; libFuzzer writes the input to fuzz/artifacts/TARGET/.
# Environment: TGS_CORPUS (default ../shared/corpus beside the repository), FUZZ_WORK (where the
# seeded corpora go; default a fresh temporary directory, removed afterwards), FUZZ_ARGS (more
# libFuzzer flags, e.g. -jobs=2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
FUZZ=$(pwd)
ROOT=$(cd .. && pwd)
SECS=${1:-15}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(import render http_body encode)
fi
CORPUS=${TGS_CORPUS:-$ROOT/../shared/corpus}
if [ -n "${FUZZ_WORK:-}" ]; then
  WORK=$FUZZ_WORK
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/tgs-fuzz.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi

# Lottie inputs: the fixtures, and the corpus when it is there (only files under 256 KB, so
# libFuzzer's input length and the run stay small).
stickers() {
  find "$ROOT/tests/fixtures" -type f \( -name '*.json' -o -name '*.tgs' \) -size -256k
  if [ -d "$CORPUS" ]; then
    find "$CORPUS" -maxdepth 1 -type f \( -name '*.json' -o -name '*.tgs' \) -size -256k
  else
    echo "fuzz: no corpus at $CORPUS; seeding from tests/fixtures only" >&2
  fi
}

seed_lottie() {
  local dir=$1
  mkdir -p "$dir"
  stickers | while read -r f; do cp "$f" "$dir/$(basename "$f")"; done
}

# Requests for http_body (see fuzz_targets/http_body.rs: the first byte picks the request),
# built from the fixtures only (small files).
seed_http() {
  local dir=$1 n=0 b64
  mkdir -p "$dir"
  find "$ROOT/tests/fixtures" -type f \( -name '*.json' -o -name '*.tgs' \) -size -32k | sort |
    while read -r f; do
      n=$((n + 1))
      b64=$(base64 -w0 "$f")
      { printf '\x00application/json\n'; cat "$f"; } >"$dir/info-raw-$n"
      {
        printf '\x00multipart/form-data; boundary=XyZ\n--XyZ\r\n'
        printf 'Content-Disposition: form-data; name="note"\r\n\r\nhi\r\n--XyZ\r\n'
        printf 'Content-Disposition: form-data; name="file"; filename="a.tgs"\r\n'
        printf 'Content-Type: application/octet-stream\r\n\r\n'
        cat "$f"
        printf '\r\n--XyZ--\r\n'
      } >"$dir/info-multipart-$n"
      { printf '\x01\n'; cat "$f"; } >"$dir/convert-$n"
      printf '\x02{"data":"%s","width":16,"format":"webp","quality":50}' "$b64" >"$dir/base64-$n"
      printf '\x03data:application/x-tgsticker;base64,%s' "$b64" >"$dir/data-url-$n"
      printf '\x04{"items":[{"data":"%s","width":8,"format":"apng","frames":"0-1"},{"data":"AA"}]}' \
        "$b64" >"$dir/batch-$n"
    done
}

# Every target runs with one job (the machine is shared), a per-input timeout above the render
# budget's 3 s, and a memory ceiling that an input must not pass.
LIBFUZZER_FLAGS=(-max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=262144
  -print_final_stats=1)

for target in "${TARGETS[@]}"; do
  corpus="$WORK/$target"
  dict=()
  case $target in
    import) [ -d "$corpus" ] || seed_lottie "$corpus"; dict=(-dict="$FUZZ/lottie.dict") ;;
    render) [ -d "$corpus" ] || seed_lottie "$corpus"; dict=(-dict="$FUZZ/lottie.dict") ;;
    http_body) [ -d "$corpus" ] || seed_http "$corpus"; dict=(-dict="$FUZZ/lottie.dict") ;;
    *) mkdir -p "$corpus" ;;
  esac
  echo "==> fuzz $target for ${SECS}s ($(find "$corpus" -type f | wc -l) seeds)"
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  cargo +nightly fuzz run --sanitizer none "$target" "$corpus" -- \
    "${LIBFUZZER_FLAGS[@]}" "${dict[@]}" ${FUZZ_ARGS:-}
done
