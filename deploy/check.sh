#!/usr/bin/env bash
# Checks the deployment files under deploy/ for real:
#   - every YAML file under deploy/k8s parses (python3-yaml), each document
#     has a known apiVersion/kind pair, the kustomization lists files that
#     exist and every top-level manifest, Deployment selectors match their
#     pod labels and the PodDisruptionBudget selects a Deployment;
#   - every `anjuan` command line — ExecStart= of the systemd units,
#     command/args of the k8s containers, and the `anjuan …` lines of the
#     shell blocks in deploy/README.md — names a known subcommand (migrate,
#     enqueue, worker, serve, user, import, report);
#   - with --binary PATH: runs `PATH <subcommand> --help` (`user add --help`
#     for `user add`) for each subcommand used, and checks that every long
#     flag used appears in that help text (the values of --scan-arg=… against
#     `scan --help`);
#   - with --verify-units: `systemd-analyze verify` of the units in a
#     throw-away root (a dummy /usr/local/bin/anjuan, the host's unit files).
#
# Usage: bash deploy/check.sh [--binary PATH] [--verify-units]
#        (CHECK_VERBOSE=1 lists every anjuan command line found)
# Exit status: 0 all good, 1 a check failed, 2 usage error.
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BINARY=""
VERIFY_UNITS=0
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) [ $# -ge 2 ] || { echo "check.sh: --binary needs a PATH" >&2; exit 2; }
                  BINARY="$2"; shift 2 ;;
        --binary=*) BINARY="${1#--binary=}"; shift ;;
        --verify-units) VERIFY_UNITS=1; shift ;;
        -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "check.sh: unknown argument: $1 (usage: check.sh [--binary PATH] [--verify-units])" >&2; exit 2 ;;
    esac
done
if [ -n "$BINARY" ]; then
    # A relative path is taken from the current directory (the test runs in
    # the checkout: --binary target/debug/anjuan).
    case "$BINARY" in /*) ;; *) BINARY="$PWD/$BINARY" ;; esac
    [ -x "$BINARY" ] || { echo "check.sh: FAIL: --binary $BINARY is not an executable file" >&2; exit 1; }
fi
# Debian's python3 (which python3-yaml is for) before any other on PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)" || { echo "check.sh: FAIL: python3 not found" >&2; exit 1; }
"$PY" -c 'import yaml' 2>/dev/null || { echo "check.sh: FAIL: $PY has no yaml module (apt-get install python3-yaml)" >&2; exit 1; }

status=0
DEPLOY="$DEPLOY" BINARY="$BINARY" CHECK_VERBOSE="${CHECK_VERBOSE:-}" "$PY" - <<'PY' || status=1
import glob, os, re, shlex, subprocess, sys
import yaml

DEPLOY = os.environ["DEPLOY"]
BINARY = os.environ.get("BINARY") or None
SUBCOMMANDS = {"migrate", "enqueue", "worker", "serve", "user", "import", "report"}
USER_SUBCOMMANDS = {"add"}
KNOWN = {
    ("v1", "Namespace"), ("v1", "Secret"), ("v1", "ConfigMap"), ("v1", "Service"),
    ("v1", "ServiceAccount"), ("v1", "PersistentVolume"), ("v1", "PersistentVolumeClaim"),
    ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"), ("batch/v1", "CronJob"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1", "Ingress"), ("networking.k8s.io/v1", "NetworkPolicy"),
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"),
    ("keda.sh/v1alpha1", "ScaledObject"), ("keda.sh/v1alpha1", "TriggerAuthentication"),
}
errors = []
def fail(msg):
    errors.append(msg)
    print(f"FAIL: {msg}")
def ok(msg):
    print(f"ok:   {msg}")
def rel(p):
    return os.path.relpath(p, os.path.dirname(DEPLOY))

# ---- Kubernetes manifests ------------------------------------------------
k8s = os.path.join(DEPLOY, "k8s")
files = sorted(glob.glob(os.path.join(k8s, "**", "*.yaml"), recursive=True)
               + glob.glob(os.path.join(k8s, "**", "*.yml"), recursive=True))
if not files:
    fail(f"no YAML files under {rel(k8s)}")
docs = []  # (file, doc)
for f in files:
    try:
        with open(f, encoding="utf-8") as fh:
            loaded = [d for d in yaml.safe_load_all(fh) if d is not None]
    except yaml.YAMLError as e:
        fail(f"{rel(f)}: does not parse: {' '.join(str(e).split())}")
        continue
    if not loaded:
        fail(f"{rel(f)}: no YAML document in it")
    for d in loaded:
        if not isinstance(d, dict):
            fail(f"{rel(f)}: a document is not a mapping")
            continue
        pair = (d.get("apiVersion"), d.get("kind"))
        if pair not in KNOWN:
            fail(f"{rel(f)}: unknown apiVersion/kind {pair[0]!r}/{pair[1]!r}")
        else:
            docs.append((f, d))
ok(f"{len(files)} YAML files under {rel(k8s)} parse; {len(docs)} documents with known apiVersion/kind")

# The kustomization: its resources exist; every top-level manifest is listed.
kfile = os.path.join(k8s, "kustomization.yaml")
kust = next((d for f, d in docs if d.get("kind") == "Kustomization"), None)
if kust is None:
    fail(f"{rel(kfile)}: missing")
else:
    listed = set()
    for r in kust.get("resources") or []:
        p = os.path.normpath(os.path.join(k8s, r))
        listed.add(p)
        if not os.path.exists(p):
            fail(f"{rel(kfile)}: resource {r} does not exist")
    for f in files:
        if os.path.dirname(f) == k8s and f != kfile and f not in listed:
            fail(f"{rel(f)}: not listed in kustomization.yaml resources")
    ok(f"kustomization.yaml lists {len(listed)} resources, all present")

# Deployments: selector matches pod labels; PDBs select some Deployment.
deployments = [(f, d) for f, d in docs if d.get("kind") in ("Deployment", "StatefulSet", "DaemonSet")]
for f, d in deployments:
    name = d.get("metadata", {}).get("name")
    sel = (d.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    labels = ((d.get("spec", {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        fail(f"{rel(f)}: {d['kind']} {name}: selector {sel} does not match pod labels {labels}")
for f, d in docs:
    if d.get("kind") != "PodDisruptionBudget":
        continue
    sel = (d.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    hit = [x for _, x in deployments
           if all(((x["spec"].get("template") or {}).get("metadata") or {}).get("labels", {}).get(k) == v
                  for k, v in sel.items())]
    if not sel or not hit:
        fail(f"{rel(f)}: PodDisruptionBudget selects no Deployment ({sel})")

# ---- anjuan command lines --------------------------------------------------
lines = []  # (where, argv after the program name)
def is_anjuan(tok):
    return os.path.basename(tok) == "anjuan"
def add_argv(where, argv):
    for i, t in enumerate(argv):
        if is_anjuan(t):
            lines.append((where, argv[i + 1:]))
            return True
    return False

def containers(node):
    if isinstance(node, dict):
        for key in ("containers", "initContainers"):
            for c in node.get(key) or []:
                if isinstance(c, dict):
                    yield c
        for v in node.values():
            yield from containers(v)
    elif isinstance(node, list):
        for v in node:
            yield from containers(v)

for f, d in docs:
    for c in containers(d):
        argv = [str(x) for x in (c.get("command") or [])] + [str(x) for x in (c.get("args") or [])]
        where = f"{rel(f)}: container {c.get('name')}"
        if not argv:
            fail(f"{where}: no command/args (the image's entrypoint is not checked)")
            continue
        if not add_argv(where, argv):
            # A shell script: sh -c '… anjuan …'
            if len(argv) >= 3 and os.path.basename(argv[0]) in ("sh", "bash") and argv[1] == "-c":
                try:
                    if add_argv(where, shlex.split(argv[2])):
                        continue
                except ValueError:
                    pass
            fail(f"{where}: runs {argv[0]!r}, not anjuan")

units = sorted(glob.glob(os.path.join(DEPLOY, "systemd", "*.service")))
if not units:
    fail("no systemd units under deploy/systemd")
for u in units:
    with open(u, encoding="utf-8") as fh:
        text = fh.read().replace("\\\n", " ")
    execs = [m.group(1) for m in re.finditer(r"(?m)^\s*ExecStart\s*=\s*(.*)$", text)]
    if not execs:
        fail(f"{rel(u)}: no ExecStart=")
    for e in execs:
        e = e.lstrip("-@:+!|")
        try:
            argv = shlex.split(e)
        except ValueError as err:
            fail(f"{rel(u)}: ExecStart does not split: {err}")
            continue
        if not argv or not argv[0].startswith("/"):
            fail(f"{rel(u)}: ExecStart must name an absolute path: {e}")
        elif not add_argv(f"{rel(u)}: ExecStart", argv):
            fail(f"{rel(u)}: ExecStart does not run anjuan: {e}")

readme = os.path.join(DEPLOY, "README.md")
if os.path.exists(readme):
    in_sh = False
    with open(readme, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            s = line.strip()
            if s.startswith("```"):
                in_sh = (not in_sh) and s[3:].strip() in ("sh", "bash", "console", "shell")
                continue
            if not in_sh or s.startswith("#"):
                continue
            s = re.sub(r"\s+#.*$", "", s)
            try:
                argv = shlex.split(s)
            except ValueError:
                continue
            # `anjuan …`, `… && anjuan …`, `kubectl exec … -- anjuan …`,
            # `kubectl exec … -- sh -c 'anjuan …'`
            def scan_argv(argv, depth=0):
                for i, t in enumerate(argv):
                    if is_anjuan(t) and (i == 0 or argv[i - 1] in ("--", "&&", ";", "|", "sudo", "exec", "env", "time")):
                        lines.append((f"{rel(readme)}:{n}", argv[i + 1:]))
                        return
                    if depth == 0 and i > 0 and argv[i - 1] == "-c" and "anjuan" in t:
                        try:
                            scan_argv(shlex.split(t), 1)
                        except ValueError:
                            pass
                        return
            scan_argv(argv)

def flags_of(argv):
    """Long flags used and --scan-arg values, skipping values."""
    flags, scan_flags, i = [], [], 0
    while i < len(argv):
        t = argv[i]
        if t in ("--", "&&", "||", ";", "|"):
            break
        if t.startswith("--") and len(t) > 2:
            name, eq, value = t.partition("=")
            flags.append(name)
            if name == "--scan-arg":
                if not eq and i + 1 < len(argv):
                    value = argv[i + 1]
                    i += 1
                if value.startswith("--"):
                    scan_flags.append(value.partition("=")[0])
        i += 1
    return flags, scan_flags

if os.environ.get("CHECK_VERBOSE"):
    for where, argv in lines:
        print(f"      {where}: anjuan {' '.join(argv)}")
used = {}  # subcommand (tuple) -> set of flags
scan_used = set()
for where, argv in lines:
    if not argv or argv[0] not in SUBCOMMANDS:
        fail(f"{where}: `anjuan {' '.join(argv[:1])}` is not one of: {', '.join(sorted(SUBCOMMANDS))}")
        continue
    sub = (argv[0],)
    rest = argv[1:]
    if argv[0] == "user":
        if not rest or rest[0] not in USER_SUBCOMMANDS:
            fail(f"{where}: `anjuan user {' '.join(rest[:1])}`: expected one of {sorted(USER_SUBCOMMANDS)}")
            continue
        sub, rest = ("user", rest[0]), rest[1:]
    flags, scan_flags = flags_of(rest)
    used.setdefault(sub, set()).update(flags)
    scan_used.update(scan_flags)
ok(f"{len(lines)} anjuan command lines ({len(units)} systemd units, k8s manifests, README); "
   f"subcommands used: {', '.join(' '.join(s) for s in sorted(used))}")
if scan_used:
    used.setdefault(("scan",), set()).update(scan_used)

if BINARY:
    for sub in sorted(used):
        cmd = [BINARY, *sub, "--help"]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                               stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            fail(f"`{' '.join(cmd)}`: {e}")
            continue
        help_text = p.stdout + p.stderr
        if p.returncode != 0:
            said = [l for l in help_text.splitlines() if "error" in l.lower()] or help_text.strip().splitlines()[:1] or [""]
            fail(f"`anjuan {' '.join(sub)} --help` exits {p.returncode} (no such subcommand in {BINARY}?): {said[0].strip()}")
            continue
        missing = [fl for fl in sorted(used[sub])
                   if fl != "--help" and not re.search(r"(?<![\w-])" + re.escape(fl) + r"(?![\w-])", help_text)]
        if missing:
            fail(f"`anjuan {' '.join(sub)}`: flag(s) {', '.join(missing)} not in its --help")
        else:
            ok(f"`anjuan {' '.join(sub)} --help` has {', '.join(sorted(used[sub])) or 'no flags used'}")
else:
    print("note: no --binary given: subcommands and flags not checked against a binary")

if errors:
    print(f"check.sh: {len(errors)} check(s) failed", file=sys.stderr)
    sys.exit(1)
PY

if [ "$VERIFY_UNITS" = 1 ]; then
    if ! command -v systemd-analyze >/dev/null; then
        echo "FAIL: --verify-units: systemd-analyze not found" >&2
        status=1
    else
        root="$(mktemp -d)"
        trap 'rm -rf "$root"' EXIT
        mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/etc/anjuan" "$root/usr/lib/systemd"
        printf '#!/bin/sh\nexit 0\n' > "$root/usr/local/bin/anjuan"
        chmod +x "$root/usr/local/bin/anjuan"
        cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/" 2>/dev/null || cp -a /lib/systemd/system "$root/usr/lib/systemd/"
        cp "$DEPLOY"/systemd/*.service "$root/etc/systemd/system/"
        cp "$DEPLOY"/systemd/anjuan.env "$root/etc/anjuan/"
        names=()
        for u in "$DEPLOY"/systemd/*.service; do
            n="$(basename "$u")"
            case "$n" in *@.service) n="${n%@.service}@1.service" ;; esac
            names+=("$n")
        done
        out="$(cd "$root/etc/systemd/system" && systemd-analyze verify --root="$root" "${names[@]}" 2>&1)" || {
            echo "FAIL: systemd-analyze verify: $out" >&2; status=1; }
        if [ "$status" = 0 ] && [ -n "$out" ]; then
            echo "FAIL: systemd-analyze verify warned: $out" >&2; status=1
        elif [ "$status" = 0 ]; then
            echo "ok:   systemd-analyze verify ${names[*]}: no warnings"
        fi
    fi
fi

if [ "$status" = 0 ]; then
    echo "check.sh: all deployment checks passed"
else
    echo "check.sh: FAILED" >&2
fi
exit "$status"
