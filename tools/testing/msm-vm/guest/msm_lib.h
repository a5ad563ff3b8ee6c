/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the guest suites share: PM4 packets the virtual GPU executes, the
 * msm ioctls as checked calls, command-stream jobs, devcoredump, syncobj
 * and debugfs helpers.  static inline, so that each suite uses what it
 * needs without unused-function warnings.
 */
#ifndef MSM_VM_GUEST_MSM_LIB_H
#define MSM_VM_GUEST_MSM_LIB_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/msm_drm.h>

#include "igt.h"

/* PM4 opcodes (adreno_pm4.xml) */
#define CP_NOP			0x10
#define CP_WAIT_REG_MEM		0x3c
#define CP_MEM_WRITE		0x3d
#define CP_INDIRECT_BUFFER	0x3f
#define CP_SMMU_TABLE_UPDATE	0x53
#define CP_MEM_TO_MEM		0x73
#define WRITE_EQ		3
#define POLL_MEMORY		0x10
#define MEM_TO_MEM_DOUBLE	0x20000000u

#define ETOOSMALL		525	/* the kernel's, no libc name */
#define VIRT_CHIP_ID		0x09090900ull
#define CS_DWORDS		4096

static inline uint32_t parity(uint32_t v)
{
	return (0x9669 >> (0xf & (v ^ (v >> 4) ^ (v >> 8) ^ (v >> 12) ^ (v >> 16) ^
				  (v >> 20) ^ (v >> 24) ^ (v >> 28)))) & 1;
}

static inline uint32_t pkt7(uint32_t op, uint32_t cnt)
{
	return 0x70000000 | cnt | parity(cnt) << 15 | (op & 0x7f) << 16 | parity(op) << 23;
}

/* Open a DRM node; without an optional one the subtest is skipped. */
static inline int dri_open(const char *path, bool optional)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && optional)
		igt_skip("open %s: %s", path, strerror(errno));
	if (fd < 0)
		igt_fail("open %s: %s", path, strerror(errno));
	return fd;
}

static inline int drm_open(void)
{
	return dri_open("/dev/dri/renderD128", false);
}

static inline uint64_t get_param(int fd, uint32_t param)
{
	struct drm_msm_param p = { .pipe = MSM_PIPE_3D0, .param = param };

	do_ioctl(fd, DRM_IOCTL_MSM_GET_PARAM, &p);
	return p.value;
}

static inline uint32_t bo_new(int fd, uint64_t size, uint32_t flags)
{
	struct drm_msm_gem_new req = { .size = size, .flags = flags };

	do_ioctl(fd, DRM_IOCTL_MSM_GEM_NEW, &req);
	return req.handle;
}

/*
 * GEM_INFO: 0 or -errno.  *value is the value in and out (an address for
 * the requests that take a pointer), *len the length in and out; either
 * may be NULL for 0.
 */
static inline int gem_info(int fd, uint32_t handle, uint32_t info, uint64_t *value, uint32_t *len)
{
	struct drm_msm_gem_info req = {
		.handle = handle, .info = info,
		.value = value ? *value : 0, .len = len ? *len : 0,
	};
	int ret = ioctl(fd, DRM_IOCTL_MSM_GEM_INFO, &req) ? -errno : 0;

	if (value)
		*value = req.value;
	if (len)
		*len = req.len;
	return ret;
}

static inline uint64_t bo_info(int fd, uint32_t handle, uint32_t info)
{
	uint64_t value = 0;
	int ret = gem_info(fd, handle, info, &value, NULL);

	if (ret)
		igt_fail("GEM_INFO %u: %s, expected success", info, strerror(-ret));
	return value;
}

static inline int bo_set_iova(int fd, uint32_t handle, uint64_t iova)
{
	return gem_info(fd, handle, MSM_INFO_SET_IOVA, &iova, NULL);
}

/* GEM_INFO with a pointer to len bytes at p; *len is the length out. */
static inline int gem_info_ptr(int fd, uint32_t handle, uint32_t info, void *p, uint32_t *len)
{
	uint64_t value = (uintptr_t)p;

	return gem_info(fd, handle, info, &value, len);
}

static inline void *bo_map(int fd, uint32_t handle, size_t size)
{
	uint64_t off = bo_info(fd, handle, MSM_INFO_GET_OFFSET);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		igt_fail("mmap: %s", strerror(errno));
	return p;
}

static inline void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close req = { .handle = handle };

	do_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &req);
}

static inline struct drm_msm_timespec abs_timeout(int64_t ns)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ns += t.tv_nsec;
	return (struct drm_msm_timespec) {
		.tv_sec = t.tv_sec + ns / 1000000000, .tv_nsec = ns % 1000000000,
	};
}

static inline int wait_fence(int fd, uint32_t queue, uint32_t fence, int64_t timeout_ns)
{
	struct drm_msm_wait_fence req = {
		.fence = fence, .timeout = abs_timeout(timeout_ns), .queueid = queue,
	};

	return ioctl(fd, DRM_IOCTL_MSM_WAIT_FENCE, &req) ? -errno : 0;
}

static inline uint32_t queue_new(int fd, uint32_t prio)
{
	struct drm_msm_submitqueue req = { .prio = prio };

	do_ioctl(fd, DRM_IOCTL_MSM_SUBMITQUEUE_NEW, &req);
	return req.id;
}

static inline uint32_t queue_faults(int fd, uint32_t queue)
{
	uint32_t faults = ~0u;
	struct drm_msm_submitqueue_query req = {
		.data = (uintptr_t)&faults, .id = queue,
		.param = MSM_SUBMITQUEUE_PARAM_FAULTS, .len = sizeof(faults),
	};

	do_ioctl(fd, DRM_IOCTL_MSM_SUBMITQUEUE_QUERY, &req);
	return faults;
}

/*
 * A command stream BO, written through mmap, plus the BOs a submit names.
 * bos[0] is the command stream.
 */
struct job {
	int fd;
	uint32_t *cs;
	uint64_t cs_iova;
	uint32_t n;
	struct drm_msm_gem_submit_bo bos[8];
	uint32_t nr_bos;
	struct drm_msm_gem_submit_cmd cmd;
	struct drm_msm_gem_submit req;
};

static inline void job_init(struct job *j, int fd)
{
	uint32_t h = bo_new(fd, CS_DWORDS * 4, MSM_BO_WC);

	memset(j, 0, sizeof(*j));
	j->fd = fd;
	j->cs = bo_map(fd, h, CS_DWORDS * 4);
	j->cs_iova = bo_info(fd, h, MSM_INFO_GET_IOVA);
	j->bos[0] = (struct drm_msm_gem_submit_bo) { .flags = MSM_SUBMIT_BO_READ, .handle = h };
	j->nr_bos = 1;
}

static inline void emit(struct job *j, uint32_t v)
{
	igt_assert(j->n < CS_DWORDS);
	j->cs[j->n++] = v;
}

static inline void emit64(struct job *j, uint64_t v)
{
	emit(j, (uint32_t)v);
	emit(j, (uint32_t)(v >> 32));
}

static inline void job_bo(struct job *j, uint32_t handle, uint32_t flags)
{
	j->bos[j->nr_bos++] = (struct drm_msm_gem_submit_bo) { .flags = flags, .handle = handle };
}

static inline void emit_mem_write(struct job *j, uint64_t iova, uint32_t v)
{
	emit(j, pkt7(CP_MEM_WRITE, 3));
	emit64(j, iova);
	emit(j, v);
}

static inline void emit_wait_eq(struct job *j, uint64_t iova, uint32_t v)
{
	emit(j, pkt7(CP_WAIT_REG_MEM, 6));
	emit(j, WRITE_EQ | POLL_MEMORY);
	emit64(j, iova);
	emit(j, v);
	emit(j, 0xffffffff);
	emit(j, 16);
}

/* The request of a submit of the command stream on queue, not yet made. */
static inline struct drm_msm_gem_submit *job_req(struct job *j, uint32_t queue, uint32_t flags)
{
	j->cmd = (struct drm_msm_gem_submit_cmd) {
		.type = MSM_SUBMIT_CMD_BUF, .submit_idx = 0, .size = j->n * 4,
	};
	j->req = (struct drm_msm_gem_submit) {
		.flags = MSM_PIPE_3D0 | flags, .nr_bos = j->nr_bos, .nr_cmds = 1,
		.bos = (uintptr_t)j->bos, .cmds = (uintptr_t)&j->cmd, .queueid = queue,
	};
	return &j->req;
}

static inline uint32_t job_submit(struct job *j, uint32_t queue)
{
	do_ioctl(j->fd, DRM_IOCTL_MSM_GEM_SUBMIT, job_req(j, queue, 0));
	return j->req.fence;
}

static inline void job_run(struct job *j, uint32_t queue)
{
	uint32_t fence = job_submit(j, queue);
	/* Long enough for a recovery ahead of it (see gpu_hang()). */
	int ret = wait_fence(j->fd, queue, fence, 10000000000ll);

	if (ret)
		igt_fail("waiting for fence %u: %s", fence, strerror(-ret));
}

/* Write v at iova from a job of fd naming BO handle; wait for it. */
static inline void gpu_write(int fd, uint32_t handle, uint64_t iova, uint32_t v)
{
	struct job j;

	job_init(&j, fd);
	job_bo(&j, handle, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&j, iova, v);
	job_run(&j, 0);
}

/* A target BO: handle, iova, CPU mapping, zeroed. */
struct target {
	uint32_t handle;
	uint64_t iova;
	uint32_t *map;
};

static inline struct target target_new(int fd, uint32_t flags)
{
	struct target t;

	t.handle = bo_new(fd, 4096, MSM_BO_WC | flags);
	t.iova = bo_info(fd, t.handle, MSM_INFO_GET_IOVA);
	t.map = bo_map(fd, t.handle, 4096);
	memset((void *)t.map, 0, 4096);
	return t;
}

/* The number of the newest devcoredump (devcdN), or -1 if there is none. */
static inline int devcoredump_newest(void)
{
	DIR *d = opendir("/sys/class/devcoredump");
	struct dirent *e;
	int newest = -1, n;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "devcd%d", &n) == 1 && n > newest)
			newest = n;
	closedir(d);
	return newest;
}

/* The text of the newest devcoredump, waited for up to 5 s, or NULL. */
static inline char *devcoredump_read(void)
{
	static char buf[1 << 16];
	char path[64];
	ssize_t n = 0, r;
	int fd, k = -1;

	for (int i = 0; i < 50 && k < 0; i++) {
		k = devcoredump_newest();
		if (k < 0)
			usleep(100000);
	}
	if (k < 0)
		return NULL;
	snprintf(path, sizeof(path), "/sys/class/devcoredump/devcd%d/data", k);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	while (n < (ssize_t)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	close(fd);
	return buf;
}

/*
 * Dismiss every devcoredump and wait until they are gone (the deletion is
 * deferred, and msm makes no new dump while its last one exists).  The
 * runner does it between subtests (msm_legacy_settle()), so a subtest
 * starts with none.
 */
static inline void devcoredump_dismiss(void)
{
	char path[64];
	int k, fd;

	for (int i = 0; i < 100 && (k = devcoredump_newest()) >= 0; i++) {
		snprintf(path, sizeof(path), "/sys/class/devcoredump/devcd%d/data", k);
		fd = open(path, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1 && errno != ENOENT)
				igt_fail("dismissing %s: %s", path, strerror(errno));
			close(fd);
		}
		usleep(50000);
	}
	if (devcoredump_newest() >= 0)
		igt_fail("a devcoredump does not go away");
}

static inline uint32_t syncobj_new(int fd)
{
	struct drm_syncobj_create req = { 0 };

	do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &req);
	return req.handle;
}

static inline int syncobj_wait(int fd, uint32_t h, int64_t timeout_ns)
{
	struct timespec t;
	struct drm_syncobj_wait req = {
		.handles = (uintptr_t)&h, .count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	clock_gettime(CLOCK_MONOTONIC, &t);
	req.timeout_nsec = t.tv_sec * 1000000000ll + t.tv_nsec + timeout_ns;
	return ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &req) ? -errno : 0;
}

/* A count of the default VM core's debugfs vm_live line ("vms", "vmas"), or -1. */
static inline long vm_live_count(const char *what)
{
	char buf[512], key[16], *line;
	ssize_t n;
	long count;
	int fd = open("/sys/kernel/debug/dri/0/vm_live", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	snprintf(key, sizeof(key), " %s=", what);
	line = strstr(buf, " (default): ");
	if (line)
		line = strstr(line, key);
	if (!line || sscanf(line + strlen(key), "%ld", &count) != 1)
		return -1;
	return count;
}

static inline long vm_live_vmas(void)
{
	return vm_live_count("vmas");
}

/* Open the primary node: flink and GEM_OPEN need it (root is authenticated). */
static inline int card_open(void)
{
	return dri_open("/dev/dri/card0", true);
}

static inline uint32_t bo_flink(int fd, uint32_t handle)
{
	struct drm_gem_flink req = { .handle = handle };

	do_ioctl(fd, DRM_IOCTL_GEM_FLINK, &req);
	return req.name;
}

static inline uint32_t bo_open_name(int fd, uint32_t name)
{
	struct drm_gem_open req = { .name = name };

	do_ioctl(fd, DRM_IOCTL_GEM_OPEN, &req);
	return req.handle;
}

static inline int bo_export(int fd, uint32_t handle)
{
	struct drm_prime_handle req = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &req);
	return req.fd;
}

static inline uint32_t bo_import(int fd, int dmabuf)
{
	struct drm_prime_handle req = { .fd = dmabuf };

	do_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &req);
	return req.handle;
}

#endif /* MSM_VM_GUEST_MSM_LIB_H */
