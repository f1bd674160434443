#!/usr/bin/env bash
# Installs everything anjuan needs that is not a Rust crate. Idempotent: a second
# run with everything in place only checks hashes and exits.
#
#   1. Debian packages (tesseract chi_sim + headers for the tesseract crate's
#      bindgen build, clang, pkg-config, the generator's CJK fonts, poppler-utils;
#      PostgreSQL's server and client for the cluster tests, whose default cluster
#      the tests do not use: they start their own on a loopback port).
#   2. Pinned PyPI wheels (scripts/third_party.requirements.txt, --require-hashes),
#      downloaded into a cache dir and unpacked with python's zipfile (nothing is
#      pip-installed), files checked against scripts/third_party.lock:
#        third_party/lib/libpdfium.so                 (pypdfium2, pdfium 8149)
#        third_party/lib/libonnxruntime.so{,.1.24.4}  (onnxruntime 1.24.4, C API 24)
#        third_party/models/ppocr-v4/{det,rec,cls}.onnx (rapidocr-onnxruntime 1.4.4)
#   2b. The tests' stand-in S3 server (moto, scripts/s3_test.requirements.txt,
#      --require-hashes) into ANJUAN_WHEEL_CACHE/s3-test.
#   3. The models anjuan runs, third_party/models/ppocr-v4/{det,rec,cls}-fused.onnx:
#      the same networks with their elementwise chains folded (scripts/ppocr_fuse.py,
#      exact up to float rounding, ~15 % less CPU), written by that script under pinned
#      onnx/numpy wheels (scripts/model_tools.requirements.txt, --require-hashes,
#      pip-installed with --target into the wheel cache, not into any Python) and
#      checked against scripts/derived_models.lock.
#      third_party/MANIFEST is written last; anjuan finds third_party/ by it.
#
# Env: ANJUAN_WHEEL_CACHE (default ~/.cache/anjuan/wheels), ANJUAN_THIRD_PARTY
# (default <repo>/third_party), ANJUAN_SKIP_APT=1 to skip step 1.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPTS="$REPO/scripts"
TP="${ANJUAN_THIRD_PARTY:-$REPO/third_party}"
CACHE="${ANJUAN_WHEEL_CACHE:-$HOME/.cache/anjuan/wheels}"
REQ="$SCRIPTS/third_party.requirements.txt"
LOCK="$SCRIPTS/third_party.lock"
TOOLS_REQ="$SCRIPTS/model_tools.requirements.txt"
DERIVED_LOCK="$SCRIPTS/derived_models.lock"

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-chi-sim libtesseract-dev libleptonica-dev
  clang libclang-dev pkg-config
  fonts-arphic-ukai fonts-arphic-uming fonts-noto-cjk
  poppler-utils unzip python3
  chromium chromium-driver  # the reviewers' app is tested in a real browser
  strace qpdf wapiti        # reliability tests: syscalls, hostile PDFs, web scan
  postgresql postgresql-client  # the provincial store and scan queue; tests start a throw-away cluster
  python3-yaml systemd      # deploy/check.sh: the Kubernetes manifests parse, the units verify
)

log() { echo "setup.sh: $*" >&2; }
die() { echo "setup.sh: error: $*" >&2; exit 1; }

# ---- 1. apt -------------------------------------------------------------------
apt_missing() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      echo "$p"
    fi
  done
}

if [[ "${ANJUAN_SKIP_APT:-0}" != 1 ]]; then
  mapfile -t missing < <(apt_missing)
  if ((${#missing[@]})); then
    command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    log "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    log "Debian packages present"
  fi
fi

# ---- 2. third_party/ ------------------------------------------------------------
PY="$(command -v python3 || true)"
[[ -n "$PY" ]] || die "python3 is needed to unpack wheels"

ensure_pip() {
  if ! "$PY" -m pip --version >/dev/null 2>&1; then
    log "pip missing: installing python3-pip"
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends python3-pip
  fi
}

# Installs the pinned, hash-checked wheels of requirements file $1 into the
# folder $2 (pip --target, into no Python), replacing it whole.
pip_target() {
  local req="$1" dest="$2"
  ensure_pip
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.tmp"
  "$PY" -m pip install --no-deps --require-hashes --only-binary=:all: --no-compile --root-user-action=ignore \
    --disable-pip-version-check -q --target "$dest.tmp" -r "$req" \
    || die "pip install of $req failed (is PyPI reachable?)"
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
}

# ---- 1b. the tests' stand-in S3 server -------------------------------------------
# moto's server mode, pinned and hash-checked (scripts/s3_test.requirements.txt),
# installed with --target into the wheel cache, not into any Python: the tests of
# object storage on S3 start it on a loopback port.
S3_TOOLS="$CACHE/s3-test"
if [[ ! -f "$S3_TOOLS/moto/server.py" ]] || ! PYTHONPATH="$S3_TOOLS" "$PY" -c 'import moto.server' >/dev/null 2>&1; then
  log "installing the tests' S3 server (moto) into $S3_TOOLS"
  pip_target "$SCRIPTS/s3_test.requirements.txt" "$S3_TOOLS"
fi

# Lock entries: prefix member dest sha256
mapfile -t ENTRIES < <(grep -v '^\s*#' "$LOCK" | grep -v '^\s*$')
# Derived entries: source dest sha256 (both under third_party/)
mapfile -t DERIVED < <(grep -v '^\s*#' "$DERIVED_LOCK" | grep -v '^\s*$')

sum_ok() { [[ -f "$1" && "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

unpacked_ok() {
  local prefix member dest sum
  for e in "${ENTRIES[@]}"; do
    read -r prefix member dest sum <<<"$e"
    sum_ok "$TP/$dest" "$sum" || return 1
  done
  [[ -e "$TP/lib/libonnxruntime.so" ]] || return 1
  return 0
}

derived_ok() {
  local src dest sum
  for e in "${DERIVED[@]}"; do
    read -r src dest sum <<<"$e"
    sum_ok "$TP/$dest" "$sum" || return 1
  done
  return 0
}

if [[ -f "$TP/MANIFEST" ]] && unpacked_ok && derived_ok; then
  log "third_party/ up to date ($TP)"
  exit 0
fi
rm -f "$TP/MANIFEST"


mkdir -p "$CACHE"
if ! unpacked_ok; then
have_wheels() {
  local prefix member dest sum
  for e in "${ENTRIES[@]}"; do
    read -r prefix member dest sum <<<"$e"
    compgen -G "$CACHE/${prefix}*.whl" >/dev/null || return 1
  done
}
if ! have_wheels; then
  ensure_pip
  log "downloading pinned wheels into $CACHE"
  "$PY" -m pip download --no-deps --require-hashes --only-binary=:all: \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
    --disable-pip-version-check -q -d "$CACHE" -r "$REQ" \
    || die "pip download failed (is PyPI reachable? is pip installed: apt-get install python3-pip)"
fi
# pip checked the wheels' hashes against the requirements file on download; check
# the cached copies again, since the cache may be older than this checkout.
while read -r line; do
  name_ver="${line%% *}"; hash="${line##*sha256:}"
  [[ "$line" == *"--hash=sha256:"* ]] || continue
  pkg="${name_ver%%==*}"; ver="${name_ver##*==}"
  whl=$(compgen -G "$CACHE/${pkg//-/_}-${ver}-*.whl" || compgen -G "$CACHE/${pkg}-${ver}-*.whl" || true)
  whl="${whl%%$'\n'*}"
  [[ -n "$whl" ]] || die "wheel for $name_ver missing from $CACHE"
  [[ "$(sha256sum "$whl" | cut -d' ' -f1)" == "$hash" ]] \
    || die "$whl: sha256 mismatch (delete it and run again)"
done < <(grep -v '^\s*#' "$REQ" | grep -v '^\s*$')

mkdir -p "$TP/lib" "$TP/models/ppocr-v4"
for e in "${ENTRIES[@]}"; do
  read -r prefix member dest sum <<<"$e"
  whl=$(compgen -G "$CACHE/${prefix}*.whl" | head -n1)
  log "extracting $member from $(basename "$whl")"
  "$PY" - "$whl" "$member" "$TP/$dest" <<'PYEOF'
import os, shutil, sys, zipfile
whl, member, dest = sys.argv[1:4]
tmp = dest + ".tmp"
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(tmp, "wb") as out:
    shutil.copyfileobj(src, out)
os.chmod(tmp, 0o755 if ".so" in os.path.basename(dest) else 0o644)
os.replace(tmp, dest)
PYEOF
  got="$(sha256sum "$TP/$dest" | cut -d' ' -f1)"
  [[ "$got" == "$sum" ]] || die "$TP/$dest: sha256 $got, expected $sum"
done
ln -sfn libonnxruntime.so.1.24.4 "$TP/lib/libonnxruntime.so"
fi

# ---- 3. derived models ----------------------------------------------------------
if ! derived_ok; then
  TOOLS="$CACHE/model-tools"
  pyver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  [[ "$pyver" == 3.11 ]] || die "$PY is Python $pyver; the pinned model tools ($TOOLS_REQ) are wheels for 3.11"
  if ! PYTHONPATH="$TOOLS" "$PY" -c 'import onnx, numpy' >/dev/null 2>&1; then
    log "installing the pinned model tools (onnx, numpy) into $TOOLS"
    pip_target "$TOOLS_REQ" "$TOOLS"
  fi
  for e in "${DERIVED[@]}"; do
    read -r src dest sum <<<"$e"
    sum_ok "$TP/$dest" "$sum" && continue
    log "writing $dest from $src (scripts/ppocr_fuse.py)"
    PYTHONPATH="$TOOLS" "$PY" "$SCRIPTS/ppocr_fuse.py" "$TP/$src" "$TP/$dest.tmp" 2>/dev/null \
      || die "scripts/ppocr_fuse.py $TP/$src failed"
    got="$(sha256sum "$TP/$dest.tmp" | cut -d' ' -f1)"
    [[ "$got" == "$sum" ]] || die "$TP/$dest: sha256 $got, expected $sum (scripts/derived_models.lock)"
    mv "$TP/$dest.tmp" "$TP/$dest"
  done
fi

{
  echo "# anjuan third_party, written by scripts/setup.sh; sha256  path"
  for e in "${ENTRIES[@]}"; do
    read -r prefix member dest sum <<<"$e"
    echo "$sum  $dest"
  done
  for e in "${DERIVED[@]}"; do
    read -r src dest sum <<<"$e"
    echo "$sum  $dest"
  done
} >"$TP/MANIFEST.tmp"
mv "$TP/MANIFEST.tmp" "$TP/MANIFEST"
log "third_party/ installed in $TP"
