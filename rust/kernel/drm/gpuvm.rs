// SPDX-License-Identifier: GPL-2.0

//! GPU VA managers (`struct drm_gpuvm`), their VAs and their (VM, BO) pairs.
//!
//! A driver implements [`DriverGpuVm`] and gets:
//!
//! - [`GpuVm<T>`]: a `drm_gpuvm` and the driver's data `T`, reference counted by the `drm_gpuvm`'s
//!   kref (every vm_bo holds a reference, so a VM lives while a BO is mapped in it);
//! - [`GpuVa<T>`]: a `drm_gpuva` and the driver's data `T::VaData`, owned by the VM's VA tree
//!   while inserted;
//! - [`GpuVmBo<T>`]: a `drm_gpuvm_bo` and the driver's `T::VmBoData`, reference counted through
//!   [`VmBoRef`];
//! - [`VmLocked::sm_map`] and [`VmLocked::sm_unmap`]: `drm_gpuvm`'s split and merge, which call
//!   the driver's step functions with [`OpMap`], [`OpRemap`] and [`OpUnmap`].
//!
//! The types carry the rules of `drm_gpuvm`:
//!
//! - Every VA of a `GpuVm<T>` and every vm_bo of it was made by this module, so a `drm_gpuva`
//!   found in the tree is a `GpuVa<T>` and a `drm_gpuvm_bo` a `GpuVmBo<T>`.
//! - Split and merge never allocates: [`VmLocked::sm_map`] refuses to start unless a full
//!   [`VaSpares`] is given, which holds as many VAs as one request can create.
//! - A step function returns a proof ([`OpMapped`], [`OpRemapped`], [`OpUnmapped`]) that only
//!   the methods applying the step make, so a step cannot be left undone; the proof's lifetime
//!   ties it to the one step it was made for.
//! - A step may skip a map ([`OpMap::skip_kept`]) only if the same request kept
//!   ([`OpUnmap::keep_va`]) a VA with exactly the map's range, BO and offset, and may not map
//!   over it.
//!
//! Locking is `drm_gpuvm`'s: the VM's reservation lock protects the VA tree, a BO's gpuva lock
//! (its reservation lock) the lists of its vm_bos and of their VAs. Both are taken in C (with
//! `drm_exec`); [`GpuVm::assume_locked`] and [`gem::Object::assume_gpuva_locked`] turn them into
//! proofs ([`VmLocked`], [`gem::GpuvaLocked`]) that the functions needing them borrow, after a
//! lockdep assertion.
//!
//! C header: [`include/drm/drm_gpuvm.h`](srctree/include/drm/drm_gpuvm.h).

use crate::{
    alloc::{flags::GFP_KERNEL, KBox, KVec},
    bindings,
    drm::gem,
    error::{code::*, Result},
    init::PinInit,
    prelude::*,
    str::CStr,
    types::{ARef, AlwaysRefCounted, Opaque},
};
use core::{
    marker::PhantomData,
    mem::MaybeUninit,
    ptr::{self, NonNull},
};

/// The driver side of a [`GpuVm`].
pub trait DriverGpuVm: Sized + Send + Sync + 'static {
    /// The driver's data of every VA. The two pieces a remap leaves of a VA get clones of it.
    type VaData: Clone + Send + Sync;

    /// The driver's data of every vm_bo.
    type VmBoData: Send + Sync;

    /// What the step functions work on: the first argument of [`VmLocked::sm_map`] and
    /// [`VmLocked::sm_unmap`].
    type StepContext;

    /// The callbacks of this driver's VMs, one static per driver:
    /// `static OPS: Ops<Drv> = Ops::new();` and `fn ops() -> &'static Ops<Drv> { &OPS }`.
    ///
    /// Its address also tells this driver's VMs from other drivers' ([`GpuVmBo::of_obj`]).
    fn ops() -> &'static Ops<Self>;

    /// Asked before every allocation this module makes for the driver; an error fails it.
    ///
    /// For fault injection. Must not sleep: it is also asked in `drm_gpuvm_bo_obtain()`.
    fn may_alloc() -> Result {
        Ok(())
    }

    /// The data of a new vm_bo, made by `drm_gpuvm_bo_obtain()`.
    fn new_vm_bo_data() -> Self::VmBoData;

    /// Applies a map step: [`OpMap::map`] or [`OpMap::skip_kept`].
    fn step_map<'op>(
        ctx: &mut Self::StepContext,
        op: OpMap<'op, Self>,
    ) -> Result<OpMapped<'op, Self>>;

    /// Applies a remap step: [`OpRemap::remap`].
    fn step_remap<'op>(
        ctx: &mut Self::StepContext,
        op: OpRemap<'op, Self>,
    ) -> Result<OpRemapped<'op, Self>>;

    /// Applies an unmap step: [`OpUnmap::unmap`] or [`OpUnmap::keep_va`].
    fn step_unmap<'op>(
        ctx: &mut Self::StepContext,
        op: OpUnmap<'op, Self>,
    ) -> Result<OpUnmapped<'op, Self>>;
}

/// The `drm_gpuvm_ops` of a driver; see [`DriverGpuVm::ops`].
#[repr(transparent)]
pub struct Ops<T: DriverGpuVm>(bindings::drm_gpuvm_ops, PhantomData<fn() -> T>);

impl<T: DriverGpuVm> Ops<T> {
    /// The callbacks of `T`'s VMs.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(
            bindings::drm_gpuvm_ops {
                vm_free: Some(vm_free::<T>),
                vm_bo_alloc: Some(vm_bo_alloc::<T>),
                vm_bo_free: Some(vm_bo_free::<T>),
                sm_step_map: Some(step_map::<T>),
                sm_step_remap: Some(step_remap::<T>),
                sm_step_unmap: Some(step_unmap::<T>),
                // SAFETY: `drm_gpuvm_ops` holds only `Option`s of function pointers, for which
                // all zeroes is `None`.
                ..unsafe { MaybeUninit::zeroed().assume_init() }
            },
            PhantomData,
        )
    }
}

/// A `drm_gpuvm` and its driver's data.
///
/// # Invariants
///
/// - `gpuvm` is initialised with `T::ops()`, its name points into `name`, and it is reference
///   counted: the memory is freed by [`vm_free`] when the last reference goes.
/// - Every VA in its tree is the `va` of a [`GpuVa<T>`] and every vm_bo of it the `bo` of a
///   [`GpuVmBo<T>`].
#[repr(C)]
#[pin_data]
pub struct GpuVm<T: DriverGpuVm> {
    #[pin]
    gpuvm: Opaque<bindings::drm_gpuvm>,
    name: KVec<u8>,
    #[pin]
    data: T,
}

// SAFETY: The `drm_gpuvm` is shared between threads in C too: its refcount is atomic and its tree
// is only changed under its reservation lock, which the functions changing it assert. `T` is
// `Send + Sync`.
unsafe impl<T: DriverGpuVm> Send for GpuVm<T> {}
// SAFETY: See `Send` above.
unsafe impl<T: DriverGpuVm> Sync for GpuVm<T> {}

// SAFETY: `drm_gpuvm_get()` and `drm_gpuvm_put()` count the references; the memory is freed only
// after the last put, by `vm_free`.
unsafe impl<T: DriverGpuVm> AlwaysRefCounted for GpuVm<T> {
    fn inc_ref(&self) {
        // SAFETY: The VM is initialised and has a reference: we have a `&self`.
        unsafe { bindings::drm_gpuvm_get(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference it owns.
        unsafe { bindings::drm_gpuvm_put(Opaque::raw_get(ptr::addr_of!((*obj.as_ptr()).gpuvm))) };
    }
}

impl<T: DriverGpuVm> GpuVm<T> {
    /// Creates a VM of `range` bytes from `start`, with its own reservation object.
    ///
    /// Allocates three times, each asked of [`DriverGpuVm::may_alloc`] first: a copy of `name`,
    /// the reservation object and the VM. `data` must not fail: allocate what it needs first.
    ///
    /// # Safety
    ///
    /// `drm` must be a valid drm device with `DRIVER_GEM_GPUVA` that outlives the VM, and
    /// `[start, start + range)` must not wrap.
    pub unsafe fn new(
        drm: *mut bindings::drm_device,
        name: &CStr,
        start: u64,
        range: u64,
        data: impl PinInit<T>,
    ) -> Result<ARef<Self>> {
        T::may_alloc()?;
        let mut copy = KVec::new();
        copy.extend_from_slice(name.as_bytes_with_nul(), GFP_KERNEL)?;
        let name_ptr = copy.as_ptr();

        T::may_alloc()?;
        // SAFETY: `drm` is valid by the safety requirements.
        let r_obj = unsafe { bindings::drm_gpuvm_resv_object_alloc(drm) };
        let r_obj = NonNull::new(r_obj).ok_or(ENOMEM)?;
        // SAFETY: `drm_gpuvm_resv_object_alloc()` returned an object with one reference, ours.
        let r_obj: ARef<gem::Object> = unsafe { ARef::from_raw(r_obj.cast()) };

        T::may_alloc()?;
        let ops = T::ops();
        let r_raw = r_obj.as_raw();
        let vm = KBox::pin_init(
            pin_init!(Self {
                data <- data,
                name: copy,
                // Last: nothing may fail after `drm_gpuvm_init()`, which `Opaque` cannot undo.
                gpuvm <- Opaque::ffi_init(|slot| {
                    // SAFETY: `slot` is ours to initialise; the name lives in `name` as long as
                    // the VM (a `KVec` does not move its buffer); `drm` and `r_obj` are valid;
                    // the range does not wrap; `ops` is static.
                    unsafe {
                        bindings::drm_gpuvm_init(
                            slot,
                            name_ptr.cast(),
                            0,
                            drm,
                            r_raw,
                            start,
                            range,
                            0,
                            0,
                            &ops.0,
                        )
                    }
                }),
            }),
            GFP_KERNEL,
        )?;
        // `drm_gpuvm_init()` took its own reference on the reservation object.
        drop(r_obj);
        // SAFETY: The memory is handed to the VM's refcount, which `drm_gpuvm_init()` set to one:
        // that reference becomes the `ARef`. `vm_free` turns the pointer back into the box.
        // The box is never moved out of: the VM stays pinned.
        let raw = KBox::into_raw(unsafe { Pin::into_inner_unchecked(vm) });
        // SAFETY: `raw` comes from a box, so it is not null, and it owns the one reference.
        Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(raw)) })
    }

    /// The C object, for calls into C.
    pub fn as_raw(&self) -> *mut bindings::drm_gpuvm {
        self.gpuvm.get()
    }

    /// The driver's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The VM whose driver data is `data`.
    ///
    /// # Safety
    ///
    /// `data` must point to the `data` of a live `GpuVm<T>`, referenced for all of `'a`.
    pub unsafe fn from_data<'a>(data: *const T) -> &'a Self {
        // SAFETY: By the safety requirements `data` is the `data` field of a `GpuVm<T>`.
        unsafe { &*crate::container_of!(data, Self, data) }
    }

    /// The VM behind a `drm_gpuvm`, if it is one of `T`'s.
    ///
    /// # Safety
    ///
    /// `raw` must point to an initialised `drm_gpuvm` referenced for all of `'a`.
    pub unsafe fn from_raw<'a>(raw: *const bindings::drm_gpuvm) -> Option<&'a Self> {
        // SAFETY: `raw` is valid; `ops` never changes after `drm_gpuvm_init()`.
        if !ptr::eq(unsafe { (*raw).ops }, &T::ops().0) {
            return None;
        }
        // SAFETY: Only `GpuVm::new` initialises a `drm_gpuvm` with `T::ops()`, always the
        // `gpuvm` field of a `GpuVm<T>`.
        Some(unsafe { &*crate::container_of!(raw, Self, gpuvm) })
    }

    /// The first address of the VM.
    pub fn start(&self) -> u64 {
        // SAFETY: Set by `drm_gpuvm_init()` and never changed.
        unsafe { (*self.as_raw()).mm_start }
    }

    /// The size of the VM in bytes.
    pub fn range(&self) -> u64 {
        // SAFETY: Set by `drm_gpuvm_init()` and never changed.
        unsafe { (*self.as_raw()).mm_range }
    }

    /// Whether `[addr, addr + range)` lies inside the VM without wrapping past 2^64
    /// (`drm_gpuvm_range_valid()`). An empty range inside the VM is valid.
    pub fn range_valid(&self, addr: u64, range: u64) -> bool {
        // SAFETY: The VM is valid; its range and kernel node are set at init and never change.
        unsafe { bindings::drm_gpuvm_range_valid(self.as_raw(), addr, range) }
    }

    /// The name given to [`GpuVm::new`].
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` was copied from a `CStr`, with its NUL.
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.name) }
    }

    /// The GEM object holding the VM's reservation object.
    pub fn resv_obj(&self) -> &gem::Object {
        // SAFETY: The VM holds a reference on `r_obj` from `drm_gpuvm_init()` to its end.
        unsafe { gem::Object::from_raw((*self.as_raw()).r_obj) }
    }

    /// Asserts (with lockdep) that the VM's reservation lock is held.
    pub fn assert_resv_held(&self) {
        self.resv_obj().resv().assert_held();
    }

    /// The proof that the current task holds the VM's reservation lock, which gives access to
    /// the VA tree. Asserts the lock with lockdep.
    ///
    /// # Safety
    ///
    /// The current task holds the VM's reservation lock for all of `'a` (taken in C, with
    /// `drm_exec` or `dma_resv_lock()`), and no other `VmLocked` of the VM exists meanwhile.
    pub unsafe fn assume_locked(&self) -> VmLocked<'_, T> {
        self.assert_resv_held();
        VmLocked {
            vm: self,
            _not_send: PhantomData,
        }
    }

    /// The vm_bo of `obj` in this VM, made if there is none yet, with a new reference. The
    /// reference lives as long as the lock `obj` stands for (`'a`), not just the borrow of `obj`:
    /// the proof may be made, used and dropped in a loop while the references are kept.
    ///
    /// Fails with `ENOMEM`, including when [`DriverGpuVm::may_alloc`] refuses.
    pub fn obtain_bo<'a>(&self, obj: &gem::GpuvaLocked<'a>) -> Result<VmBoRef<'a, T>> {
        // SAFETY: The VM and the object are valid, and the object's gpuva lock is held.
        let raw = unsafe { bindings::drm_gpuvm_bo_obtain(self.as_raw(), obj.obj().as_raw()) };
        if raw.is_null() {
            return Err(ENOMEM);
        }
        let raw = crate::error::from_err_ptr(raw)?;
        Ok(VmBoRef {
            // SAFETY: `drm_gpuvm_bo_obtain()` returned a valid vm_bo, and a reference on it for
            // us. A vm_bo of a `GpuVm<T>` is a `GpuVmBo<T>` (type invariant).
            bo: unsafe { NonNull::new_unchecked(raw.cast()) },
            _lock: PhantomData,
        })
    }
}

/// Proof that the current task holds a VM's reservation lock: the VA tree's lock.
///
/// Made by [`GpuVm::assume_locked`]. Reading the tree borrows the proof, changing it borrows the
/// proof mutably: a VA a walk returned cannot be removed while the walk's borrow lasts, except
/// through the `unsafe` methods, whose callers take that on.
///
/// # Invariants
///
/// The current task holds `vm`'s reservation lock for `'a`, and this is the VM's only proof.
pub struct VmLocked<'a, T: DriverGpuVm> {
    vm: &'a GpuVm<T>,
    _not_send: PhantomData<*mut ()>,
}

impl<'a, T: DriverGpuVm> VmLocked<'a, T> {
    /// The VM.
    pub fn vm(&self) -> &'a GpuVm<T> {
        self.vm
    }

    /// The VM's first VA in address order, if any.
    pub fn first_va(&self) -> Option<&GpuVa<T>> {
        // SAFETY: `rb.list` is the VM's list of VAs, sorted by address, under the reservation
        // lock, held (type invariant); its VAs are `GpuVa<T>`s (`GpuVm` invariant).
        unsafe {
            let head = ptr::addr_of_mut!((*self.vm.as_raw()).rb.list);
            GpuVa::from_entry(head, (*head).next)
        }
    }

    /// The VM's VAs that overlap `[start, end)`, in address order.
    pub fn vas_in(&self, start: u64, end: u64) -> VaIter<'_, T> {
        // SAFETY: The VM is valid and its tree locked (type invariant).
        let first = unsafe {
            bindings::drm_gpuva_find_first(self.vm.as_raw(), start, end.saturating_sub(start))
        };
        VaIter {
            vm: self.vm,
            // SAFETY: A VA of a `GpuVm<T>` is a `GpuVa<T>` (type invariant), valid while the
            // tree is locked and not changed: the iterator borrows the proof.
            next: unsafe { first.cast::<GpuVa<T>>().as_ref() },
            end,
        }
    }

    /// Inserts a VA of `range` bytes at `addr` mapping the BO of `vm_bo` at `offset`, or nothing
    /// for `None`, and links it to `vm_bo`, whose BO's gpuva lock `obj` proves.
    ///
    /// Fails with `EINVAL` if `vm_bo` is another VM's or `obj` another BO's, or if the range is
    /// not free and inside the VM; `va` is freed then.
    pub fn insert_va(
        &mut self,
        va: VaAlloc<T>,
        vm_bo: Option<(&GpuVmBo<T>, &gem::GpuvaLocked<'_>)>,
        addr: u64,
        range: u64,
        offset: u64,
        data: T::VaData,
    ) -> Result<&GpuVa<T>> {
        if range == 0 {
            return Err(EINVAL);
        }
        if let Some((bo, obj)) = vm_bo {
            if !ptr::eq(bo.vm(), self.vm) || bo.obj() != obj.obj() {
                return Err(EINVAL);
            }
        }
        let obj = vm_bo.map_or(ptr::null_mut(), |(bo, _)| bo.obj().as_raw());
        let va = va.init(data);
        // SAFETY: `va` is initialised, ours, and not in any tree yet; the tree is locked.
        let ret = unsafe {
            let raw = va.va.get();
            (*raw).va.addr = addr;
            (*raw).va.range = range;
            (*raw).gem.obj = obj;
            (*raw).gem.offset = offset;
            bindings::drm_gpuva_insert(self.vm.as_raw(), raw)
        };
        crate::error::to_result(ret)?;
        let va = KBox::leak(va);
        if let Some((bo, _)) = vm_bo {
            // SAFETY: `va` is in the tree and its BO is `bo`'s, whose gpuva lock is held.
            unsafe { bindings::drm_gpuva_link(va.va.get(), bo.as_raw()) };
        }
        Ok(va)
    }

    /// Removes `va` from the tree and from its vm_bo, and hands it back.
    ///
    /// # Safety
    ///
    /// `va` must be a VA of this VM's tree not used afterwards through any other reference, and
    /// the current task must hold its BO's gpuva lock. The caller must hold a reference on the VM
    /// other than `va`'s vm_bo's, which unlinking may drop.
    pub unsafe fn remove_va(&mut self, va: *const GpuVa<T>) -> RemovedVa<T> {
        // SAFETY: `va` is a `GpuVa<T>`: its first field is the `drm_gpuva`.
        let raw = unsafe { (*va).va.get() };
        // SAFETY: `va` is in the locked tree, and its BO's gpuva lock is held; the VM outlives
        // this call (safety requirements).
        unsafe {
            bindings::drm_gpuva_remove(raw);
            bindings::drm_gpuva_unlink(raw);
        }
        // SAFETY: Out of the tree and of its vm_bo the VA is no one's but ours, and VAs of a
        // `GpuVm<T>` are allocated as `KBox<GpuVa<T>>` (by `VaAlloc`).
        RemovedVa(unsafe { KBox::from_raw(va.cast_mut()) })
    }

    /// Applies a map request to the VA tree with `drm_gpuvm_sm_map()`: the driver's step
    /// functions are called for each existing VA the range overlaps, then for the new VA.
    ///
    /// The request maps `range` bytes at `addr` to the BO of `vm_bo` at `offset`, or to no BO
    /// for `None`; the map step links the new VA to `vm_bo`. Fails with `EINVAL`, before
    /// touching the tree, unless `spares` is full, the range is not empty and inside the VM, and
    /// `vm_bo` is of this VM; then with the first error of a step function.
    ///
    /// # Safety
    ///
    /// The current task holds the gpuva lock of the BO of every VA the range overlaps, which the
    /// steps unlink.
    pub unsafe fn sm_map(
        &mut self,
        ctx: &mut T::StepContext,
        spares: &mut VaSpares<T>,
        addr: u64,
        range: u64,
        vm_bo: Option<&VmBoRef<'_, T>>,
        offset: u64,
    ) -> Result {
        if !spares.is_full() || range == 0 || vm_bo.is_some_and(|bo| !ptr::eq(bo.vm(), self.vm)) {
            return Err(EINVAL);
        }
        let req_obj = vm_bo.map_or(ptr::null_mut(), |bo| bo.obj().as_raw());
        let mut state = StepState {
            vm: self.vm,
            ctx,
            spares,
            vm_bo: vm_bo.map(|bo| &**bo),
            req: (addr, range, req_obj, offset),
            kept: false,
        };
        // SAFETY: The VM is valid and locked, the BOs too (safety requirements); `state`
        // outlives the call, and the step functions of `T::ops()` take it as the `StepState<T>`
        // it is.
        let ret = unsafe {
            bindings::drm_gpuvm_sm_map(
                self.vm.as_raw(),
                ptr::from_mut(&mut state).cast(),
                addr,
                range,
                req_obj,
                offset,
            )
        };
        crate::error::to_result(ret)
    }

    /// Applies an unmap request to the VA tree with `drm_gpuvm_sm_unmap()`.
    ///
    /// As [`VmLocked::sm_map`], without a new VA.
    ///
    /// # Safety
    ///
    /// The current task holds the gpuva lock of the BO of every VA the range overlaps.
    pub unsafe fn sm_unmap(
        &mut self,
        ctx: &mut T::StepContext,
        spares: &mut VaSpares<T>,
        addr: u64,
        range: u64,
    ) -> Result {
        if !spares.is_full() || range == 0 {
            return Err(EINVAL);
        }
        let mut state = StepState {
            vm: self.vm,
            ctx,
            spares,
            vm_bo: None,
            req: (addr, range, ptr::null_mut(), 0),
            kept: false,
        };
        // SAFETY: As in `sm_map`.
        let ret = unsafe {
            bindings::drm_gpuvm_sm_unmap(
                self.vm.as_raw(),
                ptr::from_mut(&mut state).cast(),
                addr,
                range,
            )
        };
        crate::error::to_result(ret)
    }
}

/// Iterator over the VAs of a range; see [`VmLocked::vas_in`].
///
/// Not safe against removal of the VAs it has not returned yet; removal is `unsafe`.
pub struct VaIter<'a, T: DriverGpuVm> {
    vm: &'a GpuVm<T>,
    next: Option<&'a GpuVa<T>>,
    end: u64,
}

impl<'a, T: DriverGpuVm> Iterator for VaIter<'a, T> {
    type Item = &'a GpuVa<T>;

    fn next(&mut self) -> Option<Self::Item> {
        let va = self.next.take().filter(|va| va.addr() < self.end)?;
        // SAFETY: `va` is in the VM's list, which the reservation lock held for `'a` keeps.
        self.next = unsafe {
            let head = ptr::addr_of_mut!((*self.vm.as_raw()).rb.list);
            GpuVa::from_entry(head, (*va.va.get()).rb.entry.next)
        };
        Some(va)
    }
}

/// A `drm_gpuva` and its driver's data.
///
/// # Invariants
///
/// Allocated by a [`VaAlloc`] (a `KBox`); while in a VM's tree, owned by the tree.
#[repr(C)]
pub struct GpuVa<T: DriverGpuVm> {
    va: Opaque<bindings::drm_gpuva>,
    data: T::VaData,
}

impl<T: DriverGpuVm> GpuVa<T> {
    /// The VA of list entry `entry` of a list with head `head`, or `None` at the head.
    ///
    /// # Safety
    ///
    /// `entry` must be `head` or the `rb.entry` of a `GpuVa<T>` valid for `'a`.
    unsafe fn from_entry<'a>(
        head: *mut bindings::list_head,
        entry: *mut bindings::list_head,
    ) -> Option<&'a Self> {
        if entry == head {
            return None;
        }
        // SAFETY: Guaranteed by the caller; `va` is the first field of this `repr(C)` struct.
        Some(unsafe {
            &*entry
                .byte_sub(core::mem::offset_of!(bindings::drm_gpuva, rb.entry))
                .cast::<Self>()
        })
    }

    /// The VA of a `drm_gpuva` given to C as an opaque pointer.
    ///
    /// # Safety
    ///
    /// `raw` must be the `va` of a `GpuVa<T>` valid for `'a`.
    pub unsafe fn from_raw<'a>(raw: *const bindings::drm_gpuva) -> &'a Self {
        // SAFETY: `va` is the first field of this `repr(C)` struct.
        unsafe { &*raw.cast() }
    }

    /// The C object, for calls into C.
    pub fn as_raw(&self) -> *mut bindings::drm_gpuva {
        self.va.get()
    }

    /// The first address.
    pub fn addr(&self) -> u64 {
        // SAFETY: Set before insertion; VAs in a tree do not change their range.
        unsafe { (*self.as_raw()).va.addr }
    }

    /// The size in bytes.
    pub fn range(&self) -> u64 {
        // SAFETY: As in `addr`.
        unsafe { (*self.as_raw()).va.range }
    }

    /// The BO, or `None` for a range without one.
    pub fn obj(&self) -> Option<&gem::Object> {
        // SAFETY: A linked VA's vm_bo holds a reference on the BO; an inserted VA with a BO is
        // linked as long as `&self` can be had (removal is `unsafe` and unlinks).
        unsafe {
            (*self.as_raw())
                .gem
                .obj
                .as_ref()
                .map(|o| gem::Object::from_raw(o))
        }
    }

    /// The offset into the BO.
    pub fn offset(&self) -> u64 {
        // SAFETY: As in `addr`.
        unsafe { (*self.as_raw()).gem.offset }
    }

    /// The vm_bo the VA is linked to, or `None` for a range without a BO.
    pub fn vm_bo(&self) -> Option<&GpuVmBo<T>> {
        // SAFETY: As in `obj`: a VA with a BO is linked while `&self` can be had, and its link
        // holds a reference on the vm_bo, which is the `bo` of a `GpuVmBo<T>` (`vm_bo_alloc`
        // makes every vm_bo of a `GpuVm<T>`).
        unsafe {
            let bo = (*self.as_raw()).vm_bo;
            (!bo.is_null()).then(|| &*crate::container_of!(bo, GpuVmBo<T>, bo))
        }
    }

    /// The `drm_gpuva` flags, `DRM_GPUVA_USERBITS` and up being the driver's.
    pub fn flags(&self) -> u32 {
        // SAFETY: Only written by `sm_map`'s steps and `insert_va`, under a mutably borrowed
        // `VmLocked` of the VM, and by the same task: no other task reads the flags meanwhile
        // (it would need the VM's lock), so there is no data race.
        unsafe { (*self.as_raw()).flags }
    }

    /// The driver's data.
    pub fn data(&self) -> &T::VaData {
        &self.data
    }
}

/// A VA allocated ahead, not in any tree yet.
pub struct VaAlloc<T: DriverGpuVm>(KBox<MaybeUninit<GpuVa<T>>>);

impl<T: DriverGpuVm> VaAlloc<T> {
    /// Allocates a VA, asking [`DriverGpuVm::may_alloc`] first. Fails with `ENOMEM`.
    pub fn new() -> Result<Self> {
        Self::new_with(GFP_KERNEL)
    }

    /// As [`VaAlloc::new`], with allocation flags of the caller's (e.g. charged to the task).
    pub fn new_with(flags: crate::alloc::Flags) -> Result<Self> {
        T::may_alloc()?;
        Ok(Self(KBox::new_uninit(flags)?))
    }

    fn init(self, data: T::VaData) -> KBox<GpuVa<T>> {
        self.0.write(GpuVa {
            // SAFETY: All zeroes is a valid `drm_gpuva` not in any tree, as `kzalloc()` gives it.
            va: Opaque::new(unsafe { MaybeUninit::zeroed().assume_init() }),
            data,
        })
    }
}

/// A VA out of its tree; dropping it frees it.
pub struct RemovedVa<T: DriverGpuVm>(KBox<GpuVa<T>>);

impl<T: DriverGpuVm> RemovedVa<T> {
    /// The first address it had.
    pub fn addr(&self) -> u64 {
        self.0.addr()
    }

    /// The size it had.
    pub fn range(&self) -> u64 {
        self.0.range()
    }

    /// The driver's data.
    pub fn data(&self) -> &T::VaData {
        self.0.data()
    }
}

/// The number of VAs one split and merge request may create: the new one, and the pieces of the
/// VAs at its two ends.
pub const MAX_NEW_VAS: usize = 3;

/// VAs allocated before a split and merge request, so that its steps never allocate.
pub struct VaSpares<T: DriverGpuVm> {
    vas: [Option<VaAlloc<T>>; MAX_NEW_VAS],
}

impl<T: DriverGpuVm> Default for VaSpares<T> {
    fn default() -> Self {
        Self {
            vas: [None, None, None],
        }
    }
}

impl<T: DriverGpuVm> VaSpares<T> {
    /// Allocates the VAs missing, in order. On error, the ones allocated stay.
    pub fn fill(&mut self) -> Result {
        for slot in self.vas.iter_mut().filter(|s| s.is_none()) {
            *slot = Some(VaAlloc::new()?);
        }
        Ok(())
    }

    /// Fills the missing VAs from `pool`, in its order, as far as it has some; allocates
    /// nothing. For a caller that allocated the VAs of several requests ahead.
    pub fn refill_from(&mut self, pool: &mut impl Iterator<Item = VaAlloc<T>>) {
        for slot in self.vas.iter_mut().filter(|s| s.is_none()) {
            *slot = pool.next();
            if slot.is_none() {
                return;
            }
        }
    }

    /// The number of VAs held, at most [`MAX_NEW_VAS`].
    pub fn len(&self) -> usize {
        self.vas.iter().filter(|s| s.is_some()).count()
    }

    /// Whether no VA is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn is_full(&self) -> bool {
        self.vas.iter().all(Option::is_some)
    }

    fn take(&mut self) -> Result<VaAlloc<T>> {
        // `sm_map` and `sm_unmap` start full, and one request never uses more than
        // `MAX_NEW_VAS`.
        self.vas.iter_mut().find_map(Option::take).ok_or(EINVAL)
    }
}

/// A `drm_gpuvm_bo`: a (VM, BO) pair, and its driver's data.
///
/// # Invariants
///
/// Allocated by `vm_bo_alloc` as a `KBox`, freed by `vm_bo_free` after the last reference.
#[repr(C)]
pub struct GpuVmBo<T: DriverGpuVm> {
    bo: Opaque<bindings::drm_gpuvm_bo>,
    data: T::VmBoData,
}

/// A counted reference on a vm_bo, which lives no longer than the proof of its BO's gpuva lock it
/// was made with: dropping the last reference takes the vm_bo off its BO's list, which needs that
/// lock. Not an `ARef` for that reason.
///
/// # Invariants
///
/// `bo` is valid and this owns one reference on it; the current task holds its BO's gpuva lock
/// for `'a`.
pub struct VmBoRef<'a, T: DriverGpuVm> {
    bo: NonNull<GpuVmBo<T>>,
    _lock: PhantomData<&'a gem::GpuvaLocked<'a>>,
}

impl<T: DriverGpuVm> core::ops::Deref for VmBoRef<'_, T> {
    type Target = GpuVmBo<T>;

    fn deref(&self) -> &GpuVmBo<T> {
        // SAFETY: `bo` is valid while we hold a reference (type invariant).
        unsafe { self.bo.as_ref() }
    }
}

impl<T: DriverGpuVm> Drop for VmBoRef<'_, T> {
    fn drop(&mut self) {
        // SAFETY: We give up our reference; the BO's gpuva lock is held (type invariant), as
        // dropping the last one needs.
        unsafe { bindings::drm_gpuvm_bo_put(self.bo.as_ptr().cast()) };
    }
}

impl<T: DriverGpuVm> GpuVmBo<T> {
    /// The C object, for calls into C.
    pub fn as_raw(&self) -> *mut bindings::drm_gpuvm_bo {
        self.bo.get()
    }

    /// The VM.
    pub fn vm(&self) -> &GpuVm<T> {
        // SAFETY: The vm_bo holds a reference on its VM, which is a `GpuVm<T>` (type invariant).
        unsafe { &*crate::container_of!((*self.as_raw()).vm, GpuVm<T>, gpuvm) }
    }

    /// The BO.
    pub fn obj(&self) -> &gem::Object {
        // SAFETY: The vm_bo holds a reference on its BO.
        unsafe { gem::Object::from_raw((*self.as_raw()).obj) }
    }

    /// The driver's data.
    pub fn data(&self) -> &T::VmBoData {
        &self.data
    }

    /// A new reference on the vm_bo, to keep it while its last VA goes; `obj` proves its BO's
    /// gpuva lock. Fails with `EINVAL` for another object's lock.
    pub fn get<'a>(&self, obj: &'a gem::GpuvaLocked<'_>) -> Result<VmBoRef<'a, T>> {
        if self.obj() != obj.obj() {
            return Err(EINVAL);
        }
        // SAFETY: The vm_bo has a reference: we have a `&self`.
        unsafe { bindings::drm_gpuvm_bo_get(self.as_raw()) };
        Ok(VmBoRef {
            bo: NonNull::from(self),
            _lock: PhantomData,
        })
    }

    /// Adds the BO to the VM's external objects if its reservation object is not the VM's.
    pub fn extobj_add(&self) {
        // SAFETY: The vm_bo is valid.
        unsafe { bindings::drm_gpuvm_bo_extobj_add(self.as_raw()) };
    }

    /// The oldest VA linked to the vm_bo, if any; `obj` proves the BO's gpuva lock.
    pub fn first_va<'b>(&'b self, obj: &'b gem::GpuvaLocked<'_>) -> Option<&'b GpuVa<T>> {
        self.vas(obj).next()
    }

    /// The VAs linked to the vm_bo, oldest first; `obj` proves the BO's gpuva lock (none for
    /// another object's lock).
    ///
    /// The next one is read before the current one is returned.
    pub fn vas<'b>(&'b self, obj: &'b gem::GpuvaLocked<'_>) -> impl Iterator<Item = &'b GpuVa<T>> {
        let locked = self.obj() == obj.obj();
        // SAFETY: `list.gpuva` is the list of the vm_bo's VAs, linked by their `gem.entry`,
        // under the BO's gpuva lock; its VAs are `GpuVa<T>`s.
        let head = unsafe { ptr::addr_of_mut!((*self.as_raw()).list.gpuva) };
        let mut cur = if locked {
            // SAFETY: As above, with the lock of this vm_bo's BO.
            unsafe { (*head).next }
        } else {
            head
        };
        core::iter::from_fn(move || {
            if cur == head {
                return None;
            }
            // SAFETY: `cur` is the `gem.entry` of a `GpuVa<T>` in the list.
            let va = unsafe {
                &*cur
                    .byte_sub(core::mem::offset_of!(bindings::drm_gpuva, gem.entry))
                    .cast::<GpuVa<T>>()
            };
            // SAFETY: As above.
            cur = unsafe { (*cur).next };
            Some(va)
        })
    }

    /// The vm_bos of the locked object `obj` in `T`'s VMs.
    ///
    /// The next one is read before the current one is returned: dropping the current one (and
    /// with it its VM) does not disturb the walk.
    pub fn of_obj<'b>(obj: &'b gem::GpuvaLocked<'_>) -> impl Iterator<Item = &'b GpuVmBo<T>> {
        // SAFETY: `gpuva.list` is the list of the object's vm_bos, linked by `list.entry.gem`,
        // under its gpuva lock, which `obj` proves.
        let head = unsafe { ptr::addr_of_mut!((*obj.obj().as_raw()).gpuva.list) };
        // SAFETY: As above.
        let mut cur = unsafe { (*head).next };
        core::iter::from_fn(move || loop {
            if cur == head {
                return None;
            }
            // SAFETY: `cur` is the `list.entry.gem` of a `drm_gpuvm_bo`.
            let bo = unsafe {
                cur.byte_sub(core::mem::offset_of!(
                    bindings::drm_gpuvm_bo,
                    list.entry.gem
                ))
                .cast::<bindings::drm_gpuvm_bo>()
            };
            // SAFETY: As above.
            cur = unsafe { (*cur).next };
            // SAFETY: `bo` is valid and holds a reference on its VM.
            if unsafe { GpuVm::<T>::from_raw((*bo).vm) }.is_some() {
                // SAFETY: A vm_bo of a `GpuVm<T>` is a `GpuVmBo<T>` (type invariant).
                return Some(unsafe { &*bo.cast::<GpuVmBo<T>>() });
            }
        })
    }
}

/// The state of one `sm_map`/`sm_unmap` call, the `priv` of its steps.
struct StepState<'s, T: DriverGpuVm> {
    vm: &'s GpuVm<T>,
    ctx: &'s mut T::StepContext,
    spares: &'s mut VaSpares<T>,
    /// The request's vm_bo, referenced by the caller of `sm_map` for the call.
    vm_bo: Option<&'s GpuVmBo<T>>,
    /// The request: address, range, BO and offset.
    req: (u64, u64, *mut bindings::drm_gem_object, u64),
    /// An unmap step kept a VA identical to the request.
    kept: bool,
}

/// Invariant marker tying a step and its proof to one call.
type Invariant<'op> = PhantomData<fn(&'op ()) -> &'op ()>;

/// A map step: a new VA for the request. See [`DriverGpuVm::step_map`].
pub struct OpMap<'op, T: DriverGpuVm> {
    op: &'op bindings::drm_gpuva_op_map,
    vm: &'op GpuVm<T>,
    vm_bo: Option<&'op GpuVmBo<T>>,
    spares: &'op mut VaSpares<T>,
    kept: bool,
    _p: Invariant<'op>,
}

/// Proof that a map step was applied.
pub struct OpMapped<'op, T>(Invariant<'op>, PhantomData<fn() -> T>);

impl<'op, T: DriverGpuVm> OpMap<'op, T> {
    /// The first address of the new VA.
    pub fn addr(&self) -> u64 {
        self.op.va.addr
    }

    /// Its size.
    pub fn range(&self) -> u64 {
        self.op.va.range
    }

    /// Its BO offset.
    pub fn offset(&self) -> u64 {
        self.op.gem.offset
    }

    /// The request's vm_bo (`None` for a request without BO).
    pub fn vm_bo(&self) -> Option<&GpuVmBo<T>> {
        self.vm_bo
    }

    /// Inserts the new VA, made from a spare with `flags` and `data`, and links it to the
    /// request's vm_bo. Fails with `EINVAL` if an unmap step of the request kept an identical VA
    /// (then [`OpMap::skip_kept`] is the way), which the new one would duplicate.
    pub fn map(self, flags: u32, data: T::VaData) -> Result<OpMapped<'op, T>> {
        if self.kept {
            return Err(EINVAL);
        }
        let va = KBox::leak(self.spares.take()?.init(data));
        // SAFETY: `va` is zeroed and ours; `drm_gpuva_map()` fills it from the step and inserts
        // it into the locked tree (the range is free: `drm_gpuvm` unmapped or remapped whatever
        // overlapped it, and nothing was kept), which then owns it. The vm_bo is the request's,
        // referenced by the caller of `sm_map`, and its BO's gpuva lock held.
        unsafe {
            bindings::drm_gpuva_map(
                self.vm.as_raw(),
                va.as_raw(),
                ptr::from_ref(self.op).cast_mut(),
            );
            (*va.as_raw()).flags = flags;
            if let Some(bo) = self.vm_bo {
                bindings::drm_gpuva_link(va.as_raw(), bo.as_raw());
            }
        }
        Ok(OpMapped(PhantomData, PhantomData))
    }

    /// Skips the map: an unmap step of this request kept an identical VA
    /// ([`OpUnmap::keep_va`]). Gives the step back if none did.
    pub fn skip_kept(self) -> core::result::Result<OpMapped<'op, T>, Self> {
        if self.kept {
            Ok(OpMapped(PhantomData, PhantomData))
        } else {
            Err(self)
        }
    }
}

/// A remap step: an existing VA loses the part the request covers. See
/// [`DriverGpuVm::step_remap`].
pub struct OpRemap<'op, T: DriverGpuVm> {
    op: &'op bindings::drm_gpuva_op_remap,
    spares: &'op mut VaSpares<T>,
    _p: Invariant<'op>,
}

/// Proof that a remap step was applied.
pub struct OpRemapped<'op, T>(Invariant<'op>, PhantomData<fn() -> T>);

impl<'op, T: DriverGpuVm> OpRemap<'op, T> {
    /// The VA being split; borrowed from the step, which `remap` consumes.
    pub fn orig(&self) -> &GpuVa<T> {
        // SAFETY: `unmap` and its `va` are valid for the step; the VA is a `GpuVa<T>` in the
        // tree until `remap`.
        unsafe { GpuVa::from_raw((*self.op.unmap).va) }
    }

    /// The range that stops being mapped: `(start, size)`.
    pub fn unmap_range(&self) -> (u64, u64) {
        let (mut start, mut range) = (0, 0);
        // SAFETY: `op` is a valid remap step.
        unsafe { bindings::drm_gpuva_op_remap_to_unmap_range(self.op, &mut start, &mut range) };
        (start, range)
    }

    /// Replaces the VA with the pieces the step keeps before and after the request, made from
    /// spares with the VA's flags, a clone of its data and its vm_bo; hands back the VA.
    pub fn remap(self) -> Result<(OpRemapped<'op, T>, RemovedVa<T>)> {
        // SAFETY: `unmap` is valid for the step.
        let orig_raw = unsafe { (*self.op.unmap).va }.cast::<GpuVa<T>>();
        // SAFETY: The VA is a `GpuVa<T>` in the tree (`GpuVm` invariant) until freed below.
        let orig = unsafe { &*orig_raw };
        let vm_bo = orig.va.get();
        // SAFETY: `orig` is valid; its vm_bo, if any, is kept alive by the link.
        let vm_bo = unsafe { (*vm_bo).vm_bo };
        // Both spares first: a failure leaks nothing.
        let prev = (!self.op.prev.is_null())
            .then(|| self.spares.take())
            .transpose()?;
        let next = (!self.op.next.is_null())
            .then(|| self.spares.take())
            .transpose()?;
        let prev = prev.map(|va| KBox::leak(va.init(orig.data.clone())));
        let next = next.map(|va| KBox::leak(va.init(orig.data.clone())));
        let raw = |v: &Option<&mut GpuVa<T>>| v.as_ref().map_or(ptr::null_mut(), |v| v.as_raw());
        // SAFETY: `drm_gpuva_remap()` takes `orig` out of the locked tree and inserts the zeroed
        // pieces, filled from the step. Linking the pieces before unlinking `orig` keeps the
        // vm_bo alive; the BO's gpuva lock is held (`sm_map`).
        unsafe {
            bindings::drm_gpuva_remap(raw(&prev), raw(&next), ptr::from_ref(self.op).cast_mut());
            for piece in [&prev, &next].into_iter().flatten() {
                (*piece.as_raw()).flags = orig.flags();
                if !vm_bo.is_null() {
                    bindings::drm_gpuva_link(piece.as_raw(), vm_bo);
                }
            }
            bindings::drm_gpuva_unlink(orig.as_raw());
        }
        // SAFETY: Out of the tree and unlinked, `orig` is ours; it was allocated as a
        // `KBox<GpuVa<T>>`.
        let orig = RemovedVa(unsafe { KBox::from_raw(orig_raw) });
        Ok((OpRemapped(PhantomData, PhantomData), orig))
    }
}

/// An unmap step: an existing VA inside the request goes. See [`DriverGpuVm::step_unmap`].
pub struct OpUnmap<'op, T: DriverGpuVm> {
    op: &'op bindings::drm_gpuva_op_unmap,
    req: (u64, u64, *mut bindings::drm_gem_object, u64),
    kept: &'op mut bool,
    _p: Invariant<'op>,
    _t: PhantomData<fn() -> T>,
}

/// Proof that an unmap step was applied.
pub struct OpUnmapped<'op, T>(Invariant<'op>, PhantomData<fn() -> T>);

impl<'op, T: DriverGpuVm> OpUnmap<'op, T> {
    /// The VA; borrowed from the step, which `unmap` and `keep_va` consume.
    pub fn va(&self) -> &GpuVa<T> {
        // SAFETY: `va` is valid for the step and a `GpuVa<T>` in the tree until `unmap`.
        unsafe { GpuVa::from_raw(self.op.va) }
    }

    /// Takes the VA out of the tree and of its vm_bo, and hands it back.
    pub fn unmap(self) -> (OpUnmapped<'op, T>, RemovedVa<T>) {
        let va = self.op.va;
        // SAFETY: `drm_gpuva_unmap()` takes the VA out of the locked tree; then it is unlinked
        // under its BO's gpuva lock (`sm_map`). The VM is referenced by the caller of `sm_map`.
        unsafe {
            bindings::drm_gpuva_unmap(ptr::from_ref(self.op).cast_mut());
            bindings::drm_gpuva_unlink(va);
        }
        // SAFETY: Out of the tree and unlinked, the VA is ours; it is a `GpuVa<T>` (`GpuVm`
        // invariant), allocated as a `KBox<GpuVa<T>>`.
        let va = RemovedVa(unsafe { KBox::from_raw(va.cast::<GpuVa<T>>()) });
        (OpUnmapped(PhantomData, PhantomData), va)
    }

    /// Keeps the VA, which is exactly what the request maps (same range, BO and offset), with
    /// new `flags`, so that the map step that follows may skip ([`OpMap::skip_kept`]). Gives the
    /// step back otherwise.
    pub fn keep_va(self, flags: u32) -> core::result::Result<OpUnmapped<'op, T>, Self> {
        let va = self.va();
        let (addr, range, obj, offset) = self.req;
        if self.op.keep
            && !obj.is_null()
            && va.addr() == addr
            && va.range() == range
            && va.offset() == offset
            && va.obj().is_some_and(|o| o.as_raw() == obj)
        {
            // SAFETY: The tree is locked and being changed by this step (`sm_map` borrows the
            // `VmLocked` mutably).
            unsafe { (*va.as_raw()).flags = flags };
            *self.kept = true;
            Ok(OpUnmapped(PhantomData, PhantomData))
        } else {
            Err(self)
        }
    }
}

/// # Safety
///
/// `priv_` must be the `StepState<T>` `VmLocked<T>` gave to `drm_gpuvm_sm_map()`/`sm_unmap()`.
unsafe fn step_state<'s, T: DriverGpuVm>(
    priv_: *mut core::ffi::c_void,
) -> &'s mut StepState<'s, T> {
    // SAFETY: Guaranteed by the caller; steps are called one at a time.
    unsafe { &mut *priv_.cast() }
}

fn step_result<P>(r: Result<P>) -> core::ffi::c_int {
    match r {
        Ok(_) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Only called by `drm_gpuvm_sm_map()`/`drm_gpuvm_sm_unmap()` of a [`GpuVm<T>`], one step at a
/// time: `op` is a valid step of the kind and `priv_` the `StepState<T>` the VM passed.
unsafe extern "C" fn step_map<T: DriverGpuVm>(
    op: *mut bindings::drm_gpuva_op,
    priv_: *mut core::ffi::c_void,
) -> core::ffi::c_int {
    // SAFETY: `drm_gpuvm_sm_map()` passes the `priv` of `VmLocked::sm_map`.
    let s = unsafe { step_state::<T>(priv_) };
    let op = OpMap {
        // SAFETY: A map step's op is a valid `drm_gpuva_op_map` for the call.
        op: unsafe { &(*op).__bindgen_anon_1.map },
        vm: s.vm,
        vm_bo: s.vm_bo,
        spares: &mut *s.spares,
        kept: s.kept,
        _p: PhantomData,
    };
    step_result(T::step_map(&mut *s.ctx, op))
}

/// # Safety
///
/// Only called by `drm_gpuvm_sm_map()`/`drm_gpuvm_sm_unmap()` of a [`GpuVm<T>`], one step at a
/// time: `op` is a valid step of the kind and `priv_` the `StepState<T>` the VM passed.
unsafe extern "C" fn step_remap<T: DriverGpuVm>(
    op: *mut bindings::drm_gpuva_op,
    priv_: *mut core::ffi::c_void,
) -> core::ffi::c_int {
    // SAFETY: `drm_gpuvm_sm_map()`/`sm_unmap()` pass the `priv` of `VmLocked`.
    let s = unsafe { step_state::<T>(priv_) };
    let op = OpRemap {
        // SAFETY: A remap step's op is a valid `drm_gpuva_op_remap` for the call.
        op: unsafe { &(*op).__bindgen_anon_1.remap },
        spares: &mut *s.spares,
        _p: PhantomData,
    };
    step_result(T::step_remap(&mut *s.ctx, op))
}

/// # Safety
///
/// Only called by `drm_gpuvm_sm_map()`/`drm_gpuvm_sm_unmap()` of a [`GpuVm<T>`], one step at a
/// time: `op` is a valid step of the kind and `priv_` the `StepState<T>` the VM passed.
unsafe extern "C" fn step_unmap<T: DriverGpuVm>(
    op: *mut bindings::drm_gpuva_op,
    priv_: *mut core::ffi::c_void,
) -> core::ffi::c_int {
    // SAFETY: `drm_gpuvm_sm_map()`/`sm_unmap()` pass the `priv` of `VmLocked`.
    let s = unsafe { step_state::<T>(priv_) };
    let op = OpUnmap {
        // SAFETY: An unmap step's op is a valid `drm_gpuva_op_unmap` for the call.
        op: unsafe { &(*op).__bindgen_anon_1.unmap },
        req: s.req,
        kept: &mut s.kept,
        _p: PhantomData,
        _t: PhantomData,
    };
    step_result(T::step_unmap(&mut *s.ctx, op))
}

/// # Safety
///
/// Only called by `drm_gpuvm_put()`, once, after the last reference on a [`GpuVm<T>`] is gone.
unsafe extern "C" fn vm_free<T: DriverGpuVm>(gpuvm: *mut bindings::drm_gpuvm) {
    // SAFETY: Called once, after the last reference, on a VM of `T::ops()`: the `gpuvm` of a
    // `GpuVm<T>` that `GpuVm::new` leaked from a box. `drm_gpuvm_fini()` is done.
    drop(unsafe { KBox::from_raw(crate::container_of!(gpuvm, GpuVm<T>, gpuvm).cast_mut()) });
}

extern "C" fn vm_bo_alloc<T: DriverGpuVm>() -> *mut bindings::drm_gpuvm_bo {
    if T::may_alloc().is_err() {
        return ptr::null_mut();
    }
    let bo = GpuVmBo::<T> {
        // SAFETY: All zeroes is what `drm_gpuvm_bo_create()` expects of a new vm_bo (it
        // initialises the rest).
        bo: Opaque::new(unsafe { MaybeUninit::zeroed().assume_init() }),
        data: T::new_vm_bo_data(),
    };
    match KBox::new(bo, GFP_KERNEL) {
        // `bo` is the first field of the `repr(C)` struct.
        Ok(b) => KBox::into_raw(b).cast(),
        Err(_) => ptr::null_mut(),
    }
}

/// # Safety
///
/// Only called by `drm_gpuvm_bo_put()`, once, after the last reference on a vm_bo of a
/// [`GpuVm<T>`] is gone.
unsafe extern "C" fn vm_bo_free<T: DriverGpuVm>(vm_bo: *mut bindings::drm_gpuvm_bo) {
    // SAFETY: Called once after the last reference, on a vm_bo `vm_bo_alloc::<T>` made.
    drop(unsafe { KBox::from_raw(vm_bo.cast::<GpuVmBo<T>>()) });
}
