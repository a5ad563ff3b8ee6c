// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fixture of the msm VM conformance suites (see msm_vm_conf.h).
 */

#include <kunit/test.h>

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mman.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_kunit_helpers.h>

#include "msm_vm_conf.h"

struct conf_bo *to_conf_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct conf_bo, shmem.base);
}

static struct drm_gem_object *conf_gem_create_object(struct drm_device *drm, size_t size)
{
	struct conf_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	return bo ? &bo->shmem.base : ERR_PTR(-ENOMEM);
}

static const struct drm_driver conf_driver = {
	.driver_features = DRIVER_GEM | DRIVER_GEM_GPUVA,
	.gem_create_object = conf_gem_create_object,
};

static struct sg_table *conf_get_sgt(struct drm_gem_object *obj)
{
	struct conf_bo *bo = to_conf_bo(obj);

	return bo->sgt_error ? ERR_PTR(bo->sgt_error) : bo->sgt;
}

static struct drm_gem_object *conf_lookup(struct drm_file *_file, u32 handle)
{
	struct conf_file *file = container_of(_file, struct conf_file, base);
	struct drm_gem_object *obj;

	if (handle >= CONF_MAX_HANDLES)
		return NULL;
	obj = file->objs[handle];
	if (obj)
		drm_gem_object_get(obj);
	return obj;
}

static int conf_prot(struct drm_gem_object *obj)
{
	return to_conf_bo(obj)->prot;
}

const struct msm_vm_bo_funcs conf_bo_funcs = {
	.get_sgt = conf_get_sgt,
	.lookup = conf_lookup,
	.prot = conf_prot,
};

static void conf_bo_release(void *data)
{
	struct conf_bo *bo = data;

	sg_free_table(bo->sgt);
	kfree(bo->sgt);
	drm_gem_shmem_unpin(&bo->shmem);
	drm_gem_object_put(&bo->shmem.base);
}

static void conf_obj_put(void *obj)
{
	drm_gem_object_put(obj);
}

static struct drm_gem_object *conf_bo_new_resv(struct kunit *test, size_t size,
					       struct msm_vm *share)
{
	struct conf *c = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *r_obj;
	struct conf_bo *bo;

	if (share) {
		/* As msm does: the BO holds the VM's resv object, freed after it. */
		r_obj = msm_vm_resv_obj(share);
		drm_gem_object_get(r_obj);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, conf_obj_put, r_obj), 0);
	}
	shmem = drm_gem_shmem_create(c->drm, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	if (share)
		shmem->base.resv = r_obj->resv;
	bo = container_of(shmem, struct conf_bo, shmem);
	bo->prot = PROT_RW;
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_pin(shmem), 0);
	bo->sgt = drm_gem_shmem_get_sg_table(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo->sgt);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, conf_bo_release, bo), 0);
	return &shmem->base;
}

struct drm_gem_object *conf_bo_new(struct kunit *test, size_t size)
{
	return conf_bo_new_resv(test, size, NULL);
}

struct drm_gem_object *conf_bo_new_no_share(struct kunit *test, size_t size, struct msm_vm *vm)
{
	return conf_bo_new_resv(test, size, vm);
}

void conf_bo_rebuild_sgt(struct kunit *test, struct drm_gem_object *obj)
{
	struct conf_bo *bo = to_conf_bo(obj);
	unsigned int n = obj->size >> PAGE_SHIFT, i;
	struct scatterlist *sg;

	sg_free_table(bo->sgt);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(bo->sgt, n, GFP_KERNEL), 0);
	for_each_sgtable_sg(bo->sgt, sg, i)
		sg_set_page(sg, bo->shmem.pages[n - 1 - i], PAGE_SIZE, 0);
}

phys_addr_t conf_bo_phys(struct drm_gem_object *obj, u64 offset)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(to_conf_bo(obj)->sgt, sg, i) {
		if (offset < sg->length)
			return sg_phys(sg) + offset;
		offset -= sg->length;
	}
	return 0;
}

u32 conf_handle(struct kunit *test, struct drm_gem_object *obj)
{
	struct conf *c = test->priv;
	u32 h;

	for (h = 1; h < CONF_MAX_HANDLES; h++) {
		if (c->file->objs[h] == obj)
			return h;
		if (!c->file->objs[h]) {
			c->file->objs[h] = obj;
			return h;
		}
	}
	KUNIT_FAIL_AND_ABORT(test, "out of test handles");
	return 0;
}

static u32 conf_handle_of(struct conf *c, struct drm_gem_object *obj)
{
	u32 h;

	for (h = 1; h < CONF_MAX_HANDLES; h++)
		if (c->file->objs[h] == obj)
			return h;
	return 0;
}

static struct msm_vm *conf_vm_info(struct kunit *test, struct msm_vm_create_info *info)
{
	struct conf *c = test->priv;
	struct msm_vm *vm;

	info->drm = c->drm;
	if (!info->mmu)
		info->mmu = &c->mmu->base;
	info->bo_funcs = &conf_bo_funcs;
	vm = msm_vm_create(c->core, info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	return vm;
}

struct msm_vm *conf_vm_on(struct kunit *test, struct msm_vm_test_mmu *mmu, u64 start, u64 size,
			  bool managed)
{
	struct msm_vm_create_info info = {
		.mmu = &mmu->base,
		.name = managed ? "conf-managed" : "conf-user",
		.va_start = start,
		.va_size = size,
		.managed = managed,
		.has_prr = !managed,
	};

	return conf_vm_info(test, &info);
}

struct msm_vm *conf_vm(struct kunit *test, u64 start, u64 size, bool managed)
{
	struct msm_vm_create_info info = {
		.name = managed ? "conf-managed" : "conf-user",
		.va_start = start,
		.va_size = size,
		.managed = managed,
	};

	return conf_vm_info(test, &info);
}

struct msm_vm *conf_user_vm(struct kunit *test)
{
	struct msm_vm_create_info info = {
		.name = "conf-user",
		.va_start = CONF_USER_START,
		.va_size = CONF_USER_SIZE,
		.has_prr = true,
		.log_shift = 4,
	};

	return conf_vm_info(test, &info);
}

void conf_lock(struct kunit *test, struct drm_exec *exec, struct msm_vm *vm,
	       struct drm_gem_object **objs, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	/* Duplicates: a NO_SHARE BO shares the VM's resv. */
	drm_exec_init(exec, DRM_EXEC_INTERRUPTIBLE_WAIT | DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		if (vm) {
			ret = drm_exec_lock_obj(exec, msm_vm_resv_obj(vm));
			drm_exec_retry_on_contention(exec);
		}
		for (i = 0; i < n && !ret; i++) {
			ret = drm_exec_lock_obj(exec, objs[i]);
			drm_exec_retry_on_contention(exec);
		}
		if (ret)
			break;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
}

void conf_lock_all(struct kunit *test, struct drm_exec *exec, struct msm_vm *vm)
{
	int ret;

	drm_exec_init(exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(exec) {
		ret = msm_vm_lock_all(vm, exec);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
}

void conf_live(struct kunit *test, struct msm_vm_live *live)
{
	struct conf *c = test->priv;

	msm_vm_core_live(c->core, live);
}

int conf_bind_args(struct kunit *test, struct msm_vm *vm, struct drm_msm_vm_bind *args,
		   const struct drm_msm_vm_bind_op *ops, u32 n, u32 stride)
{
	unsigned long user;
	u32 i;

	stride = stride ?: sizeof(*ops);
	if (n == 1 && args->nr_ops <= 1) {
		args->op = ops[0];
	} else if (n > 1 || args->nr_ops > 1) {
		size_t len = PAGE_ALIGN((size_t)max(n, 1U) * stride);
		/* A row giving fewer ops than it presets: reading past them faults. */
		bool partial = n && args->nr_ops > n;

		/*
		 * The ops go to user memory; a row presetting args->ops still
		 * needs an mm, which kunit_vm_mmap() gives the case: without
		 * one, copy_from_user() does not fault, it crashes.
		 */
		user = kunit_vm_mmap(test, NULL, 0, len + (partial ? PAGE_SIZE : 0),
				     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
		KUNIT_ASSERT_NE_MSG(test, user, 0, "no user memory for the ops");
		for (i = 0; i < n; i++)
			KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)(user + i * stride),
							   &ops[i], sizeof(*ops)), 0);
		if (partial)
			KUNIT_ASSERT_EQ(test, vm_munmap(user + len, PAGE_SIZE), 0);
		if (n) {
			args->ops = user;
			args->op_stride = stride;
		}
	}
	if (!args->nr_ops)
		args->nr_ops = n;
	return conf_job(test, vm, args, NULL);
}

int conf_job(struct kunit *test, struct msm_vm *vm, const struct drm_msm_vm_bind *args,
	     struct conf_job_times *t)
{
	struct conf *c = test->priv;
	struct msm_vm_bind_job *job;
	struct drm_exec exec;
	u64 ns[7];
	int ret = 0;

	ns[0] = ktime_get_ns();
	job = msm_vm_bind_job_create(vm, &c->file->base, args);
	ns[1] = ktime_get_ns();
	if (IS_ERR(job))
		return PTR_ERR(job);
	if (t)
		t->pages += msm_vm_bind_job_pages(vm, job);
	drm_exec_init(&exec, DRM_EXEC_INTERRUPTIBLE_WAIT | DRM_EXEC_IGNORE_DUPLICATES, 0);
	drm_exec_until_all_locked(&exec) {
		ret = msm_vm_bind_job_lock(vm, job, &exec);
		drm_exec_retry_on_contention(&exec);
		if (ret)
			break;
	}
	ns[2] = ktime_get_ns();
	if (!ret)
		ret = msm_vm_bind_job_prepare(vm, job);
	ns[3] = ktime_get_ns();
	drm_exec_fini(&exec);
	ns[4] = ktime_get_ns();
	/* As the scheduler would: run only what was prepared. */
	if (!ret)
		msm_vm_bind_job_run(vm, job);
	ns[5] = ktime_get_ns();
	msm_vm_bind_job_free(vm, job);
	ns[6] = ktime_get_ns();
	if (t) {
		t->create += ns[1] - ns[0];
		t->lock += ns[2] - ns[1] + ns[4] - ns[3];
		t->prepare += ns[3] - ns[2];
		t->run += ns[5] - ns[4];
		t->free += ns[6] - ns[5];
	}
	return ret;
}

u64 conf_user_ops(struct kunit *test, const struct drm_msm_vm_bind_op *ops, u32 n)
{
	unsigned long user;

	user = kunit_vm_mmap(test, NULL, 0, PAGE_ALIGN((size_t)n * sizeof(*ops)),
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, user, 0, "no user memory for the ops");
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)user, ops, n * sizeof(*ops)), 0);
	return user;
}

int conf_bind(struct kunit *test, struct msm_vm *vm, const struct drm_msm_vm_bind_op *ops,
	      u32 n)
{
	struct drm_msm_vm_bind args = {};

	return conf_bind_args(test, vm, &args, ops, n, 0);
}

void conf_describe(struct kunit *test, struct msm_vm *vm, char *buf, size_t len)
{
	struct conf *c = test->priv;
	struct msm_vm_va_info info[32];
	struct drm_exec exec;
	unsigned int n, i;
	size_t pos = 0;

	conf_lock(test, &exec, vm, NULL, 0);
	n = msm_vm_vmas(vm, info, ARRAY_SIZE(info));
	drm_exec_fini(&exec);
	KUNIT_ASSERT_LE(test, n, ARRAY_SIZE(info));
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (info[i].obj)
			pos += scnprintf(buf + pos, len - pos, "%s0x%llx+0x%llx=%u@0x%llx%s",
					 i ? " " : "", info[i].iova, info[i].range,
					 conf_handle_of(c, info[i].obj), info[i].offset,
					 info[i].flags & MSM_VM_BIND_OP_DUMP ? "+D" : "");
		else
			pos += scnprintf(buf + pos, len - pos, "%s0x%llx+0x%llx=null%s",
					 i ? " " : "", info[i].iova, info[i].range,
					 info[i].flags & MSM_VM_BIND_OP_DUMP ? "+D" : "");
	}
}

/*
 * Per core, in the order of msm_vm_cores: the cases of the running suite,
 * how many failed and the time their bodies took.  Printed by
 * conf_suite_exit() for report.py, which compares the cores.  No lock: KUnit
 * runs one suite, and one case of it, at a time.
 */
#define CONF_MAX_CORES	4
static struct {
	unsigned int cases;
	unsigned int failed;
	u64 ns;
} conf_core_stats[CONF_MAX_CORES];

static int conf_core_index(const struct msm_vm_funcs *core)
{
	int i;

	for (i = 0; i < CONF_MAX_CORES && msm_vm_cores[i]; i++)
		if (msm_vm_cores[i] == core)
			return i;
	return -1;
}

int conf_suite_init(struct kunit_suite *suite)
{
	memset(conf_core_stats, 0, sizeof(conf_core_stats));
	return 0;
}

/*
 * One line per core: "msm-vm-core: suite=S core=C cases=N failed=N us=N".
 * The time is the sum of the case bodies, without the fixture's set-up.
 */
void conf_suite_exit(struct kunit_suite *suite)
{
	int i;

	for (i = 0; i < CONF_MAX_CORES && msm_vm_cores[i]; i++)
		pr_info("msm-vm-core: suite=%s core=%s cases=%u failed=%u us=%llu\n",
			suite->name, msm_vm_cores[i]->name, conf_core_stats[i].cases,
			conf_core_stats[i].failed, div_u64(conf_core_stats[i].ns, NSEC_PER_USEC));
}

int conf_init_core(struct kunit *test, const struct msm_vm_funcs *core)
{
	struct conf *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	test->priv = c;
	c->core = core;
	c->dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c->dev);
	c->drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, c->dev,
								 sizeof(*c->drm), 0,
								 &conf_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c->drm);
	c->mmu = msm_vm_test_mmu_new(test, c->dev);
	c->file = kunit_kzalloc(test, sizeof(*c->file), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->file);
	if (core)
		msm_vm_core_live(core, &c->live);
	c->start_ns = ktime_get_ns();
	return 0;
}

int conf_init(struct kunit *test)
{
	/* The param points into msm_vm_cores. */
	return conf_init_core(test, *(const struct msm_vm_funcs *const *)test->param_value);
}

void conf_exit(struct kunit *test)
{
	struct conf *c = test->priv;
	struct msm_vm_live live;
	u64 ns;
	int i;

	if (!c || !c->core)
		return;
	ns = c->start_ns ? ktime_get_ns() - c->start_ns : 0;
	msm_vm_core_live(c->core, &live);
	KUNIT_EXPECT_EQ_MSG(test, live.vms, c->live.vms, "VMs leaked");
	KUNIT_EXPECT_EQ_MSG(test, live.vmas, c->live.vmas, "VMAs leaked");
	KUNIT_EXPECT_EQ_MSG(test, live.vm_bos, c->live.vm_bos, "vm_bos leaked");
	KUNIT_EXPECT_EQ_MSG(test, live.jobs, c->live.jobs, "bind jobs leaked");
	if (c->mmu) {
		KUNIT_EXPECT_EQ_MSG(test, c->mmu->prealloc_short, 0,
				    "a bind job needed more page tables than it counted");
		/* Every pre-allocated page was used as a table or given back. */
		KUNIT_EXPECT_EQ_MSG(test, c->mmu->prealloc_allocated,
				    c->mmu->prealloc_used + c->mmu->prealloc_returned,
				    "pre-allocated page-table pages leaked");
	}
	i = conf_core_index(c->core);
	if (i >= 0) {
		conf_core_stats[i].cases++;
		conf_core_stats[i].failed += test->status == KUNIT_FAILURE;
		conf_core_stats[i].ns += ns;
	}
}

/* Every case runs once per core built in, named after the core. */
const void *core_gen_params(const void *prev, char *desc)
{
	const struct msm_vm_funcs *const *core = prev ?
		(const struct msm_vm_funcs *const *)prev + 1 : msm_vm_cores;

	if (!*core)
		return NULL;
	strscpy(desc, (*core)->name, KUNIT_PARAM_DESC_SIZE);
	return core;
}
