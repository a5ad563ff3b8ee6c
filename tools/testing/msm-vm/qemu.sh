#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the arm64 msm kernel (arm64.sh) in qemu-system-aarch64 -M virt, under
# TCG, with the virtual GPU's device tree node (guest/virt-gpu-node.dts.in)
# appended to the machine's own tree, and run the guest suites: a static
# /init (guest/init.c) in an initramfs runs the probe checks and the legacy
# msm UAPI suite (guest/msm_legacy.c) against the real msm driver and the
# virtual GPU (drivers/gpu/drm/msm/virt/).
#
#   qemu.sh [--debug] [--core CORE] [--name NAME] [--results DIR]
#
# Each kernel boots twice: the GPU with per-process page tables (legacy
# suite), then without (msm.virt_per_process_pgtables=0: msm_shared).
# Every address space of the driver is a VM of the VM core --core names
# (msm_vm.vm_core=CORE: c, the default, or rust).
# --debug boots the debug kernel (arm64-debug.config: lockdep, DEBUG_LIST,
# KASAN, kmemleak).  With --results, writes into DIR what report.py reads,
# as kunit.sh does for the UML kernels: results-NAME.json (one suite per
# guest suite, one case per subtest), base-NAME.txt, and splats-NAME.txt
# with the kernel splats of the console log.  The whole console log is
# qemu-NAME.log there (or next to the kernel without --results).
#
# The kernel's built-in KUnit suites (CONFIG_DRM_MSM_KUNIT_TEST: msm_iommu.c's
# pagetables) run at each boot; their KTAP results count as suites too.
#
# Exits non-zero if the kernel did not build, the guest did not report every
# subtest it planned, a subtest failed, or the kernel splatted (a WARN,
# BUG, lockdep, KASAN, UBSAN or kmemleak report).

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

debug=
core=c
name=qemu
results=
while [ $# -gt 0 ]; do
	case "$1" in
	--debug) debug=1 ;;
	--core) core=$2; shift ;;
	--name) name=$2; shift ;;
	--results) results=$2; shift ;;
	*) die "qemu.sh: unknown argument $1 (expected --debug, --core, --name or --results)" ;;
	esac
	shift
done

for t in qemu-system-aarch64 dtc cpio aarch64-linux-gnu-gcc; do
	command -v "$t" >/dev/null || die "$t is missing: run 'make deps'"
done
if [ -n "$results" ]; then
	rm -f "$results/results-$name.json" "$results/splats-$name.txt" "$results/base-$name.txt" \
		"$results/figures-$name.txt"
fi
"$(dirname "$0")/arm64.sh" ${debug:+--debug}
SRC=$("$(dirname "$0")/assemble.sh")
resolve_base
BUILD=$WORK_DIR/build-arm64${debug:+-debug}
G=$BUILD/guest
rm -rf "$G/root"
mkdir -p "$G/root/dev" "$G/root/proc" "$G/root/sys"
T=$SRC/tools/testing/msm-vm/guest

qemu=(qemu-system-aarch64 -M virt -cpu max -m 1G -nographic -no-reboot)
"${qemu[@]}" -machine dumpdtb="$G/virt.dtb" >/dev/null 2>&1 ||
	die "qemu could not dump the virt machine's device tree"
{
	dtc -q -I dtb -O dts "$G/virt.dtb" | sed '$d'
	cat "$T/virt-gpu-node.dts.in"
	echo '};'
} >"$G/virt-gpu.dts"
dtc -q -I dts -O dtb -o "$G/virt-gpu.dtb" "$G/virt-gpu.dts" ||
	die "dtc refused $G/virt-gpu.dts"

# The suites use the UAPI headers of the tree they test, as
# headers_install exports them.
make -s -C "$SRC" O="$BUILD" ARCH=arm64 LLVM=1 headers_install \
	INSTALL_HDR_PATH="$G/usr" >"$G/headers.log" 2>&1 ||
	die "headers_install failed, see $G/headers.log"
aarch64-linux-gnu-gcc -static -pthread -O2 -Wall -Wextra -Werror -I "$G/usr/include" \
	-I "$SRC/tools/include" \
	-o "$G/root/init" "$T/init.c" "$T/msm_legacy.c" "$T/msm_sparse.c" ||
	die "the guest's /init did not build"
(cd "$G/root" && find . | cpio -o -H newc --quiet) >"$G/initramfs.cpio"

# Two boots: the GPU with per-process page tables (the legacy suite), and
# without (msm.virt_per_process_pgtables=0: the shared-address-space suite).
log=${results:-$G}/qemu-$name.log
: >"$log"
for boot in "" msm.virt_per_process_pgtables=0; do
	msg "qemu: booting $BUILD/arch/arm64/boot/Image${boot:+ with $boot} (log: $log)"
	start=$SECONDS
	rc=0
	timeout --kill-after=10 1200 "${qemu[@]}" -kernel "$BUILD/arch/arm64/boot/Image" \
		-dtb "$G/virt-gpu.dtb" -initrd "$G/initramfs.cpio" \
		-append "console=ttyAMA0 panic=-1 msm_vm.vm_core=$core $boot" \
		</dev/null >"$log.raw" 2>&1 || rc=$?
	tr -d '\r' <"$log.raw" >>"$log" && rm -f "$log.raw"
	[ "$rc" = 0 ] || msg "qemu: ended with status $rc"
	msg "qemu: $name: the guest ran for $((SECONDS - start)) s"
done

# Kernel splats: as kunit.sh does for UML, scan the whole console log.
pattern='WARNING:|BUG:|Oops|Unable to handle kernel|possible (circular|recursive) locking'
pattern+='|inconsistent lock state|unreferenced object|UBSAN:|Kernel panic'
splats=$(grep -E "$pattern" "$log" || true)
[ -z "$splats" ] || printf '%s\n' "$splats" | head -n 20 >&2

grep -E '^msm-vm-guest: (ok|FAIL|skip): |^msm-vm-guest: why: ' "$log" || true
# Figures (the legacy paths' cost), printed and kept; never a verdict.
figures=$(grep '^msm-vm-guest: bench: ' "$log" | sed 's/^msm-vm-guest: bench: //' || true)
if [ -n "$figures" ]; then
	printf '%s\n' "$figures" | sed "s/^/msm-vm: qemu: $name: /" >&2
	[ -z "$results" ] || printf '%s\n' "$figures" >"$results/figures-$name.txt"
fi
status=0
python3 - "$log" "$name" "${results:-}" "$splats" <<'EOF' || status=$?
import json, os, re, sys
log, name, results, splats = sys.argv[1:5]
line = re.compile(r"^msm-vm-guest: (ok|FAIL|skip): (\S+)")
plan = re.compile(r"^msm-vm-guest: plan: (\S+) (\d+)$")
word = {"ok": "PASS", "FAIL": "FAILURE", "skip": "SKIP"}
# The kernel's built-in KUnit suites, run at boot: KTAP on the console.
ktap_suite = re.compile(r"^    # Subtest: (\S+)$")
ktap_plan = re.compile(r"^    1\.\.(\d+)$")
ktap_case = re.compile(r"^    (ok|not ok) \d+ (\S+)( # SKIP.*)?$")
# Each boot plans its suites (msm_virt_probe in both): plans add up.
suites, planned = {}, {}
ktap = None
with open(log, encoding="utf-8", errors="replace") as f:
    for text in f:
        text = text.rstrip("\n")
        m = line.match(text)
        if m:
            suite, _, case = m[2].partition(".")
            suites.setdefault(suite, []).append({"name": case, "status": word[m[1]]})
        m = plan.match(text)
        if m:
            planned[m[1]] = planned.get(m[1], 0) + int(m[2])
        m = ktap_suite.match(text)
        if m:
            ktap = m[1]
            suites.setdefault(ktap, [])
            continue
        m = ktap and ktap_plan.match(text)
        if m:
            planned[ktap] = planned.get(ktap, 0) + int(m[1])
        m = ktap and ktap_case.match(text)
        if m:
            status = "SKIP" if m[3] else ("PASS" if m[1] == "ok" else "FAILURE")
            suites[ktap].append({"name": m[2], "status": status})
        if ktap and re.match(r"^(ok|not ok) \d+ ", text):
            ktap = None
ok = bool(planned)
if not planned:
    print(f"msm-vm: qemu: {name}: the guest did not start its suites", file=sys.stderr)
for suite, n in planned.items():
    got = len(suites.get(suite, []))
    if got != n:
        print(f"msm-vm: qemu: {name}: suite {suite}: {got} of {n} subtests reported",
              file=sys.stderr)
        ok = False
        suites.setdefault(suite, []).append(
            {"name": "all_subtests_reported", "status": "FAILURE"})
failed = sum(c["status"] == "FAILURE" for cs in suites.values() for c in cs)
if results:
    root = {"name": name, "sub_groups": [
        {"name": s, "test_cases": cs} for s, cs in suites.items()]}
    with open(os.path.join(results, f"results-{name}.json"), "w", encoding="utf-8") as f:
        json.dump(root, f, indent=1)
    if splats:
        with open(os.path.join(results, f"splats-{name}.txt"), "w", encoding="utf-8") as f:
            f.write(splats + "\n")
sys.exit(0 if ok and not failed and not splats else 1)
EOF
if [ -n "$results" ]; then
	echo "Linux $BASE_VERSION ($BASE_DESC), arm64 qemu${debug:+, debug}" \
		>"$results/base-$name.txt"
fi
exit "$status"
