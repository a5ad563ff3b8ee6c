#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make patches: emit this repository as a `git format-patch` series with a
# cover letter, for `git am` on a pristine 6.12.y.
#
#   patches.sh [--test] OUTDIR
#
# The series is built on a git repository of the base itself (<work>/base.git,
# made once, then refreshed from the kept index): first one commit per group
# of overlay files (patches/overlay.series names the groups and their
# messages), then one commit per patch of patches/series, whose message is the
# patch's header.  Commits carry the author and date of this repository's
# HEAD, so the same checkout gives the same series.
#
# With --test, the series is then applied with `git am` to a worktree of the
# untouched base and every file it yields is compared with the assembled tree.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

test=0
if [ "${1:-}" = --test ]; then
	test=1
	shift
fi
[ $# -eq 1 ] || die "usage: patches.sh [--test] OUTDIR"
case "$1" in /*) OUT=$1 ;; *) OUT=$MSM_VM_TOP/$1 ;; esac

SRC=$("$(dirname "$0")/assemble.sh")
resolve_base
lock_work

# Identity and date of the commits: those of this repository's HEAD.
if ident=$(git -C "$MSM_VM_TOP" log -1 --format='%an%n%ae%n%aD' 2>/dev/null); then
	{ read -r GIT_AUTHOR_NAME; read -r GIT_AUTHOR_EMAIL; read -r GIT_AUTHOR_DATE; } <<<"$ident"
	GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
	GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
	export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE
	export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE
fi

export GIT_DIR=$WORK_DIR/base.git
if [ ! -d "$GIT_DIR" ]; then
	msg "importing Linux $BASE_VERSION into $GIT_DIR (once)"
	git init -q --bare "$GIT_DIR"
fi
# No automatic gc: it would pack the whole base in the background (minutes
# of CPU next to a kernel build) while holding our lock file open.
git config gc.auto 0
# Debian's linux-source .gitignore ignores every top-level path: add -f.
GIT_INDEX_FILE=$WORK_DIR/base.index git --work-tree="$BASE_DIR" \
	-c core.looseCompression=1 add -f -A .
tree=$(GIT_INDEX_FILE=$WORK_DIR/base.index git write-tree)
base=$(git rev-parse -q --verify refs/heads/base || true)
if [ -z "$base" ] || [ "$(git rev-parse "$base^{tree}")" != "$tree" ]; then
	base=$(echo "Linux $BASE_VERSION ($BASE_DESC)" | git commit-tree "$tree")
	git update-ref refs/heads/base "$base"
fi

export GIT_INDEX_FILE=$WORK_DIR/series.index
git read-tree "$base"
head=$base
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Overlay files, one commit per group of patches/overlay.series.
groups=$MSM_VM_TOP/patches/overlay.series
[ -f "$groups" ] || die "patches/overlay.series is missing"
cp "$WORK_DIR/overlay.list" "$tmp/left"
while read -r prefix msgfile; do
	grep "^$prefix" "$tmp/left" >"$tmp/group" || continue
	grep -v "^$prefix" "$tmp/left" >"$tmp/rest" || true
	mv "$tmp/rest" "$tmp/left"
	while read -r f; do
		mode=100644
		[ -x "$MSM_VM_TOP/$f" ] && mode=100755
		blob=$(git hash-object -w "$MSM_VM_TOP/$f")
		git update-index --add --cacheinfo "$mode,$blob,$f"
	done <"$tmp/group"
	[ -f "$MSM_VM_TOP/patches/$msgfile" ] || die "patches/overlay.series names missing $msgfile"
	head=$(git commit-tree "$(git write-tree)" -p "$head" <"$MSM_VM_TOP/patches/$msgfile")
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$groups")
if [ -s "$tmp/left" ]; then
	die "no group of patches/overlay.series takes: $(tr '\n' ' ' <"$tmp/left")"
fi

# 2. The quilt series, applied to the index; the header is the message.
while read -r p; do
	git apply --cached "$MSM_VM_TOP/patches/$p" ||
		die "patch patches/$p does not apply on top of the overlay commits"
	sed '/^---$/,$d' "$MSM_VM_TOP/patches/$p" >"$tmp/msg"
	head=$(git commit-tree "$(git write-tree)" -p "$head" <"$tmp/msg")
done < <(series_patches)

rm -rf "$OUT"
mkdir -p "$OUT"
git format-patch -q --cover-letter --no-signature -o "$OUT" "$base..$head"
cover=$(ls "$OUT"/0000-*.patch)
subject=$(sed -n 1p "$MSM_VM_TOP/patches/cover-letter.txt")
sed -n '3,$p' "$MSM_VM_TOP/patches/cover-letter.txt" >"$tmp/blurb"
echo >>"$tmp/blurb"
echo "Base: Linux $BASE_VERSION ($BASE_DESC)." >>"$tmp/blurb"
sed -i -e "s|\*\*\* SUBJECT HERE \*\*\*|$subject|" \
	-e "/\*\*\* BLURB HERE \*\*\*/{
r $tmp/blurb
d
}" "$cover"
n=$(git rev-list --count "$base..$head")
msg "wrote $n patches and a cover letter to $OUT (base Linux $BASE_VERSION)"

[ "$test" = 1 ] || exit 0

# 3. git am onto a worktree of the pristine base; compare with the assembly.
#    The worktree is kept between runs and reset to the base, which rewrites
#    only what the last test changed.
wt=$WORK_DIR/am-test
unset GIT_INDEX_FILE
if [ ! -e "$wt/.git" ]; then
	rm -rf "$wt"
	git worktree prune
	git worktree add -q --detach "$wt" "$base"
fi
(
	cd "$wt"
	unset GIT_DIR
	git am --abort >/dev/null 2>&1 || true
	git checkout -q -f --detach "$base"
	git clean -q -f -d -x
	series=()
	for p in "$OUT"/*.patch; do
		[ "${p##*/}" = 0000-cover-letter.patch ] || series+=("$p")
	done
	git am -q "${series[@]}" || die "git am failed on the pristine base (see above)"
	[ "$(git rev-list --count "$base..HEAD")" = "$n" ] ||
		die "git am applied $(git rev-list --count "$base..HEAD") of $n patches"
	git diff --name-only "$base" HEAD | LC_ALL=C sort >"$tmp/touched"
)
if ! cmp -s "$tmp/touched" "$WORK_DIR/manifest"; then
	diff "$tmp/touched" "$WORK_DIR/manifest" >&2 || true
	die "the series touches other files than the assembly (< series, > assembly)"
fi
while read -r f; do
	cmp -s "$wt/$f" "$SRC/$f" || die "$f after git am differs from the assembled tree"
done <"$WORK_DIR/manifest"
msg "patches-test: git am applied all $n patches to Linux $BASE_VERSION;" \
	"the $(wc -l <"$WORK_DIR/manifest") files it yields equal the assembled tree"
