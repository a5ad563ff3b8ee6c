#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and run the msm-vm KUnit kernels and the qemu guest suites, then
# report exactly their results.
#
#   test.sh [--table] KERNEL...
#   test.sh --compare
#
# KERNEL is "um" (the plain UML kernel), "debug" (KASAN, lockdep,
# DEBUG_LIST), "qemu" (the arm64 msm kernel with the virtual GPU in qemu,
# running the guest suites: qemu.sh) or "qemu-debug" (the same on the debug
# arm64 kernel: lockdep, DEBUG_LIST, KASAN, kmemleak).  A qemu kernel runs
# once per VM core, the driver's address spaces being VMs of that core:
# its results are KERNEL-c and KERNEL-rust.  Every kernel named
# runs to the end, even after another one failed; report.py then reads the
# results of this invocation and nothing else.  --table adds one line per
# failed or skipped case.  The benchmark suite runs briefly
# (msm_vm_bench_test.c), and compare.py --check makes sure every result of
# it is there.
#
# --compare (make compare) runs the plain kernel, with the benchmarks
# in full (msm_vm_conformance.bench=full, and the memory their 1 GiB BO and
# 10^6 VMAs need), then report.py --table and compare.py, which prints the
# side-by-side report and writes it, with bench.csv and scaling.png, into
# out/compare/<time>-<commit>/ (out/compare/last points at the newest).
#
# MSM_VM_QEMU_SH replaces qemu.sh (for make selftest, as kunit.sh's
# MSM_VM_KUNIT_PY replaces kunit.py).
#
# Where results live: every invocation gets a directory of its own, made
# empty here, <work>/runs/<time>-<pid>/, and passes that one path to kunit.sh
# (which writes into it) and to report.py (which reads from it).  The path is
# computed once, here, in the environment the recipe was started with, so
# KERNEL_SRC and MSM_VM_CACHE given on make's command line count as they do
# for the build.  A kernel whose run wrote no results leaves its file
# missing, and report.py fails naming that file: results of an earlier run,
# or of another base, can never stand in.  <work>/runs/last points at the
# newest run; the three newest are kept.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

KCONF=drivers/gpu/drm/msm/vm/.kunitconfig
KCONF_DEBUG=drivers/gpu/drm/msm/vm/tests/debug.kunitconfig
# Suites that must run and pass in full on each kernel (added per kernel
# below): a build without Rust must fail rather than pass quietly, and a
# guest that did not probe the virtual GPU too.
REQUIRED=()

report_args=()
kernels=()
compare=
for a in "$@"; do
	case "$a" in
	--table) report_args+=(--table) ;;
	--compare) compare=1 ;;
	um | debug | qemu | qemu-debug) kernels+=("$a") ;;
	*) die "test.sh: unknown argument $a" \
		"(expected --table, --compare, um, debug, qemu or qemu-debug)" ;;
	esac
done
if [ -n "$compare" ]; then
	[ ${#kernels[@]} -eq 0 ] || die "test.sh: --compare chooses its kernels"
	# The benchmarks on the plain kernel; the guest suites' table too.
	kernels=(um qemu)
	report_args+=(--table)
fi
[ ${#kernels[@]} -gt 0 ] || die "test.sh: name at least one kernel: um, debug, qemu or qemu-debug"

resolve_base
runs=$WORK_DIR/runs
mkdir -p "$runs"
RUN_DIR=$(mktemp -d "$runs/$(date +%Y%m%d-%H%M%S)-$$.XXXX")
ln -sfn "$(basename "$RUN_DIR")" "$runs/last"
# Keep the three newest runs (this one included).
find "$runs" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn |
	tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf

specs=()
uml_specs=()
for k in "${kernels[@]}"; do
	case "$k" in
	qemu | qemu-debug)
		# The guest writes results-NAME.json like kunit.sh; a failed
		# build or boot leaves it missing, which report.py counts.
		for core in c rust; do
			qargs=(--name "$k-$core" --core "$core" --results "$RUN_DIR")
			[ "$k" = qemu ] || qargs+=(--debug)
			"${MSM_VM_QEMU_SH:-$(dirname "$0")/qemu.sh}" "${qargs[@]}" || true
			specs+=("$k-$core=$RUN_DIR/results-$k-$core.json")
			REQUIRED+=(--require "$k-$core=msm_virt_probe"
				--require "$k-$core=msm_iommu_pagetable"
				--require "$k-$core=msm_sparse")
		done
		continue
		;;
	um) cfg=(--kunitconfig "$KCONF") ;;
	debug) cfg=(--kunitconfig "$KCONF" --kunitconfig "$KCONF_DEBUG") ;;
	esac
	[ -z "$compare" ] ||
		cfg+=(--kernel-arg msm_vm_conformance.bench=full --kernel-arg mem=3G --timeout 1800)
	# A failed build is reported by report.py as this kernel's missing
	# results; the other kernels still run.
	"$(dirname "$0")/kunit.sh" --name "$k" --results "$RUN_DIR" "${cfg[@]}" || true
	specs+=("$k=$RUN_DIR/results-$k.json")
	uml_specs+=("$k=$RUN_DIR/results-$k.json")
	REQUIRED+=(--require "$k=rust_doctests_kernel" --require "$k=msm_vm_rust_ffi")
done
msg "results of this run: $RUN_DIR"
# Every benchmark result must be there; what is missing goes into the run
# directory (bench-NAME.txt), where report.py counts it as failures, so that
# its summary stays the last line and the truth.
for spec in "${uml_specs[@]}"; do
	[ ! -f "${spec#*=}" ] || "$(dirname "$0")/compare.py" --check "$spec" || true
done
rc=0
"$(dirname "$0")/report.py" "${report_args[@]}" "${REQUIRED[@]}" "${specs[@]}" || rc=$?
[ -n "$compare" ] || exit "$rc"
commit=$(git -C "$MSM_VM_TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$MSM_VM_TOP" status --porcelain 2>/dev/null)" ] || commit+=-dirty
out=$MSM_VM_TOP/out/compare/$(date +%Y%m%d-%H%M%S)-$commit
title="Linux $BASE_VERSION ($BASE_DESC), commit $commit"
title+=", $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
"$(dirname "$0")/compare.py" --out "$out" --title "$title" "${uml_specs[0]}" || rc=1
ln -sfn "$(basename "$out")" "$MSM_VM_TOP/out/compare/last"
exit "$rc"
