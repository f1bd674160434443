#!/usr/bin/env bash
# Fuzzes anjuan-ingest for a bounded time (issue 14, item 5):
#
#   bash scripts/fuzz.sh SECONDS [TARGET...]
#
# Targets (fuzz/fuzz_targets/): ingest_pdf (bytes as a PDF dossier: discover,
# hash, open, read the first 3 pages) and ingest_images (bytes as a page of an
# image folder). Each runs SECONDS with -rss_limit_mb=2048 -timeout=20, seeded
# from the small inputs of scripts/hostile_corpus.py (fuzz/seeds/, rebuilt
# each run, not committed) and the corpus earlier runs kept (fuzz/corpus/).
# Exit status 1 if a target found a crash (a panic, an abort, a segfault);
# hangs (> 20 s) and inputs over 2 GB are saved and listed (see below). The
# inputs are in fuzz/artifacts/TARGET/ (crash-*, timeout-*, oom-*);
# minimise it with
#   (cd fuzz && cargo fuzz tmin -s none TARGET artifacts/TARGET/crash-…)
# and keep it as a regression test under crates/ingest/tests/data/fuzz/.
#
# Works with the stable toolchain: cargo-fuzz's flags are stable except the
# sanitizer ones (-Zsanitizer), so it runs with `-s none`: no AddressSanitizer
# (safe Rust needs none); libpdfium is a prebuilt library without coverage
# instrumentation, so the fuzzer is guided by the Rust side's coverage only and
# catches pdfium's crashes, hangs and memory blow-ups blind. (Set
# RUSTC_BOOTSTRAP=1 yourself to try a sanitizer on stable; it rebuilds all.)
# Installs cargo-fuzz (pinned; ~1 min) into ~/.cargo/bin when it is missing.
set -euo pipefail

SECONDS_PER_TARGET=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(ingest_pdf ingest_images)
CARGO_FUZZ_VERSION=0.13.2

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# Seeds: the hostile corpus's inputs up to 64 KB (its valid controls among them).
SEEDS=fuzz/seeds
rm -rf "$SEEDS"
mkdir -p "$SEEDS/ingest_pdf" "$SEEDS/ingest_images"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 scripts/hostile_corpus.py "$TMP/corpus" >/dev/null
python3 - "$TMP/corpus" "$SEEDS" <<'EOF'
import sys
from pathlib import Path
corpus, seeds = Path(sys.argv[1]), Path(sys.argv[2])
# ingest_images: the first byte picks the extension (fuzz_targets/ingest_images.rs).
pick = {".jpg": 0, ".png": 1, ".tif": 2, ".jpeg": 3, ".tiff": 4}
for p in sorted(corpus.rglob("*")):
    if not p.is_file() or p.stat().st_size > 65536 or p.name == "MANIFEST.tsv":
        continue
    rel = str(p.relative_to(corpus)).replace("/", "__")
    if p.parent == corpus:
        (seeds / "ingest_pdf" / rel).write_bytes(p.read_bytes())
    elif p.suffix.lower() in pick:
        (seeds / "ingest_images" / rel).write_bytes(bytes([pick[p.suffix.lower()]]) + p.read_bytes())
EOF
echo "fuzz: seeds: $(ls "$SEEDS/ingest_pdf" | wc -l) PDFs, $(ls "$SEEDS/ingest_images" | wc -l) images" >&2

start=$(date +%s)
(cd fuzz && cargo fuzz build -s none --release)
echo "fuzz: built in $(($(date +%s) - start)) s" >&2

# -fork=1 with -ignore_*: a crash, hang or OOM is saved under fuzz/artifacts/
# and the run goes on (the seeds hold known-bad inputs of the hostile corpus);
# any new artifact makes the exit status 1.
status=0
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  marker="fuzz/artifacts/$t/.started"
  touch "$marker"
  echo "fuzz: $t for $SECONDS_PER_TARGET s" >&2
  (cd fuzz && cargo fuzz run -s none --release "$t" "corpus/$t" "../$SEEDS/$t" -- \
      -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=20 \
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -print_final_stats=1) || status=1
  # A crash in ingest is a bug to fix: the status is 1. An input that makes
  # pdfium itself run out of memory or time (oom-*, timeout-*: it parses a
  # page's nested forms whole when the page is loaded) cannot be bounded
  # in-process; `anjuan scan` contains it in its worker process (--max-memory,
  # --page-timeout; tests/reliability/corpus.rs scans such files, and the
  # one found so far, crates/ingest/tests/data/fuzz/oom-form-fanout-22.pdf).
  # Those are listed, kept, and not a failure.
  new=$(find "fuzz/artifacts/$t" -type f ! -name .started -newer "$marker" -printf '%f\n')
  if [ -n "$new" ]; then
    echo "fuzz: $t saved inputs in fuzz/artifacts/$t/:" >&2
    echo "$new" | sed 's/^/  /' >&2
  fi
  if echo "$new" | grep -q '^crash-'; then
    echo "fuzz: $t FOUND A CRASH" >&2
    status=1
  fi
done
exit $status
