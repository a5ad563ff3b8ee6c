// SPDX-License-Identifier: GPL-2.0-only
/*
 * The C reference core of the msm GPU VM contract (msm_vm.h).
 *
 * Objects:
 *  - &struct msm_vm_c: a drm_gpuvm with the contract's public header, the
 *    MMU it writes, and for kernel-managed VMs a drm_mm VA allocator.  Its
 *    refcount is the drm_gpuvm's: every drm_gpuvm_bo holds a reference, so
 *    an open VMA (linked to a vm_bo) keeps its VM alive.
 *  - &struct msm_vm_c_vma: a drm_gpuva plus whether its page-table entries
 *    are written.  Linked to the vm_bo of its (VM, BO) pair, which holds the
 *    BO reference.  In a kernel-managed VM it is the first member of a
 *    &struct msm_vm_c_managed_vma, which adds its drm_mm node.
 *
 * Locking (see msm_vm.h for the order):
 *  - the VM's resv protects the VA tree (drm_gpuva insert/remove) and the
 *    drm_mm; asserted with drm_gpuvm_resv_assert_held();
 *  - a BO's resv protects its vm_bo and VA lists; asserted with
 *    drm_gem_gpuva_assert_lock_held();
 *  - page-table writes of kernel-managed VMs are serialized by those resv
 *    locks, which every map and unmap path holds;
 *  - page-table writes of user-managed VMs take mmu_lock (&struct msm_vm_c):
 *    bind jobs run without the resv locks (msm_vm_c_bind.c), and unmaps
 *    outside jobs (c_vma_unmap()) must not interleave with them.
 */

#include <linux/atomic.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_mm.h>
#include <drm/drm_print.h>
#include <uapi/drm/msm_drm.h>

#include "msm_vm_c.h"

atomic_long_t msm_vm_c_live_vms, msm_vm_c_live_vmas, msm_vm_c_live_vm_bos;
atomic_long_t msm_vm_c_live_jobs;

static const struct drm_gpuvm_ops c_gpuvm_ops;

static bool is_c_vm(struct drm_gpuvm *gpuvm)
{
	return gpuvm->ops == &c_gpuvm_ops;
}

static void c_vm_free(struct drm_gpuvm *gpuvm)
{
	struct msm_vm_c *vm = gpuvm_to_c_vm(gpuvm);

	drm_mm_takedown(&vm->mm);
	mutex_destroy(&vm->mmu_lock);
	kfree(vm->log);
	kfree_const(vm->name);
	kfree(vm);
	atomic_long_dec(&msm_vm_c_live_vms);
}

static struct drm_gpuvm_bo *c_vm_bo_alloc(void)
{
	struct msm_vm_c_vm_bo *vbo = c_may_fail(kzalloc(sizeof(*vbo), GFP_KERNEL));

	if (!vbo)
		return NULL;
	atomic_long_inc(&msm_vm_c_live_vm_bos);
	return &vbo->base;
}

static void c_vm_bo_free(struct drm_gpuvm_bo *vm_bo)
{
	struct msm_vm_c_vm_bo *vbo = container_of(vm_bo, struct msm_vm_c_vm_bo, base);

	msm_vm_c_vm_bo_free_index(vbo);
	kfree(vbo);
	atomic_long_dec(&msm_vm_c_live_vm_bos);
}

static const struct drm_gpuvm_ops c_gpuvm_ops = {
	.vm_free = c_vm_free,
	.vm_bo_alloc = c_vm_bo_alloc,
	.vm_bo_free = c_vm_bo_free,
	.sm_step_map = msm_vm_c_step_map,
	.sm_step_remap = msm_vm_c_step_remap,
	.sm_step_unmap = msm_vm_c_step_unmap,
};

/*
 * What bind jobs call, checked once: a user-managed VM without it would
 * crash at its first VM_BIND.  VM_BIND maps with the BO's protection, so
 * prot is required too: without it the protection would be lost.
 */
static bool c_can_bind(const struct msm_vm_create_info *info)
{
	const struct msm_mmu_funcs *mmu = info->mmu->funcs;
	const struct msm_vm_bo_funcs *bo = info->bo_funcs;

	return bo->get_sgt && bo->lookup && bo->prot && mmu->unmap &&
	       mmu->prealloc_count && mmu->prealloc_allocate && mmu->prealloc_cleanup &&
	       mmu->map_sg && (mmu->map_prr || !info->has_prr);
}

static struct msm_vm *c_create(const struct msm_vm_create_info *info)
{
	struct drm_gem_object *r_obj;
	struct msm_vm_c *vm;
	const char *name;
	u64 end;

	if (!info->va_size || !PAGE_ALIGNED(info->va_start) ||
	    !PAGE_ALIGNED(info->va_size) ||
	    check_add_overflow(info->va_start, info->va_size, &end))
		return ERR_PTR(-EINVAL);
	if (!drm_core_check_feature(info->drm, DRIVER_GEM_GPUVA) ||
	    !info->mmu || !info->bo_funcs || info->log_shift > MSM_VM_LOG_SHIFT_MAX)
		return ERR_PTR(-EINVAL);
	if (!info->managed && !c_can_bind(info))
		return ERR_PTR(-EINVAL);

	vm = c_may_fail(kzalloc(sizeof(*vm), GFP_KERNEL));
	if (!vm)
		return ERR_PTR(-ENOMEM);
	if (!info->managed && info->log_shift) {
		vm->log = c_may_fail(kcalloc(1 << info->log_shift, sizeof(*vm->log), GFP_KERNEL));
		if (!vm->log)
			goto err_free;
		vm->log_shift = info->log_shift;
	}
	name = c_may_fail(kstrdup_const(info->name ?: "msm-vm", GFP_KERNEL));
	if (!name)
		goto err_free;
	r_obj = c_may_fail(drm_gpuvm_resv_object_alloc(info->drm));
	if (!r_obj)
		goto err_name;

	vm->base.funcs = &msm_vm_c_funcs;
	vm->name = name;
	vm->mmu = info->mmu;
	vm->bo_funcs = info->bo_funcs;
	vm->managed = info->managed;
	vm->has_prr = info->has_prr;
	mutex_init(&vm->mmu_lock);
	/*
	 * Bind jobs take mmu_lock in the dma-fence signalling path: tell
	 * lockdep it may be taken under reclaim, so that any allocation made
	 * while holding it is reported.
	 */
	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&vm->mmu_lock);
	fs_reclaim_release(GFP_KERNEL);
	drm_mm_init(&vm->mm, info->va_start, info->va_size);
	drm_gpuvm_init(&vm->gpuvm, name, 0, info->drm, r_obj, info->va_start,
		       info->va_size, 0, 0, &c_gpuvm_ops);
	/* The VM holds its own reference on its resv object. */
	drm_gem_object_put(r_obj);
	atomic_long_inc(&msm_vm_c_live_vms);
	return &vm->base;

err_name:
	kfree_const(name);
err_free:
	kfree(vm->log);
	kfree(vm);
	return ERR_PTR(-ENOMEM);
}

static void c_get(struct msm_vm *vm)
{
	drm_gpuvm_get(&to_c_vm(vm)->gpuvm);
}

static void c_put(struct msm_vm *vm)
{
	drm_gpuvm_put(&to_c_vm(vm)->gpuvm);
}

static u64 c_va_start(struct msm_vm *vm)
{
	return to_c_vm(vm)->gpuvm.mm_start;
}

static u64 c_va_size(struct msm_vm *vm)
{
	return to_c_vm(vm)->gpuvm.mm_range;
}

static bool c_managed(struct msm_vm *vm)
{
	return to_c_vm(vm)->managed;
}

static struct drm_gem_object *c_resv_obj(struct msm_vm *vm)
{
	return drm_gpuvm_resv_obj(&to_c_vm(vm)->gpuvm);
}

static const char *c_unusable(struct msm_vm *vm)
{
	return READ_ONCE(to_c_vm(vm)->unusable);
}

static void c_mark_unusable(struct msm_vm *vm, const char *reason)
{
	msm_vm_c_mark_unusable(to_c_vm(vm), reason ?: "unusable");
}

/* c_vma_close() frees a managed VMA through its &struct msm_vm_c_vma. */
static_assert(offsetof(struct msm_vm_c_managed_vma, vma) == 0);

static struct msm_vm_vma *c_vma_new(struct msm_vm *_vm, struct drm_gem_object *obj,
				    u64 range_start, u64 range_end)
{
	struct msm_vm_c *vm = to_c_vm(_vm);
	struct msm_vm_c_managed_vma *mvma;
	struct drm_gpuvm_bo *vm_bo;
	struct msm_vm_c_vma *vma;
	int ret;

	if (!vm->managed)
		return ERR_PTR(-EINVAL);
	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	drm_gem_gpuva_assert_lock_held(obj);

	mvma = c_may_fail(kzalloc(sizeof(*mvma), GFP_KERNEL));
	if (!mvma)
		return ERR_PTR(-ENOMEM);
	vma = &mvma->vma;
	ret = drm_mm_insert_node_in_range(&vm->mm, &mvma->node, obj->size,
					  PAGE_SIZE, 0, range_start, range_end,
					  DRM_MM_INSERT_LOW);
	if (ret)
		goto err_free;

	vm_bo = drm_gpuvm_bo_obtain(&vm->gpuvm, obj);
	if (IS_ERR(vm_bo)) {
		ret = PTR_ERR(vm_bo);
		goto err_node;
	}
	drm_gpuva_init(&vma->base, mvma->node.start, obj->size, obj, 0);
	/* drm_mm handed out a free range inside the VM: this cannot fail. */
	ret = drm_gpuva_insert(&vm->gpuvm, &vma->base);
	if (WARN_ON(ret)) {
		drm_gpuvm_bo_put(vm_bo);
		goto err_node;
	}
	drm_gpuvm_bo_extobj_add(vm_bo);
	drm_gpuva_link(&vma->base, vm_bo);
	/* The link holds its own vm_bo reference. */
	drm_gpuvm_bo_put(vm_bo);
	atomic_long_inc(&msm_vm_c_live_vmas);
	return from_c_vma(vma);

err_node:
	drm_mm_remove_node(&mvma->node);
err_free:
	kfree(mvma);
	return ERR_PTR(ret);
}

static int c_vma_map(struct msm_vm *_vm, struct msm_vm_vma *_vma, int prot)
{
	struct msm_vm_c_vma *vma = to_c_vma(_vma);
	struct msm_vm_c *vm = to_c_vm(_vm);
	struct drm_gem_object *obj = vma->base.gem.obj;
	struct sg_table *sgt;
	int ret;

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	drm_gem_gpuva_assert_lock_held(obj);
	/*
	 * A VM_BIND VMA maps at its BO offset, under mmu_lock, from tables
	 * allocated beforehand: msm_vm_validate() does that.
	 */
	if (!vm->managed)
		return -EINVAL;
	if (vma->mapped)
		return 0;

	sgt = vm->bo_funcs->get_sgt(obj);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	ret = vm->mmu->funcs->map(vm->mmu, vma->base.va.addr, sgt,
				  vma->base.va.range, prot);
	if (ret)
		return ret;
	vma->mapped = true;
	return 0;
}

static struct msm_vm_c_vm_bo *to_c_vm_bo(struct drm_gpuvm_bo *vm_bo)
{
	return container_of(vm_bo, struct msm_vm_c_vm_bo, base);
}

/*
 * Forget @vm_bo's scatterlist index once none of its VMAs is mapped: the
 * driver may then free the BO's pages, and a table allocated afterwards,
 * even at the same address, must be indexed anew.  Under the BO's resv.
 */
static void c_vm_bo_unmapped(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuva *va;

	drm_gem_gpuva_assert_lock_held(vm_bo->obj);
	drm_gpuvm_bo_for_each_va(va, vm_bo)
		if (va_to_c_vma(va)->mapped)
			return;
	msm_vm_c_vm_bo_free_index(to_c_vm_bo(vm_bo));
}

/* Remove @vma's page-table entries; see c_vma_unmap(). */
static void __c_vma_unmap(struct msm_vm_c *vm, struct msm_vm_c_vma *vma)
{
	int ret;

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	/* MAP_NULL ranges have no BO. */
	if (vma->base.gem.obj)
		drm_gem_gpuva_assert_lock_held(vma->base.gem.obj);
	if (!vma->mapped)
		return;

	/* A user-managed VM's page tables are also written by bind jobs. */
	if (!vm->managed) {
		mutex_lock(&vm->mmu_lock);
		/*
		 * A prepared job has yet to write this VMA's map: it would
		 * outlive the unmap.  The driver keeps a pending job's BOs
		 * busy, so this is its bug; the VM is lost, and an unusable VM
		 * maps nothing more, so no entry outlives the unmap.
		 */
		if (vma->map_seq > vm->bind_done) {
			drm_err(vm->gpuvm.drm, "%s: 0x%llx+0x%llx unmapped before its bind ran\n",
				vm->gpuvm.name, vma->base.va.addr, vma->base.va.range);
			msm_vm_c_mark_unusable(vm, "unmapped before its bind ran");
		}
	}
	ret = vm->mmu->funcs->unmap(vm->mmu, vma->base.va.addr, vma->base.va.range);
	if (!vm->managed) {
		mutex_unlock(&vm->mmu_lock);
		/* Open and unmapped: msm_vm_validate() maps it again. */
		vm->evicted = true;
	}
	/* The range is gone for us either way: never map over it blindly. */
	if (ret)
		drm_warn(vm->gpuvm.drm, "%s: unmap of 0x%llx+0x%llx failed: %d\n",
			 vm->gpuvm.name, vma->base.va.addr, vma->base.va.range, ret);
	vma->mapped = false;
}

static void c_vma_unmap(struct msm_vm *_vm, struct msm_vm_vma *_vma)
{
	struct msm_vm_c_vma *vma = to_c_vma(_vma);
	bool was_mapped = vma->mapped;

	__c_vma_unmap(to_c_vm(_vm), vma);
	/* Walks the BO's VMAs in this VM: a few, in kernel-managed VMs. */
	if (was_mapped && vma->base.vm_bo)
		c_vm_bo_unmapped(vma->base.vm_bo);
}

static void c_vma_close(struct msm_vm *_vm, struct msm_vm_vma *_vma)
{
	struct msm_vm_c_vma *vma = to_c_vma(_vma);
	struct msm_vm_c *vm = to_c_vm(_vm);

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	/* MAP_NULL ranges have no BO, so no vm_bo to unlink from. */
	if (vma->base.gem.obj)
		drm_gem_gpuva_assert_lock_held(vma->base.gem.obj);
	if (WARN_ON(vma->mapped))
		c_vma_unmap(_vm, _vma);

	/* Only kernel-managed VMs make VMAs here, each with its node. */
	if (vm->managed)
		drm_mm_remove_node(&container_of(vma, struct msm_vm_c_managed_vma, vma)->node);
	drm_gpuva_remove(&vma->base);
	/* Last: this may drop the last vm_bo and with it the VM. */
	drm_gpuva_unlink(&vma->base);
	/* The first member of its &struct msm_vm_c_managed_vma, if managed. */
	kfree(vma);
	atomic_long_dec(&msm_vm_c_live_vmas);
}

static u64 c_vma_iova(struct msm_vm *vm, struct msm_vm_vma *vma)
{
	return to_c_vma(vma)->base.va.addr;
}

static bool c_vma_mapped(struct msm_vm *vm, struct msm_vm_vma *vma)
{
	return to_c_vma(vma)->mapped;
}

static struct drm_gpuvm_bo *c_find_vm_bo(struct msm_vm_c *vm, struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo;

	drm_gem_for_each_gpuvm_bo(vm_bo, obj)
		if (vm_bo->vm == &vm->gpuvm)
			return vm_bo;
	return NULL;
}

static struct msm_vm_vma *c_bo_find_vma(struct msm_vm *_vm, struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	drm_gem_gpuva_assert_lock_held(obj);
	vm_bo = c_find_vm_bo(to_c_vm(_vm), obj);
	if (!vm_bo)
		return NULL;
	/* drm_gpuva_link() appends: the first VA is the oldest. */
	drm_gpuvm_bo_for_each_va(va, vm_bo)
		return from_c_vma(va_to_c_vma(va));
	return NULL;
}

static void c_bo_unmap_vm_bo(struct drm_gpuvm_bo *vm_bo, bool close)
{
	struct msm_vm_c *vm = gpuvm_to_c_vm(vm_bo->vm);
	struct drm_gpuva *va, *next;

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	/* Keep @vm_bo while its last VA goes. */
	drm_gpuvm_bo_get(vm_bo);
	drm_gpuvm_bo_for_each_va_safe(va, next, vm_bo) {
		struct msm_vm_c_vma *vma = va_to_c_vma(va);

		__c_vma_unmap(vm, vma);
		if (close)
			c_vma_close(&vm->base, from_c_vma(vma));
	}
	/* None of them is mapped now: the BO's pages may go (eviction). */
	msm_vm_c_vm_bo_free_index(to_c_vm_bo(vm_bo));
	drm_gpuvm_bo_put(vm_bo);
}

/*
 * The VMAs of @obj in every VM of this core, or in its kernel-managed ones
 * only.  Closing may free the current vm_bo, never the next one, which
 * belongs to another VM.
 */
static void c_bo_unmap_vms(struct drm_gem_object *obj, bool close, bool managed_only)
{
	struct drm_gpuvm_bo *vm_bo, *next;

	drm_gem_for_each_gpuvm_bo_safe(vm_bo, next, obj)
		if (is_c_vm(vm_bo->vm) && (!managed_only || gpuvm_to_c_vm(vm_bo->vm)->managed))
			c_bo_unmap_vm_bo(vm_bo, close);
}

static void c_bo_unmap(struct msm_vm *vm, struct drm_gem_object *obj, bool close)
{
	struct drm_gpuvm_bo *vm_bo;

	drm_gem_gpuva_assert_lock_held(obj);
	if (vm) {
		vm_bo = c_find_vm_bo(to_c_vm(vm), obj);
		if (vm_bo)
			c_bo_unmap_vm_bo(vm_bo, close);
		return;
	}
	c_bo_unmap_vms(obj, close, false);
}

static void c_bo_close_managed(struct drm_gem_object *obj)
{
	drm_gem_gpuva_assert_lock_held(obj);
	c_bo_unmap_vms(obj, true, true);
}

static void c_bo_describe(struct drm_gem_object *obj, struct drm_printer *p)
{
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	drm_gem_gpuva_assert_lock_held(obj);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj) {
		if (!is_c_vm(vm_bo->vm))
			continue;
		drm_gpuvm_bo_for_each_va(va, vm_bo)
			drm_printf(p, " vm=%s iova=0x%llx size=0x%llx %s",
				   vm_bo->vm->name, va->va.addr, va->va.range,
				   va_to_c_vma(va)->mapped ?
				   "mapped" : "unmapped");
	}
}

static unsigned int c_vmas(struct msm_vm *_vm, struct msm_vm_va_info *info, unsigned int max)
{
	struct msm_vm_c *vm = to_c_vm(_vm);
	struct drm_gpuva *va;
	unsigned int n = 0;

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	drm_gpuvm_for_each_va(va, &vm->gpuvm) {
		if (n < max)
			info[n] = (struct msm_vm_va_info) {
				.iova = va->va.addr,
				.range = va->va.range,
				.obj = va->gem.obj,
				.offset = va->gem.offset,
				.flags = va->flags & MSM_VM_C_VMA_DUMP ? MSM_VM_BIND_OP_DUMP : 0,
				.mapped = va_to_c_vma(va)->mapped,
			};
		n++;
	}
	return n;
}

static unsigned int c_log_read(struct msm_vm *_vm, struct msm_vm_log_entry *entries,
			       unsigned int max)
{
	struct msm_vm_c *vm = to_c_vm(_vm);
	unsigned int size = vm->log ? 1 << vm->log_shift : 0;
	unsigned int n, first, i;

	if (!size)
		return 0;
	mutex_lock(&vm->mmu_lock);
	n = min(vm->log_count, max);
	/* The oldest of the last n entries. */
	first = (vm->log_next + size - n) & (size - 1);
	for (i = 0; i < n; i++)
		entries[i] = vm->log[(first + i) & (size - 1)];
	mutex_unlock(&vm->mmu_lock);
	return n;
}

int msm_vm_c_lock_vas(struct msm_vm_c *vm, struct drm_exec *exec, u64 start, u64 end,
		      unsigned int num_fences)
{
	struct drm_gpuva *va;
	int ret;

	/* The VA tree is stable: the caller locked the VM's resv first. */
	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	drm_gpuvm_for_each_va_range(va, &vm->gpuvm, start, end) {
		if (!va->gem.obj)
			continue;
		/* drm_exec_prepare_obj() refuses to reserve no slot. */
		ret = num_fences ? drm_exec_prepare_obj(exec, va->gem.obj, num_fences) :
				   drm_exec_lock_obj(exec, va->gem.obj);
		if (ret)
			return ret;
	}
	return 0;
}

static int c_lock_all(struct msm_vm *_vm, struct drm_exec *exec)
{
	struct msm_vm_c *vm = to_c_vm(_vm);
	int ret;

	ret = drm_exec_lock_obj(exec, drm_gpuvm_resv_obj(&vm->gpuvm));
	if (ret)
		return ret;
	return msm_vm_c_lock_vas(vm, exec, vm->gpuvm.mm_start,
				 vm->gpuvm.mm_start + vm->gpuvm.mm_range, 0);
}

static void c_close(struct msm_vm *_vm)
{
	struct msm_vm_c *vm = to_c_vm(_vm);
	struct drm_gpuva *va, *next;

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	/* The caller's reference keeps @vm while its last vm_bo goes. */
	drm_gpuvm_for_each_va_safe(va, next, &vm->gpuvm) {
		struct msm_vm_c_vma *vma = va_to_c_vma(va);

		/* The vm_bo, and its index, go with the BO's last VMA. */
		__c_vma_unmap(vm, vma);
		c_vma_close(_vm, from_c_vma(vma));
	}
}

static void c_live(struct msm_vm_live *live)
{
	live->vms = atomic_long_read(&msm_vm_c_live_vms);
	live->vmas = atomic_long_read(&msm_vm_c_live_vmas);
	live->vm_bos = atomic_long_read(&msm_vm_c_live_vm_bos);
	live->jobs = atomic_long_read(&msm_vm_c_live_jobs);
}

const struct msm_vm_funcs msm_vm_c_funcs = {
	.name = "c",
	.create = c_create,
	.get = c_get,
	.put = c_put,
	.get_va_start = c_va_start,
	.get_va_size = c_va_size,
	.managed = c_managed,
	.resv_obj = c_resv_obj,
	.unusable = c_unusable,
	.mark_unusable = c_mark_unusable,
	.vma_new = c_vma_new,
	.vma_map = c_vma_map,
	.vma_unmap = c_vma_unmap,
	.vma_close = c_vma_close,
	.vma_iova = c_vma_iova,
	.vma_mapped = c_vma_mapped,
	.bo_find_vma = c_bo_find_vma,
	.bo_unmap = c_bo_unmap,
	.bo_close_managed = c_bo_close_managed,
	.bo_describe = c_bo_describe,
	.lock_all = c_lock_all,
	.close = c_close,
	.vmas = c_vmas,
	.log_read = c_log_read,
	.validate = msm_vm_c_validate,
	.job_create = msm_vm_c_job_create,
	.job_pages = msm_vm_c_job_pages,
	.job_walk_map_bos = msm_vm_c_job_walk_map_bos,
	.job_lock = msm_vm_c_job_lock,
	.job_prepare = msm_vm_c_job_prepare,
	.job_run = msm_vm_c_job_run,
	.job_free = msm_vm_c_job_free,
	.live = c_live,
};
EXPORT_SYMBOL_GPL(msm_vm_c_funcs);
