#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summarise kunit.py JSON results of msm-vm runs.

    report.py [--table] [--require [NAME=]SUITE]... NAME=RESULTS.json...

Prints a per-suite table (with --table, also one line per failed or skipped
case) and ends with the plain line "N passed, N failed" (", N skipped" when
any).  Exits 1 if any case failed or crashed, a run has no results, or a
required suite did not run with at least one passing case and no failure
or skip (so that, e.g., the Rust doctests cannot silently drop out); a
requirement NAME=SUITE holds for run NAME only.
Every file is read from the directory of the run's RESULTS.json, which
kunit.sh wrote for this run only (test.sh makes it new each time): a missing
results file is an error naming it, never a reason to look elsewhere.
Each kernel splat kunit.sh found in a run's log (splats-NAME.txt) counts as
one failure, and so does each compiler diagnostic located in msm-vm's own
files (warnings-NAME.txt, from quiet.py: they must build without one) and
each benchmark result compare.py --check found missing (bench-NAME.txt).
base-NAME.txt names the tree the kernel was built from, and is printed
first.

The conformance suites run every case once per VM core and log, per core,
"msm-vm-core: suite=S core=C cases=N failed=N us=N" (test-NAME.log).  Those lines give a per-core table (cases, failures, time
of the case bodies); every core must have run as many cases of a suite as
the others, or the run fails: a core cannot silently drop out.
"""

import argparse
import json
import os
import re
import sys

DIAG_LINE = re.compile(r"^\S+:\d+:\d+: (warning|error): |^(warning|error)(\[\w+\])?: ")
CORE_LINE = re.compile(
    r"msm-vm-core: suite=(\S+) core=(\S+) cases=(\d+) failed=(\d+) us=(\d+)")


def core_stats(log_path):
    """Return {(suite, core): (cases, failed, us)} from a kunit.py test.log."""
    stats = {}
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = CORE_LINE.search(line)
                if m:
                    stats[(m[1], m[2])] = (int(m[3]), int(m[4]), int(m[5]))
    except OSError:
        pass
    return stats


def leaves(group, path):
    """Yield (path, status) of every test case below a kunit.py JSON group."""
    for case in group.get("test_cases", []):
        yield path + [case["name"]], case["status"]
    for sub in group.get("sub_groups", []):
        yield from leaves(sub, path + [sub["name"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", action="store_true")
    ap.add_argument("--require", action="append", default=[])
    ap.add_argument("runs", nargs="+", metavar="NAME=FILE")
    args = ap.parse_args()

    total = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    ok = True
    rows = []
    core_rows = []
    notes = []
    for run in args.runs:
        name, _, path = run.partition("=")
        run_dir = os.path.dirname(path)
        try:
            with open(os.path.join(run_dir, f"base-{name}.txt"), encoding="utf-8") as f:
                print(f"msm-vm: {name}: built from {f.read().strip()}")
        except OSError:
            pass
        try:
            with open(path, encoding="utf-8") as f:
                root = json.load(f)
        except OSError as e:
            print(f"msm-vm: {name}: this run wrote no results file {path} "
                  f"({e.strerror}): its build or boot failed, see above", file=sys.stderr)
            ok = False
            continue
        except ValueError as e:
            print(f"msm-vm: {name}: results file {path} is not valid JSON ({e})",
                  file=sys.stderr)
            ok = False
            continue
        suites = {}
        for sub in root.get("sub_groups", []):
            counts = suites.setdefault(sub["name"], {"PASS": 0, "FAIL": 0, "SKIP": 0})
            for case, status in leaves(sub, [sub["name"]]):
                key = status if status in ("PASS", "SKIP") else "FAIL"
                counts[key] += 1
                total[key] += 1
                if key != "PASS":
                    notes.append(f"  {name}: {'.'.join(case)}: {status}")
        if not suites:
            print(f"msm-vm: {name}: the run has no test suite", file=sys.stderr)
            ok = False
        # Kernel splats (lockdep, KASAN, WARN) that kunit.sh found in the log
        # fail the run even where every case passed.
        splat_file = os.path.join(run_dir, f"splats-{name}.txt")
        if os.path.exists(splat_file):
            with open(splat_file, encoding="utf-8") as f:
                splats = [line.rstrip() for line in f if line.strip()]
            if splats:
                suites["(kernel log splats)"] = {"PASS": 0, "FAIL": len(splats), "SKIP": 0}
                total["FAIL"] += len(splats)
                notes += [f"  {name}: kernel log: {line}" for line in splats]
        bench_file = os.path.join(run_dir, f"bench-{name}.txt")
        if os.path.exists(bench_file):
            with open(bench_file, encoding="utf-8") as f:
                missing = [line.rstrip() for line in f if line.strip()]
            if missing:
                suites["(benchmark results missing)"] = {"PASS": 0, "FAIL": len(missing),
                                                         "SKIP": 0}
                total["FAIL"] += len(missing)
                notes += [f"  {name}: {line}" for line in missing]
        warn_file = os.path.join(run_dir, f"warnings-{name}.txt")
        if os.path.exists(warn_file):
            with open(warn_file, encoding="utf-8", errors="replace") as f:
                diags = [line.rstrip() for line in f if DIAG_LINE.match(line)]
            if diags:
                suites["(msm-vm compiler warnings)"] = {"PASS": 0, "FAIL": len(diags), "SKIP": 0}
                total["FAIL"] += len(diags)
                notes += [f"  {name}: build: {line}" for line in diags]
        for suite, c in suites.items():
            rows.append((name, suite, c))
        stats = core_stats(os.path.join(run_dir, f"test-{name}.log"))
        for (suite, core), (cases, failed, us) in stats.items():
            core_rows.append((name, suite, core, cases, failed, us))
        for suite in sorted({s for s, _ in stats}):
            counts = {c: v[0] for (s, c), v in stats.items() if s == suite}
            if len(set(counts.values())) > 1:
                print(f"msm-vm: {name}: {suite}: the cores ran different numbers of cases: "
                      f"{counts}", file=sys.stderr)
                ok = False
        for req in args.require:
            run_name, _, req = req.rpartition("=")
            if run_name and run_name != name:
                continue
            c = suites.get(req)
            if not c or c["PASS"] == 0 or c["FAIL"] or c["SKIP"]:
                print(f"msm-vm: {name}: required suite {req} did not pass in full: {c}",
                      file=sys.stderr)
                ok = False

    width = max([len(s) for _, s, _ in rows] + [5])
    rw = max([len(n) for n, _, _ in rows] + [8])
    print(f"{'run':<{rw}} {'suite':<{width}} {'passed':>7} {'failed':>7} {'skipped':>8}")
    for name, suite, c in rows:
        print(f"{name:<{rw}} {suite:<{width}} {c['PASS']:>7} {c['FAIL']:>7} {c['SKIP']:>8}")
    if core_rows:
        print(f"{'run':<{rw}} {'suite':<{width}} {'core':<6} {'cases':>7} {'failed':>7} "
              f"{'time':>10}")
        for name, suite, core, cases, failed, us in core_rows:
            print(f"{name:<{rw}} {suite:<{width}} {core:<6} {cases:>7} {failed:>7} "
                  f"{us / 1000:>8.1f} ms")
    if args.table and notes:
        print("cases not passed:")
        print("\n".join(notes))
    line = f"{total['PASS']} passed, {total['FAIL']} failed"
    if total["SKIP"]:
        line += f", {total['SKIP']} skipped"
    print(line)
    return 0 if ok and total["FAIL"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
