/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the C reference core: its objects, shared by msm_vm_c.c
 * (lifetime, kernel-managed VMAs) and msm_vm_c_bind.c (VM_BIND jobs).
 */
#ifndef __MSM_VM_C_H__
#define __MSM_VM_C_H__

#include <linux/atomic.h>
#include <linux/mutex.h>

#include <drm/drm_gpuvm.h>
#include <drm/drm_mm.h>

#include "msm_vm.h"
#include "../msm_mmu.h"

/* The DUMP flag of a VMA, in the bits drm_gpuva leaves to drivers. */
#define MSM_VM_C_VMA_DUMP	DRM_GPUVA_USERBITS

/**
 * struct msm_vm_c - a VM of the C core
 * @base: the contract's public header; must stay first
 * @gpuvm: VA tree, vm_bos and refcount
 * @mmu: the MMU whose page tables this VM writes
 * @bo_funcs: the driver's BO callbacks
 * @mm: VA allocator of a kernel-managed VM, in bytes; under the VM's resv
 * @name: copy of the name, freed with the VM (drm_gpuvm_fini() forgets it)
 * @unusable: NULL, or why the VM takes no more work (set once)
 * @mmu_lock: serializes the page-table writes of bind jobs, which run
 *	without the resv locks; taken in the dma-fence signalling path, so
 *	nothing may allocate under it (lockdep knows it from fs_reclaim)
 * @log: ring of the last 1 << @log_shift page-table ops; under @mmu_lock
 * @log_shift: log2 of the size of @log; 0 without a log
 * @log_next: index in @log of the next entry; under @mmu_lock
 * @log_count: entries written so far, saturating at the size of @log; under
 *	@mmu_lock
 * @bind_prepared: sequence number of the last bind job prepared; under the
 *	VM's resv
 * @bind_done: sequence number of the last bind job whose page-table writes
 *	were applied, by run or free; under @mmu_lock.  Jobs of one VM must
 *	write in the order they were prepared (the VA tree is the truth of
 *	the last prepare), whichever queue they came from
 * @reserve_stamp: the last stamp c_job_reserve() gave; under the VM's resv
 * @evicted: an unmap outside a job may have left VMAs of this user-managed
 *	VM open but unmapped, for msm_vm_validate(); under the VM's resv
 * @managed: the kernel allocates VAs (msm_vm_vma_new())
 * @has_prr: the MMU can map MAP_NULL ranges
 */
struct msm_vm_c {
	struct msm_vm base;
	struct drm_gpuvm gpuvm;
	struct msm_mmu *mmu;
	const struct msm_vm_bo_funcs *bo_funcs;
	struct drm_mm mm;
	const char *name;
	const char *unusable;
	/* Page-table writes of bind jobs; see @mmu_lock above. */
	struct mutex mmu_lock;
	struct msm_vm_log_entry *log;
	unsigned int log_shift;
	unsigned int log_next;
	unsigned int log_count;
	u64 bind_prepared;
	u64 bind_done;
	u64 reserve_stamp;
	bool evicted;
	bool managed;
	bool has_prr;
};

/**
 * struct msm_vm_c_vma - a VMA of the C core
 * @base: the drm_gpuva: range, BO, offset, vm_bo link, flags
 * @mapped: the page-table entries of @base's range are written, or queued
 *	to be by a prepared bind job
 * @map_seq: the bind job that queued the map of the range (&msm_vm_c
 *	bind_prepared), inherited by the pieces of a split; 0 for none.  The
 *	map is still to be written while it is above &msm_vm_c.bind_done
 * @reserve_stamp: the stamp of the last c_job_reserve() that counted this
 *	VMA, so that it counts each VMA once; under the VM's resv
 */
struct msm_vm_c_vma {
	struct drm_gpuva base;
	bool mapped;
	u64 map_seq;
	u64 reserve_stamp;
};

/**
 * struct msm_vm_c_managed_vma - a VMA of a kernel-managed VM of the C core
 * @vma: the VMA; first, so that the allocation is freed through it
 * @node: its VA allocation in the VM's drm_mm
 *
 * Only kernel-managed VMs allocate VAs, so only their VMAs carry a drm_mm
 * node (168 bytes, which would more than double a VM_BIND VMA: 10^6 of
 * those took 512 MiB of kmalloc-512 instead of 192 MiB of kmalloc-192).
 */
struct msm_vm_c_managed_vma {
	struct msm_vm_c_vma vma;
	struct drm_mm_node node;
};

/**
 * struct msm_vm_c_sg_index - where each scatterlist entry of a BO ends
 * @end: BO offset just past the entry
 * @sg: the entry
 */
struct msm_vm_c_sg_index {
	u64 end;
	struct scatterlist *sg;
};

/**
 * struct msm_vm_c_vm_bo - a (VM, BO) pair of the C core
 * @base: the drm_gpuvm_bo
 * @sgt: the table @index was built from
 * @index: one entry per scatterlist entry of @sgt, for a binary search of
 *	a BO offset instead of a walk from the start; built on first use,
 *	under the BO's resv.  It points into the BO's table, which the driver
 *	keeps while a VMA of the BO is mapped and changes only after
 *	unmapping them all: msm_vm_bo_unmap() of the pair always drops it,
 *	an unmap of one VMA that leaves none mapped drops it
 *	(c_vm_bo_unmapped()), and it goes with the pair.  A table at the
 *	address of @sgt is not taken to be the same table.
 * @nents: entries of @index
 */
struct msm_vm_c_vm_bo {
	struct drm_gpuvm_bo base;
	struct sg_table *sgt;
	struct msm_vm_c_sg_index *index;
	unsigned int nents;
};

/*
 * Every allocation the C core makes for itself goes through this, so tests
 * can fail each in turn (msm_vm_fail_nth_alloc()).
 */
#define c_may_fail(alloc)	(msm_vm_alloc_should_fail() ? NULL : (alloc))

extern atomic_long_t msm_vm_c_live_vms, msm_vm_c_live_vmas, msm_vm_c_live_vm_bos;
extern atomic_long_t msm_vm_c_live_jobs;

static inline struct msm_vm_c *to_c_vm(struct msm_vm *vm)
{
	return container_of(vm, struct msm_vm_c, base);
}

static inline struct msm_vm_c *gpuvm_to_c_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct msm_vm_c, gpuvm);
}

static inline struct msm_vm_c_vma *to_c_vma(struct msm_vm_vma *vma)
{
	return (struct msm_vm_c_vma *)vma;
}

static inline struct msm_vm_c_vma *va_to_c_vma(struct drm_gpuva *va)
{
	return container_of(va, struct msm_vm_c_vma, base);
}

static inline struct msm_vm_vma *from_c_vma(struct msm_vm_c_vma *vma)
{
	return (struct msm_vm_vma *)vma;
}

/*
 * Make @vm unusable.  The first reason stays: later failures are its
 * consequences.  Does not sleep; no lock needed.
 */
static inline void msm_vm_c_mark_unusable(struct msm_vm_c *vm, const char *reason)
{
	cmpxchg(&vm->unusable, NULL, reason);
}

/* msm_vm_c_bind.c */
struct msm_vm_bind_job *msm_vm_c_job_create(struct msm_vm *vm, struct drm_file *file,
					    const struct drm_msm_vm_bind *args);
u64 msm_vm_c_job_pages(struct msm_vm *vm, struct msm_vm_bind_job *job);
int msm_vm_c_job_walk_map_bos(struct msm_vm *vm, struct msm_vm_bind_job *job,
			      msm_vm_bo_fn_t fn, void *arg);
int msm_vm_c_job_lock(struct msm_vm *vm, struct msm_vm_bind_job *job, struct drm_exec *exec);
int msm_vm_c_job_prepare(struct msm_vm *vm, struct msm_vm_bind_job *job);
void msm_vm_c_job_run(struct msm_vm *vm, struct msm_vm_bind_job *job);
void msm_vm_c_job_free(struct msm_vm *vm, struct msm_vm_bind_job *job);
void msm_vm_c_vm_bo_free_index(struct msm_vm_c_vm_bo *vbo);
/*
 * Lock the BO of every VMA in [@start, @end), reserving @num_fences fence
 * slots; the VM's resv is held.
 */
int msm_vm_c_lock_vas(struct msm_vm_c *vm, struct drm_exec *exec, u64 start, u64 end,
		      unsigned int num_fences);
int msm_vm_c_validate(struct msm_vm *vm);
int msm_vm_c_step_map(struct drm_gpuva_op *op, void *priv);
int msm_vm_c_step_remap(struct drm_gpuva_op *op, void *priv);
int msm_vm_c_step_unmap(struct drm_gpuva_op *op, void *priv);

#endif /* __MSM_VM_C_H__ */
