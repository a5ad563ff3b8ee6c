# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Common settings of the msm-vm tree tooling; sourced, never run.
#
# Layout of the cache (MSM_VM_CACHE, default ~/.cache/msm-vm):
#   base/deb-<debian version>/linux-source-6.12   pristine unpack of the
#                                                 Debian linux-source-6.12
#   work/<key>/src        the assembled tree: base + overlay + patches/series
#   work/<key>/manifest   files the overlay and the patches wrote last time
#   work/<key>/build-um   kunit.py build directory (UML, LLVM=1, Rust)
#   work/<key>/base.git   git repository of the base, for `make patches`
# <key> names the base: deb-<version> or src-<hash of KERNEL_SRC's path>.

set -euo pipefail

MSM_VM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
MSM_VM_CACHE=${MSM_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/msm-vm}
MSM_VM_TARBALL=${MSM_VM_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
MSM_VM_JOBS=${MSM_VM_JOBS:-2}

# Directories of this repository whose files are new files of the kernel tree.
MSM_VM_OVERLAY_DIRS="Documentation drivers include rust tools"

# The toolchain: Debian's rustc-web and LLVM, named explicitly because a rustup
# rustc without rust-src may come first in PATH.
MSM_VM_RUSTC=${MSM_VM_RUSTC:-/usr/bin/rustc}
MSM_VM_RUSTDOC=${MSM_VM_RUSTDOC:-/usr/bin/rustdoc}
MSM_VM_RUSTFMT=${MSM_VM_RUSTFMT:-/usr/bin/rustfmt}
MSM_VM_CLIPPY=${MSM_VM_CLIPPY:-/usr/bin/clippy-driver}

msg() { printf 'msm-vm: %s\n' "$*" >&2; }
die() { printf 'msm-vm: error: %s\n' "$*" >&2; exit 1; }

# kernel_version DIR: print "6.12.117" for the tree in DIR, or nothing.
kernel_version() {
	local mk=$1/Makefile v p s
	[ -f "$mk" ] || return 0
	v=$(sed -n 's/^VERSION = //p' "$mk" | head -n1)
	p=$(sed -n 's/^PATCHLEVEL = //p' "$mk" | head -n1)
	s=$(sed -n 's/^SUBLEVEL = //p' "$mk" | head -n1)
	[ -n "$v" ] && [ -n "$p" ] && echo "$v.$p.${s:-0}"
}

# Sets BASE_DIR (pristine tree), BASE_KEY, BASE_DESC, BASE_VERSION and
# WORK_DIR.  Unpacks the Debian tarball on first use.  Never writes into
# KERNEL_SRC.
resolve_base() {
	local ver
	if [ -n "${KERNEL_SRC:-}" ]; then
		[ -d "$KERNEL_SRC" ] || die "KERNEL_SRC=$KERNEL_SRC is not a directory"
		BASE_DIR=$(cd "$KERNEL_SRC" && pwd)
		BASE_KEY=src-$(printf '%s' "$BASE_DIR" | sha1sum | cut -c1-12)
		BASE_DESC="KERNEL_SRC=$BASE_DIR"
		if [ -e "$BASE_DIR/.config" ] || [ -d "$BASE_DIR/include/config" ]; then
			die "KERNEL_SRC=$BASE_DIR has in-tree build output;" \
				"out-of-tree builds need a clean tree (run 'make mrproper' there)"
		fi
	else
		[ -f "$MSM_VM_TARBALL" ] ||
			die "$MSM_VM_TARBALL is missing:" \
				"run 'make deps' (installs linux-source-6.12) or set KERNEL_SRC"
		local debver
		debver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
		[ -n "$debver" ] || debver=tar-$(stat -c %Y-%s "$MSM_VM_TARBALL")
		BASE_KEY=deb-$(printf '%s' "$debver" | tr -c 'A-Za-z0-9.+-' '_')
		BASE_DIR=$MSM_VM_CACHE/base/$BASE_KEY/linux-source-6.12
		BASE_DESC="Debian linux-source-6.12 $debver"
		if [ ! -f "$BASE_DIR/Makefile" ]; then
			local tmp=$MSM_VM_CACHE/base/.unpack-$$
			msg "unpacking $MSM_VM_TARBALL into $MSM_VM_CACHE/base/$BASE_KEY"
			rm -rf "$tmp" && mkdir -p "$tmp"
			tar -xJf "$MSM_VM_TARBALL" -C "$tmp"
			[ -f "$tmp/linux-source-6.12/Makefile" ] ||
				die "$MSM_VM_TARBALL has no linux-source-6.12/Makefile"
			rm -rf "$MSM_VM_CACHE/base/$BASE_KEY"
			mkdir -p "$MSM_VM_CACHE/base/$BASE_KEY"
			mv "$tmp/linux-source-6.12" "$BASE_DIR"
			rmdir "$tmp"
		fi
	fi
	ver=$(kernel_version "$BASE_DIR")
	case "$ver" in
	6.12.*) ;;
	"") die "$BASE_DESC: no kernel Makefile with VERSION/PATCHLEVEL found" ;;
	*) die "$BASE_DESC is Linux $ver; msm-vm needs a 6.12.y tree" ;;
	esac
	# shellcheck disable=SC2034 # used by the scripts that source this
	BASE_VERSION=$ver
	WORK_DIR=$MSM_VM_CACHE/work/$BASE_KEY
	mkdir -p "$WORK_DIR"
}

# One run at a time per base: builds share the work directory.
lock_work() {
	# A child of a script that holds the lock inherits it (fd 9): taking it
	# again through a new open file would wait for ourselves.
	[ "${MSM_VM_LOCKED:-}" != "$WORK_DIR" ] || return 0
	exec 9>"$WORK_DIR/lock"
	if ! flock -n 9; then
		msg "waiting for another msm-vm run on $WORK_DIR"
		flock 9
	fi
	export MSM_VM_LOCKED=$WORK_DIR
}

# refresh_bindgen BUILD SHIM: kbuild does not notice a changed bindgen shim
# (the command line is the same), so drop the bindings it generated in
# BUILD when SHIM's content changed since the last build there.
refresh_bindgen() {
	local sum
	sum=$(sha1sum <"$2" | cut -d' ' -f1)
	if [ "$(cat "$1/.msm-vm-shim" 2>/dev/null)" != "$sum" ]; then
		rm -f "$1"/rust/bindings/*generated*.rs "$1"/rust/uapi/*generated*.rs
		echo "$sum" >"$1/.msm-vm-shim"
	fi
}

# The series in patches/series, one patch name a line, '#' comments allowed.
series_patches() {
	[ -f "$MSM_VM_TOP/patches/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$MSM_VM_TOP/patches/series"
}

# Files of the overlay, relative to the repository top, sorted.
overlay_files() {
	local d
	(
		cd "$MSM_VM_TOP"
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			# shellcheck disable=SC2086
			git ls-files --cached --others --exclude-standard -- $MSM_VM_OVERLAY_DIRS |
				while read -r f; do [ -f "$f" ] && echo "$f"; done
		else
			for d in $MSM_VM_OVERLAY_DIRS; do
				[ -d "$d" ] && find "$d" -type f
			done
		fi
	) | LC_ALL=C sort -u
}

# Files a patch touches (its "+++ b/" and "--- a/" sides), one a line.
patch_files() {
	sed -n -e 's|^+++ b/\([^[:space:]]*\).*|\1|p' \
		-e 's|^--- a/\([^[:space:]]*\).*|\1|p' "$1" | LC_ALL=C sort -u
}

# Run git apply on a directory that is not a git checkout, whatever is above it.
git_apply_in() {
	local dir=$1
	shift
	(cd "$dir" && GIT_CEILING_DIRECTORIES=$(dirname "$dir") git apply "$@")
}
