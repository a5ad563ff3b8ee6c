// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmarks of the msm VM cores, and of the floor they stand on.
 *
 * The core cases drive the contract exactly as the msm driver does (create,
 * lock, prepare, unlock, run, free), with the ops in user memory, on the
 * conformance fixture: shmem BOs and a test MMU over io-pgtable-arm, a new
 * one per repetition so that every repetition starts from empty page tables.
 * The floor case does the same work with nothing but drm_gpuva
 * insert/remove and io-pgtable map_pages/unmap_pages, with and without one
 * kzalloc()/kfree() per VA.
 *
 * Nothing here asserts on time.  Every case asserts on counts: each bind
 * succeeds, the VMAs and PTEs are what the ops say, pre-allocation is never
 * short nor above its bound.  Each result is one line of the kernel log:
 *
 *   msm-vm-bench: scenario=S core=C ops=N reps=R ns_op=M min=A max=B
 *     pages=P need=D used=E bound=U create=.. lock=.. prepare=.. run=.. free=..
 *
 * (one line in the log).  ns_op is the median over R repetitions of the time
 * per op, min and max the fastest and slowest repetition; pages the
 * page-table pages the jobs of one repetition pre-allocated, need what their
 * ranges need on empty page tables job by job (one table per distinct
 * 512 GiB, 1 GiB and 2 MiB block a job's ranges touch), used the pages
 * io-pgtable took from them, bound the sum of what each op alone would have
 * counted (the documented worst case of an unsorted batch); the phases are
 * the ns per op of each step in the median repetition.
 * tools/testing/msm-vm/compare.py turns the lines into `make compare`'s
 * report.
 *
 * The kernel parameter msm_vm_conformance.bench=full (make compare) runs 5
 * repetitions, up to 10^6 live VMAs and a 1 GiB BO; the default, brief,
 * runs 1 repetition, up to 10^4 live VMAs and a 16 MiB BO, so that every
 * scenario also runs in make test, on both kernels, and cannot rot.
 */

#include <kunit/test.h>

#include <linux/io-pgtable.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>

#include "msm_vm_conf.h"

static char *bench = "brief";
module_param(bench, charp, 0444);
MODULE_PARM_DESC(bench, "msm VM benchmarks: brief (default, make test) or full (make compare)");

/**
 * struct bench_cfg - how much a run measures
 * @reps: repetitions of each scenario
 * @live_max: the most live VMAs the scaling scenario reaches, as a power of 10
 * @big_bo: size of the BO of the BO offset scenario
 */
struct bench_cfg {
	unsigned int reps;
	unsigned int live_max;
	size_t big_bo;
};

static const struct bench_cfg bench_brief = { .reps = 1, .live_max = 4, .big_bo = SZ_16M };
static const struct bench_cfg bench_full = { .reps = 5, .live_max = 6, .big_bo = SZ_1G };

static const struct bench_cfg *bench_cfg(void)
{
	return bench && !strcmp(bench, "full") ? &bench_full : &bench_brief;
}

#define BENCH_REPS_MAX	5
/* Ops of the single-op and 64-op scenarios, and one job's ops at most. */
#define BENCH_SMALL_OPS	256
#define BENCH_BATCH_MAX	4096
/* Sorted batches start here: 1 GiB aligned, inside the test VMs. */
#define BENCH_BASE	SZ_1G

/**
 * struct bench_rep - one repetition of a scenario
 * @ns: time of the ops, in total
 * @t: of which each step of the pipeline took, and the jobs' pages
 */
struct bench_rep {
	u64 ns;
	struct conf_job_times t;
};

/**
 * struct bench_res - the result of a scenario
 * @scenario: its name
 * @core: the core's name, "floor" or "floor-noalloc"
 * @ops: ops of one repetition
 * @reps: repetitions, as bench_cfg() says; all are done before bench_print()
 * @rep: each repetition
 * @pages: page-table pages the jobs of one repetition pre-allocated
 * @need: what they need on empty page tables, job by job (bench_need())
 * @used: of @pages, the pages io-pgtable took
 * @bound: what each op alone would have counted, summed
 */
struct bench_res {
	char scenario[40];
	const char *core;
	unsigned int ops;
	unsigned int reps;
	struct bench_rep rep[BENCH_REPS_MAX];
	u64 pages;
	u64 need;
	u64 used;
	u64 bound;
};

static int bench_rep_cmp(const void *a, const void *b)
{
	const struct bench_rep *x = a, *y = b;

	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

static void bench_print(struct bench_res *r)
{
	const struct conf_job_times *t;
	struct bench_rep *mid;

	sort(r->rep, r->reps, sizeof(r->rep[0]), bench_rep_cmp, NULL);
	mid = &r->rep[r->reps / 2];
	t = &mid->t;
	pr_info("msm-vm-bench: scenario=%s core=%s ops=%u reps=%u ns_op=%llu min=%llu max=%llu pages=%llu need=%llu used=%llu bound=%llu create=%llu lock=%llu prepare=%llu run=%llu free=%llu\n",
		r->scenario, r->core, r->ops, r->reps, div_u64(mid->ns, r->ops),
		div_u64(r->rep[0].ns, r->ops), div_u64(r->rep[r->reps - 1].ns, r->ops),
		r->pages, r->need, r->used, r->bound, div_u64(t->create, r->ops),
		div_u64(t->lock, r->ops), div_u64(t->prepare, r->ops), div_u64(t->run, r->ops),
		div_u64(t->free, r->ops));
}

/*
 * Start the result of a scenario of @ops ops per repetition, in @r if not
 * NULL, else in a new one (freed with the case).  Every repetition of the
 * run is done, or the case stops at a failed assertion before printing.
 */
static struct bench_res *bench_res_new(struct kunit *test, struct bench_res *r,
				       const char *core, unsigned int ops, const char *fmt, ...)
{
	va_list ap;

	if (!r)
		r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	memset(r, 0, sizeof(*r));
	va_start(ap, fmt);
	vscnprintf(r->scenario, sizeof(r->scenario), fmt, ap);
	va_end(ap);
	r->core = core;
	r->ops = ops;
	r->reps = bench_cfg()->reps;
	return r;
}

static const char *size_name(u64 size)
{
	return size == SZ_4K ? "4k" : size == SZ_64K ? "64k" : size == SZ_2M ? "2m" : "?";
}

/* User memory for one job's ops, as the VM_BIND ioctl reads them. */
static u64 bench_user_buf(struct kunit *test)
{
	unsigned long user;

	user = kunit_vm_mmap(test, NULL, 0, BENCH_BATCH_MAX * sizeof(struct drm_msm_vm_bind_op),
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, user, 0, "no user memory for the ops");
	return user;
}

static struct drm_msm_vm_bind_op *bench_ops(struct kunit *test, unsigned int n)
{
	struct drm_msm_vm_bind_op *ops = kunit_kcalloc(test, n, sizeof(*ops), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ops);
	return ops;
}

/*
 * One bind job through the driver's pipeline (conf_job()), each step timed
 * into @rep.  @ops[0..n) are already at @user when @n > 1 (userspace wrote
 * them); one op goes inline.
 */
static void bench_job(struct kunit *test, struct msm_vm *vm, const struct drm_msm_vm_bind_op *ops,
		      u32 n, u64 user, struct bench_rep *rep)
{
	struct drm_msm_vm_bind args = { .nr_ops = n };
	u64 t0;

	if (n == 1) {
		args.op = ops[0];
	} else {
		args.ops = user;
		args.op_stride = sizeof(*ops);
	}
	t0 = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, conf_job(test, vm, &args, &rep->t), 0);
	rep->ns += ktime_get_ns() - t0;
}

struct bench_range {
	u64 start;
	u64 end;
};

static int bench_range_cmp(const void *a, const void *b)
{
	const struct bench_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The page-table pages one job's MAP and MAP_NULL ranges need on empty
 * page tables (the top level always exists): one table per distinct
 * 512 GiB, 1 GiB and 2 MiB block they touch, in whatever order they come.
 */
static u64 bench_need(struct kunit *test, const struct drm_msm_vm_bind_op *ops, u32 n)
{
	static const unsigned int shifts[] = { 39, 30, 21 };
	struct bench_range *r = kunit_kcalloc(test, n, sizeof(*r), GFP_KERNEL);
	u32 i, nr = 0;
	unsigned int l;
	u64 need = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < n; i++)
		if (ops[i].op != MSM_VM_BIND_OP_UNMAP)
			r[nr++] = (struct bench_range){ ops[i].iova, ops[i].iova + ops[i].range };
	sort(r, nr, sizeof(*r), bench_range_cmp, NULL);
	for (l = 0; l < ARRAY_SIZE(shifts); l++) {
		u64 counted = 0;	/* blocks below this one are counted */

		for (i = 0; i < nr; i++) {
			u64 first = max(r[i].start >> shifts[l], counted);
			u64 last = (r[i].end - 1) >> shifts[l];

			if (first <= last) {
				need += last - first + 1;
				counted = last + 1;
			}
		}
	}
	kunit_kfree(test, r);
	return need;
}

/*
 * @ops[0..total) in jobs of @batch ops, each written to @user first (not
 * timed); the jobs' need (bench_need()) is added to @need, if not NULL.
 */
static void bench_binds(struct kunit *test, struct msm_vm *vm,
			const struct drm_msm_vm_bind_op *ops, u32 total, u32 batch, u64 user,
			struct bench_rep *rep, u64 *need)
{
	u32 i, n;

	for (i = 0; i < total; i += n) {
		n = min(batch, total - i);
		if (n > 1)
			KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)user, &ops[i],
							   n * sizeof(*ops)), 0);
		if (need)
			*need += bench_need(test, &ops[i], n);
		bench_job(test, vm, &ops[i], n, user, rep);
	}
}

/* What each op alone would pre-allocate, summed: the bound of unsorted batches. */
static u64 bench_bound(struct msm_vm_test_mmu *mmu, const struct drm_msm_vm_bind_op *ops, u32 n)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		struct msm_mmu_prealloc p = {};

		if (ops[i].op == MSM_VM_BIND_OP_UNMAP)
			continue;
		mmu->base.funcs->prealloc_count(&mmu->base, &p, ops[i].iova, ops[i].range);
		sum += p.count;
	}
	return sum;
}

/* A user-managed VM on an MMU of its own: empty page tables. */
static struct msm_vm *bench_vm(struct kunit *test, struct msm_vm_test_mmu **mmu)
{
	struct conf *c = test->priv;

	*mmu = msm_vm_test_mmu_new(test, c->dev);
	return conf_vm_on(test, *mmu, CONF_USER_START, CONF_USER_SIZE, false);
}

static unsigned int bench_vmas(struct kunit *test, struct msm_vm *vm)
{
	struct drm_exec exec;
	unsigned int n;

	conf_lock(test, &exec, vm, NULL, 0);
	n = msm_vm_vmas(vm, NULL, 0);
	drm_exec_fini(&exec);
	return n;
}

static void bench_vm_free(struct kunit *test, struct msm_vm *vm, struct msm_vm_test_mmu *mmu)
{
	struct drm_exec exec;

	conf_lock_all(test, &exec, vm);
	msm_vm_close(vm);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
	KUNIT_EXPECT_EQ_MSG(test, mmu->prealloc_short, 0,
			    "a bind job needed more page tables than it counted");
	KUNIT_EXPECT_EQ_MSG(test, mmu->prealloc_allocated,
			    mmu->prealloc_used + mmu->prealloc_returned,
			    "pre-allocated page-table pages leaked");
	msm_vm_test_mmu_free(test, mmu);
}

static void bench_fill(struct drm_msm_vm_bind_op *ops, u32 n, u32 op, u32 handle, u64 offset,
		       u64 iova, u64 stride, u64 range)
{
	u32 i;

	for (i = 0; i < n; i++) {
		ops[i] = (struct drm_msm_vm_bind_op){
			.op = op,
			.handle = op == MSM_VM_BIND_OP_MAP ? handle : 0,
			.obj_offset = op == MSM_VM_BIND_OP_MAP ? offset : 0,
			.iova = iova + i * stride,
			.range = range,
		};
	}
}

/* A permutation of @n ops (n a power of 2): i -> i * 2053 mod n. */
static void bench_shuffle(struct kunit *test, struct drm_msm_vm_bind_op *ops, u32 n)
{
	struct drm_msm_vm_bind_op *tmp = bench_ops(test, n);
	u32 i;

	memcpy(tmp, ops, n * sizeof(*ops));
	for (i = 0; i < n; i++)
		ops[i] = tmp[(i * 2053) & (n - 1)];
	kunit_kfree(test, tmp);
}

/*
 * A pinned shmem BO whose table has one entry per page, in reverse order:
 * how its pages happen to lie in memory (the allocator may give a core's
 * case contiguous runs that another core's case did not get) must not
 * change how many io-pgtable calls a map takes, nor the figures.
 */
static struct drm_gem_object *bench_bo_new(struct kunit *test, size_t size)
{
	struct drm_gem_object *obj = conf_bo_new(test, size);

	conf_bo_rebuild_sgt(test, obj);
	return obj;
}

static const u64 bench_sizes[] = { SZ_4K, SZ_64K, SZ_2M };
static const u32 bench_batches[] = { 1, 64, BENCH_BATCH_MAX };

/* Binds that set a scenario up, not timed. */
static void bench_setup(struct kunit *test, struct msm_vm *vm,
			const struct drm_msm_vm_bind_op *ops, u32 total, u32 batch, u64 user)
{
	struct bench_rep untimed = {};

	bench_binds(test, vm, ops, total, batch, user, &untimed, NULL);
}

/*
 * Record the pre-allocation of repetition @rep of @r, whose jobs needed
 * @need pages on empty tables and of which io-pgtable took @used: never
 * below either, and within @r's bound where the scenario computed one.
 */
static void bench_pages(struct kunit *test, struct bench_res *r, const struct bench_rep *rep,
			u64 need, u64 used)
{
	r->pages = rep->t.pages;
	r->need = need;
	r->used = used;
	KUNIT_EXPECT_GE(test, r->pages, r->used);
	KUNIT_EXPECT_GE(test, r->pages, r->need);
	if (r->bound)
		KUNIT_EXPECT_LE(test, r->pages, r->bound);
}

/*
 * Sorted batches of MAP, then of UNMAP, of one BO's whole range, back to
 * back from BENCH_BASE: 4 KiB, 64 KiB and 2 MiB ranges, in jobs of 1, 64
 * and 4096 ops (256 ops in all for the first two, so that single-op binds,
 * what turnip does for every new BO, are timed on their own).
 */
static void bench_map_unmap_sorted_batches(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_msm_vm_bind_op *map = bench_ops(test, BENCH_BATCH_MAX);
	struct drm_msm_vm_bind_op *unmap = bench_ops(test, BENCH_BATCH_MAX);
	u64 user = bench_user_buf(test);
	struct bench_res *rm = NULL, *ru = NULL;
	unsigned int s, b, r;

	for (s = 0; s < ARRAY_SIZE(bench_sizes); s++) {
		u64 size = bench_sizes[s];
		struct drm_gem_object *obj = bench_bo_new(test, size);
		u32 h = conf_handle(test, obj);

		for (b = 0; b < ARRAY_SIZE(bench_batches); b++) {
			u32 batch = bench_batches[b];
			u32 n = max_t(u32, batch, BENCH_SMALL_OPS);
			u64 last = BENCH_BASE + (u64)n * size - SZ_4K;

			bench_fill(map, n, MSM_VM_BIND_OP_MAP, h, 0, BENCH_BASE, size, size);
			bench_fill(unmap, n, MSM_VM_BIND_OP_UNMAP, 0, 0, BENCH_BASE, size, size);
			rm = bench_res_new(test, rm, c->core->name, n, "map-%s-b%u",
					   size_name(size), batch);
			ru = bench_res_new(test, ru, c->core->name, n, "unmap-%s-b%u",
					   size_name(size), batch);
			for (r = 0; r < rm->reps; r++) {
				struct msm_vm_test_mmu *mmu;
				struct msm_vm *vm = bench_vm(test, &mmu);
				u64 need = 0;

				rm->bound = bench_bound(mmu, map, n);
				bench_binds(test, vm, map, n, batch, user, &rm->rep[r], &need);
				KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), n);
				KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, last),
						conf_bo_phys(obj, size - SZ_4K));
				bench_pages(test, rm, &rm->rep[r], need, mmu->prealloc_used);
				bench_binds(test, vm, unmap, n, batch, user, &ru->rep[r], NULL);
				KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), 0);
				KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, last), 0);
				KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, BENCH_BASE), 0);
				KUNIT_EXPECT_EQ(test, ru->rep[r].t.pages, 0);
				bench_vm_free(test, vm, mmu);
			}
			bench_print(rm);
			bench_print(ru);
		}
	}
}

/*
 * The same 4096 MAPs of 4 KiB and of 64 KiB as the sorted batches, in one
 * job, shuffled: what pre-allocation counts when ops do not come in address
 * order (within the bound of each op counted alone).
 */
static void bench_map_unsorted_batch(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_msm_vm_bind_op *map = bench_ops(test, BENCH_BATCH_MAX);
	u64 user = bench_user_buf(test);
	struct bench_res *rm = NULL;
	const u32 n = BENCH_BATCH_MAX;
	unsigned int s, r;

	for (s = 0; s < 2; s++) {
		u64 size = bench_sizes[s];
		struct drm_gem_object *obj = bench_bo_new(test, size);

		bench_fill(map, n, MSM_VM_BIND_OP_MAP, conf_handle(test, obj), 0, BENCH_BASE,
			   size, size);
		bench_shuffle(test, map, n);
		rm = bench_res_new(test, rm, c->core->name, n, "map-%s-b%u-unsorted",
				   size_name(size), n);
		for (r = 0; r < rm->reps; r++) {
			struct msm_vm_test_mmu *mmu;
			struct msm_vm *vm = bench_vm(test, &mmu);
			u64 need = 0;

			rm->bound = bench_bound(mmu, map, n);
			bench_binds(test, vm, map, n, n, user, &rm->rep[r], &need);
			KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), n);
			KUNIT_EXPECT_EQ(test,
					msm_vm_test_mmu_phys(mmu, BENCH_BASE + n * size - SZ_4K),
					conf_bo_phys(obj, size - SZ_4K));
			bench_pages(test, rm, &rm->rep[r], need, mmu->prealloc_used);
			bench_vm_free(test, vm, mmu);
		}
		bench_print(rm);
	}
}

/*
 * Remap-heavy jobs, one per split shape drm_gpuvm has: 4096 holes of 4 KiB
 * punched into one 64 MiB VMA (each UNMAP splits what is left of it into a
 * prev and a next piece), and MAP_NULL over 1024 VMAs of 64 KiB, over the
 * middle of each (prev and next kept), its head (next kept), its tail (prev
 * kept), all of it (replaced), or across two (the tail of one and the head
 * of the next).
 */
struct remap_shape {
	const char *name;
	u64 offset;
	u64 range;
	u32 ops;
	unsigned int vmas;	/* VMAs after the job */
};

static const struct remap_shape remap_shapes[] = {
	{ "null-middle", SZ_16K, SZ_32K, 1024, 3 * 1024 },
	{ "null-head", 0, SZ_16K, 1024, 2 * 1024 },
	{ "null-tail", SZ_32K + SZ_16K, SZ_16K, 1024, 2 * 1024 },
	{ "null-whole", 0, SZ_64K, 1024, 1024 },
	{ "null-span", SZ_32K + SZ_16K, SZ_32K, 1023, 1024 + 1023 },
};

static void bench_remap_split_shapes(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_msm_vm_bind_op *map = bench_ops(test, BENCH_BATCH_MAX);
	struct drm_msm_vm_bind_op *ops = bench_ops(test, BENCH_BATCH_MAX);
	struct drm_gem_object *big = bench_bo_new(test, SZ_64M);
	struct drm_gem_object *small = bench_bo_new(test, SZ_64K);
	u32 hb = conf_handle(test, big), hs = conf_handle(test, small);
	u64 user = bench_user_buf(test);
	struct bench_res *res;
	unsigned int s, r;

	bench_fill(map, 1, MSM_VM_BIND_OP_MAP, hb, 0, BENCH_BASE, 0, SZ_64M);
	bench_fill(ops, BENCH_BATCH_MAX, MSM_VM_BIND_OP_UNMAP, 0, 0, BENCH_BASE + SZ_8K, SZ_16K,
		   SZ_4K);
	res = bench_res_new(test, NULL, c->core->name, BENCH_BATCH_MAX, "unmap-punch");
	for (r = 0; r < res->reps; r++) {
		struct msm_vm_test_mmu *mmu;
		struct msm_vm *vm = bench_vm(test, &mmu);

		bench_setup(test, vm, map, 1, 1, user);
		bench_binds(test, vm, ops, BENCH_BATCH_MAX, BENCH_BATCH_MAX, user, &res->rep[r],
			    NULL);
		KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), BENCH_BATCH_MAX + 1);
		KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, BENCH_BASE + SZ_8K), 0);
		KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, BENCH_BASE + SZ_64M - SZ_4K),
				conf_bo_phys(big, SZ_64M - SZ_4K));
		KUNIT_EXPECT_EQ(test, res->rep[r].t.pages, 0);
		bench_vm_free(test, vm, mmu);
	}
	bench_print(res);

	bench_fill(map, 1024, MSM_VM_BIND_OP_MAP, hs, 0, BENCH_BASE, SZ_64K, SZ_64K);
	for (s = 0; s < ARRAY_SIZE(remap_shapes); s++) {
		const struct remap_shape *sh = &remap_shapes[s];
		u64 null = BENCH_BASE + sh->offset;

		bench_fill(ops, sh->ops, MSM_VM_BIND_OP_MAP_NULL, 0, 0, null, SZ_64K, sh->range);
		res = bench_res_new(test, res, c->core->name, sh->ops, "%s", sh->name);
		for (r = 0; r < res->reps; r++) {
			struct msm_vm_test_mmu *mmu;
			struct msm_vm *vm = bench_vm(test, &mmu);
			u64 need = 0, used;

			bench_setup(test, vm, map, 1024, 1024, user);
			used = mmu->prealloc_used;
			res->bound = bench_bound(mmu, ops, sh->ops);
			bench_binds(test, vm, ops, sh->ops, sh->ops, user, &res->rep[r], &need);
			KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), sh->vmas);
			KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, null),
					page_to_phys(mmu->prr_page));
			KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, null + sh->range - SZ_4K),
					page_to_phys(mmu->prr_page));
			bench_pages(test, res, &res->rep[r], need, mmu->prealloc_used - used);
			bench_vm_free(test, vm, mmu);
		}
		bench_print(res);
	}
}

/* The @i-th of BENCH_SMALL_OPS holes spread over @live VMAs 8 KiB apart. */
static u64 bench_hole(u32 live, unsigned int i)
{
	return BENCH_BASE + (u64)i * (live / BENCH_SMALL_OPS) * SZ_8K + SZ_4K;
}

/*
 * Cost per op against the size of the VA tree: 10^3 up to 10^6 live VMAs
 * of one 4 KiB BO, 8 KiB apart, then single-op MAPs into 256 of the holes
 * spread over the whole range, and the UNMAPs of them.
 */
static void bench_scaling_live_vmas(struct kunit *test)
{
	const struct bench_cfg *cfg = bench_cfg();
	struct conf *c = test->priv;
	struct drm_msm_vm_bind_op *fill = bench_ops(test, BENCH_BATCH_MAX);
	struct drm_msm_vm_bind_op *map = bench_ops(test, BENCH_SMALL_OPS);
	struct drm_msm_vm_bind_op *unmap = bench_ops(test, BENCH_SMALL_OPS);
	struct drm_gem_object *obj = bench_bo_new(test, SZ_4K);
	u32 h = conf_handle(test, obj);
	u64 user = bench_user_buf(test);
	struct bench_res *rm = NULL, *ru = NULL;
	unsigned int k, r, i;
	u32 live = 100;

	for (k = 3; k <= cfg->live_max; k++) {
		struct msm_vm_test_mmu *mmu;
		struct msm_vm *vm;
		u32 step, done;

		live *= 10;
		vm = bench_vm(test, &mmu);
		for (done = 0; done < live; done += step) {
			step = min_t(u32, BENCH_BATCH_MAX, live - done);
			bench_fill(fill, step, MSM_VM_BIND_OP_MAP, h, 0,
				   BENCH_BASE + (u64)done * SZ_8K, SZ_8K, SZ_4K);
			bench_setup(test, vm, fill, step, step, user);
		}
		KUNIT_ASSERT_EQ(test, bench_vmas(test, vm), live);
		for (i = 0; i < BENCH_SMALL_OPS; i++) {
			map[i] = (struct drm_msm_vm_bind_op)MAP(h, 0, bench_hole(live, i), SZ_4K);
			unmap[i] = (struct drm_msm_vm_bind_op)UNMAP(bench_hole(live, i), SZ_4K);
		}
		rm = bench_res_new(test, rm, c->core->name, BENCH_SMALL_OPS, "live-map-1e%u", k);
		ru = bench_res_new(test, ru, c->core->name, BENCH_SMALL_OPS, "live-unmap-1e%u", k);
		for (r = 0; r < rm->reps; r++) {
			u64 need = 0, used = mmu->prealloc_used;

			bench_binds(test, vm, map, BENCH_SMALL_OPS, 1, user, &rm->rep[r], &need);
			KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), live + BENCH_SMALL_OPS);
			KUNIT_EXPECT_EQ(test,
					msm_vm_test_mmu_phys(mmu, map[BENCH_SMALL_OPS - 1].iova),
					conf_bo_phys(obj, 0));
			bench_pages(test, rm, &rm->rep[r], need, mmu->prealloc_used - used);
			bench_binds(test, vm, unmap, BENCH_SMALL_OPS, 1, user, &ru->rep[r], NULL);
			KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), live);
			KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, map[0].iova), 0);
		}
		bench_print(rm);
		bench_print(ru);
		bench_vm_free(test, vm, mmu);
	}
}

/*
 * A 4 KiB bind at the start and at the end of the biggest BO of the run,
 * whose table has one entry per page (what a fragmented BO gives): the
 * cores find the entry of an offset with a binary search, where upstream
 * msm walks the scatterlist from its start.  A VMA in the middle of the BO
 * stays mapped throughout, so that the index is built once.
 */
static void bench_bo_offset_start_end(struct kunit *test)
{
	struct conf *c = test->priv;
	size_t size = bench_cfg()->big_bo;
	struct drm_gem_object *obj = bench_bo_new(test, size);
	struct drm_msm_vm_bind_op *map = bench_ops(test, BENCH_SMALL_OPS);
	struct drm_msm_vm_bind_op *unmap = bench_ops(test, BENCH_SMALL_OPS);
	u32 h = conf_handle(test, obj);
	const struct drm_msm_vm_bind_op warm = MAP(h, size / 2, BENCH_BASE, SZ_4K);
	u64 user = bench_user_buf(test);
	struct msm_vm_test_mmu *mmu;
	struct bench_res *res = NULL;
	struct msm_vm *vm;
	unsigned int e, r;

	KUNIT_ASSERT_EQ(test, to_conf_bo(obj)->sgt->orig_nents, size >> PAGE_SHIFT);
	vm = bench_vm(test, &mmu);
	bench_setup(test, vm, &warm, 1, 1, user);
	bench_fill(unmap, BENCH_SMALL_OPS, MSM_VM_BIND_OP_UNMAP, 0, 0, BENCH_BASE + SZ_2M, SZ_4K,
		   SZ_4K);
	for (e = 0; e < 2; e++) {
		u64 offset = e ? size - SZ_4K : 0;

		bench_fill(map, BENCH_SMALL_OPS, MSM_VM_BIND_OP_MAP, h, offset,
			   BENCH_BASE + SZ_2M, SZ_4K, SZ_4K);
		res = bench_res_new(test, res, c->core->name, BENCH_SMALL_OPS, "bo-offset-%s",
				    e ? "end" : "start");
		for (r = 0; r < res->reps; r++) {
			u64 need = 0, used = mmu->prealloc_used;

			bench_binds(test, vm, map, BENCH_SMALL_OPS, 1, user, &res->rep[r], &need);
			KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, BENCH_BASE + SZ_2M),
					conf_bo_phys(obj, offset));
			bench_pages(test, res, &res->rep[r], need, mmu->prealloc_used - used);
			bench_setup(test, vm, unmap, BENCH_SMALL_OPS, 1, user);
			KUNIT_EXPECT_EQ(test, bench_vmas(test, vm), 1);
		}
		bench_print(res);
	}
	bench_vm_free(test, vm, mmu);
}

/*
 * The floor: the same work without a core, on a bare drm_gpuvm (no vm_bo,
 * no GEM link, no pre-allocation, no bind job) and the same test MMU's
 * io-pgtable: drm_gpuva_insert() and a map of the BO's pages per MAP,
 * drm_gpuva_remove() and io-pgtable unmap_pages() per UNMAP, with one
 * kzalloc()/kfree() of the VA per op ("floor") or none ("floor-noalloc").
 */
struct floor_vm {
	struct drm_gpuvm base;
};

static void floor_vm_free(struct drm_gpuvm *gpuvm)
{
	kfree(container_of(gpuvm, struct floor_vm, base));
}

static const struct drm_gpuvm_ops floor_ops = {
	.vm_free = floor_vm_free,
};

static struct drm_gpuvm *floor_vm_new(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *r_obj;
	struct floor_vm *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	r_obj = drm_gpuvm_resv_object_alloc(c->drm);
	KUNIT_ASSERT_NOT_NULL(test, r_obj);
	drm_gpuvm_init(&f->base, "floor", 0, c->drm, r_obj, CONF_USER_START, CONF_USER_SIZE,
		       0, 0, &floor_ops);
	drm_gem_object_put(r_obj);
	return &f->base;
}

/*
 * Remove every VA (and free it, if @allocated), then drop the VM's first
 * reference: each VA holds one too, so the VM is freed after the last.
 */
static void floor_vm_free_all(struct drm_gpuvm *vm, bool allocated)
{
	struct drm_gpuva *va, *next;

	drm_gpuvm_for_each_va_safe(va, next, vm) {
		drm_gpuva_remove(va);
		if (allocated)
			kfree(va);
	}
	drm_gpuvm_put(vm);
}

static void floor_map(struct kunit *test, struct drm_gpuvm *vm, struct msm_vm_test_mmu *mmu,
		      struct drm_gpuva *va, struct drm_gem_object *obj, u64 iova, u64 range)
{
	int ret;

	if (!va)
		va = kzalloc(sizeof(*va), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, va);
	va->va.addr = iova;
	va->va.range = range;
	va->gem.obj = obj;
	ret = drm_gpuva_insert(vm, va);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = mmu->base.funcs->map(&mmu->base, iova, to_conf_bo(obj)->sgt, range, PROT_RW);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

static void floor_unmap(struct kunit *test, struct drm_gpuvm *vm, struct msm_vm_test_mmu *mmu,
			u64 iova, u64 range, bool allocated)
{
	struct io_pgtable_ops *pgtbl = mmu->pgtbl;
	struct drm_gpuva *va = drm_gpuva_find(vm, iova, range);
	u64 end = iova + range;

	KUNIT_ASSERT_NOT_NULL(test, va);
	drm_gpuva_remove(va);
	while (iova < end) {
		size_t done = pgtbl->unmap_pages(pgtbl, iova, SZ_4K, (end - iova) / SZ_4K, NULL);

		KUNIT_ASSERT_NE(test, done, 0);
		iova += done;
	}
	if (allocated)
		kfree(va);
}

static void bench_floor_sorted(struct kunit *test, struct drm_gpuva *spare)
{
	const char *core = spare ? "floor-noalloc" : "floor";
	struct bench_res *rm = NULL, *ru = NULL;
	struct conf *c = test->priv;
	const u32 n = BENCH_BATCH_MAX;
	unsigned int s, r, i;

	for (s = 0; s < ARRAY_SIZE(bench_sizes); s++) {
		u64 size = bench_sizes[s];
		struct drm_gem_object *obj = bench_bo_new(test, size);

		rm = bench_res_new(test, rm, core, n, "map-%s", size_name(size));
		ru = bench_res_new(test, ru, core, n, "unmap-%s", size_name(size));
		for (r = 0; r < rm->reps; r++) {
			struct msm_vm_test_mmu *mmu = msm_vm_test_mmu_new(test, c->dev);
			struct drm_gpuvm *vm = floor_vm_new(test);
			u64 t0, t1, t2;

			t0 = ktime_get_ns();
			for (i = 0; i < n; i++)
				floor_map(test, vm, mmu, spare ? &spare[i] : NULL, obj,
					  BENCH_BASE + i * size, size);
			t1 = ktime_get_ns();
			for (i = 0; i < n; i++)
				floor_unmap(test, vm, mmu, BENCH_BASE + i * size, size, !spare);
			t2 = ktime_get_ns();
			KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, BENCH_BASE), 0);
			KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&vm->rb.tree.rb_root));
			rm->rep[r].ns = t1 - t0;
			ru->rep[r].ns = t2 - t1;
			rm->used = mmu->table_pages;
			floor_vm_free_all(vm, !spare);
			msm_vm_test_mmu_free(test, mmu);
		}
		bench_print(rm);
		bench_print(ru);
	}
}

static void bench_floor_scaling(struct kunit *test)
{
	const struct bench_cfg *cfg = bench_cfg();
	struct conf *c = test->priv;
	struct drm_gem_object *obj = bench_bo_new(test, SZ_4K);
	struct bench_res *rm = NULL, *ru = NULL;
	unsigned int k, r, i;
	u32 live = 100;

	for (k = 3; k <= cfg->live_max; k++) {
		struct msm_vm_test_mmu *mmu;
		struct drm_gpuvm *vm;
		u32 j;

		live *= 10;
		mmu = msm_vm_test_mmu_new(test, c->dev);
		vm = floor_vm_new(test);
		for (j = 0; j < live; j++)
			floor_map(test, vm, mmu, NULL, obj, BENCH_BASE + (u64)j * SZ_8K, SZ_4K);
		rm = bench_res_new(test, rm, "floor", BENCH_SMALL_OPS, "live-map-1e%u", k);
		ru = bench_res_new(test, ru, "floor", BENCH_SMALL_OPS, "live-unmap-1e%u", k);
		for (r = 0; r < rm->reps; r++) {
			u64 t0, t1, t2;

			t0 = ktime_get_ns();
			for (i = 0; i < BENCH_SMALL_OPS; i++)
				floor_map(test, vm, mmu, NULL, obj, bench_hole(live, i), SZ_4K);
			t1 = ktime_get_ns();
			for (i = 0; i < BENCH_SMALL_OPS; i++)
				floor_unmap(test, vm, mmu, bench_hole(live, i), SZ_4K, true);
			t2 = ktime_get_ns();
			KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu, BENCH_BASE + SZ_4K), 0);
			rm->rep[r].ns = t1 - t0;
			ru->rep[r].ns = t2 - t1;
		}
		bench_print(rm);
		bench_print(ru);
		floor_vm_free_all(vm, true);
		msm_vm_test_mmu_free(test, mmu);
	}
}

static void bench_kvfree(void *p)
{
	kvfree(p);
}

/* The floor of every scenario that has one, in the same run as the cores. */
static void bench_floor_gpuva_and_io_pgtable_only(struct kunit *test)
{
	struct drm_gpuva *spare;

	bench_floor_sorted(test, NULL);
	spare = kvcalloc(BENCH_BATCH_MAX, sizeof(*spare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bench_kvfree, spare), 0);
	bench_floor_sorted(test, spare);
	bench_floor_scaling(test);
}

static int bench_init(struct kunit *test)
{
	/* The floor case has no core. */
	if (!test->param_value)
		return conf_init_core(test, NULL);
	return conf_init(test);
}

static struct kunit_case msm_vm_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_floor_gpuva_and_io_pgtable_only),
	KUNIT_CASE_PARAM_ATTR(bench_map_unmap_sorted_batches, core_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(bench_map_unsorted_batch, core_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(bench_remap_split_shapes, core_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(bench_scaling_live_vmas, core_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(bench_bo_offset_start_end, core_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite msm_vm_bench_suite = {
	.name = "msm_vm_bench",
	.suite_init = conf_suite_init,
	.suite_exit = conf_suite_exit,
	.init = bench_init,
	.exit = conf_exit,
	.test_cases = msm_vm_bench_cases,
};

kunit_test_suite(msm_vm_bench_suite);
