// SPDX-License-Identifier: GPL-2.0

/*
 * Static inlines and macros of drm_gem, drm_gpuvm and dma_resv for the
 * kernel crate's drm module.  Built only when drm_gpuvm and drm_exec are
 * built in: the kernel crate is, and cannot call into drm.ko.
 */

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>
#include <linux/bug.h>
#include <linux/dma-resv.h>

#if IS_BUILTIN(CONFIG_DRM_GPUVM) && IS_BUILTIN(CONFIG_DRM_EXEC)

/* For kernel::drm::warn_on(): 6.12's kernel crate has no WARN_ON(). */
bool rust_helper_WARN_ON(bool cond)
{
	return WARN_ON(cond);
}

void rust_helper_drm_gem_object_get(struct drm_gem_object *obj)
{
	drm_gem_object_get(obj);
}

void rust_helper_drm_gem_object_put(struct drm_gem_object *obj)
{
	drm_gem_object_put(obj);
}

void rust_helper_drm_gem_gpuva_assert_lock_held(struct drm_gem_object *obj)
{
	drm_gem_gpuva_assert_lock_held(obj);
}

void rust_helper_dma_resv_assert_held(struct dma_resv *resv)
{
	dma_resv_assert_held(resv);
}

bool rust_helper_drm_core_check_feature(const struct drm_device *dev, u32 feature)
{
	return drm_core_check_feature(dev, feature);
}

struct drm_gpuvm *rust_helper_drm_gpuvm_get(struct drm_gpuvm *gpuvm)
{
	return drm_gpuvm_get(gpuvm);
}

struct drm_gpuvm_bo *rust_helper_drm_gpuvm_bo_get(struct drm_gpuvm_bo *vm_bo)
{
	return drm_gpuvm_bo_get(vm_bo);
}

void rust_helper_drm_gpuva_op_remap_to_unmap_range(const struct drm_gpuva_op_remap *op,
						   u64 *start_addr, u64 *range)
{
	drm_gpuva_op_remap_to_unmap_range(op, start_addr, range);
}

#endif
