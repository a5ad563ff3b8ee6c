#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages msm-vm needs, if any are missing.  As root it
# runs apt-get; otherwise it uses sudo when that works without a password,
# and else lists the packages and fails.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

pkgs=(
	# kernel build (UML, LLVM=1) and kunit.py
	make gcc libc6-dev flex bison bc libelf-dev libssl-dev python3 perl
	xz-utils rsync git util-linux
	clang lld llvm
	# Rust for Linux 6.12 with Debian's toolchain (DESIGN.md section 5)
	rustc-web rust-web-src bindgen rustfmt-web rust-web-clippy
	# make compare's plot of ns/op against live VMAs
	gnuplot-nox
	# the arm64 msm driver: make check's W=1 + sparse gate, make arm64;
	# make qemu's guest (device tree, initramfs)
	gcc-aarch64-linux-gnu sparse qemu-system-arm device-tree-compiler cpio
)
[ -n "${KERNEL_SRC:-}" ] || pkgs+=(linux-source-6.12)
read -r -a extra <<<"${MSM_VM_EXTRA_PKGS:-}"
pkgs+=("${extra[@]}")

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=()
elif sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	die "missing Debian packages: ${missing[*]}
  install them with: sudo apt-get install ${missing[*]}"
fi
msg "installing: ${missing[*]}"
"${sudo[@]}" apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
	--no-install-recommends "${missing[@]}"
