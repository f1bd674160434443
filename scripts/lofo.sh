#!/usr/bin/env bash
# Leave-one-family-out evaluation (issue 11): how a draft review holds on
# template families it was not trained on.
#
# For every template family of crates/gen/data/families.toml:
#   1. generate a training set (seed $TRAIN_SEED, K penalty and K coercion
#      files) and an evaluation set (seed $EVAL_SEED, N files of both kinds,
#      never trained on) in that family, and scan both;
#   2. train the page classifier on the training sets of the *other*
#      families, rescan the family's evaluation set with that model (the OCR
#      is cached: only classification, checks and scoring run again), and
#      evaluate it against its truth;
# then print one table, a row per family, the worst value of each column
# last. The reports are kept as $OUT/report-<family>.json and .txt.
#
#   bash scripts/lofo.sh [--out DIR] [--per-family N] [--train-per-family K]
#                        [--eval-seed S] [--train-seed T] [--jobs J]
#                        [--families "a b c"] [--shipped]
#
# --shipped: no training; every family is evaluated with the shipped
# classifier (models/classifier.json, trained on the default family only),
# as a county whose templates nobody here has seen would run it.
#
# Defaults: --out run/lofo, N = 20, K = 6, S = 9301, T = 4301, all families.
# Seeds 9000-9999 are never trained on (crates/classify/README.md).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT=run/lofo
N=20
K=6
EVAL_SEED=9301
TRAIN_SEED=4301
JOBS=$(nproc)
FAMILIES=""
SHIPPED=0
while (($#)); do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --per-family) N=$2; shift 2 ;;
    --train-per-family) K=$2; shift 2 ;;
    --eval-seed) EVAL_SEED=$2; shift 2 ;;
    --train-seed) TRAIN_SEED=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --families) FAMILIES=$2; shift 2 ;;
    --shipped) SHIPPED=1; shift ;;
    *) echo "lofo.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done

cd "$REPO"
cargo build --release -q
BIN="$REPO/target/release/anjuan"
if [[ -z "$FAMILIES" ]]; then
  FAMILIES=$(sed -n 's/^key = "\(.*\)"$/\1/p' crates/gen/data/families.toml | tr '\n' ' ')
fi
echo "lofo.sh: families: $FAMILIES (train $K × seed $TRAIN_SEED, evaluate $N × seed $EVAL_SEED)" >&2
mkdir -p "$OUT"

for f in $FAMILIES; do
  # Training sets hold K penalty and K coercion files (a model trained on
  # one kind alone misreads the other); evaluation sets are mixed.
  if [[ $SHIPPED == 0 && ! -d "$OUT/train/$f" ]]; then
    "$BIN" generate --family "$f" --seed "$TRAIN_SEED" --count "$K" --kind penalty \
      --out "$OUT/train/$f" 2>/dev/null
    "$BIN" generate --family "$f" --seed "$TRAIN_SEED" --first "$K" --count "$K" --kind coercion \
      --out "$OUT/train/$f" 2>/dev/null
  fi
  if [[ ! -d "$OUT/eval/$f" ]]; then
    "$BIN" generate --family "$f" --seed "$EVAL_SEED" --count "$N" --out "$OUT/eval/$f" 2>/dev/null
  fi
  if [[ $SHIPPED == 0 ]]; then
    "$BIN" scan "$OUT/train/$f" --out "$OUT/train-scan/$f" --jobs "$JOBS" --summary none --quiet || true
  fi
done

for f in $FAMILIES; do
  args=()
  for g in $FAMILIES; do
    [[ $g == "$f" ]] && continue
    args+=(--truth "$OUT/train/$g" --run "$OUT/train-scan/$g")
  done
  if [[ $SHIPPED == 0 ]]; then
    model="$OUT/models/without-$f.json"
    mkdir -p "$OUT/models"
    "$BIN" train-classifier "${args[@]}" --out "$model" >/dev/null
    ANJUAN_CLASSIFIER="$model" "$BIN" scan "$OUT/eval/$f" --out "$OUT/eval-scan/$f" \
      --jobs "$JOBS" --summary none --quiet || true
  else
    "$BIN" scan "$OUT/eval/$f" --out "$OUT/eval-scan/$f" --jobs "$JOBS" --summary none --quiet || true
  fi
  "$BIN" eval --truth "$OUT/eval/$f" --out "$OUT/eval-scan/$f" > "$OUT/report-$f.txt" || true
  "$BIN" eval --truth "$OUT/eval/$f" --out "$OUT/eval-scan/$f" --json > "$OUT/report-$f.json" || true
done

python3 - "$OUT" $FAMILIES <<'EOF'
import json, sys
out, families = sys.argv[1], sys.argv[2:]
cols = [
    ("pages", lambda r: r["pages"]["value"], min),
    ("split F1", lambda r: r["split"]["exact"]["f1"], min),
    ("precision", lambda r: r["defects"]["overall"]["precision"], min),
    ("recall", lambda r: r["defects"]["overall"]["recall"], min),
    ("recall+review", lambda r: r["review"]["recall_with_review"]["value"], min),
    ("review/file", lambda r: r["review"]["per_dossier"], max),
    ("false zeros", lambda r: r["review"]["false_zero"], max),
    ("|score err|", lambda r: r["score"]["mean_abs_error"], max),
    ("rot-upr CER", lambda r: r["cer"]["rotated_minus_upright"], max),
    ("agency", lambda r: r["case_facts"]["agency"]["value"], min),
    ("case no.", lambda r: r["case_facts"]["case_number"]["value"], min),
    ("fine", lambda r: r["case_facts"]["fine"]["value"], min),
]
def fmt(name, v):
    if v is None:
        return "n/a"
    if name in ("review/file", "|score err|"):
        return f"{v:.2f}"
    if name == "false zeros":
        return str(v)
    return f"{100 * v:.1f}%" if name != "rot-upr CER" else f"{100 * v:+.2f}"
rows = {}
for f in families:
    try:
        rows[f] = json.load(open(f"{out}/report-{f}.json"))
    except (OSError, ValueError) as e:
        print(f"{f}: no report ({e})", file=sys.stderr)
head = ["family", "files"] + [c[0] for c in cols]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for f, r in rows.items():
    vals = [fmt(n, get(r)) for n, get, _ in cols]
    print(f"| {f} | {r['dossiers']} | " + " | ".join(vals) + " |")
worst = []
for n, get, pick in cols:
    vs = [get(r) for r in rows.values() if get(r) is not None]
    worst.append(fmt(n, pick(vs)) if vs else "n/a")
print("| **worst** | | " + " | ".join(worst) + " |")
EOF
