#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and run the msm-vm KUnit kernels, then report exactly their results.
#
#   test.sh [--table] KERNEL...
#
# KERNEL is "um" (the plain UML kernel) or "debug" (KASAN, lockdep,
# DEBUG_LIST).  Every kernel named runs to the end, even after another one
# failed; report.py then reads the results of this invocation and nothing
# else.  --table adds one line per failed or skipped case.
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
# Suites that must run and pass in full on every kernel: a build without
# Rust must fail rather than pass quietly.
REQUIRED=(--require rust_doctests_kernel --require msm_vm_rust_ffi)

report_args=()
kernels=()
for a in "$@"; do
	case "$a" in
	--table) report_args+=(--table) ;;
	um | debug) kernels+=("$a") ;;
	*) die "test.sh: unknown argument $a (expected --table, um or debug)" ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || die "test.sh: name at least one kernel: um or debug"

resolve_base
runs=$WORK_DIR/runs
mkdir -p "$runs"
RUN_DIR=$(mktemp -d "$runs/$(date +%Y%m%d-%H%M%S)-$$.XXXX")
ln -sfn "$(basename "$RUN_DIR")" "$runs/last"
# Keep the three newest runs (this one included).
find "$runs" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn |
	tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf

specs=()
for k in "${kernels[@]}"; do
	case "$k" in
	um) cfg=(--kunitconfig "$KCONF") ;;
	debug) cfg=(--kunitconfig "$KCONF" --kunitconfig "$KCONF_DEBUG") ;;
	esac
	# A failed build is reported by report.py as this kernel's missing
	# results; the other kernels still run.
	"$(dirname "$0")/kunit.sh" --name "$k" --results "$RUN_DIR" "${cfg[@]}" || true
	specs+=("$k=$RUN_DIR/results-$k.json")
done
msg "results of this run: $RUN_DIR"
exec "$(dirname "$0")/report.py" "${report_args[@]}" "${REQUIRED[@]}" "${specs[@]}"
