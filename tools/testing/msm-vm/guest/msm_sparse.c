// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM_BIND (sparse binding) suite: MSM_PARAM_EN_VM_BIND contexts, the
 * VM_BIND ioctl and SUBMIT in such contexts, through the real ioctls on
 * /dev/dri/renderD128, with the virtual GPU reading and writing through
 * the mappings VM_BIND made.  What upstream's UAPI 1.13 does is the
 * expected value.
 *
 * A VM_BIND context has no GET_IOVA: every BO, the command streams' too,
 * is mapped at an address the test chooses, and SUBMIT names the command
 * stream by that address (cmd.iova) with no BO table.
 */

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include "igt.h"
#include "msm_lib.h"
#include "msm_sparse.h"

#define PAGE		4096ull
#define VA_START	0x100000000ull	/* the virtual GPU's private VA range */
#define VA_SIZE		0x100000000ull
#define CS_VA		(VA_START + 0xf0000000ull)	/* where a vjob's commands go */

static int set_param(int fd, uint32_t param, uint64_t value)
{
	struct drm_msm_param p = { .pipe = MSM_PIPE_3D0, .param = param, .value = value };

	return ioctl(fd, DRM_IOCTL_MSM_SET_PARAM, &p) ? -errno : 0;
}

/* A file whose context is a VM_BIND one. */
static int vm_bind_open(void)
{
	int fd = drm_open();
	int ret = set_param(fd, MSM_PARAM_EN_VM_BIND, 1);

	if (ret)
		igt_fail("EN_VM_BIND: %s, expected success", strerror(-ret));
	return fd;
}

static int queue_new_flags(int fd, uint32_t flags, uint32_t *id)
{
	struct drm_msm_submitqueue req = { .flags = flags };
	int ret = ioctl(fd, DRM_IOCTL_MSM_SUBMITQUEUE_NEW, &req) ? -errno : 0;

	*id = req.id;
	return ret;
}

static uint32_t bind_queue_new(int fd)
{
	uint32_t id;
	int ret = queue_new_flags(fd, MSM_SUBMITQUEUE_VM_BIND, &id);

	if (ret)
		igt_fail("VM_BIND queue: %s, expected success", strerror(-ret));
	return id;
}

static struct drm_msm_vm_bind_op op_map(uint32_t handle, uint64_t offset, uint64_t iova,
					uint64_t range)
{
	return (struct drm_msm_vm_bind_op) {
		.op = MSM_VM_BIND_OP_MAP, .handle = handle, .obj_offset = offset,
		.iova = iova, .range = range,
	};
}

static struct drm_msm_vm_bind_op op_unmap(uint64_t iova, uint64_t range)
{
	return (struct drm_msm_vm_bind_op) {
		.op = MSM_VM_BIND_OP_UNMAP, .iova = iova, .range = range,
	};
}

static struct drm_msm_vm_bind_op op_map_null(uint64_t iova, uint64_t range)
{
	return (struct drm_msm_vm_bind_op) {
		.op = MSM_VM_BIND_OP_MAP_NULL, .iova = iova, .range = range,
	};
}

static struct drm_msm_vm_bind bind_req(uint32_t queue, const struct drm_msm_vm_bind_op *ops,
				       uint32_t n)
{
	struct drm_msm_vm_bind req = {
		.nr_ops = n, .queue_id = queue, .op_stride = sizeof(*ops),
	};

	if (n == 1)
		req.op = ops[0];
	else
		req.ops = (uintptr_t)ops;
	return req;
}

/* VM_BIND: 0 or -errno. */
static int vm_bind(int fd, struct drm_msm_vm_bind *req)
{
	return ioctl(fd, DRM_IOCTL_MSM_VM_BIND, req) ? -errno : 0;
}

/* Whether a sync_file fd signals within ms milliseconds. */
static bool fence_signals(int fence_fd, int ms)
{
	struct pollfd pfd = { .fd = fence_fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1;
}

/* Bind ops on queue and wait for the job to have run. */
static void bind_sync(int fd, uint32_t queue, const struct drm_msm_vm_bind_op *ops, uint32_t n)
{
	struct drm_msm_vm_bind req = bind_req(queue, ops, n);
	int ret;

	req.flags = MSM_VM_BIND_FENCE_FD_OUT;
	ret = vm_bind(fd, &req);
	if (ret)
		igt_fail("VM_BIND of %u ops: %s, expected success", n, strerror(-ret));
	if (!fence_signals(req.fence_fd, 20000))
		igt_fail("the bind job did not run");
	close(req.fence_fd);
}

static void bind1(int fd, uint32_t queue, struct drm_msm_vm_bind_op op)
{
	bind_sync(fd, queue, &op, 1);
}

/* A BO of a VM_BIND context, mapped for the CPU, zeroed. */
struct vbo {
	uint32_t handle;
	uint32_t *map;
	uint64_t size;
};

static struct vbo vbo_new_flags(int fd, uint64_t size, uint32_t flags)
{
	struct vbo b = { .handle = bo_new(fd, size, MSM_BO_WC | flags), .size = size };

	b.map = bo_map(fd, b.handle, size);
	memset(b.map, 0, size);
	return b;
}

static struct vbo vbo_new(int fd, uint64_t size)
{
	return vbo_new_flags(fd, size, 0);
}

/* A command stream of a VM_BIND context, mapped at CS_VA by VM_BIND. */
struct vjob {
	int fd;
	uint32_t *cs;
	uint32_t n;
	struct drm_msm_gem_submit_cmd cmd;
	struct drm_msm_gem_submit req;
};

static void vjob_init(struct vjob *j, int fd, uint32_t bind_queue)
{
	struct vbo cs = vbo_new(fd, CS_DWORDS * 4);

	memset(j, 0, sizeof(*j));
	j->fd = fd;
	j->cs = cs.map;
	bind1(fd, bind_queue, op_map(cs.handle, 0, CS_VA, CS_DWORDS * 4));
}

static void vemit(struct vjob *j, uint32_t v)
{
	igt_assert(j->n < CS_DWORDS);
	j->cs[j->n++] = v;
}

static void vemit_mem_write(struct vjob *j, uint64_t iova, uint32_t v)
{
	vemit(j, pkt7(CP_MEM_WRITE, 3));
	vemit(j, (uint32_t)iova);
	vemit(j, (uint32_t)(iova >> 32));
	vemit(j, v);
}

/* The GPU copies the 32-bit word at src to dst. */
static void vemit_copy(struct vjob *j, uint64_t dst, uint64_t src)
{
	vemit(j, pkt7(CP_MEM_TO_MEM, 5));
	vemit(j, 0);
	vemit(j, (uint32_t)dst);
	vemit(j, (uint32_t)(dst >> 32));
	vemit(j, (uint32_t)src);
	vemit(j, (uint32_t)(src >> 32));
}

static void vemit_wait_eq(struct vjob *j, uint64_t iova, uint32_t v)
{
	vemit(j, pkt7(CP_WAIT_REG_MEM, 6));
	vemit(j, WRITE_EQ | POLL_MEMORY);
	vemit(j, (uint32_t)iova);
	vemit(j, (uint32_t)(iova >> 32));
	vemit(j, v);
	vemit(j, 0xffffffff);
	vemit(j, 16);
}

static struct drm_msm_gem_submit *vjob_req(struct vjob *j, uint32_t flags)
{
	j->cmd = (struct drm_msm_gem_submit_cmd) {
		.type = MSM_SUBMIT_CMD_BUF, .size = j->n * 4, .iova = CS_VA,
	};
	j->req = (struct drm_msm_gem_submit) {
		.flags = MSM_PIPE_3D0 | flags, .nr_cmds = 1, .cmds = (uintptr_t)&j->cmd,
	};
	return &j->req;
}

static uint32_t vjob_submit(struct vjob *j)
{
	do_ioctl(j->fd, DRM_IOCTL_MSM_GEM_SUBMIT, vjob_req(j, 0));
	return j->req.fence;
}

static void vjob_run(struct vjob *j)
{
	uint32_t fence = vjob_submit(j);
	int ret = wait_fence(j->fd, 0, fence, 10000000000ll);

	if (ret)
		igt_fail("waiting for fence %u: %s", fence, strerror(-ret));
}

/* The GPU writes v at iova of fd's VM (a new vjob: its commands are reset). */
static void vgpu_write(struct vjob *j, uint64_t iova, uint32_t v)
{
	j->n = 0;
	vemit_mem_write(j, iova, v);
	vjob_run(j);
}

/* Parameters */

static void uapi_version_is_1_13(void)
{
	int fd = drm_open();
	char name[16] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	do_ioctl(fd, DRM_IOCTL_VERSION, &v);
	igt_assert(!strcmp(name, "msm"));
	igt_assert_eq_u64(v.version_major, 1);
	igt_assert_eq_u64(v.version_minor, 13);
}

static void en_vm_bind_is_once_and_before_the_vm_exists(void)
{
	int fd = drm_open(), legacy = drm_open();
	struct vbo b = vbo_new(legacy, PAGE);

	/* FAULTS reads without making the VM: EN_VM_BIND still works after it. */
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_FAULTS), get_param(fd, MSM_PARAM_FAULTS));
	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 2), -EINVAL);
	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 1), 0);
	/* Again, and back to 0, while the VM is not made. */
	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 0), 0);
	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 1), 0);
	/* The VA range is the VM's: asking for it makes the VM. */
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_VA_START), VA_START);
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_VA_SIZE), VA_SIZE);
	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 1), -EBUSY);
	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 0), -EBUSY);

	/* A legacy context's VM, made by GET_IOVA, cannot become one either. */
	bo_info(legacy, b.handle, MSM_INFO_GET_IOVA);
	igt_assert_eq_u64(set_param(legacy, MSM_PARAM_EN_VM_BIND, 1), -EBUSY);
}

static void has_prr_is_1_on_the_virtual_smmu(void)
{
	int fd = vm_bind_open();

	/* It has a PRR (6.12's arm-smmu-qcom has none: 0 on hardware). */
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_HAS_PRR), 1);
}

static void vm_bind_context_has_no_get_iova_or_set_iova(void)
{
	int fd = vm_bind_open();
	struct vbo b = vbo_new(fd, PAGE);
	uint64_t iova = 0;

	igt_assert_eq_u64(gem_info(fd, b.handle, MSM_INFO_GET_IOVA, &iova, NULL), -EINVAL);
	igt_assert_eq_u64(bo_set_iova(fd, b.handle, VA_START), -EINVAL);
}

static void vm_bind_queue_only_in_a_vm_bind_context(void)
{
	int legacy = drm_open(), fd = vm_bind_open();
	uint32_t id;

	igt_assert_eq_u64(queue_new_flags(legacy, MSM_SUBMITQUEUE_VM_BIND, &id), -EINVAL);
	igt_assert_eq_u64(queue_new_flags(fd, 0x1, &id), -EINVAL);	/* ALLOW_PREEMPT upstream */
	igt_assert_eq_u64(queue_new_flags(fd, MSM_SUBMITQUEUE_VM_BIND, &id), 0);
}

/* The errno matrix of the ioctl; each bad call leaves the VM as it was. */

static void vm_bind_bad_input_gives_its_errno_and_changes_nothing(void)
{
	int legacy = drm_open(), fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd), lq = queue_new(fd, 0);
	struct vbo b = vbo_new(fd, 2 * PAGE);
	struct drm_msm_vm_bind_op ok = op_map(b.handle, 0, VA_START, PAGE), ops[2];
	struct drm_msm_vm_bind req;
	long vmas;

	/* One VMA in place, so that a change would show. */
	bind1(fd, q, op_map(b.handle, 0, VA_START + 16 * PAGE, 2 * PAGE));
	vmas = vm_live_vmas();
	igt_assert(vmas > 0);

#define BAD(fd_, mod, err) do {						\
	req = bind_req(q, &ok, 1);					\
	mod;								\
	igt_assert_eq_u64(vm_bind(fd_, &req), -(err));			\
	igt_assert_eq_u64(vm_live_vmas(), vmas);			\
} while (0)
	/* Driver-level checks, in upstream's order */
	BAD(legacy, (void)0, EINVAL);				/* not a VM_BIND context */
	BAD(fd, req.flags = 0x4, EINVAL);			/* unknown flag */
	BAD(fd, req.queue_id = 1000, ENOENT);			/* unknown queue */
	BAD(fd, req.queue_id = lq, EINVAL);			/* not a VM_BIND queue */
	BAD(fd, (req.flags = MSM_VM_BIND_FENCE_FD_IN, req.fence_fd = -1), EINVAL);
	/* A sample of the core's rows */
	BAD(fd, req.op.op = 3, EINVAL);				/* unknown op */
	BAD(fd, req.op.flags = 0x2, EINVAL);			/* unknown op flag */
	BAD(fd, req.op.pad = 1, EINVAL);
	BAD(fd, req.op.iova += 1, EINVAL);			/* unaligned */
	BAD(fd, req.op.range = 0, EINVAL);			/* empty */
	BAD(fd, req.op.iova = VA_START - PAGE, EINVAL);		/* outside the VM */
	BAD(fd, (req.op.iova = VA_START + VA_SIZE - PAGE, req.op.range = 2 * PAGE), EINVAL);
	BAD(fd, req.op.handle = 0, EINVAL);			/* MAP without a BO */
	BAD(fd, req.op.handle = 0x7fff, EINVAL);		/* unknown handle */
	BAD(fd, req.op.range = 3 * PAGE, EINVAL);		/* past the BO */
	BAD(fd, (req.op.obj_offset = 2 * PAGE), EINVAL);	/* offset + range past the BO */
	BAD(fd, (req.op = op_unmap(VA_START, PAGE), req.op.handle = b.handle), EINVAL);
	BAD(fd, (req.op = op_map_null(VA_START, PAGE), req.op.handle = b.handle), EINVAL);
	BAD(fd, (req.op = op_map_null(VA_START, PAGE), req.op.obj_offset = PAGE), EINVAL);
	/* Two ops: a good one, then an unreadable or a bad one */
	ops[0] = ok;
	ops[1] = op_unmap(VA_START + 1, PAGE);
	BAD(fd, (req = bind_req(q, ops, 2)), EINVAL);
	BAD(fd, (req = bind_req(q, ops, 2), req.ops = 8), EFAULT);
	BAD(fd, (req = bind_req(q, ops, 2), req.op_stride = 8), EINVAL);
	/* The batch that cannot be allocated is -ENOMEM, turnip's retry signal. */
	BAD(fd, (req = bind_req(q, ops, 2), req.nr_ops = 1u << 30), ENOMEM);
#undef BAD
}

static void submit_in_a_vm_bind_context_takes_no_bo_table(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, PAGE);
	struct drm_msm_gem_submit_bo bo = { .flags = MSM_SUBMIT_BO_READ, .handle = t.handle };
	struct drm_msm_gem_submit *req;
	struct vjob j;

	vjob_init(&j, fd, q);
	vemit(&j, pkt7(CP_NOP, 0));
	req = vjob_req(&j, 0);
	req->nr_bos = 1;
	req->bos = (uintptr_t)&bo;
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, req, EINVAL);
	req = vjob_req(&j, 0);
	j.cmd.submit_idx = 1;
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, req, EINVAL);
	req = vjob_req(&j, 0);
	j.cmd.size = 0;
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, req, EINVAL);
	/* A VM_BIND queue takes no SUBMIT. */
	req = vjob_req(&j, 0);
	req->queueid = q;
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, req, EINVAL);
	/* And the good one runs. */
	vjob_run(&j);
}

/* Binds verified by the GPU */

static void map_is_written_by_the_gpu_and_unmap_makes_it_fault(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, PAGE);
	struct vjob j;

	vjob_init(&j, fd, q);
	bind1(fd, q, op_map(t.handle, 0, VA_START, PAGE));
	vgpu_write(&j, VA_START + 8, 0xb1d);
	igt_assert_eq_u64(t.map[2], 0xb1d);

	/* Unmapped: the write faults, which loses the VM. */
	bind1(fd, q, op_unmap(VA_START, PAGE));
	j.n = 0;
	vemit_mem_write(&j, VA_START + 12, 0xdead);
	if (wait_fence(fd, 0, vjob_submit(&j), 10000000000ll))
		igt_fail("the faulting submit's fence did not signal");
	igt_assert_eq_u64(t.map[3], 0);

	/* Both ioctls now say the VM is lost (the fault's worker is async). */
	for (int i = 0; i < 50 && !ioctl(fd, DRM_IOCTL_MSM_GEM_SUBMIT, vjob_req(&j, 0)); i++)
		usleep(100000);
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, vjob_req(&j, 0), EPIPE);
	{
		struct drm_msm_vm_bind_op op = op_map(t.handle, 0, VA_START, PAGE);
		struct drm_msm_vm_bind req = bind_req(q, &op, 1);

		igt_assert_eq_u64(vm_bind(fd, &req), -EPIPE);
	}
}

static void map_at_a_bo_offset_reaches_that_page(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, 4 * PAGE);
	struct vjob j;

	vjob_init(&j, fd, q);
	bind1(fd, q, op_map(t.handle, 2 * PAGE, VA_START + 64 * PAGE, PAGE));
	vgpu_write(&j, VA_START + 64 * PAGE + 4, 0x0ff5);
	igt_assert_eq_u64(t.map[2 * PAGE / 4 + 1], 0x0ff5);
	igt_assert_eq_u64(t.map[1], 0);
}

/*
 * msm-vm.rst's split picture: A over four pages, then B over the second;
 * A keeps its first and last two pages at their own offsets.
 */
static void map_over_part_of_a_vma_splits_it(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo a = vbo_new(fd, 4 * PAGE), b = vbo_new(fd, PAGE);
	uint64_t x = VA_START + 256 * PAGE;
	struct vjob j;

	vjob_init(&j, fd, q);
	bind1(fd, q, op_map(a.handle, 0, x, 4 * PAGE));
	bind1(fd, q, op_map(b.handle, 0, x + PAGE, PAGE));
	for (int i = 0; i < 4; i++)
		vgpu_write(&j, x + i * PAGE, 0x100 + i);
	igt_assert_eq_u64(a.map[0], 0x100);
	igt_assert_eq_u64(b.map[0], 0x101);
	igt_assert_eq_u64(a.map[PAGE / 4], 0);	/* A's second page is not mapped */
	igt_assert_eq_u64(a.map[2 * PAGE / 4], 0x102);
	igt_assert_eq_u64(a.map[3 * PAGE / 4], 0x103);

	/* Unmapping the middle two leaves A's ends mapped. */
	bind1(fd, q, op_unmap(x + PAGE, 2 * PAGE));
	vgpu_write(&j, x + 3 * PAGE + 4, 0x203);
	igt_assert_eq_u64(a.map[3 * PAGE / 4 + 1], 0x203);
}

static void one_ioctl_maps_a_batch_of_ops(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, 16 * PAGE);
	struct drm_msm_vm_bind_op ops[16];
	struct vjob j;

	vjob_init(&j, fd, q);
	/* Page i of the BO at VA page 15 - i: one ioctl, sixteen VMAs. */
	for (int i = 0; i < 16; i++)
		ops[i] = op_map(t.handle, i * PAGE, VA_START + (15 - i) * PAGE, PAGE);
	bind_sync(fd, q, ops, 16);
	for (int i = 0; i < 16; i++)
		vgpu_write(&j, VA_START + i * PAGE, 0x500 + i);
	for (int i = 0; i < 16; i++)
		igt_assert_eq_u64(t.map[(15 - i) * PAGE / 4], 0x500 + i);
}

/* Fences and order */

/*
 * A submit of a legacy context that waits until the CPU writes 1 at the
 * start of *flag; its out fence fd.
 */
struct blocker {
	int fd;
	struct target flag;
	int fence_fd;
};

static void blocker_start(struct blocker *b)
{
	struct job j;

	b->fd = drm_open();
	b->flag = target_new(b->fd, 0);
	job_init(&j, b->fd);
	job_bo(&j, b->flag.handle, MSM_SUBMIT_BO_READ);
	emit_wait_eq(&j, b->flag.iova, 1);
	do_ioctl(b->fd, DRM_IOCTL_MSM_GEM_SUBMIT, job_req(&j, 0, MSM_SUBMIT_FENCE_FD_OUT));
	b->fence_fd = j.req.fence_fd;
}

static void blocker_release(struct blocker *b)
{
	__atomic_store_n(&b->flag.map[0], 1, __ATOMIC_SEQ_CST);
	if (!fence_signals(b->fence_fd, 5000))
		igt_fail("the blocking submit did not finish");
}

static void bind_waits_for_its_in_fence(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, PAGE);
	struct drm_msm_vm_bind_op op = op_map(t.handle, 0, VA_START, PAGE);
	struct drm_msm_vm_bind req = bind_req(q, &op, 1);
	struct blocker b;
	struct vjob j;

	vjob_init(&j, fd, q);
	blocker_start(&b);
	req.flags = MSM_VM_BIND_FENCE_FD_IN | MSM_VM_BIND_FENCE_FD_OUT;
	req.fence_fd = b.fence_fd;
	igt_assert_eq_u64(vm_bind(fd, &req), 0);
	igt_assert(!fence_signals(req.fence_fd, 300));
	blocker_release(&b);
	igt_assert(fence_signals(req.fence_fd, 5000));
	vgpu_write(&j, VA_START, 0xfe);
	igt_assert_eq_u64(t.map[0], 0xfe);
}

/*
 * The reorder hazard: queue 1's UNMAP waits for an in-fence; queue 2's
 * MAP of the same range, made after it, must not reach the page tables
 * first, or the unmap would remove the new mapping.
 */
static void binds_of_two_queues_keep_the_order_they_were_made_in(void)
{
	int fd = vm_bind_open();
	uint32_t q1 = bind_queue_new(fd), q2 = bind_queue_new(fd);
	struct vbo a = vbo_new(fd, PAGE), c = vbo_new(fd, PAGE);
	struct drm_msm_vm_bind_op un = op_unmap(VA_START, PAGE);
	struct drm_msm_vm_bind_op map = op_map(c.handle, 0, VA_START, PAGE);
	struct drm_msm_vm_bind r1 = bind_req(q1, &un, 1), r2 = bind_req(q2, &map, 1);
	struct blocker b;
	struct vjob j;

	vjob_init(&j, fd, q1);
	bind1(fd, q1, op_map(a.handle, 0, VA_START, PAGE));
	blocker_start(&b);
	r1.flags = MSM_VM_BIND_FENCE_FD_IN | MSM_VM_BIND_FENCE_FD_OUT;
	r1.fence_fd = b.fence_fd;
	igt_assert_eq_u64(vm_bind(fd, &r1), 0);
	r2.flags = MSM_VM_BIND_FENCE_FD_OUT;
	igt_assert_eq_u64(vm_bind(fd, &r2), 0);
	/* Queue 2's job waits for queue 1's. */
	igt_assert(!fence_signals(r2.fence_fd, 300));
	blocker_release(&b);
	igt_assert(fence_signals(r1.fence_fd, 5000));
	igt_assert(fence_signals(r2.fence_fd, 5000));
	vgpu_write(&j, VA_START, 0xc0de);
	igt_assert_eq_u64(c.map[0], 0xc0de);
	igt_assert_eq_u64(a.map[0], 0);
}

static void bind_signals_its_out_syncobj(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd), so = syncobj_new(fd);
	struct vbo t = vbo_new(fd, PAGE);
	struct drm_msm_vm_bind_op op = op_map(t.handle, 0, VA_START, PAGE);
	struct drm_msm_vm_bind req = bind_req(q, &op, 1);
	struct drm_msm_syncobj out = { .handle = so };
	struct blocker b;

	blocker_start(&b);
	req.flags = MSM_VM_BIND_FENCE_FD_IN;
	req.fence_fd = b.fence_fd;
	req.out_syncobjs = (uintptr_t)&out;
	req.nr_out_syncobjs = 1;
	req.syncobj_stride = sizeof(out);
	igt_assert_eq_u64(vm_bind(fd, &req), 0);
	igt_assert_eq_u64(syncobj_wait(fd, so, 200000000ll), -ETIME);
	blocker_release(&b);
	igt_assert_eq_u64(syncobj_wait(fd, so, 5000000000ll), 0);
}

/* MAP_NULL (partially resident ranges) */

/*
 * Sparse residency: the GPU's writes to a MAP_NULL range are dropped and
 * its reads give zero, with no fault (the VM stays usable).
 */
static void map_null_reads_zero_and_drops_writes(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, PAGE);
	uint64_t null = VA_START + 512 * PAGE;
	struct vjob j;

	vjob_init(&j, fd, q);
	bind1(fd, q, op_map(t.handle, 0, VA_START, PAGE));
	bind1(fd, q, op_map_null(null, 4 * PAGE));
	t.map[0] = 0xffffffff;
	t.map[1] = 0xffffffff;
	j.n = 0;
	vemit_mem_write(&j, null + PAGE + 8, 0xbad);
	vemit_copy(&j, VA_START, null + PAGE + 8);
	vemit_copy(&j, VA_START + 4, null + 3 * PAGE);
	vemit_mem_write(&j, VA_START + 8, 0x600d);
	vjob_run(&j);
	igt_assert_eq_u64(t.map[0], 0);
	igt_assert_eq_u64(t.map[1], 0);
	igt_assert_eq_u64(t.map[2], 0x600d);
	igt_assert_eq_u64(queue_faults(fd, 0), 0);
	/* Still usable: a fault would have lost it. */
	vgpu_write(&j, VA_START + 12, 0x5);
	igt_assert_eq_u64(t.map[3], 0x5);
}

/* A MAP over part of a MAP_NULL range splits it; the rest stays null. */
static void map_over_a_map_null_range_backs_that_part(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, PAGE), b = vbo_new(fd, PAGE);
	uint64_t x = VA_START + 1024 * PAGE;
	struct vjob j;

	vjob_init(&j, fd, q);
	bind1(fd, q, op_map(t.handle, 0, VA_START, PAGE));
	bind1(fd, q, op_map_null(x, 3 * PAGE));
	bind1(fd, q, op_map(b.handle, 0, x + PAGE, PAGE));
	j.n = 0;
	for (int i = 0; i < 3; i++)
		vemit_mem_write(&j, x + i * PAGE, 0x70 + i);
	for (int i = 0; i < 3; i++)
		vemit_copy(&j, VA_START + 4 * i, x + i * PAGE);
	vjob_run(&j);
	igt_assert_eq_u64(b.map[0], 0x71);
	igt_assert_eq_u64(t.map[0], 0);
	igt_assert_eq_u64(t.map[1], 0x71);
	igt_assert_eq_u64(t.map[2], 0);
}

/* NO_SHARE BOs */

static void no_share_bo_needs_its_contexts_vm_bind_vm(void)
{
	int legacy = drm_open(), fd = vm_bind_open();
	struct drm_msm_gem_new req = { .size = PAGE, .flags = MSM_BO_WC | MSM_BO_NO_SHARE };

	do_ioctl_err(legacy, DRM_IOCTL_MSM_GEM_NEW, &req, EINVAL);
	/* A VM_BIND context whose VM is not made yet */
	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_NEW, &req, EINVAL);
	bind_queue_new(fd);
	do_ioctl(fd, DRM_IOCTL_MSM_GEM_NEW, &req);
	igt_assert_eq_u64(bo_info(fd, req.handle, MSM_INFO_GET_FLAGS),
			  MSM_BO_WC | MSM_BO_NO_SHARE);
}

static void no_share_bo_is_mapped_and_written_by_the_gpu(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new_flags(fd, 2 * PAGE, MSM_BO_NO_SHARE);
	struct vjob j;

	vjob_init(&j, fd, q);
	bind1(fd, q, op_map(t.handle, PAGE, VA_START, PAGE));
	vgpu_write(&j, VA_START + 8, 0x5a5e);
	igt_assert_eq_u64(t.map[PAGE / 4 + 2], 0x5a5e);
	bind1(fd, q, op_unmap(VA_START, PAGE));
}

/*
 * Not exported, and reached by its flink name it maps in no other VM:
 * neither another VM_BIND context's nor a legacy context's.
 */
static void no_share_bo_maps_in_no_other_vm(void)
{
	int fd = card_open(), other = card_open(), legacy = card_open();
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_msm_vm_bind_op op;
	struct drm_msm_vm_bind req;
	uint32_t name, h, oq;
	uint64_t iova = 0;
	struct vbo t;

	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 1), 0);
	igt_assert_eq_u64(set_param(other, MSM_PARAM_EN_VM_BIND, 1), 0);
	bind_queue_new(fd);
	oq = bind_queue_new(other);
	t = vbo_new_flags(fd, PAGE, MSM_BO_NO_SHARE);

	exp.handle = t.handle;
	do_ioctl_err(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp, EPERM);

	name = bo_flink(fd, t.handle);
	h = bo_open_name(other, name);
	op = op_map(h, 0, VA_START, PAGE);
	req = bind_req(oq, &op, 1);
	igt_assert_eq_u64(vm_bind(other, &req), -EINVAL);
	h = bo_open_name(legacy, name);
	igt_assert_eq_u64(gem_info(legacy, h, MSM_INFO_GET_IOVA, &iova, NULL), -EINVAL);
}

/* Throttle */

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A job of 1100 maps, each in a 2 MiB block of its own, holds more than
 * the 1024 page-table pages a VM may have in flight: while it waits for
 * its in-fence, the next VM_BIND waits in the throttle, and a signal
 * interrupts that wait with nothing bound.
 */
static void throttle_waits_for_page_tables_in_flight_and_is_interruptible(void)
{
	enum { N = 1100 };
	static struct drm_msm_vm_bind_op ops[N];
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, PAGE);
	struct drm_msm_vm_bind_op one = op_map(t.handle, 0, VA_START + VA_SIZE - PAGE, PAGE);
	struct drm_msm_vm_bind big = bind_req(q, ops, N), next = bind_req(q, &one, 1);
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct blocker b;
	long vmas;

	for (int i = 0; i < N; i++)
		ops[i] = op_map(t.handle, 0, VA_START + (uint64_t)i * 0x200000, PAGE);
	blocker_start(&b);
	big.flags = MSM_VM_BIND_FENCE_FD_IN | MSM_VM_BIND_FENCE_FD_OUT;
	big.fence_fd = b.fence_fd;
	igt_assert_eq_u64(vm_bind(fd, &big), 0);
	vmas = vm_live_vmas();

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	igt_assert_eq_u64(vm_bind(fd, &next), -EINTR);
	igt_assert_eq_u64(vm_live_vmas(), vmas);

	blocker_release(&b);
	igt_assert(fence_signals(big.fence_fd, 10000));
	next.flags = MSM_VM_BIND_FENCE_FD_OUT;
	igt_assert_eq_u64(vm_bind(fd, &next), 0);
	igt_assert(fence_signals(next.fence_fd, 5000));
	igt_assert_eq_u64(vm_live_vmas(), vmas + 1);
}

/* Teardown and lost VMs */

static void *release_later(void *arg)
{
	struct blocker *b = arg;

	usleep(300000);
	__atomic_store_n(&b->flag.map[0], 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The runner checks after each subtest that every VM and VMA went. */
static void closing_a_file_with_binds_queued_frees_its_vm(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo t = vbo_new(fd, 4 * PAGE);
	struct drm_msm_vm_bind_op op = op_map(t.handle, 0, VA_START, 4 * PAGE);
	struct drm_msm_vm_bind req = bind_req(q, &op, 1);
	struct blocker b;
	pthread_t th;

	blocker_start(&b);
	req.flags = MSM_VM_BIND_FENCE_FD_IN;
	req.fence_fd = b.fence_fd;
	igt_assert_eq_u64(vm_bind(fd, &req), 0);
	/* The close waits for the queued job, which the thread lets run. */
	pthread_create(&th, NULL, release_later, &b);
	munmap(t.map, t.size);
	close(fd);
	pthread_join(th, NULL);
}

/*
 * A hang loses the VM, and its devcoredump shows the VM's bind log and
 * the content of the ranges mapped with MSM_VM_BIND_OP_DUMP only.
 */
static void hang_in_a_vm_bind_context_loses_its_vm_and_dumps_its_log(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo flag = vbo_new(fd, PAGE), other = vbo_new(fd, PAGE);
	struct drm_msm_vm_bind_op op = op_map(flag.handle, 0, VA_START, PAGE);
	struct drm_msm_vm_bind req;
	char line[128], *dump;
	struct vjob j;

	vjob_init(&j, fd, q);
	op.flags = MSM_VM_BIND_OP_DUMP;
	bind1(fd, q, op);
	bind1(fd, q, op_map(other.handle, 0, VA_START + 16 * PAGE, PAGE));
	/* A wait that never ends: hangcheck recovers the GPU. */
	vemit_wait_eq(&j, VA_START, 1);
	if (wait_fence(fd, 0, vjob_submit(&j), 10000000000ll))
		igt_fail("the hung submit's fence did not signal");
	dump = devcoredump_read();
	igt_assert(dump && strstr(dump, "ringbuffer:"));
	igt_assert(strstr(dump, "vm-log:\n"));
	snprintf(line, sizeof(line), "  - map:%u: 0x%016llx-0x%016llx\n", q, VA_START,
		 VA_START + PAGE);
	igt_assert(strstr(dump, line));
	snprintf(line, sizeof(line), "  - map:%u: 0x%016llx-0x%016llx\n", q, CS_VA,
		 CS_VA + CS_DWORDS * 4);
	igt_assert(strstr(dump, line));
	snprintf(line, sizeof(line), "  - iova: 0x%016llx\n", VA_START);
	igt_assert(strstr(dump, line));
	snprintf(line, sizeof(line), "  - iova: 0x%016llx\n", VA_START + 16 * PAGE);
	igt_assert(!strstr(dump, line));

	do_ioctl_err(fd, DRM_IOCTL_MSM_GEM_SUBMIT, vjob_req(&j, 0), EPIPE);
	req = bind_req(q, &op, 1);
	igt_assert_eq_u64(vm_bind(fd, &req), -EPIPE);
}

/*
 * turnip toggles DUMP by binding a range again as it is: the VMA only
 * changes its flag, so a submit running on it is not disturbed.
 */
static void dump_remap_while_a_submit_runs_keeps_the_mapping(void)
{
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd), fence;
	struct vbo t = vbo_new(fd, PAGE);
	struct drm_msm_vm_bind_op op = op_map(t.handle, 0, VA_START, PAGE);
	long vmas;
	struct vjob j;

	vjob_init(&j, fd, q);
	bind1(fd, q, op);
	vemit_wait_eq(&j, VA_START, 1);
	vemit_mem_write(&j, VA_START + 4, 0xd0);
	fence = vjob_submit(&j);
	vmas = vm_live_vmas();
	op.flags = MSM_VM_BIND_OP_DUMP;
	bind1(fd, q, op);
	igt_assert_eq_u64(vm_live_vmas(), vmas);
	igt_assert_eq_u64(wait_fence(fd, 0, fence, 100000000ll), -ETIMEDOUT);
	__atomic_store_n(&t.map[0], 1, __ATOMIC_SEQ_CST);
	igt_assert_eq_u64(wait_fence(fd, 0, fence, 10000000000ll), 0);
	igt_assert_eq_u64(t.map[1], 0xd0);
	igt_assert_eq_u64(queue_faults(fd, 0), 0);
}

#define T(fn) { #fn, fn }

const struct igt_subtest msm_sparse_subtests[] = {
	T(uapi_version_is_1_13),
	T(en_vm_bind_is_once_and_before_the_vm_exists),
	T(has_prr_is_1_on_the_virtual_smmu),
	T(vm_bind_context_has_no_get_iova_or_set_iova),
	T(vm_bind_queue_only_in_a_vm_bind_context),
	T(vm_bind_bad_input_gives_its_errno_and_changes_nothing),
	T(submit_in_a_vm_bind_context_takes_no_bo_table),
	T(map_is_written_by_the_gpu_and_unmap_makes_it_fault),
	T(map_at_a_bo_offset_reaches_that_page),
	T(map_over_part_of_a_vma_splits_it),
	T(one_ioctl_maps_a_batch_of_ops),
	T(bind_waits_for_its_in_fence),
	T(binds_of_two_queues_keep_the_order_they_were_made_in),
	T(bind_signals_its_out_syncobj),
	T(map_null_reads_zero_and_drops_writes),
	T(map_over_a_map_null_range_backs_that_part),
	T(no_share_bo_needs_its_contexts_vm_bind_vm),
	T(no_share_bo_is_mapped_and_written_by_the_gpu),
	T(no_share_bo_maps_in_no_other_vm),
	T(throttle_waits_for_page_tables_in_flight_and_is_interruptible),
	T(closing_a_file_with_binds_queued_frees_its_vm),
	T(dump_remap_while_a_submit_runs_keeps_the_mapping),
	T(hang_in_a_vm_bind_context_loses_its_vm_and_dumps_its_log),
};

const unsigned int msm_sparse_nr_subtests = sizeof(msm_sparse_subtests) /
					    sizeof(msm_sparse_subtests[0]);

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Figures, not checks: the latency of one VM_BIND op through the ioctl to
 * its job's fence (a MAP and an UNMAP each round), and the throughput of
 * a 4096-op batch (4096 one-page MAPs, then one UNMAP of them all).
 */
void msm_sparse_bench(void)
{
	enum { ROUNDS = 1000, BATCH = 4096, BATCHES = 5 };
	static struct drm_msm_vm_bind_op ops[BATCH];
	int fd = vm_bind_open();
	uint32_t q = bind_queue_new(fd);
	struct vbo one = vbo_new(fd, PAGE), big = vbo_new(fd, BATCH * PAGE);
	struct timespec t0;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < ROUNDS; i++) {
		bind1(fd, q, op_map(one.handle, 0, VA_START, PAGE));
		bind1(fd, q, op_unmap(VA_START, PAGE));
	}
	s = seconds_since(&t0);
	printf("msm-vm-guest: bench: %s: %d ops in %.3f s, %.1f us per op\n",
	       "vm_bind_single_op", 2 * ROUNDS, s, s * 1e6 / (2 * ROUNDS));

	for (int i = 0; i < BATCH; i++)
		ops[i] = op_map(big.handle, (uint64_t)i * PAGE, VA_START + (uint64_t)i * PAGE,
				PAGE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int b = 0; b < BATCHES; b++) {
		bind_sync(fd, q, ops, BATCH);
		bind1(fd, q, op_unmap(VA_START, BATCH * PAGE));
	}
	s = seconds_since(&t0);
	printf("msm-vm-guest: bench: %s: %d batches in %.3f s, %.0f ops per s\n",
	       "vm_bind_batch_4096", BATCHES, s, BATCHES * (BATCH + 1) / s);
	close(fd);
}

/* Without per-process page tables (msm.virt_per_process_pgtables=0). */
static void en_vm_bind_without_per_process_page_tables_is_einval(void)
{
	int fd = drm_open();

	igt_assert_eq_u64(set_param(fd, MSM_PARAM_EN_VM_BIND, 1), -EINVAL);
	/* No VM_BIND, so no PRR to offer either. */
	igt_assert_eq_u64(get_param(fd, MSM_PARAM_HAS_PRR), 0);
}

const struct igt_subtest msm_sparse_shared_subtests[] = {
	T(en_vm_bind_without_per_process_page_tables_is_einval),
};

const unsigned int msm_sparse_shared_nr_subtests = 1;
