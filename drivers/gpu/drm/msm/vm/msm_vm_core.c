// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the msm GPU VM contract does without a core: the list of cores built
 * in, the choice of the default one, and the per-BO operations that span
 * the VMs of every core.  A VM's core is known from the VM itself (&struct
 * msm_vm); a BO's VMs may belong to several cores, so these ask each one.
 */

#include <linux/module.h>
#include <linux/string.h>

#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>

#include "msm_vm.h"

const struct msm_vm_funcs *const msm_vm_cores[] = {
	&msm_vm_c_funcs,
	NULL
};
EXPORT_SYMBOL_GPL(msm_vm_cores);

static char *vm_core = "c";
module_param(vm_core, charp, 0444);
MODULE_PARM_DESC(vm_core, "VM core new VMs use: c (default) or rust, if built in");

const struct msm_vm_funcs *msm_vm_default_core(void)
{
	const struct msm_vm_funcs *const *core;

	for (core = msm_vm_cores; *core; core++)
		if (vm_core && sysfs_streq(vm_core, (*core)->name))
			return *core;
	return &msm_vm_c_funcs;
}
EXPORT_SYMBOL_GPL(msm_vm_default_core);

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
