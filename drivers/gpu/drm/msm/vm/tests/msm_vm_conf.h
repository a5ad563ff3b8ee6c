/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixture of the msm VM conformance suites: a drm device, pinned shmem BOs
 * with GEM handles, a test MMU over io-pgtable-arm, and helpers that drive
 * the contract the way the msm driver does.
 */
#ifndef __MSM_VM_CONF_H__
#define __MSM_VM_CONF_H__

#include <linux/iommu.h>

#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <uapi/drm/msm_drm.h>

#include "../msm_vm.h"
#include "msm_vm_test_mmu.h"

struct drm_exec;
struct kunit;

#define PROT_RW			(IOMMU_READ | IOMMU_WRITE)
#define CONF_MAX_HANDLES	32

/* The VA range of user-managed test VMs: [1 MiB, 1 TiB). */
#define CONF_USER_START		SZ_1M
#define CONF_USER_SIZE		((1ULL << 40) - SZ_1M)

/**
 * struct conf_file - a drm_file stand-in holding GEM handles
 * @base: never used by the cores, only passed back to the lookup callback
 * @objs: the BO of each handle; handle 0 is never given out
 */
struct conf_file {
	struct drm_file base;
	struct drm_gem_object *objs[CONF_MAX_HANDLES];
};

/**
 * struct conf - per-case fixture
 * @core: the core under test
 * @dev: parent device of @drm
 * @drm: drm device with DRIVER_GEM | DRIVER_GEM_GPUVA
 * @mmu: test MMU over io-pgtable-arm
 * @file: GEM handles of the case
 * @live: the core's live objects before the case
 * @start_ns: when the case body started, for the per-core times
 */
struct conf {
	const struct msm_vm_funcs *core;
	struct device *dev;
	struct drm_device *drm;
	struct msm_vm_test_mmu *mmu;
	struct conf_file *file;
	struct msm_vm_live live;
	u64 start_ns;
};

/**
 * struct conf_bo - a test BO: shmem, pinned at creation
 * @shmem: the drm_gem_shmem object; must stay first (freed by shmem)
 * @sgt: table of its pinned pages, what &msm_vm_bo_funcs.get_sgt returns
 * @sgt_error: if not zero, get_sgt fails with this errno instead
 * @prot: what &msm_vm_bo_funcs.prot returns; PROT_RW from conf_bo_new()
 */
struct conf_bo {
	struct drm_gem_shmem_object shmem;
	struct sg_table *sgt;
	int sgt_error;
	int prot;
};

extern const struct msm_vm_bo_funcs conf_bo_funcs;

struct conf_bo *to_conf_bo(struct drm_gem_object *obj);
int conf_init(struct kunit *test);
/* conf_init() for @core, or with no core (NULL) for cases that use none. */
int conf_init_core(struct kunit *test, const struct msm_vm_funcs *core);
void conf_exit(struct kunit *test);
int conf_suite_init(struct kunit_suite *suite);
void conf_suite_exit(struct kunit_suite *suite);
const void *core_gen_params(const void *prev, char *desc);

/* A pinned shmem BO of @size bytes, released when the case ends. */
struct drm_gem_object *conf_bo_new(struct kunit *test, size_t size);
/* The same, sharing @vm's resv as an MSM_BO_NO_SHARE BO does. */
struct drm_gem_object *conf_bo_new_no_share(struct kunit *test, size_t size, struct msm_vm *vm);
/*
 * Rebuild @obj's table in place, in the same struct sg_table: one entry per
 * page, the pages in reverse order.  What a repin after eviction may give
 * the driver, at the address of the table it freed.
 */
void conf_bo_rebuild_sgt(struct kunit *test, struct drm_gem_object *obj);
/* Physical address of byte @offset of @obj's pages. */
phys_addr_t conf_bo_phys(struct drm_gem_object *obj, u64 offset);
/* A GEM handle of @obj in the case's file. */
u32 conf_handle(struct kunit *test, struct drm_gem_object *obj);

struct msm_vm *conf_vm(struct kunit *test, u64 start, u64 size, bool managed);
/* A VM on another test MMU (msm_vm_test_mmu_new()); user-managed ones have PRR. */
struct msm_vm *conf_vm_on(struct kunit *test, struct msm_vm_test_mmu *mmu, u64 start, u64 size,
			  bool managed);
/* A user-managed VM over CONF_USER_START/SIZE with PRR and a 16-entry log. */
struct msm_vm *conf_user_vm(struct kunit *test);
void conf_lock(struct kunit *test, struct drm_exec *exec, struct msm_vm *vm,
	       struct drm_gem_object **objs, unsigned int n);
/* Lock what msm_vm_close() and msm_vm_validate() need: the VM and all its BOs. */
void conf_lock_all(struct kunit *test, struct drm_exec *exec, struct msm_vm *vm);
void conf_live(struct kunit *test, struct msm_vm_live *live);

/*
 * Run a VM_BIND of @n ops through the whole pipeline (create, lock,
 * prepare, run, free), as the driver does.  One op goes inline; more are
 * read from user memory @stride bytes apart (0: sizeof of an op).
 * Returns 0 or the errno of the first step that failed.
 */
int conf_bind_args(struct kunit *test, struct msm_vm *vm, struct drm_msm_vm_bind *args,
		   const struct drm_msm_vm_bind_op *ops, u32 n, u32 stride);
/**
 * struct conf_job_times - what the steps of conf_job() took, added up
 * @create: ns in msm_vm_bind_job_create()
 * @lock: ns locking (msm_vm_bind_job_lock() in a drm_exec loop) and unlocking
 * @prepare: ns in msm_vm_bind_job_prepare()
 * @run: ns in msm_vm_bind_job_run()
 * @free: ns in msm_vm_bind_job_free()
 * @pages: msm_vm_bind_job_pages() of the jobs
 */
struct conf_job_times {
	u64 create;
	u64 lock;
	u64 prepare;
	u64 run;
	u64 free;
	u64 pages;
};

/*
 * The pipeline of conf_bind_args() for a VM_BIND already in @args (its ops
 * inline or in user memory): create, lock, prepare, unlock, run (only if
 * prepared), free.  Adds each step's time and the job's pages to @t if not
 * NULL.  Returns 0 or the errno of the first step that failed.
 */
int conf_job(struct kunit *test, struct msm_vm *vm, const struct drm_msm_vm_bind *args,
	     struct conf_job_times *t);
/* @n ops copied to new user memory, sizeof an op apart; its address. */
u64 conf_user_ops(struct kunit *test, const struct drm_msm_vm_bind_op *ops, u32 n);
int conf_bind(struct kunit *test, struct msm_vm *vm, const struct drm_msm_vm_bind_op *ops,
	      u32 n);

/* Ops, for tables. */
#define MAP(h, off, va, len)	{ .op = MSM_VM_BIND_OP_MAP, .handle = (h), \
				  .obj_offset = (off), .iova = (va), .range = (len) }
#define MAP_NULL(va, len)	{ .op = MSM_VM_BIND_OP_MAP_NULL, .iova = (va), .range = (len) }
#define UNMAP(va, len)		{ .op = MSM_VM_BIND_OP_UNMAP, .iova = (va), .range = (len) }

/*
 * The VMAs of @vm as text, in address order: "iova+range=N@offset" per
 * VMA, N being the handle of its BO ("null" for MAP_NULL), "+D" with DUMP.
 */
void conf_describe(struct kunit *test, struct msm_vm *vm, char *buf, size_t len);

#endif /* __MSM_VM_CONF_H__ */
