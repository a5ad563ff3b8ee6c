#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Self-test of the msm-vm tooling: what tree assembly, the bindgen shim and
# report.py promise, checked on a scratch copy of this repository and a
# scratch cache that shares only the (read-only) unpacked base.  Ends with a
# plain "selftest: N passed, N failed" line.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

resolve_base
REAL_BASE=$BASE_DIR
SCRATCH=$MSM_VM_CACHE/selftest
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH/cache"
[ -n "${KERNEL_SRC:-}" ] || ln -s "$MSM_VM_CACHE/base" "$SCRATCH/cache/base"
REPO=$SCRATCH/repo
mkdir -p "$REPO"
(cd "$MSM_VM_TOP" && overlay_files && ls Makefile patches/*) >"$SCRATCH/files"
(cd "$MSM_VM_TOP" && tar -cf - -T "$SCRATCH/files") | tar -xf - -C "$REPO"
T=$REPO/tools/testing/msm-vm

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; }
# expect NAME CONDITION...: run the condition; pass if it succeeds.
expect() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}
fails() { ! "$@"; }
assemble() { MSM_VM_CACHE=$SCRATCH/cache "$T/assemble.sh" 2>"$SCRATCH/err"; }
newer_than_marker() { find "$1" -newer "$SCRATCH/marker" -type f | sed "s|^$1/||" | sort; }

# 1. A first assembly; a second one changes no timestamp at all.
src=$(assemble) || { cat "$SCRATCH/err"; die "scratch assembly failed"; }
sleep 1.1
touch "$SCRATCH/marker"
assemble >/dev/null
expect "re-assembly leaves every timestamp alone" \
	test -z "$(newer_than_marker "$src")"

# 2. Editing one overlay file renews exactly that file.
f=drivers/gpu/drm/msm/vm/msm_vm_module.c
echo "/* selftest edit */" >>"$REPO/$f"
assemble >/dev/null
expect "an overlay edit renews only the edited file" \
	test "$(newer_than_marker "$src")" = "$f"
expect "the edit reaches the tree" grep -q "selftest edit" "$src/$f"
expect "the base behind the hard links stays pristine" \
	cmp -s "$REAL_BASE/Makefile" "$src/Makefile"

# 3. A file the overlay no longer has leaves the tree.
rm "$REPO/drivers/gpu/drm/msm/vm/msm_vm_rs.h"
assemble >/dev/null
expect "a removed overlay file leaves the tree" \
	test ! -e "$src/drivers/gpu/drm/msm/vm/msm_vm_rs.h"

# 4. A patch dropped from the series restores the base file, newly stamped.
mv "$REPO/patches/series" "$SCRATCH/series"
: >"$REPO/patches/series"
touch "$SCRATCH/marker"
assemble >/dev/null
expect "a dropped patch restores the base file" \
	cmp -s "$REAL_BASE/drivers/gpu/drm/Makefile" "$src/drivers/gpu/drm/Makefile"
expect "the restored file is newer than the build" \
	test "$src/drivers/gpu/drm/Makefile" -nt "$SCRATCH/marker"
mv "$SCRATCH/series" "$REPO/patches/series"

# 5. A patch that does not apply stops with its name and the failing file.
cat >"$REPO/patches/9999-broken.patch" <<'PATCH'
selftest: a patch whose context is not in 6.12
---
--- a/drivers/gpu/drm/Kconfig
+++ b/drivers/gpu/drm/Kconfig
@@ -1,3 +1,3 @@
 this line
-is not
+was never
 in the file
PATCH
echo 9999-broken.patch >>"$REPO/patches/series"
expect "a patch that does not apply fails the assembly" fails assemble
expect "... naming the patch and the failing file" \
	grep -q "9999-broken.patch does not apply .*(failing file: drivers/gpu/drm/Kconfig)" \
	"$SCRATCH/err"
sed -i '/9999-broken/d' "$REPO/patches/series"

# 6. An overlay file may not replace a base file.
mkdir -p "$REPO/include/linux" && echo "overridden" >"$REPO/include/linux/types.h"
expect "an overlay file that exists in the base is refused" fails assemble
expect "... with a message naming it" grep -q "overlay file include/linux/types.h exists" \
	"$SCRATCH/err"
rm "$REPO/include/linux/types.h"

# 7. KERNEL_SRC: anything but 6.12.y is refused, naming the version found.
mkdir -p "$SCRATCH/linux-6.13"
printf 'VERSION = 6\nPATCHLEVEL = 13\nSUBLEVEL = 2\n' >"$SCRATCH/linux-6.13/Makefile"
export KERNEL_SRC=$SCRATCH/linux-6.13
expect "KERNEL_SRC of another version is refused" fails assemble
expect "... naming the version found" grep -q "is Linux 6.13.2; msm-vm needs a 6.12.y tree" \
	"$SCRATCH/err"

# 8. KERNEL_SRC of a 6.12.y tree is used and never written.
export KERNEL_SRC=$REAL_BASE
touch "$SCRATCH/marker"
src2=$(assemble)
expect "KERNEL_SRC of a 6.12.y tree assembles" test -f "$src2/drivers/gpu/drm/msm/vm/Kconfig"
expect "... and says which base it used" grep -q "base: Linux 6.12.* (KERNEL_SRC=$REAL_BASE)" \
	"$SCRATCH/err"
expect "... and KERNEL_SRC is not written" test -z "$(newer_than_marker "$REAL_BASE")"
expect "... nor gains a file" test ! -e "$REAL_BASE/drivers/gpu/drm/msm/vm"
unset KERNEL_SRC

# 9. make test reads the results of its own run, and of nothing else: two
#    bases in one cache in both orders, KERNEL_SRC and MSM_VM_CACHE given on
#    make's command line (make 4.3 does not pass those to $(shell)), a run
#    that dies before writing results, and KERNEL_SRC on a machine that
#    never unpacked the Debian base.  A fake kunit.py (kunit.sh's
#    MSM_VM_KUNIT_PY) stands in for the kernel build: it names the tree's
#    SUBLEVEL in a suite, whose case fails while the overlay has a file
#    tools/testing/msm-vm/selftest-fail-<version>.
cat >"$SCRATCH/fake-kunit.py" <<'FAKE'
#!/usr/bin/env python3
# "build" writes a fake kernel that prints its suites and one benchmark
# line per result compare.py --check wants (as the real one does, minus the
# rust core's results when the overlay has selftest-no-rust-bench);
# "parse" turns that log into kunit.py's JSON.
import json, os, sys
cmd = sys.argv[1]
opt = dict(a[2:].split("=", 1) for a in sys.argv[2:] if a.startswith("--") and "=" in a)
if cmd == "build":
    with open("Makefile") as f:
        sub = next(l.split("=")[1].strip() for l in f if l.startswith("SUBLEVEL ="))
    fail = os.path.exists(f"tools/testing/msm-vm/selftest-fail-6.12.{sub}")
    no_rust = os.path.exists("tools/testing/msm-vm/selftest-no-rust-bench")
    cores = ["c"] if no_rust else ["c", "rust"]
    sys.path.insert(0, "tools/testing/msm-vm")
    import compare
    out = [f"fake kernel of 6.12.{sub}"]
    out += [f"msm-vm-core: suite=msm_vm_bench core={c} cases=5 failed=0 us=1"
            for c in ("c", "rust")]
    for n, st in [("rust_doctests_kernel", "PASS"), ("msm_vm_rust_ffi", "PASS"),
                  (f"selftest_6_12_{sub}", "FAIL" if fail else "PASS")]:
        out.append(f"fake-suite: {n} {st}")
    zero = " ".join(f"{k}=1" for k in compare.FIELDS)
    for s in compare.core_scenarios(4):
        out += [f"msm-vm-bench: scenario={s} core={c} {zero}" for c in cores]
        if compare.floor_of(s):
            out.append(f"msm-vm-bench: scenario={compare.floor_of(s)} core=floor {zero}")
    for s in compare.SIZES:
        for kind in ("map", "unmap"):
            out.append(f"msm-vm-bench: scenario={kind}-{s} core=floor-noalloc {zero}")
    os.makedirs(opt["build_dir"], exist_ok=True)
    linux = os.path.join(opt["build_dir"], "linux")
    with open(linux, "w") as f:
        f.write("#!/bin/sh\ncat <<'EOF'\n" + "\n".join(out) + "\nEOF\n")
    os.chmod(linux, 0o755)
elif cmd == "parse":
    log = next(a for a in sys.argv[2:] if not a.startswith("--"))
    with open(log) as f:
        suites = [l.split()[1:] for l in f if l.startswith("fake-suite: ")]
    with open(opt["json"], "w") as f:
        json.dump({"name": "main", "sub_groups": [
            {"name": n, "test_cases": [{"name": "a_case", "status": st}]} for n, st in suites]}, f)
FAKE
chmod +x "$SCRATCH/fake-kunit.py"
# A fake qemu.sh (test.sh's MSM_VM_QEMU_SH) for make test's qemu kernels:
# it assembles the tree as the real one does, then writes one passing case
# of each suite test.sh requires of a qemu run (the probe, the pagetable
# KUnit suite), or nothing when assembly failed.
cat >"$SCRATCH/fake-qemu.sh" <<'FAKE'
#!/usr/bin/env bash
while [ $# -gt 0 ]; do
	case "$1" in --name) name=$2; shift ;; --results) results=$2; shift ;; esac
	shift
done
"$MSM_VM_SELFTEST_TOOLS/assemble.sh" >/dev/null || exit 1
case='[{"name": "a_case", "status": "PASS"}]'
printf '{"name": "%s", "sub_groups": [%s, %s, %s]}\n' "$name" \
	"{\"name\": \"msm_virt_probe\", \"test_cases\": $case}" \
	"{\"name\": \"msm_iommu_pagetable\", \"test_cases\": $case}" \
	"{\"name\": \"msm_sparse\", \"test_cases\": $case}" >"$results/results-$name.json"
FAKE
chmod +x "$SCRATCH/fake-qemu.sh"
# A second 6.12.y tree, 6.12.107 by its Makefile.
OTHER=$SCRATCH/linux-6.12.107
cp -al "$REAL_BASE" "$OTHER" 2>/dev/null || cp -a "$REAL_BASE" "$OTHER"
rm "$OTHER/Makefile"
sed 's/^SUBLEVEL = .*/SUBLEVEL = 107/' "$REAL_BASE/Makefile" >"$OTHER/Makefile"
deb=$(kernel_version "$REAL_BASE")
# mk ARGS...: make in the scratch repository, the scratch cache in the
# environment (as before), ARGS on make's command line.
mk() {
	MSM_VM_CACHE=$SCRATCH/cache MSM_VM_KUNIT_PY=$SCRATCH/fake-kunit.py \
		MSM_VM_QEMU_SH=$SCRATCH/fake-qemu.sh \
		MSM_VM_SELFTEST_TOOLS=$REPO/tools/testing/msm-vm \
		make -s -C "$REPO" "$@" >"$SCRATCH/out" 2>&1
}
said() { grep -q -- "$1" "$SCRATCH/out"; }
verdict() { # verdict VERSION pass|fail: how the fake run of that base ends.
	local m=$REPO/tools/testing/msm-vm/selftest-fail-$1
	if [ "$2" = fail ]; then touch "$m"; else rm -f "$m"; fi
}

verdict "$deb" pass
verdict 6.12.107 fail
expect "a Debian-base run passes with its own results" mk test-fast
expect "... saying which base it built" said "^msm-vm: um: built from Linux $deb (Debian"
expect "a KERNEL_SRC run after it reports its own failure" \
	fails mk test-fast KERNEL_SRC="$OTHER"
expect "... and counts" said "^2 passed, 1 failed$"
expect "... and base" said "^msm-vm: um: built from Linux 6.12.107 (KERNEL_SRC=$OTHER)"
expect "... and no suite of the other base" fails said "selftest_${deb//./_}"
verdict "$deb" fail
verdict 6.12.107 pass
expect "a failing Debian-base run fails" fails mk test-fast
expect "a KERNEL_SRC run after it reports its own pass" mk test-fast KERNEL_SRC="$OTHER"
expect "... and counts" said "^3 passed, 0 failed$"
verdict "$deb" pass
mkdir -p "$SCRATCH/cache2"
ln -s "$MSM_VM_CACHE/base" "$SCRATCH/cache2/base"
expect "MSM_VM_CACHE on make's command line is where results go and are read" \
	mk test-fast MSM_VM_CACHE="$SCRATCH/cache2"
expect "... and counts" said "^3 passed, 0 failed$"
expect "... in that cache" test -f "$SCRATCH/cache2/work/deb-"*/runs/last/results-um.json
expect "make test: every kernel passes with its own results" mk test
expect "... and counts" said "^18 passed, 0 failed$"

# A run that fails before it writes results never reports an earlier one.
printf 'broken\n--- a/Makefile\n+++ b/Makefile\n@@ -1 +1 @@\n-no such line\n+x\n' \
	>"$REPO/patches/9998-broken.patch"
echo 9998-broken.patch >>"$REPO/patches/series"
expect "a run that wrote no results fails, although the last one passed" \
	fails mk test
expect "... naming the missing results files" \
	said "msm-vm: um: this run wrote no results file $SCRATCH/cache/work/deb-.*/runs/.*/results"
expect "... of every kernel" said "msm-vm: debug: this run wrote no results file"
expect "... the qemu ones too, per core" \
	said "msm-vm: qemu-debug-rust: this run wrote no results file"
sed -i '/9998-broken/d' "$REPO/patches/series"
rm "$REPO/patches/9998-broken.patch"

# KERNEL_SRC where the Debian base was never unpacked (nor is installed).
mk_nodeb() {
	MSM_VM_CACHE=$SCRATCH/cache-nodeb MSM_VM_TARBALL=$SCRATCH/none.tar.xz \
		MSM_VM_KUNIT_PY=$SCRATCH/fake-kunit.py \
		make -s -C "$REPO" "$@" >"$SCRATCH/out" 2>&1
}
expect "KERNEL_SRC without a Debian base passes with its own results" \
	mk_nodeb test-fast KERNEL_SRC="$OTHER"
expect "... and base" said "^msm-vm: um: built from Linux 6.12.107 (KERNEL_SRC=$OTHER)"
expect "... and counts" said "^3 passed, 0 failed$"
expect "... and never unpacks the Debian base" test ! -e "$SCRATCH/cache-nodeb/base"
verdict 6.12.107 pass

# A benchmark result missing from a run fails make test, naming it.
touch "$REPO/tools/testing/msm-vm/selftest-no-rust-bench"
expect "a run without the Rust core's benchmark results fails" fails mk test-fast
expect "... naming what is missing" said "benchmark results missing: .*bo-offset-end on rust"
expect "... counted as failures by the summary, still the run's last line" \
	grep -qE "^3 passed, [1-9][0-9]* failed$" <(grep -v "^make" "$SCRATCH/out" | tail -n 1)
rm "$REPO/tools/testing/msm-vm/selftest-no-rust-bench"

# 10. The bindgen shim, over a fake bindgen that shows what it was given.
cat >"$SCRATCH/fake-bindgen" <<'FAKE'
#!/bin/sh
[ "$1" = --version ] && { echo "bindgen 0.60.1"; exit 0; }
echo "$*" >"$(dirname "$0")/fake-args"
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
printf 'extern "C" {\n    pub fn rust_helper_BUG();\n    pub fn other();\n}\n' >"$out"
FAKE
chmod +x "$SCRATCH/fake-bindgen"
export MSM_VM_REAL_BINDGEN=$SCRATCH/fake-bindgen
v=$("$T/bindgen-shim" --version workaround | sed -nE '1s:.*bindgen ([0-9]+\.[0-9]+\.[0-9]+).*:\1:p')
expect "shim: kbuild's version parser reads 0.65.1" test "$v" = 0.65.1
"$T/bindgen-shim" in.h --rust-target 1.68 --use-core -o "$SCRATCH/out.rs" -- -DX
expect "shim: an unknown --rust-target becomes 1.47" \
	grep -q -- "--rust-target 1.47 --use-core -o $SCRATCH/out.rs -- -DX" "$SCRATCH/fake-args"
expect "shim: rust_helper_BUG gets -> ! back" grep -q "pub fn rust_helper_BUG() -> !;" \
	"$SCRATCH/out.rs"
expect "shim: other functions are left alone" grep -q "pub fn other();" "$SCRATCH/out.rs"
unset MSM_VM_REAL_BINDGEN

# 11. report.py: the per-core table, and a core that ran fewer cases fails the run.
R=$SCRATCH/report
mkdir -p "$R"
cat >"$R/results-um.json" <<'JSON'
{"name": "main", "sub_groups": [{"name": "msm_vm_bind", "sub_groups": [
 {"name": "a_case", "test_cases": [{"name": "c", "status": "PASS"},
                                   {"name": "rust", "status": "PASS"}]}]}]}
JSON
core_line() { echo "[1.0] msm-vm-core: suite=msm_vm_bind core=$1 cases=$2 failed=0 us=$3"; }
{ core_line c 1 1500; core_line rust 1 1200; } >"$R/test-um.log"
report() { "$T/report.py" um="$R/results-um.json" >"$R/out" 2>&1; }
report
expect "report: equal cores pass and get a per-core table" \
	grep -q "^um  *msm_vm_bind  *rust  *1  *0  *1.2 ms" "$R/out"
{ core_line c 2 1500; core_line rust 1 1200; } >"$R/test-um.log"
expect "report: a core that ran fewer cases fails the run" fails report
expect "report: ... and says which suite" grep -q "msm_vm_bind: the cores ran different" "$R/out"

# 12. quiet.py: the 6.12 base's warnings go to the log only; a warning in
#     an msm-vm file is shown, kept for report.py, and fails the run.
Q=$SCRATCH/quiet
mkdir -p "$Q"
printf '%s\n' drivers/gpu/drm/msm/vm/msm_vm_c.c >"$Q/manifest"
cat >"$Q/build.txt" <<'OUT'
[10:00:00] Building KUnit Kernel ...
In file included from /src/drivers/gpu/drm/msm/vm/msm_vm_c.c:11:
/src/include/asm-generic/io.h:582:31: warning: arithmetic on a null pointer [-Wnull-pointer]
        val = __raw_readb(PCI_IOBASE + addr);
/src/drivers/gpu/drm/msm/vm/msm_vm_c.c:40:6: warning: unused variable 'x' [-Wunused-variable]
        int x;
2 warnings generated.
warning: unused import: `Foo`
  --> /src/rust/kernel/lib.rs:3:5
[10:01:00] Elapsed time: 60.000s
OUT
quiet() {
	"$T/quiet.py" --src /src --ours "$Q/manifest" --log "$Q/log" \
		--warnings "$R/warnings-um.txt" <"$Q/build.txt" >"$Q/out" 2>&1
}
expect "quiet: runs" quiet
expect "quiet: kunit.py's phases are shown" grep -q "Building KUnit Kernel" "$Q/out"
expect "quiet: a warning in an msm-vm file is shown" grep -q "unused variable 'x'" "$Q/out"
expect "quiet: the base's warnings are not" fails grep -q "null pointer\|unused import" "$Q/out"
expect "quiet: ... and counted" grep -q "2 warnings from the 6.12 base left out, 1 from msm-vm" \
	"$Q/out"
expect "quiet: the log keeps everything" cmp -s "$Q/build.txt" "$Q/log"
{ core_line c 1 1500; core_line rust 1 1200; } >"$R/test-um.log"
expect "report: a warning in an msm-vm file fails the run" fails report
expect "report: ... and is counted" grep -q "^um  *(msm-vm compiler warnings)  *0  *1 " "$R/out"
: >"$R/warnings-um.txt"
expect "report: no warning, no failure" report

# 13. compare.py: the targets are computed from the figures, met or not.
bench_line() { # scenario core ns_op [pages need bound]
	echo "[1.0] msm-vm-bench: scenario=$1 core=$2 ops=1 reps=5 ns_op=$3 min=$3 max=$3" \
		"pages=${4:-0} need=${5:-0} used=0 bound=${6:-0}" \
		"create=1 lock=1 prepare=1 run=1 free=1"
}
{
	core_line c 1 1500
	core_line rust 1 1200
	for s in $(python3 -c "import sys; sys.path.insert(0, '$T'); import compare
print(' '.join(compare.core_scenarios(6)))"); do
		bench_line "$s" c 100 3 3 9
		bench_line "$s" rust 104 3 3 9
	done
	for s in 4k 64k 2m; do
		for k in map unmap; do
			bench_line "$k-$s" floor 50
			bench_line "$k-$s" floor-noalloc 40
		done
	done
	for e in 3 4 5 6; do
		bench_line "live-map-1e$e" floor 50
		bench_line "live-unmap-1e$e" floor 50
	done
} >"$R/test-um.log"
sed -i 's/\(scenario=bo-offset-end core=rust ops=1 reps=5 ns_op=\)104/\1200/' \
	"$R/test-um.log"
cmp_run() { "$T/compare.py" --out "$R/cmp" um="$R/results-um.json" >"$R/cmp.out" 2>&1; }
expect "compare: writes its report" cmp_run
expect "compare: P1 at 2x the floor is not met" grep -q "^| P1 map | .* c 2.00x .* | NOT MET |" \
	"$R/cmp.out"
expect "compare: P2 at 1.04x is met where it holds ..." grep -q "35 of 36 within" "$R/cmp.out"
expect "compare: ... and not met with one scenario at 2x" \
	grep -q "^| P2 | .* worst bo-offset-end 2.00x | NOT MET |" "$R/cmp.out"
expect "compare: P3 with equal costs is met" \
	grep -q "^| P3 map | .* c 1.00x, rust 1.00x .* | met |" \
	"$R/cmp.out"
expect "compare: P4 at 1.92x is not met" grep -q "^| P4 | .* rust 1.92x | NOT MET |" "$R/cmp.out"
expect "compare: P5 with pages == need is met" grep -q "^| P5 | .* | met |" "$R/cmp.out"
expect "compare: ... and bench.csv has every result" \
	test "$(($(wc -l <"$R/cmp/bench.csv") - 1))" = "$(grep -c msm-vm-bench "$R/test-um.log")"
expect "compare: ... and the report is in report.md" cmp -s "$R/cmp/report.md" \
	<(sed -n '/^# msm-vm compare/,/^msm-vm: compare: wrote/p' "$R/cmp.out" | sed '$d')
if command -v gnuplot >/dev/null; then
	expect "compare: ... and scaling.png is a PNG" \
		grep -q "PNG image" <(file "$R/cmp/scaling.png")
fi
sed -i '/scenario=null-span core=rust/d' "$R/test-um.log"
expect "compare: a missing result fails" fails cmp_run
expect "compare: ... naming it" grep -q "missing: null-span on rust" "$R/cmp.out"

[ "$failed" -gt 0 ] || rm -rf "$SCRATCH"
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
