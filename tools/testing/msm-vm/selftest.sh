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
(cd "$MSM_VM_TOP" && overlay_files && ls patches/*) >"$SCRATCH/files"
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

# 9. The bindgen shim, over a fake bindgen that shows what it was given.
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

# report.py: the per-core table, and a core that ran fewer cases fails the run.
R=$SCRATCH/report
mkdir -p "$R/build-um"
cat >"$R/results-um.json" <<'JSON'
{"name": "main", "sub_groups": [{"name": "msm_vm_bind", "sub_groups": [
 {"name": "a_case", "test_cases": [{"name": "c", "status": "PASS"},
                                   {"name": "rust", "status": "PASS"}]}]}]}
JSON
core_line() { echo "[1.0] msm-vm-core: suite=msm_vm_bind core=$1 cases=$2 failed=0 us=$3"; }
{ core_line c 1 1500; core_line rust 1 1200; } >"$R/build-um/test.log"
report() { "$T/report.py" um="$R/results-um.json" >"$R/out" 2>&1; }
report
expect "report: equal cores pass and get a per-core table" \
	grep -q "^um  *msm_vm_bind  *rust  *1  *0  *1.2 ms" "$R/out"
{ core_line c 2 1500; core_line rust 1 1200; } >"$R/build-um/test.log"
expect "report: a core that ran fewer cases fails the run" fails report
expect "report: ... and says which suite" grep -q "msm_vm_bind: the cores ran different" "$R/out"

[ "$failed" -gt 0 ] || rm -rf "$SCRATCH"
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
