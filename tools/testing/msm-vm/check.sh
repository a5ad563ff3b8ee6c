#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: the project's lint gate, run on the assembled tree with its
# own scripts.  Zero findings or it fails.
#  - scripts/checkpatch.pl --strict -f on every overlay file (new files);
#  - scripts/checkpatch.pl --strict on every patch of patches/series (patch
#    mode: a patched 6.12 file is judged on our change, not on its history);
#  - scripts/kernel-doc -none -Wall on every overlay C file and header;
#  - rustfmt --check (the kernel's .rustfmt.toml) on every overlay .rs file;
#  - clippy (kbuild's CLIPPY=1, the kernel's lint set) on our Rust code: the
#    kernel crate's drm module and the Rust core, in a build directory of
#    its own configured from the suite's .kunitconfig;
#  - the Rust core's object references no symbol the C core's objects define
#    (nm), so that it stays an independent implementation of the contract;
#  - the arm64 build of drivers/gpu/drm/msm/ (the VM core included) with W=1
#    and sparse: no diagnostic beyond arm64-msm-warnings.txt, the baseline
#    the stock 6.12 msm driver has (by file and message, counted);
#  - shellcheck and bash -n on our shell scripts, py_compile on our Python.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

SRC=$("$(dirname "$0")/assemble.sh")
resolve_base
cd "$SRC"

findings=0
# report NAME OUTPUT: count the non-empty lines of OUTPUT as findings.
report() {
	local n
	n=$(printf '%s' "$2" | grep -c . || true)
	printf 'check: %-24s %d\n' "$1" "$n"
	[ "$n" -eq 0 ] || printf '%s\n' "$2" | sed 's/^/  /'
	findings=$((findings + n))
}

mapfile -t files <"$WORK_DIR/overlay.list"
# by_ext GLOB: the overlay files whose name matches GLOB (a pattern, unquoted).
by_ext() {
	local f
	# shellcheck disable=SC2254
	for f in "${files[@]}"; do case "$f" in $1) echo "$f" ;; esac; done
}
mapfile -t c_files < <(by_ext '*.[ch]')
mapfile -t rs_files < <(by_ext '*.rs')
mapfile -t sh_files < <(by_ext '*.sh'; echo tools/testing/msm-vm/bindgen-shim)
mapfile -t py_files < <(by_ext '*.py')

out=$(perl scripts/checkpatch.pl --strict --terse --no-summary --show-types \
	--ignore FILE_PATH_CHANGES -f "${files[@]}" 2>&1 || true)
report "checkpatch (files)" "$out"

# FILE_PATH_CHANGES: a patch adding a file under drivers/gpu/drm/msm/,
# which the msm entry of MAINTAINERS covers as a whole.
out=
while read -r p; do
	out+=$(perl scripts/checkpatch.pl --strict --terse --no-summary --show-types \
		--ignore FILE_PATH_CHANGES --no-signoff "$MSM_VM_TOP/patches/$p" 2>&1 || true)
done < <(series_patches)
report "checkpatch (patches)" "$out"

out=
if [ ${#c_files[@]} -gt 0 ]; then
	out=$(scripts/kernel-doc -none -Wall "${c_files[@]}" 2>&1 || true)
fi
report "kernel-doc" "$out"

out=
if [ ${#rs_files[@]} -gt 0 ]; then
	out=$("$MSM_VM_RUSTFMT" --check --config-path=.rustfmt.toml "${rs_files[@]}" 2>&1 || true)
fi
report "rustfmt" "$out"

# Clippy lints what rustc compiles, so the kernel crate and the Rust core
# are compiled again every time: an unchanged file would otherwise not be
# linted, and its warnings not counted.  Only warnings in our files count
# (the rest of the kernel crate is 6.12's).
out=
if [ ${#rs_files[@]} -gt 0 ]; then
	lock_work
	CLIPPY_BUILD=$WORK_DIR/build-clippy
	mkdir -p "$CLIPPY_BUILD"
	kmake=(make -s ARCH=um O="$CLIPPY_BUILD" -j"$MSM_VM_JOBS" LLVM=1
		RUSTC="$MSM_VM_RUSTC" HOSTRUSTC="$MSM_VM_RUSTC" RUSTDOC="$MSM_VM_RUSTDOC"
		RUSTFMT="$MSM_VM_RUSTFMT" CLIPPY_DRIVER="$MSM_VM_CLIPPY"
		BINDGEN="$SRC/tools/testing/msm-vm/bindgen-shim")
	log=$CLIPPY_BUILD/clippy.log
	rc=0
	{
		python3 tools/testing/kunit/kunit.py config --arch=um \
			--build_dir="$CLIPPY_BUILD" \
			--kunitconfig=drivers/gpu/drm/msm/vm/.kunitconfig \
			--make_options LLVM=1 --make_options RUSTC="$MSM_VM_RUSTC" \
			--make_options HOSTRUSTC="$MSM_VM_RUSTC" \
			--make_options BINDGEN="${kmake[-1]#BINDGEN=}" &&
		rm -f "$CLIPPY_BUILD/rust/kernel.o" &&
		"${kmake[@]}" CLIPPY=1 drivers/gpu/drm/msm/vm/msm_vm_rs.o \
			drivers/gpu/drm/msm/vm/msm_vm_c.o drivers/gpu/drm/msm/vm/msm_vm_c_bind.o
	} >"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		out="clippy build failed (status $rc), see $log"
	else
		# A diagnostic is its "warning:" or "error:" line, then " --> file".
		out=$(awk '
			/^(warning|error)(\[[A-Z0-9]+\])?: / { d = $0; next }
			/^ *--> / && d != "" {
				if ($2 ~ /(rust\/kernel\/drm|drivers\/gpu\/drm\/msm\/vm)\//)
					print $2 ": " d
				d = ""
			}' "$log" | sed "s#$SRC/##")
	fi
fi
report "clippy" "$out"

out=
if [ ${#rs_files[@]} -gt 0 ]; then
	vm_obj=$CLIPPY_BUILD/drivers/gpu/drm/msm/vm
	if [ "$rc" -ne 0 ] || [ ! -f "$vm_obj/msm_vm_rs.o" ]; then
		out="no Rust core object to inspect (the clippy build failed)"
	else
		out=$(comm -12 \
			<(llvm-nm -u "$vm_obj/msm_vm_rs.o" | awk '{print $NF}' | LC_ALL=C sort -u) \
			<(llvm-nm -g --defined-only "$vm_obj/msm_vm_c.o" "$vm_obj/msm_vm_c_bind.o" |
				awk 'NF == 3 {print $3}' | LC_ALL=C sort -u) |
			sed 's/^/msm_vm_rs.o uses a C-core symbol: /')
	fi
fi
report "rust core uses C core" "$out"

# W=1 and sparse on the arm64 msm driver: a diagnostic the baseline does
# not have, or more of one than it has, is a finding; one the baseline has
# and the build no longer gives is reported, so that the baseline shrinks.
out=
baseline=$MSM_VM_TOP/tools/testing/msm-vm/arm64-msm-warnings.txt
# (From the repository: the cwd is the assembled tree, which has a copy.)
if cur=$("$MSM_VM_TOP/tools/testing/msm-vm/arm64.sh" --warnings 2>"$WORK_DIR/arm64-check.err")
then
	count() { awk '!/^#/ && NF { n = $1; sub(/^[0-9]+ /, ""); c[$0] += n }
		END { for (k in c) print c[k] " " k }' "$@"; }
	out=$(awk 'NR == FNR { n = $1; sub(/^[0-9]+ /, ""); b[$0] = n; next }
		{ n = $1; sub(/^[0-9]+ /, ""); if (n > b[$0]) print "new (" n - b[$0] "): " $0 }' \
		<(count "$baseline") <(printf '%s\n' "$cur" | count) | LC_ALL=C sort)
	gone=$(awk 'NR == FNR { n = $1; sub(/^[0-9]+ /, ""); c[$0] = n; next }
		{ n = $1; sub(/^[0-9]+ /, ""); if (n > c[$0]) print "  gone: " $0 }' \
		<(printf '%s\n' "$cur" | count) <(count "$baseline"))
	[ -z "$gone" ] || msg "arm64: fixed, remove from $baseline:" "$gone"
else
	out="the arm64 build failed: $(tail -n 3 "$WORK_DIR/arm64-check.err")"
fi
report "arm64 W=1 + sparse (msm)" "$out"

out=$(cd "$MSM_VM_TOP" || exit; shellcheck -x -f gcc "${sh_files[@]}" 2>&1 || true)
for f in "${sh_files[@]}"; do
	out+=$(bash -n "$MSM_VM_TOP/$f" 2>&1 || true)
done
report "shellcheck" "$out"

out=
for f in "${py_files[@]}"; do
	out+=$(python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' \
		"$MSM_VM_TOP/$f" 2>&1 || true)
done
report "python syntax" "$out"

if [ "$findings" -ne 0 ]; then
	die "make check: $findings finding(s)"
fi
msg "make check: clean (${#files[@]} files, $(series_patches | wc -l) patches)"
