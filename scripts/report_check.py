#!/usr/bin/env python3
"""An independent count of a supervisor's reports, against `anjuan report`.

For a data folder whose dossiers were generated (ground truth beside them)
and reviewed by reviewers who confirmed exactly the real defects
(`crates/report/examples/review_from_truth.rs`), the confirmed problems of
every file are its truth defects. This script counts from the truth files,
the rubric files and the store's own tables (read with Python's sqlite3,
not through anjuan), and compares with what `anjuan report ... --format json`
prints:

  gaps         per unit x item: problem files, points lost; per unit: files,
               mean score, basic-standard failures, grade counts
  half-year    per unit: files and mean score, this half-year and the last
  annual       per unit: penalty and coercion cases, fines, confiscations
  calibration  per item: machine suggestions confirmed / rejected, needs-
               review confirmed / rejected, missed
  rectification per unit: problems listed
  sample       per unit: min(5, ordinary files); the same seed, the same plan

Usage:
  python3 scripts/report_check.py --data DIR --truth DIR [--anjuan BIN]
          [--half 2023H2]

Exit 0 when every figure agrees; 1 with the differences listed.
"""

import argparse
import collections
import json
import os
import sqlite3
import subprocess
import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rubric(kind):
    with open(os.path.join(REPO, "rubrics", f"{kind}.toml"), "rb") as f:
        return tomllib.load(f)


def items_of(r):
    """item id -> (basic, points cap) of a rubric file, wherever it nests them."""
    out = {}

    def walk(x):
        if isinstance(x, dict):
            if "id" in x and ("points" in x or "basic" in x):
                out[x["id"]] = (bool(x.get("basic", False)), x.get("points"))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(r)
    return out


def grades_of(r):
    gs = r.get("grades") or r.get("grade") or []
    return [(g["name"], g.get("min", g.get("from", 0))) for g in gs]


def grade_for(grades, score):
    for name, lo in sorted(grades, key=lambda g: -g[1]):
        if score >= lo:
            return name
    return grades[-1][0]


def round1(x):
    """Rounded as people round (四舍五入): 98.25 -> 98.3."""
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def report(args, name, period="all", extra=()):
    cmd = [args.anjuan, "report", name, "--data", args.data, "--period", period,
           "--format", "json", *extra]
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    return json.loads(out)


def table(rep, title_start):
    for t in rep["tables"]:
        if t["title"].startswith(title_start):
            return t
    raise SystemExit(f"{rep['slug']}: no table {title_start!r}")


def rows(t):
    cols = t["columns"]
    return [{c: cell for c, cell in zip(cols, r)} for r in t["rows"]]


def num(cell):
    return cell["num"] if cell["num"] is not None else cell["text"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--anjuan", default=os.path.join(REPO, "target", "release", "anjuan"))
    ap.add_argument("--half", default="2023H2")
    args = ap.parse_args()

    rub = {k: rubric(k) for k in ("penalty", "coercion")}
    items = {k: items_of(r) for k, r in rub.items()}
    grades = grades_of(rub["penalty"])
    if not grades:
        raise SystemExit("no grades in rubrics/penalty.toml")

    db = sqlite3.connect(f"file:{os.path.join(args.data, 'anjuan.db')}?mode=ro", uri=True)
    files = []
    for did, scan_id, folder, review_json in db.execute(
            "SELECT id, scan_id, folder_unit, review_json FROM dossiers ORDER BY id"):
        rv = json.loads(review_json)
        with open(os.path.join(args.truth, f"{scan_id}.truth.json")) as f:
            tr = json.load(f)
        kind = tr["case_kind"]
        real = {}
        for d in tr["defects"]:
            e = real.setdefault(d["item"], [0.0, False])
            if d["kind"] == "basic":
                e[1] = True
            else:
                e[0] += d["points"] or 0.0
        for it, e in real.items():
            cap = items[kind].get(it, (False, None))[1]
            if cap is not None:
                e[0] = min(e[0], cap)
        basic = any(e[1] for e in real.values())
        score = 0.0 if basic else max(0.0, 100.0 - sum(e[0] for e in real.values()))
        case = rv.get("case") or {}
        files.append({
            "id": did, "scan_id": scan_id,
            # The unit: the folder the archive was laid out in (the truth's
            # agency when it was laid out by agency).
            "unit": folder or tr["agency"],
            "truth_agency": tr["agency"],
            "kind": kind, "real": real, "score": score, "basic": basic,
            "grade": grade_for(grades, score),
            "expected": tr.get("expected", {}),
            "date": case.get("closed") or case.get("decided"),
            "stat_date": case.get("decided") or case.get("closed"),
            "fine": tr.get("fine_yuan"), "confiscated": tr.get("confiscated_yuan"),
            "findings": rv["findings"],
            "documents": rv["documents"],
        })
    closed = {r[0] for r in db.execute("SELECT dossier_id FROM finals")}
    reviewed = [f for f in files if f["id"] in closed]
    problems = []

    def check(what, got, want):
        if got != want:
            problems.append(f"{what}: anjuan {got!r}, count {want!r}")

    # The truth's own expectation agrees with this count.
    for f in reviewed:
        e = f["expected"]
        if e and abs(e.get("score", f["score"]) - f["score"]) > 1e-9:
            problems.append(f"{f['scan_id']}: truth expects {e['score']}, counted {f['score']}")
    units = sorted({f["unit"] for f in reviewed})
    print(f"{len(files)} files, {len(reviewed)} with a final review, {len(units)} units")

    # ---- gaps (confirmed, all periods)
    g = report(args, "gaps")
    want = collections.Counter()
    pts = collections.defaultdict(float)
    for f in reviewed:
        for it, (p, _) in f["real"].items():
            want[(f["unit"], it)] += 1
            pts[(f["unit"], it)] += p
    got = {}
    for r in rows(table(g, "问题明细")):
        got[(r["单位"]["text"], r["项目"]["text"])] = (num(r["问题案卷数"]), round(num(r["扣分合计"]), 6))
    check("gaps: unit x item", got, {k: (float(n), round(pts[k], 6)) for k, n in want.items()})
    gt = {r["单位"]["text"]: r for r in rows(table(g, "等次分布"))}
    for u in units:
        mine = [f for f in reviewed if f["unit"] == u]
        r = gt.get(u)
        if r is None:
            problems.append(f"gaps: no grades row for {u}")
            continue
        check(f"gaps: files of {u}", num(r["案卷数"]), float(len(mine)))
        check(f"gaps: mean of {u}", num(r["平均分"]),
              round1(sum(f["score"] for f in mine) / len(mine)))
        check(f"gaps: basic failures of {u}", num(r["基础标准不合格"]), float(sum(f["basic"] for f in mine)))
        for name, _ in grades:
            check(f"gaps: {name} of {u}", num(r[name]), float(sum(f["grade"] == name for f in mine)))

    # ---- half-year, with the half-year before
    y, h = int(args.half[:4]), args.half[4:]
    spans = {"H1": ("-01-01", "-06-30"), "H2": ("-07-01", "-12-31")}
    prev = f"{y}H1" if h == "H2" else f"{y - 1}H2"

    def in_half(d, key):
        if not d:
            return False
        a, b = spans[key[4:]]
        return f"{key[:4]}{a}" <= d <= f"{key[:4]}{b}"

    hy = report(args, "half-year", args.half)
    hrows = {r["单位"]["text"]: r for r in rows(table(hy, "各单位评查情况"))}
    for u in sorted({f["unit"] for f in reviewed if in_half(f["date"], args.half) or in_half(f["date"], prev)}):
        now = [f for f in reviewed if f["unit"] == u and in_half(f["date"], args.half)]
        before = [f for f in reviewed if f["unit"] == u and in_half(f["date"], prev)]
        r = hrows.get(u)
        if r is None:
            problems.append(f"half-year: no row for {u}")
            continue
        check(f"half-year {args.half}: files of {u}", num(r["评查案卷数"]), float(len(now)))
        check(f"half-year {prev}: files of {u}", num(r["上期案卷数"]), float(len(before)))
        if now:
            check(f"half-year: mean of {u}", num(r["平均分"]),
                  round1(sum(f["score"] for f in now) / len(now)))

    # ---- annual statistics, for each year a file was decided in
    for year in sorted({f["stat_date"][:4] for f in files if f["stat_date"]}):
        an = report(args, "annual", year)
        arows = {r["执法单位"]["text"]: r for r in rows(table(an, "行政执法数据"))}
        mine_all = [f for f in files if (f["stat_date"] or "").startswith(year)]
        for u in sorted({f["unit"] for f in mine_all}):
            mine = [f for f in mine_all if f["unit"] == u]
            r = arows.get(u)
            if r is None:
                problems.append(f"annual {year}: no row for {u}")
                continue
            check(f"annual {year}: penalty cases of {u}", num(r["行政处罚案件（件）"]),
                  float(sum(f["kind"] == "penalty" for f in mine)))
            check(f"annual {year}: coercion cases of {u}", num(r["行政强制案件（件）"]),
                  float(sum(f["kind"] == "coercion" for f in mine)))
            check(f"annual {year}: fines of {u}", round(num(r["罚款金额（元）"]), 2),
                  round(sum(f["fine"] or 0 for f in mine), 2))
            check(f"annual {year}: confiscated of {u}", round(num(r["没收金额（元）"]), 2),
                  round(sum(f["confiscated"] or 0 for f in mine), 2))

    # ---- machine against reviewer
    cal = collections.defaultdict(collections.Counter)
    for f in reviewed:
        first = {}
        for x in f["findings"]:
            first.setdefault(x["item"], x["status"])
        for it in set(first) | set(f["real"]):
            st, counted = first.get(it), it in f["real"]
            key = {("suggested", True): "确认", ("suggested", False): "驳回",
                   ("needs_review", True): "需复核→确认", ("needs_review", False): "需复核→否"
                   }.get((st, counted), "漏报" if counted else None)
            if key:
                cal[it][key] += 1
    crow = {r["项目"]["text"]: r for r in rows(table(report(args, "calibration"), "机器预审"))}
    for it, c in sorted(cal.items()):
        r = crow.get(it)
        if r is None:
            problems.append(f"calibration: no row for {it}")
            continue
        for k in ("确认", "驳回", "需复核→确认", "需复核→否", "漏报"):
            check(f"calibration: {it} {k}", num(r[k]), float(c[k]))

    # ---- rectification list: one line per confirmed problem
    rect = report(args, "rectification")
    rcount = collections.Counter(r["单位"]["text"] for r in rows(table(rect, "整改清单")))
    check("rectification: problems per unit", dict(rcount),
          {u: n for u, n in collections.Counter(
              f["unit"] for f in reviewed for _ in f["real"]).items()})

    # ---- the sampling plan
    def plan(seed):
        out = subprocess.run([args.anjuan, "report", "sample", "--data", args.data,
                              "--per-unit", "5", "--seed", str(seed)],
                             check=True, capture_output=True, text=True).stdout
        return [l.split("\t") for l in out.splitlines() if l.strip()]

    p1, p2, p3 = plan(7), plan(7), plan(8)
    check("sample: same seed, same plan", p1, p2)
    if p1 == p3:
        problems.append("sample: seeds 7 and 8 drew the same plan")
    ordinary = collections.Counter()
    for f in files:
        summary = any(d["doc_type"] == "penalty_decision" and "当场" in (d.get("title") or "")
                      for d in f["documents"])
        if f["kind"] == "coercion" or (f["kind"] == "penalty" and not summary):
            ordinary[f["unit"]] += 1
    drawn = collections.Counter(l[1] for l in p1)
    check("sample: files per unit", dict(drawn), {u: min(5, n) for u, n in ordinary.items()})
    ids = [int(l[0]) for l in p1]
    check("sample: no file twice", len(ids), len(set(ids)))

    if problems:
        print(f"{len(problems)} differences:")
        for p in problems:
            print("  " + p)
        return 1
    print("every figure agrees with the independent count: gaps (unit x item, grades, means), "
          f"half-year {args.half} vs {prev}, annual statistics, calibration, rectification, sampling")
    return 0


if __name__ == "__main__":
    sys.exit(main())
