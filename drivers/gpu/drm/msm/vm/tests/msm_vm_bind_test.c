// SPDX-License-Identifier: GPL-2.0-only
/*
 * Conformance of VM_BIND (user-managed VMs): what msm_vm_bind_job_create()
 * accepts and refuses, how MAP, MAP_NULL and UNMAP split and replace VMAs
 * (drm_gpuvm's "Split and Merge"), what the page tables hold afterwards,
 * page-table pre-allocation, unusable VMs, the vm_log, and a random
 * sequence of batches checked against an independent model.
 *
 * Every case runs once per core built in.  In the pictures, each character
 * is one 4 KiB page; letters are BOs, '0' is a MAP_NULL range.
 */

#include <kunit/test.h>

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sizes.h>

#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "msm_vm_conf.h"

/* Addresses of the pictures: page i is at BASE + i * 4K. */
#define BASE		SZ_4M
#define PG(i)		(BASE + (u64)(i) * SZ_4K)

/* Handles: every case makes BO A (64 KiB) first, then B (64 KiB). */
#define HA		1
#define HB		2

struct bind_fixture {
	struct msm_vm *vm;
	struct drm_gem_object *a, *b;
};

/* Unmap and close every VMA of @vm, as the driver's postclose does. */
static void bind_close(struct kunit *test, struct msm_vm *vm)
{
	struct drm_exec exec;

	conf_lock_all(test, &exec, vm);
	msm_vm_close(vm);
	drm_exec_fini(&exec);
}

static void bind_setup(struct kunit *test, struct bind_fixture *f)
{
	f->a = conf_bo_new(test, SZ_64K);
	f->b = conf_bo_new(test, SZ_64K);
	KUNIT_ASSERT_EQ(test, conf_handle(test, f->a), HA);
	KUNIT_ASSERT_EQ(test, conf_handle(test, f->b), HB);
	f->vm = conf_user_vm(test);
}

/* Unmap everything and drop the VM: the live counters must then be back. */
static void bind_teardown(struct kunit *test, struct bind_fixture *f)
{
	const struct drm_msm_vm_bind_op all = UNMAP(CONF_USER_START, CONF_USER_SIZE);
	char desc[64];

	if (!msm_vm_unusable(f->vm)) {
		KUNIT_EXPECT_EQ(test, conf_bind(test, f->vm, &all, 1), 0);
		conf_describe(test, f->vm, desc, sizeof(desc));
		KUNIT_EXPECT_STREQ(test, desc, "");
	}
	/* An unusable VM takes no bind: close it as the driver does. */
	bind_close(test, f->vm);
	conf_describe(test, f->vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "");
	msm_vm_put(f->vm);
}

/* The PTE of page @i: 'A'/'B' + page of the BO, '0' for PRR, '.' unmapped. */
static void expect_pages(struct kunit *test, struct bind_fixture *f, const char *want,
			 const u8 *bo_page)
{
	struct conf *c = test->priv;
	phys_addr_t prr = page_to_phys(c->mmu->prr_page);
	unsigned int i;

	for (i = 0; want[i]; i++) {
		phys_addr_t pa = msm_vm_test_mmu_phys(c->mmu, PG(i));
		phys_addr_t expect = 0;

		if (want[i] == 'A')
			expect = conf_bo_phys(f->a, (u64)bo_page[i] * SZ_4K);
		else if (want[i] == 'B')
			expect = conf_bo_phys(f->b, (u64)bo_page[i] * SZ_4K);
		else if (want[i] == '0')
			expect = prr;
		KUNIT_EXPECT_EQ_MSG(test, pa, expect, "page %u ('%c')", i, want[i]);
	}
}

/* A refused job allocated nothing, and the VM is empty and usable. */
static void expect_nothing_allocated_nor_changed(struct kunit *test, struct bind_fixture *f)
{
	struct conf *c = test->priv;
	char desc[64];

	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 0);
	conf_describe(test, f->vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "");
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f->vm));
}

static void kvfree_action(void *p)
{
	kvfree(p);
}

/* Lock what a job changes, as the ioctl does. */
static void job_lock(struct kunit *test, struct msm_vm *vm, struct msm_vm_bind_job *job,
		     struct drm_exec *exec)
{
	int ret;

	drm_exec_init(exec, DRM_EXEC_INTERRUPTIBLE_WAIT | DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = msm_vm_bind_job_lock(vm, job, exec);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* Create, lock and prepare a job of @args, as the ioctl does before queueing it. */
static struct msm_vm_bind_job *prepared_job(struct kunit *test, struct msm_vm *vm,
					    struct drm_msm_vm_bind *args)
{
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct drm_exec exec;

	job = msm_vm_bind_job_create(vm, &c->file->base, args);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	job_lock(test, vm, job, &exec);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_prepare(vm, job), 0);
	drm_exec_fini(&exec);
	return job;
}

/* ---- The bad-input matrix ---- */

/**
 * struct bad_case - one VM_BIND the contract must refuse (or accept)
 * @name: what is wrong with it
 * @expect: the errno; 0 for the accepted controls
 * @n: ops passed; one goes inline, more through user memory
 * @stride: op_stride of the ops in user memory (0: sizeof an op)
 * @no_prr: run on a VM without PRR
 * @args: ioctl fields besides the ops (nr_ops, op_stride, ops preset
 *	where the row is about them)
 * @ops: the ops
 */
struct bad_case {
	const char *name;
	int expect;
	u32 n;
	u32 stride;
	bool no_prr;
	struct drm_msm_vm_bind args;
	struct drm_msm_vm_bind_op ops[3];
};

#define VM_END		(CONF_USER_START + CONF_USER_SIZE)
#define TOP_PAGE	(U64_MAX & PAGE_MASK)

static const struct bad_case bad_cases[] = {
	/* The ioctl argument. */
	{ "unknown flag 0x4", -EINVAL, 1, .args.flags = 0x4, .ops = { MAP(HA, 0, PG(0), SZ_4K) } },
	{ "flag bit 31", -EINVAL, 1, .args.flags = BIT(31), .ops = { MAP(HA, 0, PG(0), SZ_4K) } },
	{ "op_stride 0 with 2 ops", -EINVAL, 0,
	  .args = { .nr_ops = 2, .op_stride = 0, .ops = 0x10000 } },
	{ "op_stride 39 with 2 ops", -EINVAL, 0,
	  .args = { .nr_ops = 2, .op_stride = 39, .ops = 0x10000 } },
	{ "2^32 - 1 ops", -ENOMEM, 0,
	  .args = { .nr_ops = U32_MAX, .op_stride = 40, .ops = 0x10000 } },
	{ "ops at NULL", -EFAULT, 0, .args = { .nr_ops = 2, .op_stride = 40, .ops = 0 } },
	{ "ops at an unmapped address", -EFAULT, 0,
	  .args = { .nr_ops = 2, .op_stride = 40, .ops = 0x10000 } },
	/* One op: its kind, flags and padding. */
	{ "op 3", -EINVAL, 1, .ops = { { .op = 3, .iova = PG(0), .range = SZ_4K } } },
	{ "op 2^32 - 1", -EINVAL, 1, .ops = { { .op = U32_MAX, .iova = PG(0), .range = SZ_4K } } },
	{ "op flag 0x2", -EINVAL, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_MAP, .handle = HA, .iova = PG(0), .range = SZ_4K,
		     .flags = 0x2 } } },
	{ "op flag bit 31", -EINVAL, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_UNMAP, .iova = PG(0), .range = SZ_4K,
		     .flags = BIT(31) } } },
	{ "pad not zero", -EINVAL, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_MAP, .handle = HA, .iova = PG(0), .range = SZ_4K,
		     .pad = 1 } } },
	/* Alignment. */
	{ "MAP iova not page aligned", -EINVAL, 1, .ops = { MAP(HA, 0, PG(0) + 0x800, SZ_4K) } },
	{ "MAP range not page aligned", -EINVAL, 1, .ops = { MAP(HA, 0, PG(0), SZ_4K + 1) } },
	{ "MAP obj_offset not page aligned", -EINVAL, 1, .ops = { MAP(HA, 0x10, PG(0), SZ_4K) } },
	{ "UNMAP iova not page aligned", -EINVAL, 1, .ops = { UNMAP(PG(0) + 4, SZ_4K) } },
	{ "UNMAP range not page aligned", -EINVAL, 1, .ops = { UNMAP(PG(0), SZ_2K) } },
	{ "MAP_NULL iova not page aligned", -EINVAL, 1, .ops = { MAP_NULL(PG(0) + 1, SZ_4K) } },
	/* Ranges. */
	{ "MAP of 0 bytes", -EINVAL, 1, .ops = { MAP(HA, 0, PG(0), 0) } },
	{ "UNMAP of 0 bytes", -EINVAL, 1, .ops = { UNMAP(PG(0), 0) } },
	{ "MAP_NULL of 0 bytes", -EINVAL, 1, .ops = { MAP_NULL(PG(0), 0) } },
	{ "MAP below the VM", -EINVAL, 1, .ops = { MAP(HA, 0, CONF_USER_START - SZ_4K, SZ_4K) } },
	{ "MAP across the VM start", -EINVAL, 1,
	  .ops = { MAP(HA, 0, CONF_USER_START - SZ_4K, SZ_8K) } },
	{ "MAP across the VM end", -EINVAL, 1, .ops = { MAP(HA, 0, VM_END - SZ_4K, SZ_8K) } },
	{ "MAP at the VM end", -EINVAL, 1, .ops = { MAP(HA, 0, VM_END, SZ_4K) } },
	{ "MAP wrapping past 2^64", -EINVAL, 1, .ops = { MAP(HA, 0, TOP_PAGE, SZ_8K) } },
	{ "MAP of 2^64 - 4K bytes", -EINVAL, 1, .ops = { MAP(HA, 0, PG(0), TOP_PAGE) } },
	{ "UNMAP wrapping past 2^64", -EINVAL, 1, .ops = { UNMAP(TOP_PAGE, SZ_8K) } },
	{ "UNMAP outside the VM", -EINVAL, 1, .ops = { UNMAP(VM_END, SZ_4K) } },
	/* Handles and offsets. */
	{ "MAP with handle 0", -EINVAL, 1, .ops = { MAP(0, 0, PG(0), SZ_4K) } },
	{ "MAP of an unknown handle", -EINVAL, 1, .ops = { MAP(9, 0, PG(0), SZ_4K) } },
	{ "MAP of a handle past the table", -EINVAL, 1, .ops = { MAP(U32_MAX, 0, PG(0), SZ_4K) } },
	{ "UNMAP with a handle", -EINVAL, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_UNMAP, .handle = HA, .iova = PG(0), .range = SZ_4K } } },
	{ "UNMAP with an obj_offset", -EINVAL, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_UNMAP, .obj_offset = SZ_4K, .iova = PG(0),
		     .range = SZ_4K } } },
	{ "MAP_NULL with a handle", -EINVAL, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_MAP_NULL, .handle = HA, .iova = PG(0),
		     .range = SZ_4K } } },
	{ "MAP_NULL with an obj_offset", -EINVAL, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_MAP_NULL, .obj_offset = SZ_4K, .iova = PG(0),
		     .range = SZ_4K } } },
	{ "MAP_NULL without PRR", -EINVAL, 1, .no_prr = true, .ops = { MAP_NULL(PG(0), SZ_4K) } },
	{ "MAP past the end of the BO", -EINVAL, 1, .ops = { MAP(HA, 0, PG(0), SZ_64K + SZ_4K) } },
	{ "MAP at the end of the BO", -EINVAL, 1, .ops = { MAP(HA, SZ_64K, PG(0), SZ_4K) } },
	{ "MAP whose offset + range wraps", -EINVAL, 1,
	  .ops = { MAP(HA, TOP_PAGE, PG(0), SZ_8K) } },
	/* Batches: one bad op refuses the whole batch. */
	{ "bad op last of three", -EINVAL, 3,
	  .ops = { MAP(HA, 0, PG(0), SZ_4K), UNMAP(PG(0), SZ_4K),
		   { .op = 7, .iova = PG(0), .range = SZ_4K } } },
	{ "unknown handle last of three", -EINVAL, 3,
	  .ops = { MAP(HA, 0, PG(0), SZ_4K), MAP(HB, 0, PG(1), SZ_4K), MAP(9, 0, PG(2), SZ_4K) } },
	{ "BO overrun last of two", -EINVAL, 2,
	  .ops = { MAP(HB, 0, PG(0), SZ_4K), MAP(HA, SZ_32K, PG(1), SZ_64K) } },
	/*
	 * Order, as upstream: every op is read and checked before any handle
	 * is looked up.  Op 1 is a page past the one page of ops in user memory.
	 */
	{ "op 0 of an unknown handle, op 1 unreadable", -EFAULT, 1, .stride = PAGE_SIZE,
	  .args.nr_ops = 2, .ops = { MAP(9, 0, PG(0), SZ_4K) } },
	{ "op 0 past the end of its BO, op 1 unreadable", -EFAULT, 1, .stride = PAGE_SIZE,
	  .args.nr_ops = 2, .ops = { MAP(HA, 0, PG(0), SZ_64K + SZ_4K) } },
	{ "op 0 misaligned, op 1 unreadable", -EINVAL, 1, .stride = PAGE_SIZE,
	  .args.nr_ops = 2, .ops = { MAP(HA, 0, PG(0) + 1, SZ_4K) } },
	{ "op 0 of an unknown handle, op 1 of an unknown op", -EINVAL, 2,
	  .ops = { MAP(9, 0, PG(0), SZ_4K), { .op = 7, .iova = PG(0), .range = SZ_4K } } },
	/* Controls: what the contract accepts. */
	{ "no op at all (a fence-only bind)", 0, 0, .args = { .nr_ops = 0 } },
	{ "MAP of the whole BO", 0, 1, .ops = { MAP(HA, 0, PG(0), SZ_64K) } },
	{ "MAP of the last page of the BO", 0, 1,
	  .ops = { MAP(HA, SZ_64K - SZ_4K, PG(0), SZ_4K) } },
	{ "MAP at the last page of the VM", 0, 1, .ops = { MAP(HA, 0, VM_END - SZ_4K, SZ_4K) } },
	{ "MAP with DUMP", 0, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_MAP, .handle = HA, .iova = PG(0), .range = SZ_4K,
		     .flags = MSM_VM_BIND_OP_DUMP } } },
	{ "MAP_NULL with PRR", 0, 1, .ops = { MAP_NULL(PG(0), SZ_8K) } },
	{ "MAP_NULL with DUMP", 0, 1,
	  .ops = { { .op = MSM_VM_BIND_OP_MAP_NULL, .iova = PG(0), .range = SZ_8K,
		     .flags = MSM_VM_BIND_OP_DUMP } } },
	{ "UNMAP of a hole", 0, 1, .ops = { UNMAP(PG(100), SZ_64K) } },
	{ "ops 64 bytes apart", 0, 2, .stride = 64,
	  .ops = { MAP(HA, 0, PG(0), SZ_4K), MAP(HB, 0, PG(1), SZ_4K) } },
};

/**
 * struct row_param - one row of a table on one core
 * @core: the core; first, as conf_init() reads it
 * @row: the row, whose first member is its name
 */
struct row_param {
	const struct msm_vm_funcs *core;
	const void *row;
};

#define MAX_CORES	4

/*
 * Parameters of a table-driven case: every row on every core, named
 * "core: row".  @params has room for MAX_CORES times @nr rows.
 */
static const void *rows_gen_params(const void *prev, char *desc, struct row_param *params,
				   const void *rows, size_t size, unsigned int nr)
{
	const struct row_param *p;
	unsigned int n = 0, i, j;

	if (!prev) {
		for (i = 0; msm_vm_cores[i] && i < MAX_CORES; i++)
			for (j = 0; j < nr; j++)
				params[n++] = (struct row_param) {
					.core = msm_vm_cores[i], .row = rows + j * size,
				};
		for (; n < MAX_CORES * nr; n++)
			params[n].core = NULL;
		p = params;
	} else {
		p = (const struct row_param *)prev + 1;
	}
	if (p == params + MAX_CORES * nr || !p->core)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s", p->core->name,
		 *(const char *const *)p->row);
	return p;
}

/*
 * Like KUNIT_ARRAY_PARAM(), over every row of @table on every core.  The
 * table is named once, through a pointer to it.
 */
#define DEFINE_ROWS_GEN_PARAMS(name, table)					\
	static typeof(table) *const name##_rows = &(table);			\
	static struct row_param name##_params[MAX_CORES * ARRAY_SIZE(*name##_rows)]; \
	static const void *name##_gen_params(const void *prev, char *desc)	\
	{									\
		return rows_gen_params(prev, desc, name##_params, *name##_rows,	\
				       sizeof((*name##_rows)[0]),		\
				       ARRAY_SIZE(*name##_rows));		\
	}

DEFINE_ROWS_GEN_PARAMS(bad, bad_cases);

/*
 * Each row on a VM holding A at 0x200000: the bind fails with exactly the
 * row's errno and the VM, its page tables, the BO references and the live
 * objects are as before.  The control rows succeed.
 */
/**
 * struct bad_snapshot - what a refused bind must leave as it was
 * @desc: the VMAs, as conf_describe() writes them
 * @log: the vm_log
 */
struct bad_snapshot {
	char desc[256];
	struct msm_vm_log_entry log[16];
};

static void bind_refuses_bad_input_and_changes_nothing(struct kunit *test)
{
	const struct row_param *p = test->param_value;
	const struct bad_case *row = p->row;
	const struct drm_msm_vm_bind_op setup = MAP(HA, 0, 0x200000, SZ_64K);
	struct conf *c = test->priv;
	struct drm_msm_vm_bind args = row->args;
	struct msm_vm_live live_before, live_after;
	unsigned int refs_a, refs_b, maps, unmaps, logged, i;
	struct bad_snapshot *before, *after;
	struct bind_fixture f;
	int ret;

	/* Off the stack: KASAN's redzones would take the frame past 2 KiB. */
	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	bind_setup(test, &f);
	if (row->no_prr) {
		msm_vm_put(f.vm);
		f.vm = conf_vm(test, CONF_USER_START, CONF_USER_SIZE, false);
	}
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &setup, 1), 0);

	conf_describe(test, f.vm, before->desc, sizeof(before->desc));
	refs_a = kref_read(&f.a->refcount);
	refs_b = kref_read(&f.b->refcount);
	maps = c->mmu->map_calls;
	unmaps = c->mmu->unmap_calls;
	logged = msm_vm_log_read(f.vm, before->log, ARRAY_SIZE(before->log));
	conf_live(test, &live_before);

	ret = conf_bind_args(test, f.vm, &args, row->ops, row->n, row->stride);
	KUNIT_EXPECT_EQ_MSG(test, ret, row->expect, "%s", row->name);
	if (!row->expect) {
		KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
		bind_teardown(test, &f);
		return;
	}
	conf_describe(test, f.vm, after->desc, sizeof(after->desc));
	KUNIT_EXPECT_STREQ(test, after->desc, before->desc);
	KUNIT_EXPECT_EQ(test, kref_read(&f.a->refcount), refs_a);
	KUNIT_EXPECT_EQ(test, kref_read(&f.b->refcount), refs_b);
	/* Every page of the setup mapping, and none around it. */
	for (i = 0; i < SZ_64K / SZ_4K; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, 0x200000 + i * SZ_4K),
				    conf_bo_phys(f.a, (u64)i * SZ_4K), "page %u", i);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, 0x200000 - SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, 0x200000 + SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, c->mmu->map_calls, maps);
	KUNIT_EXPECT_EQ(test, c->mmu->unmap_calls, unmaps);
	KUNIT_EXPECT_EQ(test, msm_vm_log_read(f.vm, after->log, ARRAY_SIZE(after->log)), logged);
	KUNIT_EXPECT_MEMEQ(test, after->log, before->log, logged * sizeof(before->log[0]));
	conf_live(test, &live_after);
	KUNIT_EXPECT_EQ(test, live_after.vmas, live_before.vmas);
	KUNIT_EXPECT_EQ(test, live_after.vm_bos, live_before.vm_bos);
	KUNIT_EXPECT_EQ(test, live_after.jobs, live_before.jobs);
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

static void bind_on_an_unusable_vm_is_epipe(struct kunit *test)
{
	const struct drm_msm_vm_bind_op op = MAP(HA, 0, PG(0), SZ_4K);
	struct bind_fixture f;

	bind_setup(test, &f);
	msm_vm_mark_unusable(f.vm, "gpu fault");
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, &op, 1), -EPIPE);
	bind_teardown(test, &f);
}

static void bind_on_a_kernel_managed_vm_is_einval(struct kunit *test)
{
	const struct drm_msm_vm_bind_op op = MAP(HA, 0, PG(0), SZ_4K);
	struct msm_vm *vm;
	struct bind_fixture f;

	bind_setup(test, &f);
	vm = conf_vm(test, SZ_1M, SZ_1G, true);
	KUNIT_EXPECT_EQ(test, conf_bind(test, vm, &op, 1), -EINVAL);
	msm_vm_put(vm);
	bind_teardown(test, &f);
}

/* ---- Split and merge, on the VMAs and on the page tables ---- */

/*
 *	old: AAAA
 *	req: BBBBBB          MAP B@0x4000 over all of A and beyond
 *	new: BBBBBB          A is gone: unmapped, unlinked, its reference dropped
 *
 * (The split table checks the VMAs and PTEs of this case too; this one
 * checks that A's reference goes with its last VMA.)
 */
static void map_over_a_whole_vma_drops_the_old_bo_reference(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, 0, PG(0), SZ_16K),
		MAP(HB, SZ_16K, PG(0), 6 * SZ_4K),
	};
	static const u8 pages[] = { 4, 5, 6, 7, 8, 9 };
	unsigned int refs_a;
	char desc[128];
	struct bind_fixture f;

	bind_setup(test, &f);
	refs_a = kref_read(&f.a->refcount);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &ops[0], 1), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&f.a->refcount), refs_a + 1);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &ops[1], 1), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&f.a->refcount), refs_a);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "0x400000+0x6000=2@0x4000");
	expect_pages(test, &f, "BBBBBB.", pages);
	bind_teardown(test, &f);
}

/*
 * The same MAP again with DUMP: the VMA stays, only its flag changes, and
 * no page-table write happens (turnip toggles DUMP this way while the GPU
 * may use the range).
 */
static void an_identical_map_only_updates_the_dump_flag(struct kunit *test)
{
	struct drm_msm_vm_bind_op op = MAP(HA, SZ_4K, PG(0), SZ_8K);
	struct conf *c = test->priv;
	unsigned int maps, unmaps;
	char desc[64];
	struct bind_fixture f;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	maps = c->mmu->map_calls;
	unmaps = c->mmu->unmap_calls;
	op.flags = MSM_VM_BIND_OP_DUMP;
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "0x400000+0x2000=1@0x1000+D");
	op.flags = 0;
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "0x400000+0x2000=1@0x1000");
	KUNIT_EXPECT_EQ(test, c->mmu->map_calls, maps);
	KUNIT_EXPECT_EQ(test, c->mmu->unmap_calls, unmaps);
	bind_teardown(test, &f);
}

/* A MAP deep inside a large BO finds its pages (the scatterlist index). */
static void map_at_a_bo_offset_maps_the_pages_at_that_offset(struct kunit *test)
{
	struct drm_gem_object *big = conf_bo_new(test, SZ_2M);
	struct conf *c = test->priv;
	struct drm_msm_vm_bind_op ops[2];
	struct bind_fixture f;
	u32 h;

	bind_setup(test, &f);
	h = conf_handle(test, big);
	ops[0] = (struct drm_msm_vm_bind_op)MAP(h, SZ_2M - SZ_8K, PG(0), SZ_8K);
	ops[1] = (struct drm_msm_vm_bind_op)MAP(h, SZ_1M + SZ_4K, PG(4), SZ_4K);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, 2), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)),
			conf_bo_phys(big, SZ_2M - SZ_8K));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(1)),
			conf_bo_phys(big, SZ_2M - SZ_4K));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(4)),
			conf_bo_phys(big, SZ_1M + SZ_4K));
	bind_teardown(test, &f);
}

/*
 * A BO's scatterlist index goes when its last VMA in a VM is unmapped: the
 * driver frees the BO's table on eviction and allocates a new one on
 * repin, often at the same address.  Here the table is rebuilt in place,
 * in the same struct sg_table, one entry per page in reverse order; a map
 * at an offset must find the new table's page.  (With the old index it
 * would read freed scatterlist entries: KASAN in the debug kernel.)
 */
static void a_bo_table_rebuilt_after_unmap_is_indexed_anew(struct kunit *test)
{
	struct drm_gem_object *big = conf_bo_new(test, SZ_64K);
	struct drm_msm_vm_bind_op op;
	struct conf *c = test->priv;
	struct bind_fixture f;
	struct drm_exec exec;
	u32 h;

	bind_setup(test, &f);
	h = conf_handle(test, big);
	op = (struct drm_msm_vm_bind_op)MAP(h, 0, PG(0), SZ_64K);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	/* Evicted: every VMA of the BO unmapped, none closed. */
	conf_lock(test, &exec, f.vm, &big, 1);
	msm_vm_bo_unmap(f.vm, big, false);
	drm_exec_fini(&exec);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(15)), 0);

	conf_bo_rebuild_sgt(test, big);
	op = (struct drm_msm_vm_bind_op)MAP(h, SZ_8K, PG(32), SZ_4K);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(32)), conf_bo_phys(big, SZ_8K));
	bind_teardown(test, &f);
}

/*
 * DUMP asks devcoredump for a range's content; a MAP_NULL range has none
 * (reads give zeroes), so its VMA does not take the flag, as upstream's
 * does not.  The flag is accepted, not refused: turnip may set it on any op.
 */
static void a_map_null_takes_no_dump_flag(struct kunit *test)
{
	const struct drm_msm_vm_bind_op op = {
		.op = MSM_VM_BIND_OP_MAP_NULL, .iova = PG(0), .range = SZ_8K,
		.flags = MSM_VM_BIND_OP_DUMP,
	};
	struct bind_fixture f;
	char desc[64];

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "0x400000+0x2000=null");
	bind_teardown(test, &f);
}

/* ---- Eviction ---- */

static void describe_printfn(struct drm_printer *p, struct va_format *vaf)
{
	char *out = p->arg;
	size_t len = strlen(out);

	scnprintf(out + len, 128 - len, "%pV", vaf);
}

/*
 * A VM_BIND VMA is mapped at its BO offset and under the core's MMU lock:
 * msm_vm_vma_map(), which maps a whole BO from offset 0, refuses it.
 */
static void vma_map_refuses_a_vm_bind_vma(struct kunit *test)
{
	const struct drm_msm_vm_bind_op op = MAP(HA, SZ_8K, PG(0), SZ_8K);
	struct conf *c = test->priv;
	struct msm_vm_vma *vma;
	struct bind_fixture f;
	struct drm_exec exec;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	conf_lock(test, &exec, f.vm, &f.a, 1);
	vma = msm_vm_bo_find_vma(f.vm, f.a);
	KUNIT_ASSERT_NOT_NULL(test, vma);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_iova(f.vm, vma), PG(0));
	msm_vm_vma_unmap(f.vm, vma);
	KUNIT_EXPECT_FALSE(test, msm_vm_vma_mapped(f.vm, vma));
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(f.vm, vma, PROT_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	drm_exec_fini(&exec);
	bind_teardown(test, &f);
}

/*
 * Eviction unmaps a BO's VMAs everywhere and leaves them open; the next
 * SUBMIT's msm_vm_validate() maps each again at its BO offset, with its
 * BO's protection, pieces of splits included.  A validate with nothing
 * evicted writes nothing.
 *
 *   A (read-only) @2 at 0-3, UNMAP 1:   A . A A    offsets 2, 4, 5
 *   evicted:                            . . . .    "unmapped" in describe
 *   validate:                           A . A A    same offsets, read-only
 */
static void validate_maps_evicted_vmas_again_at_their_offsets(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, SZ_8K, PG(0), SZ_16K),
		UNMAP(PG(1), SZ_4K),
		MAP(HB, 0, PG(8), SZ_4K),
	};
	static const unsigned int pages[] = { 0, 2, 3 }, offsets[] = { 2, 4, 5 };
	struct conf *c = test->priv;
	char out[128] = "";
	struct drm_printer p = { .printfn = describe_printfn, .arg = out };
	struct bind_fixture f;
	struct drm_exec exec;
	unsigned int i, maps;

	bind_setup(test, &f);
	to_conf_bo(f.a)->prot = IOMMU_READ;
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);

	conf_lock_all(test, &exec, f.vm);
	msm_vm_bo_unmap_all_vms(f.a, false);
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(pages[i])), 0,
				    "page %u", pages[i]);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(8)), conf_bo_phys(f.b, 0));
	/* debugfs says what happened: both VMAs open, unmapped. */
	msm_vm_bo_describe(f.a, &p);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "vm=conf-user iova=0x400000 size=0x1000 unmapped"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "vm=conf-user iova=0x402000 size=0x2000 unmapped"));
	KUNIT_EXPECT_NULL(test, strstr(out, " mapped"));
	KUNIT_EXPECT_EQ(test, msm_vm_validate(f.vm), 0);
	drm_exec_fini(&exec);

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		phys_addr_t want = conf_bo_phys(f.a, (u64)offsets[i] * SZ_4K);

		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(pages[i])), want,
				    "page %u", pages[i]);
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_prot(c->mmu, PG(pages[i])), IOMMU_READ,
				    "page %u", pages[i]);
	}
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(1)), 0);

	maps = c->mmu->map_calls;
	conf_lock_all(test, &exec, f.vm);
	KUNIT_EXPECT_EQ(test, msm_vm_validate(f.vm), 0);
	drm_exec_fini(&exec);
	KUNIT_EXPECT_EQ(test, c->mmu->map_calls, maps);
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

/* Validate is for VM_BIND VMs: a kernel-managed VM maps per VMA. */
static void validate_on_a_kernel_managed_vm_is_einval(struct kunit *test)
{
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct drm_exec exec;

	conf_lock(test, &exec, vm, NULL, 0);
	KUNIT_EXPECT_EQ(test, msm_vm_validate(vm), -EINVAL);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

/*
 * An unmap outside a job of a VMA whose map a prepared job has yet to
 * write: the write would outlive it.  (The driver keeps a pending job's
 * BOs busy, so it is a driver bug.)  The VM is lost, so the job maps
 * nothing when it runs: no PTE remains, before or after the VM is closed.
 */
static void an_unmap_before_the_bind_ran_leaves_no_pte_and_loses_the_vm(struct kunit *test)
{
	struct drm_msm_vm_bind args = { .nr_ops = 1, .op = MAP(HA, 0, PG(0), SZ_16K) };
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct bind_fixture f;
	struct drm_exec exec;
	unsigned int i;

	bind_setup(test, &f);
	job = prepared_job(test, f.vm, &args);
	conf_lock(test, &exec, f.vm, &f.a, 1);
	msm_vm_bo_unmap(f.vm, f.a, false);
	drm_exec_fini(&exec);
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(f.vm), "unmapped before its bind ran");
	msm_vm_bind_job_run(f.vm, job);
	msm_vm_bind_job_free(f.vm, job);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(i)), 0, "page %u", i);
	bind_close(test, f.vm);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(i)), 0, "page %u", i);
	bind_teardown(test, &f);
}

/* After the job ran, the same unmap is an ordinary eviction. */
static void an_unmap_after_the_bind_ran_is_an_eviction(struct kunit *test)
{
	const struct drm_msm_vm_bind_op op = MAP(HA, 0, PG(0), SZ_16K);
	struct conf *c = test->priv;
	struct bind_fixture f;
	struct drm_exec exec;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &op, 1), 0);
	conf_lock(test, &exec, f.vm, &f.a, 1);
	msm_vm_bo_unmap(f.vm, f.a, false);
	drm_exec_fini(&exec);
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	bind_teardown(test, &f);
}

/*
 * One BO in two VM_BIND VMs on two MMUs (two processes sharing a dma-buf):
 * each maps it at offsets of its own, through a scatterlist index of its
 * own, and an unmap in one leaves the other as it was.
 */
static void a_bo_in_two_vm_bind_vms_is_mapped_in_each_on_its_own(struct kunit *test)
{
	const struct drm_msm_vm_bind_op map1 = MAP(HA, SZ_4K, PG(0), SZ_8K);
	const struct drm_msm_vm_bind_op map2 = MAP(HA, SZ_32K, PG(0), SZ_16K);
	const struct drm_msm_vm_bind_op unmap = UNMAP(PG(0), SZ_8K);
	struct conf *c = test->priv;
	struct msm_vm_test_mmu *mmu2 = msm_vm_test_mmu_new(test, c->dev);
	struct bind_fixture f;
	struct msm_vm *vm2;
	unsigned int i;

	bind_setup(test, &f);
	vm2 = conf_vm_on(test, mmu2, CONF_USER_START, CONF_USER_SIZE, false);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &map1, 1), 0);
	KUNIT_ASSERT_EQ(test, conf_bind(test, vm2, &map2, 1), 0);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(i)),
				    conf_bo_phys(f.a, SZ_4K + (u64)i * SZ_4K), "VM 1 page %u", i);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(mmu2, PG(i)),
				    conf_bo_phys(f.a, SZ_32K + (u64)i * SZ_4K), "VM 2 page %u", i);

	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &unmap, 1), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu2, PG(0)), conf_bo_phys(f.a, SZ_32K));
	bind_close(test, vm2);
	msm_vm_put(vm2);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu2, PG(0)), 0);
	bind_teardown(test, &f);
}

/* ---- BO protection ---- */

/*
 * Each MAP maps with its BO's protection (&msm_vm_bo_funcs.prot), as
 * upstream's msm_gem_prot() gives it: A is GPU read-only, B cache-coherent
 * (turnip's HOST_CACHED | HOST_COHERENT memory).  MAP_NULL ranges are
 * read-write.  A hole punched into B leaves the entries of its pieces, and
 * so their protection, as they were.
 *
 *   page   0 1 . . . . . . 8 9 10 11 . . . . 16 17
 *   A      r r                                         IOMMU_READ
 *   B                      c c c  c                    READ | WRITE | CACHE
 *   null                                     0  0      READ | WRITE
 *   UNMAP 9:               c . c  c
 */
static void maps_take_the_protection_of_their_bo(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, 0, PG(0), SZ_8K),
		MAP(HB, 0, PG(8), SZ_16K),
		MAP_NULL(PG(16), SZ_8K),
	};
	const struct drm_msm_vm_bind_op hole = UNMAP(PG(9), SZ_4K);
	const int cached = PROT_RW | IOMMU_CACHE;
	struct conf *c = test->priv;
	struct bind_fixture f;
	unsigned int i;

	bind_setup(test, &f);
	to_conf_bo(f.a)->prot = IOMMU_READ;
	to_conf_bo(f.b)->prot = cached;
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_prot(c->mmu, PG(i)), IOMMU_READ,
				    "page %u", i);
	for (i = 8; i < 12; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_prot(c->mmu, PG(i)), cached,
				    "page %u", i);
	for (i = 16; i < 18; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_prot(c->mmu, PG(i)), PROT_RW,
				    "page %u", i);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_prot(c->mmu, PG(2)), -ENOENT);

	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &hole, 1), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_prot(c->mmu, PG(8)), cached);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_prot(c->mmu, PG(9)), -ENOENT);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_prot(c->mmu, PG(10)), cached);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_prot(c->mmu, PG(11)), cached);
	bind_teardown(test, &f);
}

/* ---- The job's BOs ---- */

/*
 * After msm_vm_bind_job_lock(), the job's own drm_exec holds exactly the
 * job's BOs, each once, and the VM's resv object: the MAP BOs and the BOs
 * of the VMAs its ranges overlap.  The driver pins them and fences them
 * with the job fence, in the fence slot reserved in each.
 */
static void a_jobs_bos_are_locked_once_each_with_a_fence_slot(struct kunit *test)
{
	const struct drm_msm_vm_bind_op setup[] = {
		MAP(HA, 0, PG(0), SZ_16K),
		MAP(HB, 0, PG(8), SZ_4K),
	};
	struct drm_msm_vm_bind_op ops[] = {
		UNMAP(PG(0), SZ_8K),
		MAP(HB, SZ_4K, PG(20), SZ_4K),
		MAP(HB, SZ_8K, PG(30), SZ_4K),
		MAP_NULL(PG(40), SZ_4K),
	};
	struct drm_msm_vm_bind args = {
		.nr_ops = ARRAY_SIZE(ops), .op_stride = sizeof(ops[0]),
	};
	struct conf *c = test->priv;
	struct drm_gem_object *obj;
	struct msm_vm_bind_job *job;
	struct dma_fence *fence;
	struct bind_fixture f;
	struct drm_exec exec;
	unsigned int seen_r = 0, seen_a = 0, seen_b = 0, others = 0;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, setup, ARRAY_SIZE(setup)), 0);
	args.ops = conf_user_ops(test, ops, ARRAY_SIZE(ops));
	job = msm_vm_bind_job_create(f.vm, &c->file->base, &args);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	job_lock(test, f.vm, job, &exec);
	fence = dma_fence_get_stub();
	drm_exec_for_each_locked_object(&exec, obj) {
		if (obj == msm_vm_resv_obj(f.vm))
			seen_r++;
		else if (obj == f.a)
			seen_a++;
		else if (obj == f.b)
			seen_b++;
		else
			others++;
		dma_resv_add_fence(obj->resv, fence, DMA_RESV_USAGE_KERNEL);
	}
	dma_fence_put(fence);
	KUNIT_EXPECT_EQ(test, seen_r, 1);
	KUNIT_EXPECT_EQ(test, seen_a, 1);
	KUNIT_EXPECT_EQ(test, seen_b, 1);
	KUNIT_EXPECT_EQ(test, others, 0);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_prepare(f.vm, job), 0);
	drm_exec_fini(&exec);
	msm_vm_bind_job_run(f.vm, job);
	msm_vm_bind_job_free(f.vm, job);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(20)), conf_bo_phys(f.b, SZ_4K));
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

struct map_bo_walk {
	struct drm_gem_object *seen[8];
	unsigned int n;
	unsigned int stop_at;
};

static int map_bo_visit(struct drm_gem_object *obj, void *arg)
{
	struct map_bo_walk *w = arg;

	if (w->n < ARRAY_SIZE(w->seen))
		w->seen[w->n] = obj;
	return ++w->n == w->stop_at ? -EINTR : 0;
}

/*
 * The BOs a job maps, for the driver to pin from prepare until the job ran:
 * one per MAP op, in op order, a NO_SHARE BO too, which drm_exec does not
 * list apart from its VM's resv.  A non-zero return stops the walk.  The
 * job then binds as any: its NO_SHARE BO locks once with the VM.
 */
static void a_job_walks_the_bo_of_each_map_op_no_share_ones_too(struct kunit *test)
{
	struct conf *c = test->priv;
	struct bind_fixture f;
	struct drm_gem_object *n;
	struct drm_msm_vm_bind_op ops[4];
	struct drm_msm_vm_bind args = { .nr_ops = 4, .op_stride = sizeof(ops[0]) };
	struct map_bo_walk w = { };
	struct msm_vm_bind_job *job;
	struct drm_exec exec;
	u32 hn;

	bind_setup(test, &f);
	n = conf_bo_new_no_share(test, SZ_16K, f.vm);
	hn = conf_handle(test, n);
	ops[0] = (struct drm_msm_vm_bind_op)MAP(HA, 0, PG(0), SZ_4K);
	ops[1] = (struct drm_msm_vm_bind_op)MAP(hn, SZ_4K, PG(4), SZ_8K);
	ops[2] = (struct drm_msm_vm_bind_op)UNMAP(PG(100), SZ_4K);
	ops[3] = (struct drm_msm_vm_bind_op)MAP(HA, SZ_8K, PG(8), SZ_4K);
	args.ops = conf_user_ops(test, ops, ARRAY_SIZE(ops));
	job = msm_vm_bind_job_create(f.vm, &c->file->base, &args);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);

	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_walk_map_bos(f.vm, job, map_bo_visit, &w), 0);
	KUNIT_EXPECT_EQ(test, w.n, 3);
	KUNIT_EXPECT_PTR_EQ(test, w.seen[0], f.a);
	KUNIT_EXPECT_PTR_EQ(test, w.seen[1], n);
	KUNIT_EXPECT_PTR_EQ(test, w.seen[2], f.a);
	w = (struct map_bo_walk) { .stop_at = 2 };
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_walk_map_bos(f.vm, job, map_bo_visit, &w),
			-EINTR);
	KUNIT_EXPECT_EQ(test, w.n, 2);

	job_lock(test, f.vm, job, &exec);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_prepare(f.vm, job), 0);
	drm_exec_fini(&exec);
	msm_vm_bind_job_run(f.vm, job);
	msm_vm_bind_job_free(f.vm, job);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(4)), conf_bo_phys(n, SZ_4K));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(5)), conf_bo_phys(n, SZ_8K));
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

/*
 * Large batches: 100000 sorted UNMAPs of holes (its per-batch arrays are
 * past what kmalloc gives), then 10000 unsorted UNMAPs each over all of 64
 * VMAs.  Both succeed on both cores: what prepare reserves stays linear in
 * the batch and the tree, not their product.
 */
static void batches_of_100k_ops_bind_sorted_or_not(struct kunit *test)
{
	const u32 n = 100000;
	struct drm_msm_vm_bind_op *ops;
	struct conf *c = test->priv;
	struct bind_fixture f;
	char desc[64];
	u32 i;

	ops = kvmalloc_array(n, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action, ops), 0);
	bind_setup(test, &f);
	for (i = 0; i < n; i++)
		ops[i] = (struct drm_msm_vm_bind_op)UNMAP(SZ_1G + (u64)i * SZ_8K, SZ_4K);
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, ops, n), 0);

	for (i = 0; i < 64; i++) {
		const struct drm_msm_vm_bind_op map = MAP(HA, 0, PG(2 * i), SZ_4K);

		KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &map, 1), 0);
	}
	/* Starts 3, 2, 1, 0, 3, ...: each op before the earlier ones' ends. */
	for (i = 0; i < n / 10; i++)
		ops[i] = (struct drm_msm_vm_bind_op)UNMAP(PG(3 - i % 4), SZ_512K);
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, ops, n / 10), 0);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "");
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(2)), 0);
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

/* ---- Page-table pre-allocation ---- */

/*
 * The driver throttles on a job's page-table pages before it takes any
 * lock: the count is there from create on, nothing is allocated before
 * prepare, and prepare allocates exactly that.  A 4 KiB map in a fresh VM
 * needs a level-1, a level-2 and a level-3 table; UNMAP needs none.
 */
static void a_jobs_page_count_is_known_at_create_and_allocated_in_prepare(struct kunit *test)
{
	struct drm_msm_vm_bind map = { .nr_ops = 1, .op = MAP(HA, 0, PG(0), SZ_4K) };
	struct drm_msm_vm_bind unmap = { .nr_ops = 1, .op = UNMAP(PG(0), SZ_4K) };
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct bind_fixture f;
	struct drm_exec exec;

	bind_setup(test, &f);
	job = msm_vm_bind_job_create(f.vm, &c->file->base, &map);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_pages(f.vm, job), 3);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 0);
	job_lock(test, f.vm, job, &exec);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_prepare(f.vm, job), 0);
	drm_exec_fini(&exec);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 3);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_pages(f.vm, job), 3);
	msm_vm_bind_job_run(f.vm, job);
	msm_vm_bind_job_free(f.vm, job);

	job = msm_vm_bind_job_create(f.vm, &c->file->base, &unmap);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_pages(f.vm, job), 0);
	msm_vm_bind_job_free(f.vm, job);
	bind_teardown(test, &f);
}

/*
 * A job may pre-allocate at most MSM_VM_JOB_PAGES_MAX pages; above that
 * create refuses it with -ENOMEM (turnip then retries op by op) before
 * allocating anything, and the VM is unchanged and usable.  64 GiB of
 * MAP_NULL needs 1 + 64 + 32768 tables: accepted (and freed unprepared,
 * which changes nothing).  128 GiB needs 1 + 128 + 65536: refused.
 */
static void a_job_above_the_page_cap_is_enomem_before_allocating(struct kunit *test)
{
	struct drm_msm_vm_bind ok = { .nr_ops = 1, .op = MAP_NULL(SZ_64G, SZ_64G) };
	struct drm_msm_vm_bind big = { .nr_ops = 1, .op = MAP_NULL(SZ_64G, 2 * SZ_64G) };
	struct drm_msm_vm_bind all = {
		.nr_ops = 1, .op = MAP_NULL(CONF_USER_START, CONF_USER_SIZE)
	};
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct bind_fixture f;

	bind_setup(test, &f);
	job = msm_vm_bind_job_create(f.vm, &c->file->base, &ok);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	KUNIT_EXPECT_EQ(test, msm_vm_bind_job_pages(f.vm, job), 1 + 64 + 32768);
	KUNIT_EXPECT_LE(test, msm_vm_bind_job_pages(f.vm, job), MSM_VM_JOB_PAGES_MAX);
	msm_vm_bind_job_free(f.vm, job);

	job = msm_vm_bind_job_create(f.vm, &c->file->base, &big);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(job), -ENOMEM);
	if (!IS_ERR(job))
		msm_vm_bind_job_free(f.vm, job);
	job = msm_vm_bind_job_create(f.vm, &c->file->base, &all);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(job), -ENOMEM);
	if (!IS_ERR(job))
		msm_vm_bind_job_free(f.vm, job);

	expect_nothing_allocated_nor_changed(test, &f);
	bind_teardown(test, &f);
}

/*
 * 8176 MAP_NULLs of this whole 1 TiB VM (525314 tables each) and one of 38
 * tables would sum to 2^32 + 6 pages: a 32-bit count summed without a check
 * (the cores before this contract) wrapped to six pages for a job mapping
 * 8 PiB.  The cap is checked after every range, so the count stops at the
 * first op and never nears 2^32: -ENOMEM, nothing allocated.
 */
static void a_batch_whose_count_would_wrap_32_bits_stops_at_the_cap(struct kunit *test)
{
	const u32 n = 8176 + 1;
	struct drm_msm_vm_bind_op *ops;
	struct bind_fixture f;
	u32 i;

	ops = kvmalloc_array(n, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action, ops), 0);
	for (i = 0; i < n - 1; i++)
		ops[i] = (struct drm_msm_vm_bind_op)MAP_NULL(CONF_USER_START, CONF_USER_SIZE);
	ops[n - 1] = (struct drm_msm_vm_bind_op)MAP_NULL(SZ_1G, 36 * SZ_2M);

	bind_setup(test, &f);
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, ops, n), -ENOMEM);
	expect_nothing_allocated_nor_changed(test, &f);
	bind_teardown(test, &f);
}

/*
 * A fresh table needs one level-1, one level-2 and one level-3 table for
 * maps inside one 2 MiB block: sorted ops there share them, so the job
 * allocates exactly 3 pages and uses all 3.  The same again needs no new
 * table: the 3 allocated pages go back unused.
 */
static void maps_in_one_2m_block_preallocate_exactly_their_tables(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, 0, PG(0), SZ_4K),
		MAP(HA, SZ_4K, PG(1), SZ_4K),
		MAP(HB, 0, PG(8), SZ_16K),
		MAP_NULL(PG(100), SZ_64K),
	};
	struct conf *c = test->priv;
	long tables;
	struct bind_fixture f;

	bind_setup(test, &f);
	tables = c->mmu->table_pages;
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 3);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_used, 3);
	KUNIT_EXPECT_EQ(test, c->mmu->table_pages, tables + 3);

	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 6);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_used, 3);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_returned, 3);
	KUNIT_EXPECT_EQ(test, c->mmu->table_pages, tables + 3);
	bind_teardown(test, &f);
}

/*
 * Unsorted ops are merged while each meets the previous one's 2 MiB block,
 * whatever their order inside it: three maps in the block at 4 MiB, last
 * page first, need and allocate exactly its 3 tables.
 */
static void unsorted_maps_in_one_2m_block_preallocate_exactly_their_tables(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, 0, PG(500), SZ_4K),
		MAP(HA, 0, PG(0), SZ_4K),
		MAP(HB, 0, PG(200), SZ_8K),
	};
	struct conf *c = test->priv;
	struct bind_fixture f;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 3);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_used, 3);
	bind_teardown(test, &f);
}

/*
 * Sorted ops in different 2 MiB blocks still share their upper tables: the
 * MMU counts those once (msm_mmu_prealloc.last_end).  A map at 4 MiB, a
 * MAP_NULL at 6 MiB (another L3, the same L2 and L1) and a map at 1 GiB +
 * 4 MiB (another L2 and L3) need 3 + 1 + 2 tables on a fresh table, and
 * the job allocates and uses exactly those, where counting each op alone
 * gives 9.
 */
static void sorted_ops_count_each_shared_table_once(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, 0, PG(0), SZ_4K),
		MAP_NULL(SZ_4M + SZ_2M + SZ_16K, SZ_4K),
		MAP(HB, 0, SZ_1G + SZ_4M, SZ_8K),
	};
	struct conf *c = test->priv;
	struct bind_fixture f;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 3 + 1 + 2);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_used, 3 + 1 + 2);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_short, 0);
	bind_teardown(test, &f);
}

/*
 * Ops that leave the previous op's block are counted on their own, less
 * what a range above the previous one shares with it: never fewer tables
 * than needed (the test MMU counts any shortfall), and the documented
 * bound, at most 3 per op.  Here blocks at 4 MiB, 1 GiB + 4 MiB (above it:
 * its L1 is shared), 4 MiB + 2 MiB (below: counted alone), and 4 MiB again
 * (below again): 3 + 2 + 3 + 3 tables counted, of which the L1, two L2 and
 * three L3 are used.
 */
static void unsorted_maps_stay_within_the_documented_bound(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, 0, PG(0), SZ_4K),
		MAP(HA, 0, SZ_1G + SZ_4M, SZ_4K),
		MAP(HB, 0, SZ_4M + SZ_2M, SZ_4K),
		MAP(HB, 0, PG(100), SZ_4K),
	};
	struct conf *c = test->priv;
	struct bind_fixture f;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_allocated, 3 + 2 + 3 + 3);
	KUNIT_EXPECT_LE(test, c->mmu->prealloc_allocated, 3 * ARRAY_SIZE(ops));
	/* L1 shared by all, an L2 per GiB, an L3 per 2 MiB block. */
	KUNIT_EXPECT_EQ(test, c->mmu->prealloc_used, 1 + 2 + 3);
	bind_teardown(test, &f);
}

/* ---- Failures and unusable VMs ---- */

static void a_failed_preallocation_is_enomem_and_changes_nothing(struct kunit *test)
{
	const struct drm_msm_vm_bind_op op = MAP(HA, 0, PG(0), SZ_4K);
	struct conf *c = test->priv;
	char desc[64];
	struct bind_fixture f;

	bind_setup(test, &f);
	c->mmu->fail_prealloc = true;
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, &op, 1), -ENOMEM);
	c->mmu->fail_prealloc = false;
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "");
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

/* get_sgt fails for the first op: nothing changed, the VM stays usable. */
static void a_failure_at_the_first_op_changes_nothing(struct kunit *test)
{
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HB, 0, PG(0), SZ_4K),
		MAP(HA, 0, PG(1), SZ_4K),
	};
	char desc[64];
	struct bind_fixture f;

	bind_setup(test, &f);
	to_conf_bo(f.b)->sgt_error = -EIO;
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, ops, 2), -EIO);
	to_conf_bo(f.b)->sgt_error = 0;
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "");
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

/*
 * get_sgt fails for the last op of a batch: prepare gets everything of
 * every op before the tree changes, so nothing changed and the VM stays
 * usable.  (Turnip answers an error of a batch by binding its ops one per
 * ioctl; an unusable VM would be a lost device.)  The same batch then goes
 * through.
 */
static void a_failure_at_a_later_op_changes_nothing_and_keeps_the_vm_usable(struct kunit *test)
{
	const struct drm_msm_vm_bind_op setup = MAP(HA, 0, PG(4), SZ_8K);
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HA, 0, PG(0), SZ_4K),
		UNMAP(PG(5), SZ_4K),
		MAP(HB, 0, PG(1), SZ_4K),
	};
	struct conf *c = test->priv;
	struct bind_fixture f;
	char desc[128];

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &setup, 1), 0);
	to_conf_bo(f.b)->sgt_error = -EIO;
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), -EIO);
	to_conf_bo(f.b)->sgt_error = 0;
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "0x404000+0x2000=1@0x0");
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(5)), conf_bo_phys(f.a, SZ_4K));

	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, ops, ARRAY_SIZE(ops)), 0);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc,
			   "0x400000+0x1000=1@0x0 0x401000+0x1000=2@0x0 0x404000+0x1000=1@0x0");
	bind_teardown(test, &f);
}

/*
 * A map that fails while the job runs makes the VM unusable; the job's
 * unmaps are still done and later maps skipped.
 */
static void a_map_failing_in_run_makes_the_vm_unusable_but_unmaps_complete(struct kunit *test)
{
	const struct drm_msm_vm_bind_op setup = MAP(HA, 0, PG(0), SZ_16K);
	const struct drm_msm_vm_bind_op ops[] = {
		MAP(HB, 0, PG(8), SZ_4K),
		UNMAP(PG(0), SZ_16K),
		MAP(HB, SZ_4K, PG(9), SZ_4K),
	};
	struct conf *c = test->priv;
	struct bind_fixture f;
	unsigned int i;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &setup, 1), 0);
	c->mmu->fail_map_at = c->mmu->map_calls + 1;
	KUNIT_EXPECT_EQ(test, conf_bind(test, f.vm, ops, 3), 0);
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(f.vm), "bind failed");
	/* The unmap after the failed map: all four pages. */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(i)), 0, "page %u", i);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(8)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(9)), 0);
	bind_teardown(test, &f);
}

/*
 * A job freed without running (the driver dropped it) still does its
 * queued unmaps: their VMAs are gone from the tree, and nothing else would
 * remove entries that point at BO pages.  Page tables and VMAs then match,
 * and the VM stays usable.  A job that queued a map loses the VM: its VMA
 * is in the tree, its entries never written ("bind not run").
 *
 *   setup     AAAA . . . .
 *   UNMAP     . . AA           prepared: tree changed, PTEs not yet
 *   freed     . . AA           PTEs follow; usable
 *   MAP B          . . . . BB  freed: PTEs never written; unusable
 */
static void a_job_freed_unrun_unmaps_and_loses_the_vm_only_if_it_mapped(struct kunit *test)
{
	const struct drm_msm_vm_bind_op setup = MAP(HA, 0, PG(0), SZ_16K);
	struct drm_msm_vm_bind unmap = { .nr_ops = 1, .op = UNMAP(PG(0), SZ_8K) };
	struct drm_msm_vm_bind map = { .nr_ops = 1, .op = MAP(HB, 0, PG(8), SZ_8K) };
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct bind_fixture f;
	char desc[64];

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &setup, 1), 0);
	job = prepared_job(test, f.vm, &unmap);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "0x402000+0x2000=1@0x2000");
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), conf_bo_phys(f.a, 0));

	msm_vm_bind_job_free(f.vm, job);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(1)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(2)), conf_bo_phys(f.a, SZ_8K));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(3)), conf_bo_phys(f.a, 3 * SZ_4K));
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));

	job = prepared_job(test, f.vm, &map);
	msm_vm_bind_job_free(f.vm, job);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(8)), 0);
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(f.vm), "bind not run");
	bind_teardown(test, &f);
}

/**
 * struct unrun_case - a job freed without running that leaves PTEs as they were
 * @name: what the job does
 * @ops: its ops, on a VM where BO A is mapped at pages 0-3
 * @n: entries of @ops
 * @dump: the DUMP flag the VMA at page 0 has afterwards
 */
struct unrun_case {
	const char *name;
	struct drm_msm_vm_bind_op ops[2];
	u32 n;
	bool dump;
};

static const struct unrun_case unrun_cases[] = {
	{ "no op (a fence-only bind)", { }, 0, false },
	{ "UNMAP of a hole", { UNMAP(PG(100), SZ_64K) }, 1, false },
	{ "an identical MAP setting DUMP",
	  { { .op = MSM_VM_BIND_OP_MAP, .handle = HA, .iova = PG(0), .range = SZ_16K,
	      .flags = MSM_VM_BIND_OP_DUMP } }, 1, true },
	{ "UNMAP of a hole, then an identical MAP",
	  { UNMAP(PG(50), SZ_4K), MAP(HA, 0, PG(0), SZ_16K) }, 2, false },
};

DEFINE_ROWS_GEN_PARAMS(unrun, unrun_cases);

/*
 * Jobs that change no page-table entry, prepared and then freed unrun:
 * the VM stays usable and every entry stays, whatever they did to the
 * VMAs' flags.  (drm_sched drops the jobs of a killed queue so.)
 */
static void a_job_that_writes_no_pte_freed_unrun_keeps_the_vm_usable(struct kunit *test)
{
	const struct row_param *p = test->param_value;
	const struct unrun_case *row = p->row;
	const struct drm_msm_vm_bind_op setup = MAP(HA, 0, PG(0), SZ_16K);
	struct drm_msm_vm_bind args = { .nr_ops = row->n };
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct bind_fixture f;
	char desc[64];
	unsigned int i;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &setup, 1), 0);
	if (row->n == 1) {
		args.op = row->ops[0];
	} else if (row->n > 1) {
		args.ops = conf_user_ops(test, row->ops, row->n);
		args.op_stride = sizeof(row->ops[0]);
	}
	job = prepared_job(test, f.vm, &args);
	msm_vm_bind_job_free(f.vm, job);
	KUNIT_EXPECT_NULL_MSG(test, msm_vm_unusable(f.vm), "%s", row->name);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(i)),
				    conf_bo_phys(f.a, (u64)i * SZ_4K), "%s: page %u", row->name, i);
	conf_describe(test, f.vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ_MSG(test, desc, row->dump ? "0x400000+0x4000=1@0x0+D" :
			       "0x400000+0x4000=1@0x0", "%s", row->name);
	bind_teardown(test, &f);
}

/*
 * A VM marked unusable (a GPU fault, a failed bind) maps nothing more, as
 * upstream: a job prepared before it still does its unmaps when it runs,
 * but not its maps, which the vm_log does not show either.
 */
static void a_job_run_on_an_unusable_vm_unmaps_but_maps_nothing(struct kunit *test)
{
	const struct drm_msm_vm_bind_op setup = MAP(HA, 0, PG(0), SZ_16K);
	struct drm_msm_vm_bind_op ops[] = {
		UNMAP(PG(0), SZ_16K),
		MAP(HB, 0, PG(8), SZ_8K),
	};
	struct drm_msm_vm_bind args = {};
	struct msm_vm_log_entry log[16];
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct bind_fixture f;
	unsigned int n;

	bind_setup(test, &f);
	KUNIT_ASSERT_EQ(test, conf_bind(test, f.vm, &setup, 1), 0);
	args = (struct drm_msm_vm_bind) {
		.nr_ops = ARRAY_SIZE(ops), .ops = conf_user_ops(test, ops, ARRAY_SIZE(ops)),
		.op_stride = sizeof(ops[0]),
	};
	job = prepared_job(test, f.vm, &args);
	msm_vm_mark_unusable(f.vm, "gpu fault");
	msm_vm_bind_job_run(f.vm, job);
	msm_vm_bind_job_free(f.vm, job);

	for (n = 0; n < 4; n++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(n)), 0, "page %u", n);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(8)), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(9)), 0);
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(f.vm), "gpu fault");
	n = msm_vm_log_read(f.vm, log, ARRAY_SIZE(log));
	KUNIT_ASSERT_EQ(test, n, 2);
	KUNIT_EXPECT_STREQ(test, log[0].op, "map");
	KUNIT_EXPECT_STREQ(test, log[1].op, "unmap");
	KUNIT_EXPECT_EQ(test, log[1].iova, PG(0));
	bind_teardown(test, &f);
}

/*
 * Jobs of one VM write its page tables in the order they were prepared,
 * whatever queue they came from: the VA tree is the truth of the last
 * prepare.  A job applied before an earlier one is refused (no map; its
 * unmaps still go) and the VM is lost ("bind out of order"): a driver bug.
 */
static void jobs_applied_out_of_order_are_refused_and_lose_the_vm(struct kunit *test)
{
	struct drm_msm_vm_bind first = { .nr_ops = 1, .op = MAP(HA, 0, PG(0), SZ_8K) };
	struct drm_msm_vm_bind second = { .nr_ops = 1, .op = MAP(HB, 0, PG(8), SZ_8K) };
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job1, *job2;
	struct bind_fixture f;

	bind_setup(test, &f);
	job1 = prepared_job(test, f.vm, &first);
	job2 = prepared_job(test, f.vm, &second);
	msm_vm_bind_job_run(f.vm, job2);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(8)), 0);
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(f.vm), "bind out of order");
	msm_vm_bind_job_run(f.vm, job1);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), 0);
	msm_vm_bind_job_free(f.vm, job1);
	msm_vm_bind_job_free(f.vm, job2);
	bind_teardown(test, &f);
}

/* In order, from two "queues": both jobs write, the VM stays usable. */
static void jobs_applied_in_prepare_order_both_write(struct kunit *test)
{
	struct drm_msm_vm_bind first = { .nr_ops = 1, .op = MAP(HA, 0, PG(0), SZ_8K) };
	struct drm_msm_vm_bind second = { .nr_ops = 1, .op = UNMAP(PG(1), SZ_4K) };
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job1, *job2;
	struct bind_fixture f;

	bind_setup(test, &f);
	job1 = prepared_job(test, f.vm, &first);
	job2 = prepared_job(test, f.vm, &second);
	msm_vm_bind_job_run(f.vm, job1);
	msm_vm_bind_job_run(f.vm, job2);
	msm_vm_bind_job_free(f.vm, job2);
	msm_vm_bind_job_free(f.vm, job1);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(0)), conf_bo_phys(f.a, 0));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, PG(1)), 0);
	KUNIT_EXPECT_NULL(test, msm_vm_unusable(f.vm));
	bind_teardown(test, &f);
}

/* ---- Fault injection ---- */

/*
 * Unmap what is left with a bind if the VM is usable, then close it as the
 * driver does; with allocations working again.
 */
static void fault_cleanup(struct kunit *test, struct msm_vm *vm)
{
	const struct drm_msm_vm_bind_op all = UNMAP(CONF_USER_START, CONF_USER_SIZE);
	struct conf *c = test->priv;
	unsigned int i;

	msm_vm_fail_nth_alloc(0);
	if (!msm_vm_unusable(vm))
		KUNIT_EXPECT_EQ(test, conf_bind(test, vm, &all, 1), 0);
	bind_close(test, vm);
	msm_vm_put(vm);
	/*
	 * Whatever happened, no PTE is left behind: one that outlived its
	 * VMA would still point at BO pages after the BO is freed.
	 */
	for (i = 0; i < 32; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, PG(i)), 0, "page %u", i);
}

/* What a failed call must leave as it was: VMAs, the PTEs of pages 0-31, the vm_log. */
struct fault_snap {
	char desc[256];
	phys_addr_t pte[32];
	unsigned int nlog;
	struct msm_vm_log_entry log[16];
};

static void fault_snap(struct kunit *test, struct msm_vm *vm, struct fault_snap *snap)
{
	struct conf *c = test->priv;
	unsigned int i;

	memset(snap, 0, sizeof(*snap));
	conf_describe(test, vm, snap->desc, sizeof(snap->desc));
	for (i = 0; i < ARRAY_SIZE(snap->pte); i++)
		snap->pte[i] = msm_vm_test_mmu_phys(c->mmu, PG(i));
	snap->nlog = msm_vm_log_read(vm, snap->log, ARRAY_SIZE(snap->log));
}

/* After a failed bind: usable and exactly as before, VMAs, PTEs and vm_log. */
static void expect_unchanged(struct kunit *test, struct msm_vm *vm, const struct fault_snap *before,
			     const char *what, unsigned int n)
{
	struct fault_snap after;

	fault_snap(test, vm, &after);
	KUNIT_EXPECT_NULL_MSG(test, msm_vm_unusable(vm), "n=%u %s", n, what);
	KUNIT_EXPECT_STREQ_MSG(test, after.desc, before->desc, "n=%u %s", n, what);
	KUNIT_EXPECT_MEMEQ_MSG(test, after.pte, before->pte, sizeof(after.pte),
			       "n=%u %s: PTEs", n, what);
	KUNIT_EXPECT_EQ_MSG(test, after.nlog, before->nlog, "n=%u %s: vm_log", n, what);
	KUNIT_EXPECT_MEMEQ_MSG(test, after.log, before->log, sizeof(after.log),
			       "n=%u %s: vm_log", n, what);
}

/*
 * Fail the n-th allocation of the core, for n = 1, 2, ... until the whole
 * sequence (create a VM, map, a batch that splits and unmaps, unmap all)
 * passes without a failure.  Each failure is -ENOMEM; after it the VM is
 * exactly as before the failing call (VMAs, PTEs, vm_log) and usable, even
 * when the batch's ops after the first allocate; and once cleaned up no VM,
 * VMA, vm_bo or job is left.
 */
static void every_failed_allocation_leaves_the_vm_unchanged_and_usable(struct kunit *test)
{
	const struct drm_msm_vm_bind_op setup = MAP(HA, 0, PG(0), SZ_32K);
	const struct drm_msm_vm_bind_op batch[] = {
		MAP(HB, 0, PG(2), SZ_8K),
		UNMAP(PG(6), SZ_4K),
		MAP_NULL(PG(20), SZ_16K),
		MAP(HA, SZ_4K, PG(7), SZ_4K),
	};
	const struct drm_msm_vm_bind_op all = UNMAP(CONF_USER_START, CONF_USER_SIZE);
	struct conf *c = test->priv;
	struct drm_gem_object *a = conf_bo_new(test, SZ_64K);
	struct drm_gem_object *b = conf_bo_new(test, SZ_64K);
	unsigned int n, failures = 0;
	struct fault_snap before;
	struct msm_vm_live live;
	struct msm_vm *vm;
	int ret;

	KUNIT_ASSERT_EQ(test, conf_handle(test, a), HA);
	KUNIT_ASSERT_EQ(test, conf_handle(test, b), HB);
	for (n = 1; n < 1000; n++) {
		struct msm_vm_create_info info = {
			.drm = c->drm, .mmu = &c->mmu->base, .bo_funcs = &conf_bo_funcs,
			.name = "conf-user", .va_start = CONF_USER_START,
			.va_size = CONF_USER_SIZE, .has_prr = true, .log_shift = 4,
		};

		msm_vm_fail_nth_alloc(n);
		vm = msm_vm_create(c->core, &info);
		if (IS_ERR(vm)) {
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(vm), -ENOMEM, "n=%u create", n);
			goto next;
		}

		fault_snap(test, vm, &before);
		ret = conf_bind(test, vm, &setup, 1);
		if (ret) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "n=%u setup", n);
			expect_unchanged(test, vm, &before, "setup", n);
			goto cleanup;
		}

		fault_snap(test, vm, &before);
		ret = conf_bind(test, vm, batch, ARRAY_SIZE(batch));
		if (ret) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "n=%u batch", n);
			expect_unchanged(test, vm, &before, "batch", n);
			goto cleanup;
		}

		fault_snap(test, vm, &before);
		ret = conf_bind(test, vm, &all, 1);
		if (ret) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "n=%u unmap all", n);
			expect_unchanged(test, vm, &before, "unmap all", n);
		} else {
			/* All went through: the n-th allocation must not have come. */
			KUNIT_EXPECT_TRUE_MSG(test, msm_vm_alloc_failure_pending(),
					      "n=%u: an injected failure was swallowed", n);
		}
cleanup:
		fault_cleanup(test, vm);
next:
		msm_vm_fail_nth_alloc(0);
		conf_live(test, &live);
		KUNIT_EXPECT_EQ_MSG(test, live.vms, c->live.vms, "n=%u", n);
		KUNIT_EXPECT_EQ_MSG(test, live.vmas, c->live.vmas, "n=%u", n);
		KUNIT_EXPECT_EQ_MSG(test, live.vm_bos, c->live.vm_bos, "n=%u", n);
		KUNIT_EXPECT_EQ_MSG(test, live.jobs, c->live.jobs, "n=%u", n);
		if (!ret && !IS_ERR(vm))
			break;	/* n is past the last allocation */
		failures++;
	}
	kunit_info(test, "failed each of %u allocations in turn\n", failures);
	/* The sequence allocates: make sure this test injected something. */
	KUNIT_EXPECT_GE(test, failures, 10);
}

/* ---- vm_log ---- */

static void the_vm_log_keeps_the_last_writes_oldest_first(struct kunit *test)
{
	struct drm_msm_vm_bind args = { .queue_id = 7 };
	struct msm_vm_log_entry log[32];
	struct drm_msm_vm_bind_op op;
	struct bind_fixture f;
	unsigned int i, n;

	bind_setup(test, &f);
	KUNIT_EXPECT_EQ(test, msm_vm_log_read(f.vm, log, ARRAY_SIZE(log)), 0);
	op = (struct drm_msm_vm_bind_op)MAP(HA, 0, PG(0), SZ_4K);
	KUNIT_ASSERT_EQ(test, conf_bind_args(test, f.vm, &args, &op, 1, 0), 0);
	op = (struct drm_msm_vm_bind_op)UNMAP(PG(0), SZ_4K);
	KUNIT_ASSERT_EQ(test, conf_bind_args(test, f.vm, &args, &op, 1, 0), 0);
	n = msm_vm_log_read(f.vm, log, ARRAY_SIZE(log));
	KUNIT_ASSERT_EQ(test, n, 2);
	KUNIT_EXPECT_STREQ(test, log[0].op, "map");
	KUNIT_EXPECT_EQ(test, log[0].iova, PG(0));
	KUNIT_EXPECT_EQ(test, log[0].range, SZ_4K);
	KUNIT_EXPECT_EQ(test, log[0].queue_id, 7);
	KUNIT_EXPECT_STREQ(test, log[1].op, "unmap");

	/* 20 more MAP_NULLs: the 16-entry ring keeps the last 16. */
	for (i = 0; i < 20; i++) {
		op = (struct drm_msm_vm_bind_op)MAP_NULL(PG(i), SZ_4K);
		args.queue_id = i;
		KUNIT_ASSERT_EQ(test, conf_bind_args(test, f.vm, &args, &op, 1, 0), 0);
	}
	n = msm_vm_log_read(f.vm, log, ARRAY_SIZE(log));
	KUNIT_ASSERT_EQ(test, n, 16);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_STREQ(test, log[i].op, "map_null");
		KUNIT_EXPECT_EQ(test, log[i].queue_id, i + 4);
		KUNIT_EXPECT_EQ(test, log[i].iova, PG(i + 4));
	}
	/* Fewer asked, the newest given. */
	KUNIT_EXPECT_EQ(test, msm_vm_log_read(f.vm, log, 2), 2);
	KUNIT_EXPECT_EQ(test, log[1].queue_id, 19);
	bind_teardown(test, &f);
}

/* ---- Random batches against an independent model ---- */

/*
 * The window the random ops stay in: four regions of 64 pages, where the
 * page tables are at their edges.  The VM's first pages, a 2 MiB boundary
 * (two last-level tables), a 1 GiB boundary (two level-2 tables) and the
 * VM's last pages.  An op stays inside one region.
 */
#define ORACLE_REGIONS		4
#define ORACLE_REGION_PAGES	64
#define ORACLE_PAGES		(ORACLE_REGIONS * ORACLE_REGION_PAGES)
#define ORACLE_BOS		3
#define ORACLE_BO_PAGES		64

static const u64 oracle_region[ORACLE_REGIONS] = {
	CONF_USER_START,
	SZ_4M - 32 * SZ_4K,
	SZ_1G - 32 * SZ_4K,
	VM_END - ORACLE_REGION_PAGES * SZ_4K,
};

/* The GPU address of page @slot of the window. */
static u64 oracle_va(unsigned int slot)
{
	return oracle_region[slot / ORACLE_REGION_PAGES] +
	       (u64)(slot % ORACLE_REGION_PAGES) * SZ_4K;
}

/* The page of the window at @va, or -1 if @va is outside it. */
static int oracle_slot(u64 va)
{
	unsigned int r;

	for (r = 0; r < ORACLE_REGIONS; r++)
		if (va >= oracle_region[r] &&
		    va < oracle_region[r] + ORACLE_REGION_PAGES * SZ_4K)
			return r * ORACLE_REGION_PAGES + (va - oracle_region[r]) / SZ_4K;
	return -1;
}

/**
 * struct oracle_page - what one page of the window should map
 * @kind: 0 unmapped, 1 a BO page, 2 PRR
 * @dump: its VMA has MSM_VM_BIND_OP_DUMP
 * @bo: index of the BO
 * @page: page of the BO
 */
struct oracle_page {
	u8 kind;
	u8 dump;
	u8 bo;
	u16 page;
};

static u64 oracle_seed;

static int bind_suite_init(struct kunit_suite *suite)
{
	oracle_seed = get_random_u64();
	pr_info("msm_vm_bind: random seed %llu\n", oracle_seed);
	return conf_suite_init(suite);
}

static void oracle_apply(struct oracle_page *model, const struct drm_msm_vm_bind_op *op,
			 u32 *handles)
{
	u64 first = oracle_slot(op->iova), n = op->range / SZ_4K, i;
	u8 bo = 0;

	for (bo = 0; bo < ORACLE_BOS && op->op == MSM_VM_BIND_OP_MAP; bo++)
		if (handles[bo] == op->handle)
			break;
	for (i = 0; i < n; i++) {
		struct oracle_page *p = &model[first + i];

		if (op->op == MSM_VM_BIND_OP_UNMAP)
			*p = (struct oracle_page) { .kind = 0 };
		else if (op->op == MSM_VM_BIND_OP_MAP_NULL)
			/* DUMP is ignored on MAP_NULL. */
			*p = (struct oracle_page) { .kind = 2 };
		else
			*p = (struct oracle_page) {
				.kind = 1, .bo = bo, .page = op->obj_offset / SZ_4K + i,
				.dump = !!(op->flags & MSM_VM_BIND_OP_DUMP),
			};
	}
}

static void oracle_random_op(struct rnd_state *rnd, struct drm_msm_vm_bind_op *op,
			     u32 *handles)
{
	u32 region = prandom_u32_state(rnd) % ORACLE_REGIONS;
	u32 first = prandom_u32_state(rnd) % ORACLE_REGION_PAGES;
	u32 n = 1 + prandom_u32_state(rnd) % min_t(u32, 16, ORACLE_REGION_PAGES - first);
	u64 va = oracle_va(region * ORACLE_REGION_PAGES + first);
	u32 kind = prandom_u32_state(rnd) % 8;
	u32 flags = prandom_u32_state(rnd) % 4 ? 0 : MSM_VM_BIND_OP_DUMP;

	if (kind < 4) {
		u32 bo = prandom_u32_state(rnd) % ORACLE_BOS;
		u32 off = prandom_u32_state(rnd) % (ORACLE_BO_PAGES - n + 1);

		*op = (struct drm_msm_vm_bind_op)MAP(handles[bo], (u64)off * SZ_4K, va,
						     (u64)n * SZ_4K);
	} else if (kind < 6) {
		*op = (struct drm_msm_vm_bind_op)UNMAP(va, (u64)n * SZ_4K);
	} else {
		*op = (struct drm_msm_vm_bind_op)MAP_NULL(va, (u64)n * SZ_4K);
	}
	op->flags = op->op == MSM_VM_BIND_OP_UNMAP ? 0 : flags;
}

/*
 * Every page of the window, in the VMAs and in the page table, = the model;
 * no VMA outside the window, no PTE just outside its regions.
 */
static bool oracle_check(struct kunit *test, struct msm_vm *vm, struct oracle_page *model,
			 struct drm_gem_object **bos, unsigned int batch)
{
	struct conf *c = test->priv;
	phys_addr_t prr = page_to_phys(c->mmu->prr_page);
	struct oracle_page *seen;
	struct msm_vm_va_info *info;
	struct drm_exec exec;
	unsigned int n, i, j, r;
	bool ok = true;

	/* Each VMA covers a page of the window at least, or is a failure. */
	info = kunit_kcalloc(test, ORACLE_PAGES + 1, sizeof(*info), GFP_KERNEL);
	seen = kunit_kcalloc(test, ORACLE_PAGES, sizeof(*seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	conf_lock(test, &exec, vm, NULL, 0);
	n = msm_vm_vmas(vm, info, ORACLE_PAGES + 1);
	drm_exec_fini(&exec);
	KUNIT_ASSERT_LE_MSG(test, n, ORACLE_PAGES, "batch %u: more VMAs than pages", batch);
	for (i = 0; i < n && ok; i++) {
		for (j = 0; j < info[i].range / SZ_4K; j++) {
			u64 va = info[i].iova + (u64)j * SZ_4K;
			int slot = oracle_slot(va);
			struct oracle_page *p;
			u8 bo;

			if (slot < 0) {
				KUNIT_FAIL(test, "batch %u: VMA page 0x%llx outside the window",
					   batch, va);
				ok = false;
				break;
			}
			p = &seen[slot];
			if (p->kind) {
				KUNIT_FAIL(test, "batch %u: page 0x%llx in two VMAs", batch, va);
				ok = false;
			}
			if (!info[i].obj) {
				*p = (struct oracle_page) {
					.kind = 2, .dump = !!(info[i].flags & MSM_VM_BIND_OP_DUMP),
				};
				continue;
			}
			for (bo = 0; bo < ORACLE_BOS; bo++)
				if (bos[bo] == info[i].obj)
					break;
			*p = (struct oracle_page) {
				.kind = 1, .bo = bo, .page = info[i].offset / SZ_4K + j,
				.dump = !!(info[i].flags & MSM_VM_BIND_OP_DUMP),
			};
		}
	}
	for (i = 0; i < ORACLE_PAGES && ok; i++) {
		phys_addr_t want = 0, pa = msm_vm_test_mmu_phys(c->mmu, oracle_va(i));

		if (memcmp(&seen[i], &model[i], sizeof(seen[i]))) {
			KUNIT_FAIL(test, "batch %u page 0x%llx: VMA %u/%u/%u/%u, model %u/%u/%u/%u",
				   batch, oracle_va(i), seen[i].kind, seen[i].bo, seen[i].page,
				   seen[i].dump, model[i].kind, model[i].bo, model[i].page,
				   model[i].dump);
			ok = false;
		}
		if (model[i].kind == 1)
			want = conf_bo_phys(bos[model[i].bo], (u64)model[i].page * SZ_4K);
		else if (model[i].kind == 2)
			want = prr;
		if (pa != want) {
			KUNIT_FAIL(test, "batch %u: page 0x%llx PTE %pa, model %pa",
				   batch, oracle_va(i), &pa, &want);
			ok = false;
		}
	}
	/* The pages around each region, where they are inside the VM. */
	for (r = 0; r < ORACLE_REGIONS && ok; r++) {
		u64 below = oracle_region[r] - SZ_4K;
		u64 above = oracle_region[r] + ORACLE_REGION_PAGES * SZ_4K;

		if (below >= CONF_USER_START && oracle_slot(below) < 0 &&
		    msm_vm_test_mmu_phys(c->mmu, below)) {
			KUNIT_FAIL(test, "batch %u: PTE below region %u", batch, r);
			ok = false;
		}
		if (above < VM_END && oracle_slot(above) < 0 &&
		    msm_vm_test_mmu_phys(c->mmu, above)) {
			KUNIT_FAIL(test, "batch %u: PTE above region %u", batch, r);
			ok = false;
		}
	}
	kunit_kfree(test, seen);
	kunit_kfree(test, info);
	return ok;
}

static void random_batches_match_the_model(struct kunit *test, unsigned int nr_ops)
{
	struct drm_gem_object *bos[ORACLE_BOS];
	struct drm_msm_vm_bind_op ops[8];
	struct oracle_page *model;
	struct rnd_state rnd;
	struct msm_vm *vm;
	u32 handles[ORACLE_BOS];
	unsigned int done = 0, batch = 0, i;

	kunit_info(test, "seed %llu, %u ops\n", oracle_seed, nr_ops);
	prandom_seed_state(&rnd, oracle_seed);
	for (i = 0; i < ORACLE_BOS; i++) {
		bos[i] = conf_bo_new(test, ORACLE_BO_PAGES * SZ_4K);
		handles[i] = conf_handle(test, bos[i]);
	}
	model = kunit_kcalloc(test, ORACLE_PAGES, sizeof(*model), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, model);
	vm = conf_user_vm(test);

	while (done < nr_ops) {
		u32 n = 1 + prandom_u32_state(&rnd) % ARRAY_SIZE(ops);

		for (i = 0; i < n; i++) {
			oracle_random_op(&rnd, &ops[i], handles);
			oracle_apply(model, &ops[i], handles);
		}
		KUNIT_ASSERT_EQ(test, conf_bind(test, vm, ops, n), 0);
		if (!oracle_check(test, vm, model, bos, batch))
			break;
		done += n;
		batch++;
		cond_resched();
	}
	kunit_info(test, "%u ops in %u batches matched the model\n", done, batch);
	ops[0] = (struct drm_msm_vm_bind_op)UNMAP(CONF_USER_START, CONF_USER_SIZE);
	KUNIT_EXPECT_EQ(test, conf_bind(test, vm, ops, 1), 0);
	msm_vm_put(vm);
}

static void random_batches_of_10k_ops_match_the_model(struct kunit *test)
{
	random_batches_match_the_model(test, 10000);
}

static void random_batches_of_100k_ops_match_the_model(struct kunit *test)
{
	random_batches_match_the_model(test, 100000);
}

/* ---- Every case of drm_gpuvm's "Split and Merge" DOC, and the unmaps ---- */

/**
 * struct split_case - a request on a VM holding some VMAs
 * @name: the case, numbered as in drm_gpuvm's DOC where it is one of them
 * @setup: the VMAs before, made by these ops
 * @nr_setup: entries of @setup
 * @req: the request
 * @want: the VMAs after, as conf_describe() writes them
 */
struct split_case {
	const char *name;
	struct drm_msm_vm_bind_op setup[2];
	unsigned int nr_setup;
	struct drm_msm_vm_bind_op req;
	const char *want;
};

/* Page p of the pictures is PG(p); BO offsets in pages too. */
#define SMAP(h, off, p, n)	MAP(h, (u64)(off) * SZ_4K, PG(p), (u64)(n) * SZ_4K)
#define SNULL(p, n)		MAP_NULL(PG(p), (u64)(n) * SZ_4K)
#define SUNMAP(p, n)		UNMAP(PG(p), (u64)(n) * SZ_4K)

static const struct split_case split_cases[] = {
	/*  1: old AAAAAA@0, req AAAAAA@0: identical, kept */
	{ "1) identical", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HA, 0, 0, 6),
	  "0x400000+0x6000=1@0x0" },
	/*  2: old AAAAAA@0, req AAAAAA@2: replaced */
	{ "2) identical but the BO offset", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HA, 2, 0, 6),
	  "0x400000+0x6000=1@0x2000" },
	/*  3: old AAAAAA, req BBBBBB: replaced */
	{ "3) identical but the BO", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HB, 0, 0, 6),
	  "0x400000+0x6000=2@0x0" },
	/*  4: old AA, req AAAAAA: replaced */
	{ "4) old a left aligned subset of req", { SMAP(HA, 0, 0, 2) }, 1, SMAP(HA, 0, 0, 6),
	  "0x400000+0x6000=1@0x0" },
	/*  5: old AAAAAA, req BB: BBAAAA */
	{ "5) req a left aligned subset, other BO", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HB, 0, 0, 2),
	  "0x400000+0x2000=2@0x0 0x402000+0x4000=1@0x2000" },
	/*  6: old AAAAAA, req AA@0: split, no merge */
	{ "6) req a left aligned subset, same BO", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HA, 0, 0, 2),
	  "0x400000+0x2000=1@0x0 0x402000+0x4000=1@0x2000" },
	/*  7: old AAAAAA, req ..BBBB: AABBBB */
	{ "7) req a right aligned subset, other BO", { SMAP(HA, 0, 0, 6) }, 1,
	  SMAP(HB, 0, 2, 4), "0x400000+0x2000=1@0x0 0x402000+0x4000=2@0x0" },
	/*  8: old AAAAAA, req ..AAAA@2: split, no merge */
	{ "8) req a right aligned subset, same BO", { SMAP(HA, 0, 0, 6) }, 1,
	  SMAP(HA, 2, 2, 4), "0x400000+0x2000=1@0x0 0x402000+0x4000=1@0x2000" },
	/*  9: old AAAAAA, req ....BBBBBB: AAAABBBBBB */
	{ "9) req overlaps the end, other BO", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HB, 0, 4, 6),
	  "0x400000+0x4000=1@0x0 0x404000+0x6000=2@0x0" },
	/* 10: old AAAAAA, req ....AAAAAA@4 */
	{ "10) req overlaps the end, same BO", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HA, 4, 4, 6),
	  "0x400000+0x4000=1@0x0 0x404000+0x6000=1@0x4000" },
	/* 11: old AAAAAA, req ..BB..: AABBAA */
	{ "11) req a centered subset, other BO", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HB, 0, 2, 2),
	  "0x400000+0x2000=1@0x0 0x402000+0x2000=2@0x0 0x404000+0x2000=1@0x4000" },
	/* 12: old AAAAAA, req ..AA..@2 */
	{ "12) req a centered subset, same BO", { SMAP(HA, 0, 0, 6) }, 1, SMAP(HA, 2, 2, 2),
	  "0x400000+0x2000=1@0x0 0x402000+0x2000=1@0x2000 0x404000+0x2000=1@0x4000" },
	/* 13: old ..AAAA@2, req AAAAAA@0 */
	{ "13) old a right aligned subset of req", { SMAP(HA, 2, 2, 4) }, 1, SMAP(HA, 0, 0, 6),
	  "0x400000+0x6000=1@0x0" },
	/* 14: old ..AA..@2, req AAAAAA@0 */
	{ "14) old a centered subset of req", { SMAP(HA, 2, 2, 2) }, 1, SMAP(HA, 0, 0, 6),
	  "0x400000+0x6000=1@0x0" },
	/* 15: old ..AAAAAA, req BBBB: BBBBAAAA */
	{ "15) req overlaps the start, other BO", { SMAP(HA, 0, 2, 6) }, 1, SMAP(HB, 0, 0, 4),
	  "0x400000+0x4000=2@0x0 0x404000+0x4000=1@0x2000" },
	/* 16: old ..AAAAAA@2, req AAAA@0 */
	{ "16) req overlaps the start, same BO", { SMAP(HA, 2, 2, 6) }, 1, SMAP(HA, 0, 0, 4),
	  "0x400000+0x4000=1@0x0 0x404000+0x4000=1@0x4000" },
	/* More pictures: these are the ones Documentation/gpu/msm-vm.rst draws. */
	/* old: (none), req AAAA: one VMA */
	{ "map into a hole", {}, 0, SMAP(HA, 0, 0, 4), "0x400000+0x4000=1@0x0" },
	/* old: AAAA.BBBB, req ..000000: AA000000B, B keeps its BO offset */
	{ "MAP_NULL across two VMAs", { SMAP(HA, 0, 0, 4), SMAP(HB, 0, 5, 4) }, 2, SNULL(2, 6),
	  "0x400000+0x2000=1@0x0 0x402000+0x6000=null 0x408000+0x1000=2@0x3000" },
	/* old: AAAAAAAA, req ..----..: AA....AA */
	{ "unmap inside a VMA", { SMAP(HA, 0, 0, 8) }, 1, SUNMAP(2, 4),
	  "0x400000+0x2000=1@0x0 0x406000+0x2000=1@0x6000" },
	/* old: AAAA, req BBBBBB@4: A replaced */
	{ "map over a whole VMA and beyond", { SMAP(HA, 0, 0, 4) }, 1, SMAP(HB, 4, 0, 6),
	  "0x400000+0x6000=2@0x4000" },
	/* Unmaps and MAP_NULL. */
	{ "unmap all of a VMA", { SMAP(HA, 0, 0, 6) }, 1, SUNMAP(0, 6), "" },
	{ "unmap its start", { SMAP(HA, 0, 0, 6) }, 1, SUNMAP(0, 2),
	  "0x402000+0x4000=1@0x2000" },
	{ "unmap its end", { SMAP(HA, 0, 0, 6) }, 1, SUNMAP(4, 4), "0x400000+0x4000=1@0x0" },
	{ "unmap across two VMAs", { SMAP(HA, 0, 0, 4), SMAP(HB, 0, 4, 4) }, 2, SUNMAP(2, 4),
	  "0x400000+0x2000=1@0x0 0x406000+0x2000=2@0x2000" },
	{ "unmap around a VMA", { SMAP(HA, 0, 2, 2) }, 1, SUNMAP(0, 8), "" },
	{ "MAP_NULL inside a VMA", { SMAP(HA, 0, 0, 6) }, 1, SNULL(2, 2),
	  "0x400000+0x2000=1@0x0 0x402000+0x2000=null 0x404000+0x2000=1@0x4000" },
	{ "map over part of a MAP_NULL range", { SNULL(0, 6) }, 1, SMAP(HB, 1, 2, 2),
	  "0x400000+0x2000=null 0x402000+0x2000=2@0x1000 0x404000+0x2000=null" },
	{ "unmap part of a MAP_NULL range", { SNULL(0, 6) }, 1, SUNMAP(0, 4),
	  "0x404000+0x2000=null" },
};

DEFINE_ROWS_GEN_PARAMS(split, split_cases);

/*
 * Each case as two binds, setup then request: the VMAs after are exactly
 * the row's (how drm_gpuvm split them), and every PTE of the pictures'
 * window is what the independent model says.
 */
static void split_case_yields_its_vmas_and_ptes(struct kunit *test)
{
	const struct row_param *p = test->param_value;
	const struct split_case *row = p->row;
	struct drm_gem_object *bos[ORACLE_BOS];
	struct oracle_page *model;
	u32 handles[ORACLE_BOS];
	struct msm_vm *vm;
	char desc[256];
	unsigned int i;

	for (i = 0; i < ORACLE_BOS; i++) {
		bos[i] = conf_bo_new(test, ORACLE_BO_PAGES * SZ_4K);
		handles[i] = conf_handle(test, bos[i]);
	}
	KUNIT_ASSERT_EQ(test, handles[0], HA);
	KUNIT_ASSERT_EQ(test, handles[1], HB);
	model = kunit_kcalloc(test, ORACLE_PAGES, sizeof(*model), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, model);
	vm = conf_user_vm(test);

	for (i = 0; i < row->nr_setup; i++)
		oracle_apply(model, &row->setup[i], handles);
	KUNIT_ASSERT_EQ(test, conf_bind(test, vm, row->setup, row->nr_setup), 0);
	oracle_apply(model, &row->req, handles);
	KUNIT_ASSERT_EQ(test, conf_bind(test, vm, &row->req, 1), 0);

	conf_describe(test, vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, row->want);
	oracle_check(test, vm, model, bos, 0);

	bind_close(test, vm);
	msm_vm_put(vm);
}

static struct kunit_case msm_vm_bind_cases[] = {
	KUNIT_CASE_PARAM(bind_refuses_bad_input_and_changes_nothing, bad_gen_params),
	KUNIT_CASE_PARAM(split_case_yields_its_vmas_and_ptes, split_gen_params),
	KUNIT_CASE_PARAM(bind_on_an_unusable_vm_is_epipe, core_gen_params),
	KUNIT_CASE_PARAM(bind_on_a_kernel_managed_vm_is_einval, core_gen_params),
	KUNIT_CASE_PARAM(map_over_a_whole_vma_drops_the_old_bo_reference, core_gen_params),
	KUNIT_CASE_PARAM(an_identical_map_only_updates_the_dump_flag, core_gen_params),
	KUNIT_CASE_PARAM(map_at_a_bo_offset_maps_the_pages_at_that_offset, core_gen_params),
	KUNIT_CASE_PARAM(a_bo_table_rebuilt_after_unmap_is_indexed_anew, core_gen_params),
	KUNIT_CASE_PARAM(a_map_null_takes_no_dump_flag, core_gen_params),
	KUNIT_CASE_PARAM(a_bo_in_two_vm_bind_vms_is_mapped_in_each_on_its_own, core_gen_params),
	KUNIT_CASE_PARAM(vma_map_refuses_a_vm_bind_vma, core_gen_params),
	KUNIT_CASE_PARAM(validate_maps_evicted_vmas_again_at_their_offsets, core_gen_params),
	KUNIT_CASE_PARAM(validate_on_a_kernel_managed_vm_is_einval, core_gen_params),
	KUNIT_CASE_PARAM(an_unmap_before_the_bind_ran_leaves_no_pte_and_loses_the_vm,
			 core_gen_params),
	KUNIT_CASE_PARAM(an_unmap_after_the_bind_ran_is_an_eviction, core_gen_params),
	KUNIT_CASE_PARAM(maps_take_the_protection_of_their_bo, core_gen_params),
	KUNIT_CASE_PARAM(a_jobs_bos_are_locked_once_each_with_a_fence_slot, core_gen_params),
	KUNIT_CASE_PARAM(a_job_walks_the_bo_of_each_map_op_no_share_ones_too, core_gen_params),
	KUNIT_CASE_PARAM_ATTR(batches_of_100k_ops_bind_sorted_or_not, core_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM(a_jobs_page_count_is_known_at_create_and_allocated_in_prepare,
			 core_gen_params),
	KUNIT_CASE_PARAM(a_job_above_the_page_cap_is_enomem_before_allocating, core_gen_params),
	KUNIT_CASE_PARAM(a_batch_whose_count_would_wrap_32_bits_stops_at_the_cap, core_gen_params),
	KUNIT_CASE_PARAM(maps_in_one_2m_block_preallocate_exactly_their_tables, core_gen_params),
	KUNIT_CASE_PARAM(unsorted_maps_in_one_2m_block_preallocate_exactly_their_tables,
			 core_gen_params),
	KUNIT_CASE_PARAM(sorted_ops_count_each_shared_table_once, core_gen_params),
	KUNIT_CASE_PARAM(unsorted_maps_stay_within_the_documented_bound, core_gen_params),
	KUNIT_CASE_PARAM(a_failed_preallocation_is_enomem_and_changes_nothing, core_gen_params),
	KUNIT_CASE_PARAM(a_failure_at_the_first_op_changes_nothing, core_gen_params),
	KUNIT_CASE_PARAM(a_failure_at_a_later_op_changes_nothing_and_keeps_the_vm_usable,
			 core_gen_params),
	KUNIT_CASE_PARAM(a_map_failing_in_run_makes_the_vm_unusable_but_unmaps_complete,
			 core_gen_params),
	KUNIT_CASE_PARAM(a_job_freed_unrun_unmaps_and_loses_the_vm_only_if_it_mapped,
			 core_gen_params),
	KUNIT_CASE_PARAM(a_job_that_writes_no_pte_freed_unrun_keeps_the_vm_usable,
			 unrun_gen_params),
	KUNIT_CASE_PARAM(a_job_run_on_an_unusable_vm_unmaps_but_maps_nothing, core_gen_params),
	KUNIT_CASE_PARAM(jobs_applied_out_of_order_are_refused_and_lose_the_vm, core_gen_params),
	KUNIT_CASE_PARAM(jobs_applied_in_prepare_order_both_write, core_gen_params),
	KUNIT_CASE_PARAM(every_failed_allocation_leaves_the_vm_unchanged_and_usable,
			 core_gen_params),
	KUNIT_CASE_PARAM(the_vm_log_keeps_the_last_writes_oldest_first, core_gen_params),
	KUNIT_CASE_PARAM(random_batches_of_10k_ops_match_the_model, core_gen_params),
	KUNIT_CASE_PARAM_ATTR(random_batches_of_100k_ops_match_the_model, core_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite msm_vm_bind_suite = {
	.name = "msm_vm_bind",
	.suite_init = bind_suite_init,
	.suite_exit = conf_suite_exit,
	.init = conf_init,
	.exit = conf_exit,
	.test_cases = msm_vm_bind_cases,
};

kunit_test_suite(msm_vm_bind_suite);
