// SPDX-License-Identifier: GPL-2.0-only
/*
 * The legacy msm UAPI suite: what the 6.12 msm driver does for userspace
 * today, through the real ioctls on /dev/dri/renderD128, with the virtual
 * GPU executing the command streams.  Every expected value is what stock
 * 6.12 returns; the driver conversion must keep every one of them.
 *
 * Command streams are PM4 type-7 packets the virtual GPU executes:
 * CP_MEM_WRITE, CP_MEM_TO_MEM, CP_INDIRECT_BUFFER, CP_WAIT_REG_MEM (a GPU
 * wait on memory, released by the CPU through mmap, or never: a hang).
 */

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/msm_drm.h>

#include "igt.h"
#include "msm_legacy.h"
#include "msm_lib.h"

/* Parameters */

static void param_chip_id_is_the_virtual_gpu(void)
{
	int fd = drm_open();

	/* revn 0: the speed bin (0xffff, none read) is in bits 47:32 */
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_CHIP_ID), 0xffffull << 32 | VIRT_CHIP_ID);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_GPU_ID), 0);
}

static void param_va_range_is_the_private_address_space(void)
{
	int fd = drm_open();

	igt_assert_eq_u64(get_param(fd, MSM_PARAM_VA_START), 0x100000000ull);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_VA_SIZE), 0x100000000ull);
}

static void param_fixed_values_match_the_catalog(void)
{
	int fd = drm_open();

	igt_assert_eq_u64(get_param(fd, MSM_PARAM_GMEM_SIZE), 256 * 1024);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_GMEM_BASE), 0x100000);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_PRIORITIES), 3);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_MAX_FREQ), 100000000);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_PP_PGTABLE), 0);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_FAULTS), 0);
}

static void param_unknown_or_bad_pipe_is_einval(void)
{
	int fd = drm_open();
	struct drm_msm_param p = { .pipe = MSM_PIPE_3D0, .param = 0x7f };

	do_ioctl_err(fd, DRM_IOCTL_MSM_GET_PARAM, &p, EINVAL);
	p = (struct drm_msm_param) { .pipe = MSM_PIPE_2D0, .param = MSM_PARAM_CHIP_ID };
	do_ioctl_err(fd, DRM_IOCTL_MSM_GET_PARAM, &p, EINVAL);
	p = (struct drm_msm_param) { .pipe = MSM_PIPE_3D0, .param = MSM_PARAM_CHIP_ID };
	do_ioctl_err(fd, DRM_IOCTL_MSM_SET_PARAM, &p, EINVAL);
	p = (struct drm_msm_param) { .pipe = MSM_PIPE_3D0, .param = MSM_PARAM_CHIP_ID, .len = 4 };
	do_ioctl_err(fd, DRM_IOCTL_MSM_GET_PARAM, &p, EINVAL);
}

static void param_comm_is_set_by_pointer(void)
{
	int fd = drm_open();
	char comm[] = "msm-vm-guest";
	struct drm_msm_param p = {
		.pipe = MSM_PIPE_3D0, .param = MSM_PARAM_COMM,
		.value = (uintptr_t)comm, .len = sizeof(comm) - 1,
	};

	do_ioctl(fd, DRM_IOCTL_MSM_SET_PARAM, &p);
	p.len = 4097;
	do_ioctl_err(fd, DRM_IOCTL_MSM_SET_PARAM, &p, EINVAL);
}

/* GEM objects */

static void gem_new_rejects_bad_flags_and_zero_size(void)
{
	int fd = drm_open();
	struct drm_msm_gem_new req = { .size = 4096, .flags = 0x80000000 };

	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_NEW, &req, EINVAL);
	req = (struct drm_msm_gem_new) { .size = 0, .flags = MSM_BO_WC };
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_NEW, &req, EINVAL);
}

static void gem_new_above_4gib_is_not_truncated(void)
{
	int fd = drm_open();
	uint64_t size = (1ull << 32) + 4096;
	uint32_t h = bo_new(fd, size, MSM_BO_WC);
	void *p;

	/*
	 * The whole size is the BO's (6.12 made it 4 KiB, and refused this
	 * mmap with EINVAL).  Untouched: the first fault would pin 4 GiB.
	 */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 bo_info(fd, h, MSM_INFO_GET_OFFSET));
	if (p == MAP_FAILED)
		igt_fail("mmap of the whole %llu-byte BO: %s", (unsigned long long)size,
			 strerror(errno));
	munmap(p, size);
}

static void gem_iova_is_stable_and_in_the_va_range(void)
{
	int fd = drm_open();
	uint64_t start = get_param(fd, MSM_PARAM_VA_START);
	uint64_t size = get_param(fd, MSM_PARAM_VA_SIZE);
	uint32_t a = bo_new(fd, 8192, MSM_BO_WC), b = bo_new(fd, 4096, MSM_BO_WC);
	uint64_t ia = bo_info(fd, a, MSM_INFO_GET_IOVA);
	uint64_t ib = bo_info(fd, b, MSM_INFO_GET_IOVA);

	igt_assert(ia >= start && ia + 8192 <= start + size);
	igt_assert(ib >= start && ib + 4096 <= start + size);
	igt_assert(ib >= ia + 8192 || ia >= ib + 4096);
	igt_assert_eq_u64(bo_info(fd, a, MSM_INFO_GET_IOVA), ia);
	igt_assert_eq_u64(bo_info(fd, a, MSM_INFO_GET_FLAGS), MSM_BO_WC);
}

static void gem_set_iova_places_the_buffer(void)
{
	int fd = drm_open();
	uint64_t want = get_param(fd, MSM_PARAM_VA_START) + 0x40000000;
	uint32_t h = bo_new(fd, 8192, MSM_BO_WC);

	igt_assert_eq_u64(bo_set_iova(fd, h, want), 0);
	igt_assert_eq_u64(bo_info(fd, h, MSM_INFO_GET_IOVA), want);
	/* Setting the same address again is no change. */
	igt_assert_eq_u64(bo_set_iova(fd, h, want), 0);
	/* Zero releases it. */
	igt_assert_eq_u64(bo_set_iova(fd, h, 0), 0);
	igt_assert_eq_u64(bo_set_iova(fd, h, want + 0x10000), 0);
	igt_assert_eq_u64(bo_info(fd, h, MSM_INFO_GET_IOVA), want + 0x10000);
}

static void gem_set_iova_over_another_buffer_is_enospc(void)
{
	int fd = drm_open();
	uint64_t want = get_param(fd, MSM_PARAM_VA_START) + 0x50000000;
	uint32_t a = bo_new(fd, 8192, MSM_BO_WC), b = bo_new(fd, 8192, MSM_BO_WC);

	igt_assert_eq_u64(bo_set_iova(fd, a, want), 0);
	igt_assert_eq_u64(bo_set_iova(fd, b, want + 4096), -ENOSPC);
	igt_assert_eq_u64(bo_set_iova(fd, b, want), -ENOSPC);
	/* Outside the address space. */
	igt_assert_eq_u64(bo_set_iova(fd, b, 0x1000), -ENOSPC);
}

static void gem_set_iova_of_a_placed_buffer_is_ebusy(void)
{
	int fd = drm_open();
	uint64_t want = get_param(fd, MSM_PARAM_VA_START) + 0x60000000;
	uint32_t h = bo_new(fd, 4096, MSM_BO_WC);

	igt_assert_eq_u64(bo_set_iova(fd, h, want), 0);
	/* Refused without a WARN (6.12 had two: patch 0012) ... */
	igt_assert_eq_u64(bo_set_iova(fd, h, want + 0x10000), -EBUSY);
	/* ... and the buffer keeps its address (6.12 dropped it). */
	igt_assert_eq_u64(bo_info(fd, h, MSM_INFO_GET_IOVA), want);
}

static void gem_name_round_trips(void)
{
	int fd = drm_open();
	uint32_t h = bo_new(fd, 4096, MSM_BO_WC);
	char name[32] = "cmdstream\n", out[32] = { 0 };
	uint32_t len = strlen(name);

	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_SET_NAME, name, &len), 0);
	len = sizeof(out);
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_GET_NAME, out, &len), 0);
	/* The name ends at the first non-printable character. */
	igt_assert(!strcmp(out, "cmdstream"));
	igt_assert_eq_u64(len, 9);
	len = 4;
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_GET_NAME, out, &len), -ETOOSMALL);
	len = 32;
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_SET_NAME, name, &len), -EINVAL);
}

static void gem_metadata_round_trips(void)
{
	int fd = drm_open();
	uint32_t h = bo_new(fd, 4096, MSM_BO_WC);
	uint8_t md[64], out[64] = { 0 }, big[129];
	uint32_t len = sizeof(md);

	for (unsigned int i = 0; i < sizeof(md); i++)
		md[i] = i * 7;
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_SET_METADATA, md, &len), 0);
	/* A NULL pointer asks for the size. */
	len = 0;
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_GET_METADATA, NULL, &len), 0);
	igt_assert_eq_u64(len, sizeof(md));
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_GET_METADATA, out, &len), 0);
	igt_assert(!memcmp(md, out, sizeof(md)));
	len = sizeof(big);
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_SET_METADATA, big, &len), -EOVERFLOW);
}

static void gem_info_bad_handle_or_request_fails(void)
{
	int fd = drm_open();
	uint32_t h = bo_new(fd, 4096, MSM_BO_WC), len = 4;

	igt_assert_eq_u64(gem_info(fd, h + 100, MSM_INFO_GET_IOVA, NULL, NULL), -ENOENT);
	igt_assert_eq_u64(gem_info(fd, h, 0x99, NULL, NULL), -EINVAL);
	igt_assert_eq_u64(gem_info(fd, h, MSM_INFO_GET_IOVA, NULL, &len), -EINVAL);
	/* A closed handle is gone. */
	gem_close(fd, h);
	igt_assert_eq_u64(gem_info(fd, h, MSM_INFO_GET_IOVA, NULL, NULL), -ENOENT);
}

static void gem_mmap_and_cpu_prep(void)
{
	int fd = drm_open();
	uint32_t h = bo_new(fd, 3 * 4096, MSM_BO_CACHED);
	uint32_t *p = bo_map(fd, h, 3 * 4096);
	struct drm_msm_gem_cpu_prep prep = {
		.handle = h, .op = MSM_PREP_READ | MSM_PREP_WRITE, .timeout = abs_timeout(1000000),
	};
	struct drm_msm_gem_cpu_fini fini = { .handle = h };

	do_ioctl(fd, DRM_IOCTL_MSM_GEM_CPU_PREP, &prep);
	for (int i = 0; i < 3 * 1024; i++)
		p[i] = 0x5a000000 | i;
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_CPU_FINI, &fini);
	munmap(p, 3 * 4096);
	p = bo_map(fd, h, 3 * 4096);
	for (int i = 0; i < 3 * 1024; i++)
		igt_assert_eq_u64(p[i], 0x5a000000 | i);
	prep.op = 0x100;
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_CPU_PREP, &prep, EINVAL);
}

/* Submission, executed by the GPU */

static void submit_mem_write_lands_in_memory(void)
{
	int fd = drm_open();
	struct target t = target_new(fd, 0);
	struct job j;

	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_WRITE);
	for (int i = 0; i < 16; i++)
		emit_mem_write(&j, t.iova + 4 * i, 0xc0de0000 | i);
	job_run(&j, 0);
	for (int i = 0; i < 16; i++)
		igt_assert_eq_u64(t.map[i], 0xc0de0000 | i);
	igt_assert_eq_u64(t.map[16], 0);
}

static void submit_mem_to_mem_copies_and_sums(void)
{
	int fd = drm_open();
	struct target t = target_new(fd, 0);
	struct job j;

	t.map[0] = 1000;
	t.map[1] = 58;
	t.map[2] = 8;
	t.map[4] = 0x00000001; /* 64-bit 0x100000001 at [4] */
	t.map[5] = 0x00000001;
	t.map[6] = 0xffffffff; /* 64-bit 0xffffffff at [6] */
	t.map[7] = 0;
	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE);
	/* [16] = [0] */
	emit(&j, pkt7(CP_MEM_TO_MEM, 5));
	emit(&j, 0);
	emit64(&j, t.iova + 64);
	emit64(&j, t.iova);
	/* [17] = [0] + [1] - [2] */
	emit(&j, pkt7(CP_MEM_TO_MEM, 9));
	emit(&j, 1 << 2);
	emit64(&j, t.iova + 68);
	emit64(&j, t.iova);
	emit64(&j, t.iova + 4);
	emit64(&j, t.iova + 8);
	/* 64-bit [18..19] = [4..5] + [6..7] */
	emit(&j, pkt7(CP_MEM_TO_MEM, 7));
	emit(&j, MEM_TO_MEM_DOUBLE);
	emit64(&j, t.iova + 72);
	emit64(&j, t.iova + 16);
	emit64(&j, t.iova + 24);
	job_run(&j, 0);
	igt_assert_eq_u64(t.map[16], 1000);
	igt_assert_eq_u64(t.map[17], 1050);
	igt_assert_eq_u64(t.map[18] | (uint64_t)t.map[19] << 32, 0x200000000ull);
}

static void submit_nested_ib_executes(void)
{
	int fd = drm_open();
	struct target t = target_new(fd, 0);
	uint32_t ib2 = bo_new(fd, 4096, MSM_BO_WC);
	uint32_t *p = bo_map(fd, ib2, 4096);
	uint64_t ib2_iova = bo_info(fd, ib2, MSM_INFO_GET_IOVA);
	struct job j;
	int n = 0;

	p[n++] = pkt7(CP_MEM_WRITE, 3);
	p[n++] = (uint32_t)(t.iova + 4);
	p[n++] = (uint32_t)((t.iova + 4) >> 32);
	p[n++] = 0x1b2;
	p[n++] = pkt7(CP_NOP, 2);
	p[n++] = 0xdead;
	p[n++] = 0xbeef;
	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_WRITE);
	job_bo(&j, ib2, MSM_SUBMIT_BO_READ);
	emit_mem_write(&j, t.iova, 0x1b1);
	emit(&j, pkt7(CP_INDIRECT_BUFFER, 3));
	emit64(&j, ib2_iova);
	emit(&j, n);
	emit_mem_write(&j, t.iova + 8, 0x1b1);
	job_run(&j, 0);
	igt_assert_eq_u64(t.map[0], 0x1b1);
	igt_assert_eq_u64(t.map[1], 0x1b2);
	igt_assert_eq_u64(t.map[2], 0x1b1);
}

static void submit_without_commands_signals_its_fence(void)
{
	int fd = drm_open();
	struct drm_msm_gem_submit req = { .flags = MSM_PIPE_3D0 };

	do_ioctl(fd, DRM_IOCTL_MSM_GEM_SUBMIT, &req);
	igt_assert_eq_u64(wait_fence(fd, 0, req.fence, 1000000000), 0);
}

static void submit_of_two_contexts_use_their_own_page_tables(void)
{
	int fa = drm_open(), fb = drm_open();
	uint64_t at = get_param(fa, MSM_PARAM_VA_START) + 0x70000000;
	uint32_t ha = bo_new(fa, 4096, MSM_BO_WC), hb = bo_new(fb, 4096, MSM_BO_WC);
	uint32_t *ma, *mb;
	struct job ja, jb;

	/* The same GPU address in both contexts, a different BO in each. */
	igt_assert_eq_u64(bo_set_iova(fa, ha, at), 0);
	igt_assert_eq_u64(bo_set_iova(fb, hb, at), 0);
	ma = bo_map(fa, ha, 4096);
	mb = bo_map(fb, hb, 4096);
	ma[0] = 0;
	mb[0] = 0;
	job_init(&ja, fa);
	job_bo(&ja, ha, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&ja, at, 0xaaaa);
	job_init(&jb, fb);
	job_bo(&jb, hb, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&jb, at, 0xbbbb);
	job_run(&ja, 0);
	job_run(&jb, 0);
	igt_assert_eq_u64(ma[0], 0xaaaa);
	igt_assert_eq_u64(mb[0], 0xbbbb);
	/* Back to the first context: its table again. */
	ma[0] = 0;
	job_run(&ja, 0);
	igt_assert_eq_u64(ma[0], 0xaaaa);
	igt_assert_eq_u64(mb[0], 0xbbbb);
}

static void submitqueue_priorities_and_close(void)
{
	int fd = drm_open();
	struct drm_msm_submitqueue req = { .prio = 3 };
	uint32_t q[3];

	for (int p = 0; p < 3; p++)
		q[p] = queue_new(fd, p);
	igt_assert(q[0] && q[1] != q[0] && q[2] != q[1]);
	do_ioctl_err(fd, DRM_IOCTL_MSM_SUBMITQUEUE_NEW, &req, EINVAL);
	req = (struct drm_msm_submitqueue) { .flags = 0x8 };
	do_ioctl_err(fd, DRM_IOCTL_MSM_SUBMITQUEUE_NEW, &req, EINVAL);
	igt_assert_eq_u64(queue_faults(fd, q[1]), 0);
	do_ioctl(fd, DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE, &q[1]);
	do_ioctl_err(fd, DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE, &q[1], ENOENT);
	/* The default queue 0 cannot be closed. */
	q[1] = 0;
	do_ioctl_err(fd, DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE, &q[1], ENOENT);
	for (int p = 0; p < 3; p += 2) {
		struct target t = target_new(fd, 0);
		struct job j;

		job_init(&j, fd);
		job_bo(&j, t.handle, MSM_SUBMIT_BO_WRITE);
		emit_mem_write(&j, t.iova, p + 1);
		job_run(&j, q[p]);
		igt_assert_eq_u64(t.map[0], p + 1);
	}
}

/* Bad input: each names the field that is wrong and the errno 6.12 returns. */

static void submit_bad(int field, int err)
{
	int fd = drm_open();
	struct target t = target_new(fd, 0);
	struct drm_msm_gem_submit_reloc reloc = { .reloc_idx = 1 };
	struct drm_msm_gem_submit *req;
	struct job j;
	uint32_t q = queue_new(fd, 0);

	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&j, t.iova, 1);
	req = job_req(&j, q, 0);
	switch (field) {
	case 0: /* a queue that does not exist */
		req->queueid = q + 1;
		break;
	case 1: /* an unknown submit flag */
		req->flags |= 0x1000000;
		break;
	case 2: /* FENCE_FD_IN with no fence behind the fd */
		req->flags |= MSM_SUBMIT_FENCE_FD_IN;
		req->fence_fd = open("/dev/null", O_RDONLY);
		break;
	case 3: /* the same BO twice */
		j.bos[2] = j.bos[1];
		req->nr_bos = 3;
		break;
	case 4: /* a command naming a BO past the table */
		j.cmd.submit_idx = 2;
		break;
	case 5: /* an unknown command type */
		j.cmd.type = 0x10;
		break;
	case 6: /* a command past the end of its BO */
		j.cmd.submit_offset = CS_DWORDS * 4 - 8;
		break;
	case 7: /* a command of zero size */
		j.cmd.size = 0;
		break;
	case 8: /* relocations, which a6xx-generation GPUs refuse */
		j.cmd.nr_relocs = 1;
		j.cmd.relocs = (uintptr_t)&reloc;
		break;
	case 9: /* a BO with neither READ nor WRITE */
		j.bos[1].flags = MSM_SUBMIT_BO_DUMP;
		break;
	case 10: /* a handle that does not exist */
		j.bos[1].handle = 1000;
		break;
	case 11: /* the reserved pad */
		req->pad = 1;
		break;
	case 12: /* a pipe other than 3D0 */
		req->flags = MSM_PIPE_2D0;
		break;
	case 13: /* FENCE_SN_IN with fence 0 */
		req->flags |= MSM_SUBMIT_FENCE_SN_IN;
		req->fence = 0;
		break;
	case 14: /* an unaligned command size */
		j.cmd.size = 6;
		break;
	}
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, req, err);
	/* Nothing ran: the target is untouched. */
	usleep(20000);
	igt_assert_eq_u64(t.map[0], 0);
}

static void submit_invalid_queue_is_enoent(void) { submit_bad(0, ENOENT); }
static void submit_invalid_flags_is_einval(void) { submit_bad(1, EINVAL); }
static void submit_invalid_in_fence_is_einval(void) { submit_bad(2, EINVAL); }
static void submit_duplicate_bo_is_ealready(void) { submit_bad(3, EALREADY); }
static void submit_invalid_cmd_idx_is_einval(void) { submit_bad(4, EINVAL); }
static void submit_invalid_cmd_type_is_einval(void) { submit_bad(5, EINVAL); }
static void submit_cmd_past_its_bo_is_einval(void) { submit_bad(6, EINVAL); }
static void submit_empty_cmd_is_einval(void) { submit_bad(7, EINVAL); }
static void submit_relocs_are_einval(void) { submit_bad(8, EINVAL); }
static void submit_bo_without_access_flags_is_einval(void) { submit_bad(9, EINVAL); }
static void submit_invalid_bo_handle_is_einval(void) { submit_bad(10, EINVAL); }
static void submit_nonzero_pad_is_einval(void) { submit_bad(11, EINVAL); }
static void submit_invalid_pipe_is_einval(void) { submit_bad(12, EINVAL); }
static void submit_fence_sn_zero_is_einval(void) { submit_bad(13, EINVAL); }
static void submit_unaligned_cmd_size_is_einval(void) { submit_bad(14, EINVAL); }

/* Fences */

static void wait_fence_times_out_while_the_gpu_waits(void)
{
	int fd = drm_open();
	struct target t = target_new(fd, 0);
	struct job j;
	uint32_t fence;

	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE);
	emit_wait_eq(&j, t.iova, 1);
	emit_mem_write(&j, t.iova + 4, 2);
	fence = job_submit(&j, 0);
	igt_assert_eq_u64(wait_fence(fd, 0, fence, 50000000), -ETIMEDOUT);
	igt_assert_eq_u64(t.map[1], 0);
	t.map[0] = 1;
	igt_assert_eq_u64(wait_fence(fd, 0, fence, 2000000000), 0);
	igt_assert_eq_u64(t.map[1], 2);
	/* A fence not yet handed out */
	igt_assert_eq_u64(wait_fence(fd, 0, fence + 1, 1000000), -EINVAL);
	igt_assert_eq_u64(wait_fence(fd, 99, fence, 1000000), -ENOENT);
}

static void fence_fd_out_orders_a_later_submit(void)
{
	int fd = drm_open();
	uint32_t q1 = queue_new(fd, 0), q2 = queue_new(fd, 0);
	struct target t = target_new(fd, 0), u = target_new(fd, 0);
	struct drm_msm_gem_submit *req;
	struct pollfd pfd;
	struct job a, b;
	uint32_t fb;

	job_init(&a, fd);
	job_bo(&a, t.handle, MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE);
	emit_wait_eq(&a, t.iova, 1);
	emit_mem_write(&a, t.iova + 4, 7);
	req = job_req(&a, q1, MSM_SUBMIT_FENCE_FD_OUT);
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_SUBMIT, req);
	igt_assert(req->fence_fd >= 0);
	pfd = (struct pollfd) { .fd = req->fence_fd, .events = POLLIN };
	igt_assert_eq_u64(poll(&pfd, 1, 20), 0);

	/* b copies what a writes, on another queue, after a's fence. */
	job_init(&b, fd);
	job_bo(&b, u.handle, MSM_SUBMIT_BO_WRITE);
	emit(&b, pkt7(CP_MEM_TO_MEM, 5));
	emit(&b, 0);
	emit64(&b, u.iova);
	emit64(&b, t.iova + 4);
	job_req(&b, q2, MSM_SUBMIT_FENCE_FD_IN | MSM_SUBMIT_NO_IMPLICIT)->fence_fd = pfd.fd;
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_SUBMIT, &b.req);
	fb = b.req.fence;
	igt_assert_eq_u64(wait_fence(fd, q2, fb, 50000000), -ETIMEDOUT);
	t.map[0] = 1;
	igt_assert_eq_u64(wait_fence(fd, q2, fb, 2000000000), 0);
	igt_assert_eq_u64(poll(&pfd, 1, 0), 1);
	igt_assert_eq_u64(u.map[0], 7);
	close(pfd.fd);
}

/* The request of a submit of j waiting for (in) or signalling (!in) *so. */
static struct drm_msm_gem_submit *job_req_syncobj(struct job *j, bool in,
						  struct drm_msm_gem_submit_syncobj *so)
{
	struct drm_msm_gem_submit *req = job_req(j, 0, in ? MSM_SUBMIT_SYNCOBJ_IN :
						 MSM_SUBMIT_SYNCOBJ_OUT);

	if (in) {
		req->in_syncobjs = (uintptr_t)so;
		req->nr_in_syncobjs = 1;
	} else {
		req->out_syncobjs = (uintptr_t)so;
		req->nr_out_syncobjs = 1;
	}
	req->syncobj_stride = sizeof(*so);
	return req;
}

static void syncobj_out_signals_and_in_waits(void)
{
	int fd = drm_open();
	uint32_t so = syncobj_new(fd);
	struct target t = target_new(fd, 0);
	struct drm_msm_gem_submit_syncobj out = { .handle = so }, in = {
		.handle = so, .flags = MSM_SUBMIT_SYNCOBJ_RESET,
	};
	struct drm_msm_gem_submit *req;
	struct job a, b;

	job_init(&a, fd);
	job_bo(&a, t.handle, MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE);
	emit_wait_eq(&a, t.iova, 1);
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_SUBMIT, job_req_syncobj(&a, false, &out));
	igt_assert_eq_u64(syncobj_wait(fd, so, 30000000), -ETIME);
	t.map[0] = 1;
	igt_assert_eq_u64(syncobj_wait(fd, so, 2000000000), 0);

	job_init(&b, fd);
	job_bo(&b, t.handle, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&b, t.iova + 4, 9);
	req = job_req_syncobj(&b, true, &in);
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_SUBMIT, req);
	igt_assert_eq_u64(wait_fence(fd, 0, req->fence, 2000000000), 0);
	igt_assert_eq_u64(t.map[1], 9);
	/* RESET: the syncobj has no fence any more. */
	igt_assert_eq_u64(syncobj_wait(fd, so, 0), -ETIME);
	/* A syncobj that does not exist */
	in.handle = so + 100;
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, job_req_syncobj(&b, true, &in), ENOENT);
}

/* Memory management */

static void madvise_dontneed_is_purged_by_the_shrinker(void)
{
	int fd = drm_open(), sfd;
	uint32_t h = bo_new(fd, 64 * 4096, MSM_BO_WC);
	uint32_t *p = bo_map(fd, h, 64 * 4096);
	struct drm_msm_gem_madvise req = { .handle = h, .madv = MSM_MADV_DONTNEED };

	memset(p, 0x11, 64 * 4096);
	munmap(p, 64 * 4096);
	/* Pages pinned for the GPU: give it an address. */
	bo_info(fd, h, MSM_INFO_GET_IOVA);
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_MADVISE, &req);
	igt_assert_eq_u64(req.retained, 1);
	sfd = open("/sys/kernel/debug/dri/0/shrink", O_WRONLY);
	if (sfd < 0)
		igt_skip("no debugfs shrink file: %s", strerror(errno));
	if (write(sfd, "100000", 6) != 6)
		igt_fail("writing shrink: %s", strerror(errno));
	close(sfd);
	req = (struct drm_msm_gem_madvise) { .handle = h, .madv = MSM_MADV_WILLNEED };
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_MADVISE, &req);
	igt_assert_eq_u64(req.retained, 0);
	req = (struct drm_msm_gem_madvise) { .handle = h, .madv = 7 };
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_MADVISE, &req, EINVAL);
	req = (struct drm_msm_gem_madvise) { .handle = h + 50, .madv = MSM_MADV_WILLNEED };
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_MADVISE, &req, ENOENT);
}

/* Faults, hangs and recovery */

static void gpu_hang(struct job *j, int fd, uint32_t queue, const char *what)
{
	uint32_t fence = job_submit(j, queue);
	int ret;

	/*
	 * Hangcheck: two 250 ms periods without progress, each rounded up to
	 * a whole second (round_jiffies_up), then recovery: 1 to 3 s.
	 */
	ret = wait_fence(fd, queue, fence, 10000000000ll);
	if (ret)
		igt_fail("%s: the hung submit's fence: %s", what, strerror(-ret));
}

static void check_recovered(int fd, uint32_t queue, uint64_t faults_before)
{
	struct target t = target_new(fd, 0);
	char *dump;
	struct job j;

	igt_assert_eq_u64(queue_faults(fd, queue), 1);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_FAULTS), faults_before + 1);
	dump = devcoredump_read();
	if (!dump)
		igt_fail("no devcoredump after the hang");
	igt_assert(strstr(dump, "revision: 0 (9.9.9.0)"));
	igt_assert(strstr(dump, "ringbuffer:"));
	/* The GPU works again, on a new queue. */
	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&j, t.iova, 0x600d);
	job_run(&j, queue_new(fd, 0));
	igt_assert_eq_u64(t.map[0], 0x600d);
}

static void hang_in_a_gpu_wait_is_recovered(void)
{
	int fd = drm_open();
	uint32_t q = queue_new(fd, 0);
	uint64_t faults = get_param(fd, MSM_PARAM_FAULTS);
	struct target t = target_new(fd, 0);
	struct job j;

	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE);
	emit_wait_eq(&j, t.iova, 1);
	emit_mem_write(&j, t.iova + 4, 1);
	gpu_hang(&j, fd, q, "wait");
	/* Recovery skipped the hung submit: its write never happened. */
	igt_assert_eq_u64(t.map[1], 0);
	check_recovered(fd, q, faults);
}

static void opcode_error_is_recovered(void)
{
	int fd = drm_open();
	uint32_t q = queue_new(fd, 0);
	uint64_t faults = get_param(fd, MSM_PARAM_FAULTS);
	struct job j;

	job_init(&j, fd);
	emit(&j, pkt7(0x7e, 0));
	gpu_hang(&j, fd, q, "opcode error");
	check_recovered(fd, q, faults);
}

static void protected_packet_in_an_ib_is_recovered(void)
{
	int fd = drm_open();
	uint32_t q = queue_new(fd, 0);
	uint64_t faults = get_param(fd, MSM_PARAM_FAULTS);
	struct target t = target_new(fd, 0);
	struct job j;

	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_WRITE);
	/* Switching page tables from an IB would reach any memory. */
	emit(&j, pkt7(CP_SMMU_TABLE_UPDATE, 4));
	emit64(&j, 0x40000000);
	emit(&j, 0);
	emit(&j, 0);
	emit_mem_write(&j, t.iova, 1);
	gpu_hang(&j, fd, q, "CP_SMMU_TABLE_UPDATE in an IB");
	igt_assert_eq_u64(t.map[0], 0);
	check_recovered(fd, q, faults);
}

static void fault_check(uint32_t bo_flags, bool map_target, const char *type)
{
	int fd = drm_open();
	uint64_t faults = get_param(fd, MSM_PARAM_FAULTS);
	uint64_t hole = get_param(fd, MSM_PARAM_VA_START) + 0xe0000000;
	struct target t = target_new(fd, bo_flags), after = target_new(fd, 0);
	uint64_t at = map_target ? t.iova : hole;
	char *dump, want[64];
	struct job j;

	job_init(&j, fd);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_READ);
	job_bo(&j, after.handle, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&j, at, 0xbad);
	emit_mem_write(&j, after.iova, 0xaf7e);
	job_run(&j, 0);
	/* The faulting write was dropped; the submit went on. */
	igt_assert_eq_u64(t.map[0], 0);
	igt_assert_eq_u64(after.map[0], 0xaf7e);
	/* A fault alone is not a hang: FAULTS counts hangs. */
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_FAULTS), faults);
	dump = devcoredump_read();
	if (!dump)
		igt_fail("no devcoredump after the fault");
	snprintf(want, sizeof(want), "  - iova=%016llx", (unsigned long long)at);
	igt_assert(strstr(dump, "fault-info:"));
	igt_assert(strstr(dump, want));
	igt_assert(strstr(dump, "  - dir=WRITE"));
	snprintf(want, sizeof(want), "  - type=%s", type);
	igt_assert(strstr(dump, want));
	igt_assert(strstr(dump, "  - source=CP"));
}

static void write_to_an_unmapped_address_faults(void)
{
	fault_check(0, false, "TRANSLATION");
}

static void write_to_a_gpu_readonly_buffer_faults(void)
{
	fault_check(MSM_BO_GPU_READONLY, true, "PERMISSION");
}

static void wait_on_an_unmapped_address_is_recovered(void)
{
	int fd = drm_open();
	uint32_t q = queue_new(fd, 0);
	uint64_t hole = get_param(fd, MSM_PARAM_VA_START) + 0xe0000000;
	struct target t = target_new(fd, 0);
	uint32_t stuck;
	struct job j;

	/*
	 * The poll faults, and the CP stops on it.  The fault handler stops
	 * hangcheck for its devcoredump (as adreno_fault_handler() does on
	 * hardware); msm-vm's patch restarts it once the fault is handled,
	 * so hangcheck recovers the GPU with no later submit (on stock 6.12
	 * only a later submit did).
	 */
	job_init(&j, fd);
	emit_wait_eq(&j, hole, 1);
	stuck = job_submit(&j, q);
	if (!devcoredump_read())
		igt_fail("no devcoredump after the fault");
	igt_assert_eq_u64(wait_fence(fd, q, stuck, 10000000000ll), 0);
	igt_assert_eq_u64(queue_faults(fd, q), 1);
	gpu_write(fd, t.handle, t.iova, 0x5e7);
	igt_assert_eq_u64(t.map[0], 0x5e7);
}

static void close_with_work_in_flight(void)
{
	pid_t pid = fork();
	int status, fd;

	if (pid == 0) {
		/* Submit a job that waits forever, then close everything. */
		struct job j;
		struct target t;

		fd = drm_open();
		t = target_new(fd, 0);
		job_init(&j, fd);
		job_bo(&j, t.handle, MSM_SUBMIT_BO_READ);
		emit_wait_eq(&j, t.iova, 1);
		job_submit(&j, queue_new(fd, 0));
		_exit(0);
	}
	igt_assert(waitpid(pid, &status, 0) == pid);
	igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The orphaned job hangs, is recovered, and the GPU serves others. */
	fd = drm_open();
	{
		struct target t = target_new(fd, 0);

		gpu_write(fd, t.handle, t.iova, 0xc105ed);
		igt_assert_eq_u64(t.map[0], 0xc105ed);
	}
}

/*
 * BOs shared between files, and what may tear a BO's addresses down: each
 * VMA holds its BO (the VM core's rule), so the driver unmaps and closes
 * them when the last handle closes, and only then.
 */

static void shared_bo_has_an_address_of_its_own_in_each_context(void)
{
	int fa = drm_open(), fb = drm_open(), dmabuf;
	uint64_t at_a = get_param(fa, MSM_PARAM_VA_START) + 0x40000000;
	uint64_t at_b = get_param(fb, MSM_PARAM_VA_START) + 0x50000000;
	uint32_t ha = bo_new(fa, 4096, MSM_BO_WC), hb;
	uint32_t *map = bo_map(fa, ha, 4096);

	map[0] = 0;
	map[1] = 0;
	dmabuf = bo_export(fa, ha);
	hb = bo_import(fb, dmabuf);
	close(dmabuf);
	/* One BO, one VMA in each context's VM, at the address each chose. */
	igt_assert_eq_u64(bo_set_iova(fa, ha, at_a), 0);
	igt_assert_eq_u64(bo_set_iova(fb, hb, at_b), 0);
	igt_assert_eq_u64(bo_info(fa, ha, MSM_INFO_GET_IOVA), at_a);
	igt_assert_eq_u64(bo_info(fb, hb, MSM_INFO_GET_IOVA), at_b);
	gpu_write(fa, ha, at_a, 0xa);
	gpu_write(fb, hb, at_b + 4, 0xb);
	igt_assert_eq_u64(map[0], 0xa);
	igt_assert_eq_u64(map[1], 0xb);
	/* Closing b's handle leaves a's address alone. */
	gem_close(fb, hb);
	igt_assert_eq_u64(bo_info(fa, ha, MSM_INFO_GET_IOVA), at_a);
	gpu_write(fa, ha, at_a, 0xaa);
	igt_assert_eq_u64(map[0], 0xaa);
}

static void reopened_by_name_a_bo_keeps_its_address(void)
{
	int fa = card_open(), fb = card_open();
	uint32_t ha = bo_new(fa, 4096, MSM_BO_WC), name, hb;
	uint64_t iova = bo_info(fa, ha, MSM_INFO_GET_IOVA);
	uint32_t *map = bo_map(fa, ha, 4096);

	map[0] = 0;
	name = bo_flink(fa, ha);
	hb = bo_open_name(fb, name);
	/* b's handle keeps the BO, and its VMA in a's VM, alive. */
	gem_close(fa, ha);
	ha = bo_open_name(fa, name);
	igt_assert_eq_u64(bo_info(fa, ha, MSM_INFO_GET_IOVA), iova);
	gpu_write(fa, ha, iova, 0x4e0);
	igt_assert_eq_u64(map[0], 0x4e0);
	/* The last handle closed: the name is gone with the BO. */
	gem_close(fa, ha);
	gem_close(fb, hb);
	munmap(map, 4096);
	{
		struct drm_gem_open req = { .name = name };

		do_ioctl_err(fa, DRM_IOCTL_GEM_OPEN, &req, ENOENT);
	}
}

#define FIRST_USERS 8

struct first_use {
	int fd;
	uint32_t handle;
	uint64_t iova, va_start;
};

static void *first_use(void *arg)
{
	struct first_use *u = arg;

	u->va_start = get_param(u->fd, MSM_PARAM_VA_START);
	u->iova = bo_info(u->fd, u->handle, MSM_INFO_GET_IOVA);
	return NULL;
}

static void first_uses_of_a_context_make_one_address_space(void)
{
	int fd = drm_open();
	struct first_use u[FIRST_USERS];
	pthread_t threads[FIRST_USERS];
	uint32_t h = bo_new(fd, 4096, MSM_BO_WC);
	long vms = vm_live_count("vms");

	if (vms < 0)
		igt_skip("no debugfs vm_live file");
	/* Opening and GEM_NEW make no address space. */
	igt_assert_eq_u64(vm_live_count("vms"), vms);
	/* Threads racing to use the context first: one address space. */
	for (int i = 0; i < FIRST_USERS; i++) {
		u[i] = (struct first_use) { .fd = fd, .handle = h };
		igt_assert(!pthread_create(&threads[i], NULL, first_use, &u[i]));
	}
	for (int i = 0; i < FIRST_USERS; i++)
		igt_assert(!pthread_join(threads[i], NULL));
	igt_assert_eq_u64(vm_live_count("vms"), vms + 1);
	for (int i = 1; i < FIRST_USERS; i++) {
		igt_assert_eq_u64(u[i].iova, u[0].iova);
		igt_assert_eq_u64(u[i].va_start, u[0].va_start);
	}
}

static void closing_the_last_handle_closes_the_bos_vmas(void)
{
	int fd = drm_open();
	struct target t = target_new(fd, 0);
	long before;
	struct job j;

	/* The job's command stream BO has a VMA too: count from here. */
	job_init(&j, fd);
	before = vm_live_vmas();
	if (before < 0)
		igt_skip("no debugfs vm_live file");
	job_bo(&j, t.handle, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&j, t.iova, 0xc1);
	job_run(&j, 0);
	igt_assert_eq_u64(t.map[0], 0xc1);
	/* The file lives on; its VM loses the BO's VMA with the handle. */
	gem_close(fd, t.handle);
	igt_assert_eq_u64(vm_live_vmas(), before - 1);
}

static void dmabuf_export_and_import_reach_one_bo(void)
{
	int fa = drm_open(), fb = drm_open(), dmabuf;
	struct target t = target_new(fa, 0);
	uint32_t hb;

	dmabuf = bo_export(fa, t.handle);
	hb = bo_import(fb, dmabuf);
	/* A self-import: the same BO, so the same handle on a second import. */
	igt_assert_eq_u64(bo_import(fb, dmabuf), hb);
	gpu_write(fb, hb, bo_info(fb, hb, MSM_INFO_GET_IOVA), 0xd1a);
	igt_assert_eq_u64(t.map[0], 0xd1a);
	/* a's handle and the dma-buf go; b's handle still reaches the BO. */
	close(dmabuf);
	gem_close(fa, t.handle);
	gpu_write(fb, hb, bo_info(fb, hb, MSM_INFO_GET_IOVA), 0xd1b);
	igt_assert_eq_u64(t.map[0], 0xd1b);
}

static void dmabuf_keeps_the_vmas_until_it_is_released(void)
{
	int fd = drm_open(), dmabuf;
	struct target t = target_new(fd, 0);
	struct job j;
	uint32_t h;
	long before;

	/* The job's command stream BO has a VMA too: count from here. */
	job_init(&j, fd);
	before = vm_live_vmas();
	if (before < 0)
		igt_skip("no debugfs vm_live file");
	/* The export counts as a handle: closing the last one keeps the VMA. */
	dmabuf = bo_export(fd, t.handle);
	gem_close(fd, t.handle);
	igt_assert_eq_u64(vm_live_vmas(), before);
	h = bo_import(fd, dmabuf);
	igt_assert_eq_u64(bo_info(fd, h, MSM_INFO_GET_IOVA), t.iova);
	job_bo(&j, h, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&j, t.iova, 0xdb);
	job_run(&j, 0);
	igt_assert_eq_u64(t.map[0], 0xdb);
	/* No handle and no export left: the VMA goes with the dma-buf. */
	gem_close(fd, h);
	igt_assert_eq_u64(vm_live_vmas(), before);
	close(dmabuf);
	igt_assert_eq_u64(vm_live_vmas(), before - 1);
}

/* Ask the shrinker for everything it can free. */
static void shrink_all(void)
{
	int sfd = open("/sys/kernel/debug/dri/0/shrink", O_WRONLY);

	if (sfd < 0)
		igt_skip("no debugfs shrink file: %s", strerror(errno));
	if (write(sfd, "100000", 6) != 6)
		igt_fail("writing shrink: %s", strerror(errno));
	close(sfd);
}

static void bo_madvise(int fd, uint32_t handle, uint32_t madv, uint32_t retained)
{
	struct drm_msm_gem_madvise req = { .handle = handle, .madv = madv };

	do_ioctl(fd, DRM_IOCTL_MSM_GEM_MADVISE, &req);
	igt_assert_eq_u64(req.retained, retained);
}

static void get_iova_of_a_purged_bo_gives_an_address_but_submit_is_ebusy(void)
{
	int fd = drm_open();
	uint32_t h = bo_new(fd, 16 * 4096, MSM_BO_WC);
	uint64_t start = get_param(fd, MSM_PARAM_VA_START), size = get_param(fd, MSM_PARAM_VA_SIZE);
	uint64_t iova;
	struct job j;

	memset(bo_map(fd, h, 16 * 4096), 0x22, 16 * 4096);
	bo_info(fd, h, MSM_INFO_GET_IOVA);
	bo_madvise(fd, h, MSM_MADV_DONTNEED, 1);
	shrink_all();
	bo_madvise(fd, h, MSM_MADV_WILLNEED, 0);
	/* The purge closed its VMAs; GET_IOVA makes a new one. */
	iova = bo_info(fd, h, MSM_INFO_GET_IOVA);
	igt_assert(iova >= start && iova + 16 * 4096 <= start + size);
	igt_assert_eq_u64(bo_info(fd, h, MSM_INFO_GET_IOVA), iova);
	/* Its pages are gone for good: a submit cannot pin them. */
	job_init(&j, fd);
	job_bo(&j, h, MSM_SUBMIT_BO_WRITE);
	emit_mem_write(&j, iova, 1);
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, job_req(&j, 0, 0), EBUSY);
}

#define SHRINK_BOS	16
#define SHRINK_JOBS	200

static void shrinker_purges_while_submits_of_the_file_run(void)
{
	int fd = drm_open(), status;
	struct target t = target_new(fd, 0);
	uint32_t h[SHRINK_BOS];
	pid_t pid;

	for (int i = 0; i < SHRINK_BOS; i++) {
		h[i] = bo_new(fd, 8 * 4096, MSM_BO_WC);
		bo_info(fd, h[i], MSM_INFO_GET_IOVA);
		memset(bo_map(fd, h[i], 8 * 4096), i, 8 * 4096);
		bo_madvise(fd, h[i], MSM_MADV_DONTNEED, 1);
	}
	/*
	 * A child on the same file (one context, one VM): its submits lock
	 * the VM's resv while the shrinker try-locks it to purge.
	 */
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		for (uint32_t i = 1; i <= SHRINK_JOBS; i++) {
			gpu_write(fd, t.handle, t.iova, i);
			if (t.map[0] != i)
				_exit(1);
		}
		_exit(0);
	}
	for (int round = 0; round < 50; round++)
		shrink_all();
	igt_assert(waitpid(pid, &status, 0) == pid);
	igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	igt_assert_eq_u64(t.map[0], SHRINK_JOBS);
	/* Idle now: whatever a busy VM made it skip goes too. */
	shrink_all();
	for (int i = 0; i < SHRINK_BOS; i++)
		bo_madvise(fd, h[i], MSM_MADV_WILLNEED, 0);
}

static void debugfs_gem_lists_each_vma_with_its_address(void)
{
	int fd = drm_open();
	uint32_t h = bo_new(fd, 4096, MSM_BO_WC);
	uint64_t iova = bo_info(fd, h, MSM_INFO_GET_IOVA);
	unsigned long long got = 0;
	char name[] = "vmtest-listed", *buf = malloc(1 << 20), *line, *vmas;
	uint32_t len = sizeof(name) - 1;
	ssize_t n, total = 0;
	int dfd;

	igt_assert(buf);
	igt_assert_eq_u64(gem_info_ptr(fd, h, MSM_INFO_SET_NAME, name, &len), 0);
	dfd = open("/sys/kernel/debug/dri/0/gem", O_RDONLY);
	if (dfd < 0)
		igt_skip("no debugfs gem file: %s", strerror(errno));
	while (total < (1 << 20) - 1 && (n = read(dfd, buf + total, (1 << 20) - 1 - total)) > 0)
		total += n;
	buf[total] = 0;
	close(dfd);
	/* The BO's line, then "      vmas: vm=gpu iova=0x... size=0x1000 mapped|unmapped". */
	line = strstr(buf, name);
	igt_assert(line);
	vmas = strstr(line, "\n      vmas:");
	igt_assert(vmas);
	igt_assert(sscanf(vmas, "\n      vmas: vm=gpu iova=0x%llx size=0x1000", &got) == 1);
	igt_assert_eq_u64(got, iova);
	free(buf);
}

#define T(f) { #f, f }

/*
 * The shared address space: the virtual GPU booted with
 * msm.virt_per_process_pgtables=0, as a GPU without per-process page
 * tables, where every file uses the GPU's global address space (TTBR1).
 */

static void shared_va_range_params_are_einval(void)
{
	int fd = drm_open();
	struct drm_msm_param p = { .pipe = MSM_PIPE_3D0, .param = MSM_PARAM_VA_START };

	do_ioctl_err(fd, DRM_IOCTL_MSM_GET_PARAM, &p, EINVAL);
	p.param = MSM_PARAM_VA_SIZE;
	do_ioctl_err(fd, DRM_IOCTL_MSM_GET_PARAM, &p, EINVAL);
}

static void shared_set_iova_is_eopnotsupp(void)
{
	int fd = drm_open();
	uint32_t h = bo_new(fd, 4096, MSM_BO_WC);

	igt_assert_eq_u64(bo_set_iova(fd, h, 0x100000000ull), -EOPNOTSUPP);
	igt_assert_eq_u64(bo_set_iova(fd, h, 0), -EOPNOTSUPP);
}

static void shared_iova_is_in_the_global_address_space(void)
{
	int fd = drm_open();
	uint64_t iova = bo_info(fd, bo_new(fd, 4096, MSM_BO_WC), MSM_INFO_GET_IOVA);

	/* The TTBR1 half: bit 48 set (the GPU's 49-bit addresses). */
	igt_assert(iova >= 1ull << 48 && iova < 1ull << 49);
}

static void shared_submit_mem_write_lands_in_memory(void)
{
	int fd = drm_open();
	struct target t = target_new(fd, 0);

	gpu_write(fd, t.handle, t.iova, 0x5a5a);
	igt_assert_eq_u64(t.map[0], 0x5a5a);
}

static void shared_contexts_reach_each_others_buffers(void)
{
	int fa = drm_open(), fb = drm_open();
	struct target ta = target_new(fa, 0), tb = target_new(fb, 0);

	/* a's own job maps its BO (6.12 maps a BO when a submit pins it). */
	gpu_write(fa, ta.handle, ta.iova, 0xa0a);
	igt_assert_eq_u64(ta.map[0], 0xa0a);
	/* b's job names only b's BO, yet writes a's: one address space. */
	gpu_write(fb, tb.handle, ta.iova, 0xb0b);
	igt_assert_eq_u64(ta.map[0], 0xb0b);
}

static void shared_faults_count_for_every_context(void)
{
	int fa = drm_open(), fb = drm_open();
	uint64_t before = get_param(fb, MSM_PARAM_FAULTS);
	struct target t = target_new(fa, 0);
	uint32_t q = queue_new(fa, 0);
	struct job j;

	job_init(&j, fa);
	job_bo(&j, t.handle, MSM_SUBMIT_BO_READ);
	emit_wait_eq(&j, t.iova, 1);
	gpu_hang(&j, fa, q, "wait");
	/* a's hang counts in the shared address space: b sees it. */
	igt_assert_eq_u64(get_param(fb, MSM_PARAM_FAULTS), before + 1);
	igt_assert_eq_u64(get_param(fa, MSM_PARAM_FAULTS), before + 1);
}

const struct igt_subtest msm_shared_subtests[] = {
	T(shared_va_range_params_are_einval),
	T(shared_set_iova_is_eopnotsupp),
	T(shared_iova_is_in_the_global_address_space),
	T(shared_submit_mem_write_lands_in_memory),
	T(shared_contexts_reach_each_others_buffers),
	T(shared_faults_count_for_every_context),
};

const unsigned int msm_shared_nr_subtests = sizeof(msm_shared_subtests) /
					    sizeof(msm_shared_subtests[0]);

/*
 * The cost of the legacy paths, for the conversion's before/after figures:
 * per round, GEM_NEW of a 4 KiB BO, GET_IOVA, a SUBMIT whose CP_MEM_WRITE
 * lands in it, waiting for its fence, and GEM_CLOSE (which tears its VMA
 * down).  Prints rounds per second; it asserts nothing but that each write
 * landed, so it cannot fail on speed.
 */
void msm_legacy_bench(void)
{
	int fd = drm_open();
	struct timespec t0, t1;
	const int rounds = 2000;
	struct job j;
	double s;

	job_init(&j, fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < rounds; i++) {
		uint32_t h = bo_new(fd, 4096, MSM_BO_WC);
		uint64_t iova = bo_info(fd, h, MSM_INFO_GET_IOVA);

		j.n = 0;
		j.nr_bos = 1;
		job_bo(&j, h, MSM_SUBMIT_BO_WRITE);
		emit_mem_write(&j, iova, i);
		job_run(&j, 0);
		gem_close(fd, h);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("msm-vm-guest: bench: %s: %d rounds in %.3f s, %.0f per s\n",
	       "gem_new_get_iova_submit_close", rounds, s, rounds / s);
	close(fd);
}

/*
 * Between subtests (run by /init in its own process): whatever a failed
 * subtest left behind on the GPU has retired, recovered if need be, and no
 * devcoredump is left.  Returns 0, or -1 if the GPU does not come back.
 */
int msm_legacy_settle(void)
{
	struct drm_msm_gem_submit req = { .flags = MSM_PIPE_3D0 };
	int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC), ret = -1;

	if (fd < 0)
		return -1;
	if (!ioctl(fd, DRM_IOCTL_MSM_GEM_SUBMIT, &req))
		ret = wait_fence(fd, 0, req.fence, 15000000000ll) ? -1 : 0;
	close(fd);
	devcoredump_dismiss();
	return ret;
}

const struct igt_subtest msm_legacy_subtests[] = {
	T(param_chip_id_is_the_virtual_gpu),
	T(param_va_range_is_the_private_address_space),
	T(param_fixed_values_match_the_catalog),
	T(param_unknown_or_bad_pipe_is_einval),
	T(param_comm_is_set_by_pointer),
	T(gem_new_rejects_bad_flags_and_zero_size),
	T(gem_new_above_4gib_is_not_truncated),
	T(gem_iova_is_stable_and_in_the_va_range),
	T(gem_set_iova_places_the_buffer),
	T(gem_set_iova_over_another_buffer_is_enospc),
	T(gem_set_iova_of_a_placed_buffer_is_ebusy),
	T(gem_name_round_trips),
	T(gem_metadata_round_trips),
	T(gem_info_bad_handle_or_request_fails),
	T(gem_mmap_and_cpu_prep),
	T(submit_mem_write_lands_in_memory),
	T(submit_mem_to_mem_copies_and_sums),
	T(submit_nested_ib_executes),
	T(submit_without_commands_signals_its_fence),
	T(submit_of_two_contexts_use_their_own_page_tables),
	T(submitqueue_priorities_and_close),
	T(submit_invalid_queue_is_enoent),
	T(submit_invalid_flags_is_einval),
	T(submit_invalid_in_fence_is_einval),
	T(submit_duplicate_bo_is_ealready),
	T(submit_invalid_cmd_idx_is_einval),
	T(submit_invalid_cmd_type_is_einval),
	T(submit_cmd_past_its_bo_is_einval),
	T(submit_empty_cmd_is_einval),
	T(submit_relocs_are_einval),
	T(submit_bo_without_access_flags_is_einval),
	T(submit_invalid_bo_handle_is_einval),
	T(submit_nonzero_pad_is_einval),
	T(submit_invalid_pipe_is_einval),
	T(submit_fence_sn_zero_is_einval),
	T(submit_unaligned_cmd_size_is_einval),
	T(wait_fence_times_out_while_the_gpu_waits),
	T(fence_fd_out_orders_a_later_submit),
	T(syncobj_out_signals_and_in_waits),
	T(madvise_dontneed_is_purged_by_the_shrinker),
	T(write_to_an_unmapped_address_faults),
	T(write_to_a_gpu_readonly_buffer_faults),
	T(hang_in_a_gpu_wait_is_recovered),
	T(opcode_error_is_recovered),
	T(protected_packet_in_an_ib_is_recovered),
	T(wait_on_an_unmapped_address_is_recovered),
	T(close_with_work_in_flight),
	T(shared_bo_has_an_address_of_its_own_in_each_context),
	T(reopened_by_name_a_bo_keeps_its_address),
	T(closing_the_last_handle_closes_the_bos_vmas),
	T(first_uses_of_a_context_make_one_address_space),
	T(dmabuf_export_and_import_reach_one_bo),
	T(dmabuf_keeps_the_vmas_until_it_is_released),
	T(get_iova_of_a_purged_bo_gives_an_address_but_submit_is_ebusy),
	T(shrinker_purges_while_submits_of_the_file_run),
	T(debugfs_gem_lists_each_vma_with_its_address),
};

const unsigned int msm_legacy_nr_subtests = sizeof(msm_legacy_subtests) /
					    sizeof(msm_legacy_subtests[0]);
