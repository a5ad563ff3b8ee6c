// SPDX-License-Identifier: GPL-2.0-only
/*
 * /init of the msm-vm qemu guest: mounts what the suites need, checks that
 * the msm driver probed the virtual GPU on the VM core the command line
 * asked for, runs the legacy msm UAPI suite (msm_legacy.c), one subtest
 * per child process, each followed by a leak check of the VM cores, and
 * powers the machine off.  Every result is one "msm-vm-guest: " line; the last one is
 * "msm-vm-guest: N passed, N failed", which qemu.sh reads.  Built
 * statically for arm64 by qemu.sh.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msm_legacy.h"
#include "msm_sparse.h"

#define SUBTEST_TIMEOUT_S 60

#define VM_LIVE "/sys/kernel/debug/dri/0/vm_live"

static int passed, failed, skipped;

/* What the VM cores had alive before the subtests (read_file() of VM_LIVE). */
static char vm_live_base[512];

static void report(const char *name, int result, const char *why)
{
	const char *word = result == 0 ? "ok" : result == IGT_EXIT_SKIP ? "skip" : "FAIL";

	printf("msm-vm-guest: %s: %s%s%s\n", word, name, why ? ": " : "", why ? why : "");
	if (result == 0)
		passed++;
	else if (result == IGT_EXIT_SKIP)
		skipped++;
	else
		failed++;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The contents of a small file, NUL-terminated; "" if it cannot be read. */
static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
}

/*
 * Whether the VM cores are back to vm_live_base: every VM, VMA and vm_bo a
 * subtest's files made must be gone once they are closed and their work
 * retired.  Submits retire and free asynchronously: allow 5 s.  On failure
 * @now holds the last reading.
 */
static int vm_live_is_back(char *now, size_t size)
{
	for (int i = 0; i < 50; i++) {
		read_file(VM_LIVE, now, size);
		if (!strcmp(now, vm_live_base))
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

/* The GPU idle, after an empty submit from a file of its own. */
static int settle(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		exit(msm_legacy_settle() ? 1 : 0);
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

static void run(const char *suite, const struct igt_subtest *t)
{
	char name[128], now[sizeof(vm_live_base)], why[2 * sizeof(now) + 64];
	int status, result;
	pid_t pid;

	snprintf(name, sizeof(name), "%s.%s", suite, t->name);

	pid = fork();
	if (pid < 0) {
		report(name, 1, strerror(errno));
		return;
	}
	if (pid == 0) {
		alarm(SUBTEST_TIMEOUT_S);
		t->fn();
		exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		report(name, 1, "waitpid failed");
		return;
	}
	/* A failed subtest must not fail the next one. */
	if (!settle())
		printf("msm-vm-guest: why: the GPU did not settle after %s\n", name);
	if (WIFSIGNALED(status)) {
		report(name, 1, WTERMSIG(status) == SIGALRM ? "timed out" :
		       strsignal(WTERMSIG(status)));
		return;
	}
	result = WEXITSTATUS(status);
	if (result != 1 && !vm_live_is_back(now, sizeof(now))) {
		snprintf(why, sizeof(why),
			 "VM core objects left after its files closed: before {%s}, after {%s}",
			 vm_live_base, now);
		for (char *c = why; *c; c++)
			if (*c == '\n')
				*c = ' ';
		report(name, 1, why);
		return;
	}
	report(name, result, NULL);
}

static int kmemleak_write(const char *cmd)
{
	int fd = open("/sys/kernel/debug/kmemleak", O_WRONLY);
	int ok = fd >= 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/*
 * After the suites: two kmemleak scans once every object the suites
 * allocated is older than kmemleak's minimum age (5 s), then the report: 0
 * if it names no object, else 1 after printing it.  What boot leaked was
 * cleared before the suites.
 */
static int kmemleak_leaks(void)
{
	char buf[4096];
	int leaks = 0;
	ssize_t n;
	int fd;

	sleep(6);
	for (int i = 0; i < 2; i++) {
		if (kmemleak_write("scan")) {
			printf("msm-vm-guest: why: kmemleak scan: %s\n", strerror(errno));
			return 1;
		}
	}
	fd = open("/sys/kernel/debug/kmemleak", O_RDONLY);
	if (fd < 0)
		return 1;
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		leaks = 1;
		fputs(buf, stdout);
	}
	close(fd);
	return leaks;
}

/*
 * The VM core the command line asked for (msm_vm.vm_core=, c by default) is
 * the default one and holds the device's VMs, the other cores none.
 */
static int vm_core_is_the_one_asked_for(void)
{
	char cmdline[1024], live[sizeof(vm_live_base)], copy[sizeof(live)];
	char want[32] = "c", core[32];
	const char *arg;
	int found = 0, other = 0;
	long vms;

	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	arg = strstr(cmdline, "msm_vm.vm_core=");
	if (arg)
		sscanf(arg, "msm_vm.vm_core=%31[a-z]", want);
	read_file(VM_LIVE, live, sizeof(live));
	memcpy(copy, live, sizeof(copy));
	/* "NAME[ (default)]: vms=N vmas=N vm_bos=N jobs=N" per core */
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		int is_default = !!strstr(line, " (default):");

		if (sscanf(line, "%31[a-z]%*[^=]=%ld", core, &vms) != 2)
			other = 1;
		else if (!strcmp(core, want))
			found = is_default && vms > 0;
		else if (is_default || vms)
			other = 1;
	}
	if (found && !other)
		return 0;
	printf("msm-vm-guest: why: asked for VM core %s, %s has:\n%s", want, VM_LIVE, live);
	return 1;
}

/* The first character of a parameter file is c. */
static int param_is(const char *path, char c)
{
	char v = 0;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &v, 1) != 1)
			v = 0;
		close(fd);
	}
	return v == c;
}

int main(void)
{
	const struct igt_subtest *tests = msm_legacy_subtests;
	unsigned int n = msm_legacy_nr_subtests;
	const char *suite = "msm_legacy";
	const struct igt_subtest *sparse = msm_sparse_subtests;
	unsigned int n_sparse = msm_sparse_nr_subtests;
	const char *sparse_suite = "msm_sparse";

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);

	/* Leaks before the suites are not theirs. */
	if (exists("/sys/kernel/debug/kmemleak") && kmemleak_write("clear"))
		printf("msm-vm-guest: why: kmemleak clear: %s\n", strerror(errno));

	printf("msm-vm-guest: plan: msm_virt_probe 5\n");
	report("msm_virt_probe.device_tree_has_the_virtual_gpu",
	       exists("/proc/device-tree/gpu@c000000") ? 0 : 1, NULL);
	report("msm_virt_probe.adreno_driver_bound_the_gpu",
	       exists("/sys/bus/platform/drivers/adreno/c000000.gpu") ? 0 : 1, NULL);
	report("msm_virt_probe.gpu_is_behind_the_virtual_smmu",
	       exists("/sys/bus/platform/devices/c000000.gpu/iommu_group") ? 0 : 1, NULL);
	report("msm_virt_probe.render_node_exists", exists("/dev/dri/renderD128") ? 0 : 1, NULL);
	report("msm_virt_probe.address_spaces_are_vms_of_the_core_asked_for",
	       vm_core_is_the_one_asked_for(), NULL);

	/* Booted with msm.virt_per_process_pgtables=0: the shared suite. */
	if (param_is("/sys/module/msm/parameters/virt_per_process_pgtables", 'N')) {
		suite = "msm_shared";
		tests = msm_shared_subtests;
		n = msm_shared_nr_subtests;
		sparse_suite = "msm_sparse_shared";
		sparse = msm_sparse_shared_subtests;
		n_sparse = msm_sparse_shared_nr_subtests;
	}
	printf("msm-vm-guest: plan: %s %u\n", suite, n);
	/* What the device holds once it has served one file. */
	if (!settle())
		printf("msm-vm-guest: why: the GPU did not settle before the suite\n");
	read_file(VM_LIVE, vm_live_base, sizeof(vm_live_base));
	if (exists("/dev/dri/renderD128"))
		for (unsigned int i = 0; i < n; i++)
			run(suite, &tests[i]);
	printf("msm-vm-guest: plan: %s %u\n", sparse_suite, n_sparse);
	if (exists("/dev/dri/renderD128"))
		for (unsigned int i = 0; i < n_sparse; i++)
			run(sparse_suite, &sparse[i]);

	/* Figures, not checks: the legacy paths' cost, in a child. */
	if (exists("/dev/dri/renderD128") && tests == msm_legacy_subtests) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			msm_legacy_bench();
			msm_sparse_bench();
			exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			printf("msm-vm-guest: why: the benchmark did not run\n");
	}

	/* On the debug kernel: nothing the suite did may leak. */
	if (exists("/sys/kernel/debug/kmemleak")) {
		printf("msm-vm-guest: plan: msm_virt_kernel 1\n");
		report("msm_virt_kernel.kmemleak_finds_no_leak_after_the_suites",
		       kmemleak_leaks(), NULL);
	}

	printf("msm-vm-guest: %d skipped\n", skipped);
	printf("msm-vm-guest: %d passed, %d failed\n", passed, failed);

	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
