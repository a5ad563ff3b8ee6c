// SPDX-License-Identifier: GPL-2.0-only
/*
 * /init of the msm-vm qemu guest: mounts what the tests need, reports what
 * the guest sees of the msm driver, one "msm-vm-guest: " line each, and
 * powers the machine off.  Built statically for arm64 by qemu.sh.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

static int passed, failed;

static void check(const char *name, int ok, const char *why)
{
	printf("msm-vm-guest: %s: %s%s%s\n", ok ? "ok" : "FAIL", name,
	       ok || !why ? "" : ": ", ok || !why ? "" : why);
	if (ok)
		passed++;
	else
		failed++;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int main(void)
{
	int fd;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);

	check("the device tree has the virtual GPU's node",
	      exists("/proc/device-tree/gpu@c000000"), "no /proc/device-tree/gpu@c000000");
	check("adreno's platform driver took the GPU's device",
	      exists("/sys/bus/platform/drivers/adreno/c000000.gpu"), NULL);
	fd = open("/dev/dri/card0", O_RDWR);
	check("/dev/dri/card0 opens", fd >= 0, fd < 0 ? strerror(errno) : NULL);
	if (fd >= 0)
		close(fd);
	printf("msm-vm-guest: %d passed, %d failed\n", passed, failed);

	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
