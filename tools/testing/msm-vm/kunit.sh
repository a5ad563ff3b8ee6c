#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and run the msm-vm KUnit suites under User-Mode Linux, in one
# LLVM=1 kernel that carries the C and the Rust side.
#
#   kunit.sh --results DIR [--kunitconfig PATH]... [--name NAME]
#            [--kernel-arg ARG]... [--timeout SECONDS]
#
# kunit.py builds the kernel (its phases stay visible; the compiler's
# output goes through quiet.py), the kernel runs with kunit.py's command
# line plus each ARG (mem=... among them wins), for at most SECONDS (900),
# and kunit.py parses its log.  Into DIR, which the caller chose for this
# run (test.sh), it writes for report.py and compare.py:
#   results-NAME.json   kunit.py's parsed results
#   test-NAME.log       the whole kernel log of the run
#   build-NAME.log      the whole output of the build
#   warnings-NAME.txt   the build's diagnostics located in msm-vm's files
#   splats-NAME.txt     the log's kernel splats, if any
#   base-NAME.txt       the base the kernel was built from
# It never reads or writes results anywhere else.
#
# MSM_VM_KUNIT_PY replaces tools/testing/kunit/kunit.py (run from the
# assembled tree): make selftest uses it to test this tooling without
# building a kernel.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

name=um
results=
configs=()
kargs=()
timeout=900
while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--kunitconfig) configs+=("--kunitconfig=$2"); shift 2 ;;
	--kernel-arg) kargs+=("$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) die "kunit.sh: unknown argument $1" ;;
	esac
done
[ -n "$results" ] || die "kunit.sh: --results DIR is required"
[ -d "$results" ] || die "kunit.sh: results directory $results does not exist"
results=$(cd "$results" && pwd)
[ ${#configs[@]} -gt 0 ] || configs=(--kunitconfig=drivers/gpu/drm/msm/vm/.kunitconfig)

SRC=$("$(dirname "$0")/assemble.sh")
resolve_base
lock_work
BUILD=$WORK_DIR/build-$name
mkdir -p "$BUILD"

for t in "$MSM_VM_RUSTC" "$MSM_VM_RUSTDOC" "$MSM_VM_RUSTFMT"; do
	[ -x "$t" ] || die "$t is missing: run 'make deps'"
done

shim=$SRC/tools/testing/msm-vm/bindgen-shim
refresh_bindgen "$BUILD" "$shim"

json=$results/results-$name.json
log=$results/test-$name.log
rm -f "$json" "$log" "$results/splats-$name.txt" "$results/warnings-$name.txt"
echo "Linux $BASE_VERSION ($BASE_DESC)" >"$results/base-$name.txt"
kunit_py=${MSM_VM_KUNIT_PY:-tools/testing/kunit/kunit.py}
msg "kunit: $name: Linux $BASE_VERSION, build dir $BUILD"

# 1. Build, through quiet.py: the 6.12 base's UML headers give tens of
#    thousands of clang warnings, which go to build-NAME.log only; the
#    screen shows kunit.py's phases, errors, and the warnings located in our
#    own files (warnings-NAME.txt, failures for report.py).
rc=0
(
	cd "$SRC"
	python3 "$kunit_py" build --arch=um \
		--build_dir="$BUILD" "${configs[@]}" --jobs="$MSM_VM_JOBS" \
		--make_options LLVM=1 \
		--make_options RUSTC="$MSM_VM_RUSTC" \
		--make_options HOSTRUSTC="$MSM_VM_RUSTC" \
		--make_options RUSTDOC="$MSM_VM_RUSTDOC" \
		--make_options RUSTFMT="$MSM_VM_RUSTFMT" \
		--make_options CLIPPY_DRIVER="$MSM_VM_CLIPPY" \
		--make_options BINDGEN="$shim"
) 2>&1 | python3 "$(dirname "$0")/quiet.py" --src "$SRC" --ours "$WORK_DIR/manifest" \
	--log "$results/build-$name.log" --warnings "$results/warnings-$name.txt" || rc=$?
[ "$rc" = 0 ] || die "kunit.py build ended with status $rc (see above and $results/build-$name.log)"

# 2. Run the kernel ourselves rather than with kunit.py run, which appends
#    mem=1G to the command line (UML takes the last mem=): the benchmarks
#    of make compare need more.  The arguments are kunit.py's, then ours.
args=(mem=1G console=tty kunit_shutdown=halt kunit.enable=1 "${kargs[@]}")
msg "kunit: $name: running $BUILD/linux ${args[*]}"
rc=0
timeout --kill-after=30 "$timeout" "$BUILD/linux" "${args[@]}" </dev/null >"$log" 2>&1 || rc=$?
[ "$rc" = 0 ] || msg "kunit: $name: the kernel ended with status $rc (timeout: $timeout s)"

# 3. kunit.py parses the log into its per-case lines and the JSON.
(cd "$SRC" && python3 "$kunit_py" parse --json="$json" "$log") || true

# KUnit passes a case whose code splatted (lockdep, KASAN, a WARN), and
# kunit.py shows the kernel log of failed cases only: scan the whole log.
# A lockdep splat also turns lockdep off for the rest of the run, so one
# hides the next.  The boot is part of the run; UML's virt-pci WARNs at
# every boot without a virtio device (benign).
pattern='WARNING:|BUG:|Oops|possible (circular|recursive) locking|inconsistent lock state'
pattern+='|unreferenced object'
splats=$(grep -E "$pattern" "$log" 2>/dev/null | grep -v 'at arch/um/drivers/virt-pci.c:' || true)
if [ -n "$splats" ]; then
	printf '%s\n' "$splats" | head -n 20 >&2
	# report.py counts this file's lines as failures.
	printf '%s\n' "$splats" >"$results/splats-$name.txt"
	msg "kernel splats in the $name run (see $log)"
fi
if [ ! -s "$json" ]; then
	die "the $name kernel ran no test (see $log)"
fi
exit 0
