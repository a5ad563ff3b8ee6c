#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Assemble the kernel tree: the pristine 6.12.y base, every overlay file at its
# kernel path, and patches/series applied in order.  Prints the tree's path on
# stdout.
#
# Kept incremental for kbuild: the tree is a hard-linked mirror of the base;
# the overlay and the patched files are first built in a small staging area
# and then copied in only where their content changed, so an unchanged file
# keeps its timestamp and an edit rebuilds only what depends on it.  Files
# the previous assembly wrote but this one does not are restored to the base
# and touched, so kbuild rebuilds from them too.  The base is never written:
# every write replaces the file (rsync renames into place), which breaks the
# hard link instead of writing through it.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

resolve_base
lock_work

SRC=$WORK_DIR/src
STAGE=$WORK_DIR/stage
mkdir -p "$SRC"
rm -rf "$STAGE"
mkdir -p "$STAGE"

msg "base: Linux $BASE_VERSION ($BASE_DESC)"

# 1. Overlay files: new files only; existing kernel files change by patches.
overlay_files >"$WORK_DIR/overlay.list"
while read -r f; do
	if [ -e "$BASE_DIR/$f" ]; then
		die "overlay file $f exists in Linux $BASE_VERSION:" \
			"change it with a patch in patches/ instead"
	fi
done <"$WORK_DIR/overlay.list"
(cd "$MSM_VM_TOP" && tar -cf - -T "$WORK_DIR/overlay.list") | tar -xf - -C "$STAGE"

# 2. Patches, in series order, on pristine copies of the files they touch.
while read -r p; do
	pf=$MSM_VM_TOP/patches/$p
	[ -f "$pf" ] || die "patches/series names $p, but patches/$p does not exist"
	while read -r f; do
		if [ ! -e "$STAGE/$f" ] && [ -f "$BASE_DIR/$f" ]; then
			mkdir -p "$STAGE/$(dirname "$f")"
			cp -p "$BASE_DIR/$f" "$STAGE/$f"
		fi
	done < <(patch_files "$pf")
	if ! out=$(git_apply_in "$STAGE" --verbose "$pf" 2>&1); then
		printf '%s\n' "$out" >&2
		failing=$(printf '%s\n' "$out" | sed -n \
			-e 's/^error: patch failed: \([^:]*\):.*/\1/p' \
			-e 's/^error: \([^:]*\): \(patch does not apply\|No such file\).*/\1/p' |
			head -n1)
		die "patch patches/$p does not apply to Linux $BASE_VERSION" \
			"(failing file: ${failing:-see above})"
	fi
done < <(series_patches)

(cd "$STAGE" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$WORK_DIR/manifest.new"
touch "$WORK_DIR/manifest"

# 3. Mirror the base into the tree, leaving what the overlay and patches own:
#    a file whose directory the base has, or else the topmost directory the
#    base lacks.  Hard links where the base is on the same file system.
while read -r f; do
	d=$(dirname "$f")
	if [ -d "$BASE_DIR/$d" ]; then
		echo "/$f"
	else
		while [ ! -d "$BASE_DIR/$(dirname "$d")" ]; do d=$(dirname "$d"); done
		echo "/$d/"
	fi
done <"$WORK_DIR/manifest.new" | LC_ALL=C sort -u >"$WORK_DIR/exclude"
link=()
if [ "$(stat -c %d "$BASE_DIR")" = "$(stat -c %d "$SRC")" ]; then
	link=(--link-dest="$BASE_DIR")
fi
rsync -a --delete --exclude=/.git --exclude-from="$WORK_DIR/exclude" \
	"${link[@]}" "$BASE_DIR/" "$SRC/"

# Files owned last time but not now: gone if the base lacks them; else just
# restored with the base's old timestamp, so give them a new one (on a copy:
# touching the hard link would touch the base) for kbuild to see the change.
LC_ALL=C comm -23 "$WORK_DIR/manifest" "$WORK_DIR/manifest.new" | while read -r f; do
	if [ ! -e "$BASE_DIR/$f" ]; then
		rm -f "$SRC/$f"
	elif [ -e "$SRC/$f" ]; then
		cp -p "$SRC/$f" "$SRC/$f.msm-vm-tmp" && mv "$SRC/$f.msm-vm-tmp" "$SRC/$f"
		touch "$SRC/$f"
	fi
done

# 4. Copy in what changed, by content; new content gets a new timestamp.
rsync -r -c --perms "$STAGE/" "$SRC/"
mv "$WORK_DIR/manifest.new" "$WORK_DIR/manifest"
rm -rf "$STAGE"

echo "$SRC"
