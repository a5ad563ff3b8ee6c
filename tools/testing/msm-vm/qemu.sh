#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the arm64 msm kernel (make arm64) in qemu-system-aarch64 -M virt,
# under TCG, with the virtual GPU's device tree node (guest/virt-gpu-node.dts.in)
# appended to the machine's own tree, and a static /init (guest/init.c) in
# an initramfs.  Prints the guest's "msm-vm-guest:" lines and the msm
# driver's kernel messages; the whole console log is kept next to the
# kernel.  Exits non-zero if the guest did not report, or reported a
# failure.
#
#   qemu.sh          build what is missing, boot, report
#
# Today the guest reaches msm's headless bind, which fails: 6.12 knows no
# GPU of chip id 0x09090900 (the virtual GPU backend is the next step), so
# the probe checks of guest/init.c fail, as they must until it exists.

# shellcheck source=tools/testing/msm-vm/lib.sh
. "$(dirname "$0")/lib.sh"

for t in qemu-system-aarch64 dtc cpio aarch64-linux-gnu-gcc; do
	command -v "$t" >/dev/null || die "$t is missing: run 'make deps'"
done
"$(dirname "$0")/arm64.sh"
SRC=$("$(dirname "$0")/assemble.sh")
resolve_base
BUILD=$WORK_DIR/build-arm64
G=$BUILD/guest
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

aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$G/root/init" "$T/init.c" ||
	die "the guest's /init did not build"
(cd "$G/root" && find . | cpio -o -H newc --quiet) >"$G/initramfs.cpio"

log=$G/console.log
msg "qemu: booting $BUILD/arch/arm64/boot/Image (log: $log)"
rc=0
timeout --kill-after=10 300 "${qemu[@]}" -kernel "$BUILD/arch/arm64/boot/Image" \
	-dtb "$G/virt-gpu.dtb" -initrd "$G/initramfs.cpio" \
	-append "console=ttyAMA0 msm.vram=0 panic=-1" </dev/null >"$log" 2>&1 || rc=$?
[ "$rc" = 0 ] || msg "qemu: ended with status $rc"
tr -d '\r' <"$log" | grep -E 'msm-vm-guest: |msm|\[drm\]|adreno' || true
summary=$(tr -d '\r' <"$log" | sed -n 's/^msm-vm-guest: \([0-9]* passed, [0-9]* failed\)$/\1/p')
[ -n "$summary" ] || die "qemu: the guest did not report (see $log)"
[ "${summary#*, }" = "0 failed" ]
