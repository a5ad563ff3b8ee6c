#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The arm64 kernel of the msm driver, cross-built from the assembled tree.
#
#   arm64.sh             build arch/arm64/boot/Image for qemu -M virt, with
#                        LLVM=1 and Rust, so that both VM cores are built in
#                        (<work>/build-arm64)
#   arm64.sh --debug     the same with arm64-debug.config on top (lockdep,
#                        DEBUG_LIST, KASAN, kmemleak) (<work>/build-arm64-debug)
#   arm64.sh --warnings  rebuild drivers/gpu/drm/msm/ (the VM core in msm/vm/
#                        included) with gcc (aarch64-linux-gnu), W=1 and
#                        sparse (C=1) and print its diagnostics, one line
#                        each, "COUNT FILE: warning: MESSAGE", sorted
#                        (<work>/build-arm64-gcc)
#
# The configuration is allnoconfig plus arm64.config (and arm64-rust.config
# for the Image, arm64-debug.config for the debug one), then olddefconfig;
# it is made again only when those files change, so builds stay
# incremental.  DRM_MSM=y, DRM_MSM_VM=y and DRM_MSM_VIRT_GPU=y must hold,
# DRM_MSM_VM_RUST=y for the Image, whose Rust bindings are made again when
# bindgen-shim changes (refresh_bindgen), and the debug options for the
# debug Image.  --warnings removes the msm objects first: an unchanged file
# would otherwise not be compiled, and its warnings not counted.
# Diagnostics are keyed by file and message, without line numbers, so that
# a patch moving code does not change them.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

mode=image
debug=
case "${1:-}" in
"") ;;
--debug) debug=1 ;;
--warnings) mode=warnings ;;
*) die "arm64.sh: unknown argument $1 (expected --debug, --warnings or nothing)" ;;
esac

SRC=$("$(dirname "$0")/assemble.sh")
resolve_base
lock_work
command -v aarch64-linux-gnu-gcc >/dev/null ||
	die "aarch64-linux-gnu-gcc is missing: run 'make deps'"
command -v sparse >/dev/null || die "sparse is missing: run 'make deps'"
T=$SRC/tools/testing/msm-vm
frags=("$T/arm64.config")
want=(DRM_MSM DRM_MSM_VM DRM_MSM_VIRT_GPU DRM_MSM_KUNIT_TEST)
if [ "$mode" = image ]; then
	BUILD=$WORK_DIR/build-arm64${debug:+-debug}
	frags+=("$T/arm64-rust.config")
	want+=(DRM_MSM_VM_RUST)
	if [ -n "$debug" ]; then
		frags+=("$T/arm64-debug.config")
		want+=(PROVE_LOCKING DEBUG_LIST KASAN DEBUG_KMEMLEAK)
	fi
	kmake=(make -s -C "$SRC" O="$BUILD" ARCH=arm64 -j"$MSM_VM_JOBS" LLVM=1
		RUSTC="$MSM_VM_RUSTC" HOSTRUSTC="$MSM_VM_RUSTC" RUSTDOC="$MSM_VM_RUSTDOC"
		RUSTFMT="$MSM_VM_RUSTFMT" BINDGEN="$T/bindgen-shim")
else
	BUILD=$WORK_DIR/build-arm64-gcc
	kmake=(make -s -C "$SRC" O="$BUILD" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		-j"$MSM_VM_JOBS")
fi
mkdir -p "$BUILD"

# Configure again when the fragments changed, or when kbuild's syncconfig
# dropped one of their options: a tree assembled without the option (a
# series cut short to build one step) leaves it "not set" in .config, and
# it stays so when the option comes back.
sum=$(cat "${frags[@]}" | sha1sum | cut -d' ' -f1)
lost=
if [ -f "$BUILD/.config" ]; then
	while read -r opt; do
		grep -qx "$opt" "$BUILD/.config" || lost=$opt
	done < <(grep -h '^CONFIG_[A-Z0-9_]*=y$' "${frags[@]}")
fi
if [ ! -f "$BUILD/.config" ] || [ -n "$lost" ] ||
	[ "$(cat "$BUILD/.msm-vm-config" 2>/dev/null)" != "$sum" ]; then
	msg "arm64: configuring $BUILD (allnoconfig + ${frags[*]##*/})"
	"${kmake[@]}" allnoconfig >/dev/null
	(cd "$BUILD" && "$SRC/scripts/kconfig/merge_config.sh" -m .config "${frags[@]}") >/dev/null
	"${kmake[@]}" olddefconfig >/dev/null
	for s in "${want[@]}"; do
		grep -q "^CONFIG_$s=y" "$BUILD/.config" ||
			die "arm64: the configuration lost CONFIG_$s=y (see $BUILD/.config)"
	done
	echo "$sum" >"$BUILD/.msm-vm-config"
fi

if [ "$mode" = image ]; then
	refresh_bindgen "$BUILD" "$T/bindgen-shim"
	msg "arm64: building Image in $BUILD (log: $BUILD/build.log)"
	"${kmake[@]}" Image >"$BUILD/build.log" 2>&1 ||
		die "arm64: the Image build failed, see $BUILD/build.log"
	msg "arm64: $BUILD/arch/arm64/boot/Image"
	exit 0
fi

rm -rf "$BUILD/drivers/gpu/drm/msm"
log=$BUILD/msm-warnings.log
# The VM core is hooked into drivers/gpu/drm/Makefile (patch 0001), not
# into msm's: name its directory too.
"${kmake[@]}" W=1 C=1 drivers/gpu/drm/msm/ drivers/gpu/drm/msm/vm/ >"$log" 2>&1 ||
	die "arm64: the W=1 build of drivers/gpu/drm/msm/ failed, see $log"
# "file:line:col: warning: message", file relative to the tree.
re="^($SRC/|\.\./)?(drivers/gpu/drm/msm/[^:]+):[0-9]+:([0-9]+:)? (warning|error): "
sed -E -n "s#$re#\2: \4: #p" "$log" | LC_ALL=C sort | uniq -c | sed -E 's/^ *([0-9]+) /\1 /'
