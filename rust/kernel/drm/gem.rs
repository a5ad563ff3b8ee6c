// SPDX-License-Identifier: GPL-2.0

//! GEM objects and their reservation objects.
//!
//! C headers: [`include/drm/drm_gem.h`](srctree/include/drm/drm_gem.h),
//! [`include/linux/dma-resv.h`](srctree/include/linux/dma-resv.h).

use crate::{
    bindings,
    types::{AlwaysRefCounted, Opaque},
};
use core::{marker::PhantomData, ptr::NonNull};

/// A GEM object (`struct drm_gem_object`) of any driver.
///
/// Only borrowed (`&Object`) or counted ([`ARef<Object>`](crate::types::ARef)): the object is
/// created and freed by its driver, in C.
///
/// # Invariants
///
/// The object is initialised and its reference count is not zero for as long as a `&Object` to
/// it exists.
#[repr(transparent)]
pub struct Object(Opaque<bindings::drm_gem_object>);

// SAFETY: GEM objects are shared between threads by the C side already: their reference count is
// atomic and everything else this type gives access to is either immutable after creation (the
// size) or synchronised by the object's reservation lock.
unsafe impl Send for Object {}
// SAFETY: See `Send` above.
unsafe impl Sync for Object {}

// SAFETY: `drm_gem_object_get()` and `drm_gem_object_put()` count the object's references; the
// object is freed by its driver only after the last `drm_gem_object_put()`.
unsafe impl AlwaysRefCounted for Object {
    fn inc_ref(&self) {
        // SAFETY: By the type invariant the count is not zero.
        unsafe { bindings::drm_gem_object_get(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference it owns.
        unsafe { bindings::drm_gem_object_put(obj.as_ptr().cast()) };
    }
}

impl Object {
    /// Borrows a GEM object from a pointer C handed over.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an initialised `struct drm_gem_object` on which a reference is held for
    /// all of `'a`.
    pub unsafe fn from_raw<'a>(ptr: *const bindings::drm_gem_object) -> &'a Self {
        // SAFETY: `Object` is a transparent wrapper; the caller guarantees the rest.
        unsafe { &*ptr.cast() }
    }

    /// The C object, for calls into C.
    pub fn as_raw(&self) -> *mut bindings::drm_gem_object {
        self.0.get()
    }

    /// The size of the object in bytes, fixed at its creation.
    pub fn size(&self) -> usize {
        // SAFETY: `size` is set before the object is published and never changes.
        unsafe { (*self.as_raw()).size }
    }

    /// The object's reservation object, which may be shared with other objects.
    pub fn resv(&self) -> &DmaResv {
        // SAFETY: `resv` points to the object's own `_resv` or to one shared with it; it lives at
        // least as long as the object.
        unsafe { DmaResv::from_raw((*self.as_raw()).resv) }
    }

    /// Asserts (with lockdep) that the lock of the object's list of GPU VAs is held.
    ///
    /// That lock is the object's reservation lock unless its driver chose another one.
    pub fn assert_gpuva_lock_held(&self) {
        // SAFETY: The object is valid by the type invariant.
        unsafe { bindings::drm_gem_gpuva_assert_lock_held(self.as_raw()) };
    }
}

/// Proof that the current task holds a GEM object's gpuva lock (the lock of its list of vm_bos
/// and their VAs): its reservation lock, unless its driver chose another.
///
/// # Invariants
///
/// The current task holds `obj`'s gpuva lock for `'a`.
pub struct GpuvaLocked<'a> {
    obj: &'a Object,
    _not_send: PhantomData<*mut ()>,
}

impl<'a> GpuvaLocked<'a> {
    /// The object.
    pub fn obj(&self) -> &'a Object {
        self.obj
    }
}

impl Object {
    /// The proof that the current task holds the object's gpuva lock. Asserts it with lockdep.
    ///
    /// # Safety
    ///
    /// The current task holds the object's gpuva lock for all of `'a`.
    pub unsafe fn assume_gpuva_locked<'a>(&'a self) -> GpuvaLocked<'a> {
        self.assert_gpuva_lock_held();
        GpuvaLocked {
            obj: self,
            _not_send: PhantomData,
        }
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self, other)
    }
}

impl Eq for Object {}

/// A reservation object (`struct dma_resv`): a ww_mutex and the fences of a buffer.
///
/// # Invariants
///
/// The reservation object is initialised for as long as a `&DmaResv` to it exists.
#[repr(transparent)]
pub struct DmaResv(Opaque<bindings::dma_resv>);

impl DmaResv {
    /// Borrows a reservation object from a pointer C handed over.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an initialised `struct dma_resv` that stays so for all of `'a`.
    pub unsafe fn from_raw<'a>(ptr: *const bindings::dma_resv) -> &'a Self {
        // SAFETY: `DmaResv` is a transparent wrapper; the caller guarantees the rest.
        unsafe { &*ptr.cast() }
    }

    /// The C object, for calls into C.
    pub fn as_raw(&self) -> *mut bindings::dma_resv {
        self.0.get()
    }

    /// Asserts (with lockdep) that the current task holds the reservation lock.
    pub fn assert_held(&self) {
        // SAFETY: The object is valid by the type invariant.
        unsafe { bindings::dma_resv_assert_held(self.as_raw()) };
    }
}
