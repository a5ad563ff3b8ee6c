// SPDX-License-Identifier: GPL-2.0

//! Locking several GEM objects at once (`struct drm_exec`).
//!
//! C header: [`include/drm/drm_exec.h`](srctree/include/drm/drm_exec.h).

use crate::{bindings, drm::gem, error::to_result, prelude::*, types::Opaque};

/// A `drm_exec` transaction begun by the caller, in C.
///
/// The caller runs the `drm_exec_until_all_locked()` loop and retries on contention; Rust code
/// called inside the loop locks objects with [`Exec::lock_obj`] (or [`Exec::prepare_obj`]) and
/// returns its error, which the caller checks with `drm_exec_retry_on_contention()`.
///
/// # Invariants
///
/// The transaction is initialised and used by the current task only, for as long as a
/// `&mut Exec` to it exists.
#[repr(transparent)]
pub struct Exec(Opaque<bindings::drm_exec>);

impl Exec {
    /// Borrows a transaction from a pointer C handed over.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an initialised `struct drm_exec` that only the current task uses, and
    /// only through the returned reference, for all of `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::drm_exec) -> &'a mut Self {
        // SAFETY: `Exec` is a transparent wrapper; the caller guarantees the rest.
        unsafe { &mut *ptr.cast() }
    }

    /// Locks `obj`'s reservation object and takes a reference on `obj` until the transaction ends.
    ///
    /// Returns `EDEADLK` on contention (the caller's loop then unlocks everything and retries),
    /// `EINTR` if a signal interrupted an interruptible transaction, `EALREADY` for an object
    /// locked twice without `DRM_EXEC_IGNORE_DUPLICATES`, or `ENOMEM`.
    pub fn lock_obj(&mut self, obj: &gem::Object) -> Result {
        // SAFETY: The transaction is valid and ours by the type invariant, and `obj` is valid.
        to_result(unsafe { bindings::drm_exec_lock_obj(self.0.get(), obj.as_raw()) })
    }

    /// Locks `obj` as [`Exec::lock_obj`] does and reserves `num_fences` fence slots in its
    /// reservation object, for fences the caller adds before the transaction ends. With no slot
    /// it is [`Exec::lock_obj`] (`drm_exec_prepare_obj()` WARNs on 0).
    ///
    /// Returns the errors of [`Exec::lock_obj`]; `ENOMEM` also if the slots cannot be reserved.
    pub fn prepare_obj(&mut self, obj: &gem::Object, num_fences: u32) -> Result {
        if num_fences == 0 {
            return self.lock_obj(obj);
        }
        // SAFETY: The transaction is valid and ours by the type invariant, and `obj` is valid.
        to_result(unsafe { bindings::drm_exec_prepare_obj(self.0.get(), obj.as_raw(), num_fences) })
    }
}
