// SPDX-License-Identifier: GPL-2.0

//! DRM: GEM objects, GPU VA managers and `drm_exec`.
//!
//! What a driver needs to keep the GPU address spaces of its clients on
//! `drm_gpuvm`: reference-counted GEM objects and their reservation locks
//! ([`gem`]), the VA manager itself with its VAs, (VM, BO) pairs and split
//! and merge steps ([`gpuvm`]), and locking several objects at once
//! ([`exec`]).
//!
//! C headers: [`include/drm/drm_gem.h`](srctree/include/drm/drm_gem.h),
//! [`include/drm/drm_gpuvm.h`](srctree/include/drm/drm_gpuvm.h),
//! [`include/drm/drm_exec.h`](srctree/include/drm/drm_exec.h).

pub mod exec;
pub mod gem;
pub mod gpuvm;

/// `WARN_ON()`: warns with a backtrace (and taints the kernel) when `cond` is true. For states a
/// caller's own invariants rule out, so that breaking them is loud even where the caller can
/// carry on. Returns `cond`.
pub fn warn_on(cond: bool) -> bool {
    // SAFETY: No requirement: the helper only evaluates `WARN_ON(cond)`.
    unsafe { crate::bindings::WARN_ON(cond) }
}
