// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the msm GPU VM contract does without a core: the list of cores built
 * in, the choice of the default one, and the per-BO operations that span
 * the VMs of every core.  A VM's core is known from the VM itself (&struct
 * msm_vm); a BO's VMs may belong to several cores, so these ask each one.
 */

#include <linux/dma-resv.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/sched/mm.h>
#include <linux/string.h>

#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>
#include <uapi/drm/msm_drm.h>

#include "msm_vm.h"

/*
 * The VM_BIND UAPI is byte-compatible with upstream msm's (UAPI 1.13), so
 * that an unmodified turnip works: pin its layout here, at build time.
 */
static_assert(sizeof(struct drm_msm_vm_bind_op) == 40);
static_assert(offsetof(struct drm_msm_vm_bind_op, handle) == 4);
static_assert(offsetof(struct drm_msm_vm_bind_op, obj_offset) == 8);
static_assert(offsetof(struct drm_msm_vm_bind_op, iova) == 16);
static_assert(offsetof(struct drm_msm_vm_bind_op, range) == 24);
static_assert(offsetof(struct drm_msm_vm_bind_op, flags) == 32);
static_assert(offsetof(struct drm_msm_vm_bind_op, pad) == 36);
static_assert(sizeof(struct drm_msm_vm_bind) == 88);
static_assert(offsetof(struct drm_msm_vm_bind, nr_ops) == 4);
static_assert(offsetof(struct drm_msm_vm_bind, fence_fd) == 8);
static_assert(offsetof(struct drm_msm_vm_bind, queue_id) == 12);
static_assert(offsetof(struct drm_msm_vm_bind, in_syncobjs) == 16);
static_assert(offsetof(struct drm_msm_vm_bind, out_syncobjs) == 24);
static_assert(offsetof(struct drm_msm_vm_bind, nr_in_syncobjs) == 32);
static_assert(offsetof(struct drm_msm_vm_bind, nr_out_syncobjs) == 36);
static_assert(offsetof(struct drm_msm_vm_bind, syncobj_stride) == 40);
static_assert(offsetof(struct drm_msm_vm_bind, op_stride) == 44);
static_assert(offsetof(struct drm_msm_vm_bind, op) == 48);
static_assert(offsetof(struct drm_msm_vm_bind, ops) == 48);
static_assert(DRM_MSM_VM_BIND == 0x0d);
/* DRM_IOCTL_MSM_VM_BIND, spelled out: _IOC_TYPECHECK() is no constant. */
static_assert(_IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, DRM_COMMAND_BASE + DRM_MSM_VM_BIND,
		   sizeof(struct drm_msm_vm_bind)) == 0xc058644d);
static_assert(MSM_VM_BIND_OP_UNMAP == 0 && MSM_VM_BIND_OP_MAP == 1 &&
	      MSM_VM_BIND_OP_MAP_NULL == 2 && MSM_VM_BIND_OP_DUMP == 1);
static_assert(MSM_VM_BIND_FENCE_FD_IN == 1 && MSM_VM_BIND_FENCE_FD_OUT == 2);
/* The rest of UAPI 1.13 around VM_BIND is pinned in msm_drv.c. */

/* Allocations left before the one that fails; 0: none fails. */
static atomic_t alloc_fail_nth = ATOMIC_INIT(0);

void msm_vm_fail_nth_alloc(unsigned int n)
{
	atomic_set(&alloc_fail_nth, n);
}
EXPORT_SYMBOL_GPL(msm_vm_fail_nth_alloc);

bool msm_vm_alloc_should_fail(void)
{
	/* Counts down to 1, which fails, then stays at 0. */
	return atomic_read(&alloc_fail_nth) && atomic_dec_return(&alloc_fail_nth) == 0;
}
EXPORT_SYMBOL_GPL(msm_vm_alloc_should_fail);

bool msm_vm_alloc_failure_pending(void)
{
	return atomic_read(&alloc_fail_nth) != 0;
}
EXPORT_SYMBOL_GPL(msm_vm_alloc_failure_pending);

const struct msm_vm_funcs *const msm_vm_cores[] = {
	&msm_vm_c_funcs,
#ifdef CONFIG_DRM_MSM_VM_RUST
	&msm_vm_rs_funcs,
#endif
	NULL
};
EXPORT_SYMBOL_GPL(msm_vm_cores);

/* The default core; written by the parameter, read by msm_vm_default_core(). */
static const struct msm_vm_funcs *default_core = &msm_vm_c_funcs;

int msm_vm_set_default_core(const char *name)
{
	const struct msm_vm_funcs *core = msm_vm_core_by_name(name);

	if (!core)
		return -EINVAL;
	WRITE_ONCE(default_core, core);
	return 0;
}
EXPORT_SYMBOL_GPL(msm_vm_set_default_core);

static int vm_core_set(const char *val, const struct kernel_param *kp)
{
	return msm_vm_set_default_core(val);
}

static int vm_core_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(default_core)->name);
}

static const struct kernel_param_ops vm_core_ops = {
	.set = vm_core_set,
	.get = vm_core_get,
};

/* Writable: it decides the core of the VMs created afterwards only. */
module_param_cb(vm_core, &vm_core_ops, NULL, 0644);
MODULE_PARM_DESC(vm_core, "VM core new VMs use: c (default) or rust, if built in");

const struct msm_vm_funcs *msm_vm_core_by_name(const char *name)
{
	const struct msm_vm_funcs *const *core;

	for (core = msm_vm_cores; name && *core; core++)
		if (sysfs_streq(name, (*core)->name))
			return *core;
	return NULL;
}
EXPORT_SYMBOL_GPL(msm_vm_core_by_name);

const struct msm_vm_funcs *msm_vm_default_core(void)
{
	return READ_ONCE(default_core);
}
EXPORT_SYMBOL_GPL(msm_vm_default_core);

void msm_vm_bo_vma_put(struct drm_gem_object *obj, atomic_t *ref)
{
	const struct msm_vm_funcs *const *core;
	struct drm_exec exec;
	int ret;

	if (!atomic_dec_and_test(ref))
		return;
	do {
		/* Duplicates: a NO_SHARE BO shares its VM's resv. */
		drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
		drm_exec_until_all_locked(&exec) {
			ret = drm_exec_lock_obj(&exec, obj);
			drm_exec_retry_on_contention(&exec);
			if (!ret)
				ret = msm_vm_bo_lock_vms(obj, &exec);
			drm_exec_retry_on_contention(&exec);
			if (ret)
				break;
		}
		/* A handle or export taken meanwhile keeps the VMAs. */
		if (!ret && !atomic_read(ref))
			for (core = msm_vm_cores; *core; core++)
				(*core)->bo_close_managed(obj);
		drm_exec_fini(&exec);
		/* drm_exec's object array: the only failure; wait it out. */
		if (ret == -ENOMEM)
			memalloc_retry_wait(GFP_KERNEL);
	} while (ret == -ENOMEM);
	/* Without interruptible waits drm_exec fails only to allocate. */
	WARN_ON(ret);
}
EXPORT_SYMBOL_GPL(msm_vm_bo_vma_put);

bool msm_vm_bo_has_vmas(struct drm_gem_object *obj)
{
	return !list_empty(&obj->gpuva.list);
}
EXPORT_SYMBOL_GPL(msm_vm_bo_has_vmas);

bool msm_vm_bo_trylock_vms(struct drm_gem_object *obj, struct msm_vm_trylocks *locks)
{
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gem_object *r_obj;

	/* The list of @obj's vm_bos is stable under its resv. */
	dma_resv_assert_held(obj->resv);
	locks->n = 0;
	drm_gem_for_each_gpuvm_bo(vm_bo, obj) {
		r_obj = drm_gpuvm_resv_obj(vm_bo->vm);
		/* A NO_SHARE BO: its resv is the VM's, already held. */
		if (r_obj->resv == obj->resv)
			continue;
		if (locks->n == MSM_VM_TRYLOCK_MAX || !dma_resv_trylock(r_obj->resv)) {
			msm_vm_bo_unlock_vms(locks);
			return false;
		}
		drm_gem_object_get(r_obj);
		locks->objs[locks->n++] = r_obj;
	}
	return true;
}
EXPORT_SYMBOL_GPL(msm_vm_bo_trylock_vms);

void msm_vm_bo_unlock_vms(struct msm_vm_trylocks *locks)
{
	while (locks->n) {
		struct drm_gem_object *r_obj = locks->objs[--locks->n];

		dma_resv_unlock(r_obj->resv);
		drm_gem_object_put(r_obj);
	}
}
EXPORT_SYMBOL_GPL(msm_vm_bo_unlock_vms);

int msm_vm_bo_lock_vms(struct drm_gem_object *obj, struct drm_exec *exec)
{
	struct drm_gpuvm_bo *vm_bo;
	int ret;

	drm_gem_gpuva_assert_lock_held(obj);
	drm_gem_for_each_gpuvm_bo(vm_bo, obj) {
		ret = drm_exec_lock_obj(exec, drm_gpuvm_resv_obj(vm_bo->vm));
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(msm_vm_bo_lock_vms);

void msm_vm_bo_unmap_all_vms(struct drm_gem_object *obj, bool close)
{
	const struct msm_vm_funcs *const *core;

	for (core = msm_vm_cores; *core; core++)
		(*core)->bo_unmap(NULL, obj, close);
}
EXPORT_SYMBOL_GPL(msm_vm_bo_unmap_all_vms);

void msm_vm_bo_describe(struct drm_gem_object *obj, struct drm_printer *p)
{
	const struct msm_vm_funcs *const *core;

	for (core = msm_vm_cores; *core; core++)
		(*core)->bo_describe(obj, p);
}
EXPORT_SYMBOL_GPL(msm_vm_bo_describe);
