// SPDX-License-Identifier: GPL-2.0-only

//! Rust core of the msm GPU VM contract (`msm_vm.h`).
//!
//! A drop-in for the C reference core (`msm_vm_c.c`): the same contract, the same errnos, the same
//! page-table pre-allocation, checked by the same conformance suite. It is built into the msm VM
//! module next to the C core when `CONFIG_DRM_MSM_VM_RUST` is set, and C reaches it only through
//! its ops table, [`msm_vm_rs_funcs`] (the second entry of `msm_vm_cores[]`), and the plain
//! functions declared in `msm_vm_rs.h`.
//!
//! Objects, on the kernel crate's `drm::gpuvm`:
//!
//! - a VM is a [`GpuVm<RsVm>`]: a `drm_gpuvm` refcounted by its kref (every vm_bo holds a
//!   reference, so an open VMA keeps its VM alive) and [`RsVm`], whose `base` is the contract's
//!   `struct msm_vm`, the only part C sees (C's `struct msm_vm *` points to it);
//! - a VMA is a `GpuVa<RsVm>` with [`RsVa`] (whether its page-table entries are written); the
//!   `struct msm_vm_vma *` C holds is its `drm_gpuva`;
//! - a (VM, BO) pair is a `GpuVmBo<RsVm>` with [`RsVmBo`], an index of the BO's scatterlist.
//!
//! Locking is the contract's (see `msm_vm.h`): the VM's resv protects its VA tree, a BO's resv
//! its vm_bos and their VMAs (both asserted by `drm::gpuvm`), and `mmu_lock` ([`RsVm`])
//! serializes the page-table writes of user-managed VMs, whose bind jobs run without the resv
//! locks. Kernel-managed VMs need no VA allocator of their own: the lowest free range is found in
//! the VA tree, which holds every VMA.
//!
//! The core calls the kernel (drm_gpuvm, GEM, drm_exec), the driver's MMU and BO callbacks, and,
//! of the msm VM module, only `msm_vm_alloc_should_fail()` of the contract (`msm_vm_core.c`), the
//! fault injection both cores share. Never a function of the C core.

use core::{
    ptr::{self, NonNull},
    sync::atomic::{AtomicBool, AtomicIsize, AtomicPtr, AtomicU64, Ordering},
};
use kernel::{
    alloc::{flags::GFP_KERNEL, KVec},
    bindings, c_str,
    drm::{
        exec::Exec,
        gem::{self, GpuvaLocked},
        gpuvm::{
            DriverGpuVm, GpuVa, GpuVm, GpuVmBo, OpMap, OpMapped, OpRemap, OpRemapped, OpUnmap,
            OpUnmapped, Ops, VaAlloc, VaSpares, VmLocked,
        },
        warn_on,
    },
    error::{from_err_ptr, to_result},
    ffi::{c_char, c_int, c_long, c_uint},
    new_mutex, new_spinlock,
    prelude::*,
    str::CStr,
    sync::{Mutex, SpinLock},
    types::{ARef, AlwaysRefCounted},
};

/// The prefix of this object's `pr_*!` messages.
const __LOG_PREFIX: &[u8] = b"msm_vm_rs\0";

#[path = "msm_vm_rs_bind.rs"]
mod bind;

/// Makes a drift between an export and its C declaration a compile error.
///
/// 6.12 has no `#[export]`: the declaration in `msm_vm_rs.h` is bound by bindgen, and the export
/// must coerce to the function-pointer type of that binding, argument by argument (the arity is
/// given, the types come from the binding). The functions of [`msm_vm_rs_funcs`] need no such
/// check: the table's type is the binding of `struct msm_vm_funcs`, so each of them must have
/// exactly the type of its member.
macro_rules! check_export {
    ($name:ident, $($arg:tt),*) => {
        const _: () = {
            let _ = [
                bindings::$name as unsafe extern "C" fn($($arg),*) -> _,
                $name,
            ];
        };
    };
}

/// Checks that `[addr, addr + range)` is a non-empty range inside the VM
/// `[vm_start, vm_start + vm_range)`.
///
/// Overflow-safe: a range or a VM whose end would wrap past 2^64 is invalid.
/// Declared in `msm_vm_rs.h`; does not sleep and takes no lock.
///
/// The core itself uses the kernel's `drm_gpuvm_range_valid()` (`GpuVm::range_valid`). This is
/// the plain export the `msm_vm_rust_ffi` suite calls from C, next to the ops table: it checks
/// that path and `check_export!`, and compares the result with `drm_gpuvm_range_valid()`.
#[no_mangle]
pub extern "C" fn msm_vm_rs_range_valid(
    vm_start: u64,
    vm_range: u64,
    addr: u64,
    range: u64,
) -> bool {
    let (Some(end), Some(vm_end)) = (addr.checked_add(range), vm_start.checked_add(vm_range))
    else {
        return false;
    };
    range != 0 && addr >= vm_start && end <= vm_end
}
check_export!(msm_vm_rs_range_valid, _, _, _, _);

/// The live-object counters of `msm_vm_core_live()`: VMs, VMAs, vm_bos, jobs.
static LIVE: [AtomicIsize; 4] = [const { AtomicIsize::new(0) }; 4];
const VMS: usize = 0;
const VMAS: usize = 1;
const VM_BOS: usize = 2;
const JOBS: usize = 3;

/// One live object of kind `K` (an index of [`LIVE`]): counted while the token lives.
///
/// Every object of the core holds one, so no path can forget to count.
struct Live<const K: usize>(());

impl<const K: usize> Live<K> {
    fn new() -> Self {
        LIVE[K].fetch_add(1, Ordering::Relaxed);
        Self(())
    }
}

impl<const K: usize> Drop for Live<K> {
    fn drop(&mut self) {
        LIVE[K].fetch_sub(1, Ordering::Relaxed);
    }
}

/// Fails with `ENOMEM` when the contract's fault injection says so (`msm_vm_fail_nth_alloc()`).
///
/// Every allocation of the core, and of `drm::gpuvm` on its behalf, asks this first.
fn may_alloc() -> Result {
    // SAFETY: Takes no lock and does not sleep; callable from anywhere.
    if unsafe { bindings::msm_vm_alloc_should_fail() } {
        Err(ENOMEM)
    } else {
        Ok(())
    }
}

fn page_aligned(x: u64) -> bool {
    x & (kernel::page::PAGE_SIZE as u64 - 1) == 0
}

/// The driver's MMU (`struct msm_mmu`), which the VM writes but does not own.
#[derive(Clone, Copy)]
struct Mmu(NonNull<bindings::msm_mmu>);

impl Mmu {
    fn raw(self) -> *mut bindings::msm_mmu {
        self.0.as_ptr()
    }

    fn funcs(&self) -> &bindings::msm_mmu_funcs {
        // SAFETY: The MMU outlives its VMs (contract: `msm_vm_create_info.mmu`) and its funcs are
        // a constant table.
        unsafe { &*(*self.raw()).funcs }
    }

    /// Whether it has what bind jobs call (`msm_vm_create()` of `msm_vm.h`).
    fn can_bind(&self, has_prr: bool) -> bool {
        let f = self.funcs();
        f.unmap.is_some()
            && f.prealloc_count.is_some()
            && f.prealloc_allocate.is_some()
            && f.prealloc_cleanup.is_some()
            && f.map_sg.is_some()
            && (f.map_prr.is_some() || !has_prr)
    }

    fn map(self, iova: u64, sgt: *mut bindings::sg_table, len: u64, prot: c_int) -> Result {
        let f = self.funcs().map.ok_or(EINVAL)?;
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: The MMU is valid; `sgt` is the BO's pinned table (contract of `get_sgt`).
        to_result(unsafe { f(self.raw(), iova, sgt, len, prot) })
    }

    fn unmap(self, iova: u64, len: u64) -> Result {
        let f = self.funcs().unmap.ok_or(EINVAL)?;
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: The MMU is valid.
        to_result(unsafe { f(self.raw(), iova, len) })
    }
}

/// The driver's BO callbacks (`struct msm_vm_bo_funcs`).
#[derive(Clone, Copy)]
struct BoFuncs(NonNull<bindings::msm_vm_bo_funcs>);

impl BoFuncs {
    fn funcs(&self) -> &bindings::msm_vm_bo_funcs {
        // SAFETY: A constant table of the driver that outlives its VMs (contract).
        unsafe { self.0.as_ref() }
    }

    /// The BO's pages; the caller holds its resv and the driver pinned them.
    fn get_sgt(self, obj: &gem::Object) -> Result<*mut bindings::sg_table> {
        let f = self.funcs().get_sgt.ok_or(EINVAL)?;
        // SAFETY: `obj` is valid and its resv held (callers assert it).
        from_err_ptr(unsafe { f(obj.as_raw()) })
    }

    /// Whether it has what bind jobs call: the BO's pages, handles and protection.
    fn can_bind(self) -> bool {
        let f = self.funcs();
        f.get_sgt.is_some() && f.lookup.is_some() && f.prot.is_some()
    }

    /// The protection VM_BIND maps of `obj` get (`IOMMU_READ`, ...).
    fn prot(self, obj: &gem::Object) -> Result<c_int> {
        let f = self.funcs().prot.ok_or(EINVAL)?;
        // SAFETY: `obj` is valid; `prot` needs no lock (contract).
        Ok(unsafe { f(obj.as_raw()) })
    }

    /// The BO of a GEM handle, with a new reference.
    fn lookup(self, file: *mut bindings::drm_file, handle: u32) -> Option<ARef<gem::Object>> {
        let f = self.funcs().lookup?;
        // SAFETY: `file` is the caller's (contract of `msm_vm_bind_job_create()`).
        let obj = NonNull::new(unsafe { f(file, handle) })?;
        // SAFETY: `lookup` returns a new reference, which becomes ours.
        Some(unsafe { ARef::from_raw(obj.cast()) })
    }
}

/// One entry of the vm_log; [`bindings::msm_vm_log_entry`] without the raw pointer.
#[derive(Clone, Copy)]
struct LogEntry {
    op: &'static CStr,
    iova: u64,
    range: u64,
    queue_id: u32,
}

/// The ring of the last page-table operations of bind jobs, under `mmu_lock`.
struct Log {
    /// `1 << log_shift` entries, or none.
    ring: KVec<LogEntry>,
    /// Index of the next entry to write.
    next: usize,
    /// Entries written, saturating at the ring's size.
    count: usize,
    /// Sequence number of the last bind job whose page-table writes were applied, by run or
    /// free. Jobs of one VM must write in the order they were prepared (the VA tree is the
    /// truth of the last prepare), whichever queue they came from.
    done: u64,
}

impl Log {
    fn push(&mut self, op: &'static CStr, iova: u64, range: u64, queue_id: u32) {
        let size = self.ring.len();
        if size == 0 {
            return;
        }
        self.ring[self.next] = LogEntry {
            op,
            iova,
            range,
            queue_id,
        };
        self.next = (self.next + 1) % size;
        self.count = core::cmp::min(self.count + 1, size);
    }
}

/// A VM of the Rust core: the driver data of its [`GpuVm`].
///
/// # Invariants
///
/// `base.funcs` is `&msm_vm_rs_funcs`; `base` is what C holds as the VM (`struct msm_vm *`).
#[pin_data]
pub struct RsVm {
    base: bindings::msm_vm,
    mmu: Mmu,
    bo_funcs: BoFuncs,
    managed: bool,
    has_prr: bool,
    /// NULL, or why the VM takes no more work: a static string, set once.
    unusable: AtomicPtr<c_char>,
    /// Sequence number of the last bind job prepared; changed under the VM's resv (prepare
    /// holds its `VmLocked`), atomic only because the VM is shared.
    bind_prepared: AtomicU64,
    /// The last stamp `bind::reserve()` gave; under the VM's resv, atomic only because the VM
    /// is shared.
    reserve_stamp: AtomicU64,
    /// An unmap outside a job may have left VMAs of this user-managed VM open but unmapped, for
    /// `msm_vm_validate()`; under the VM's resv, atomic only because the VM is shared.
    evicted: AtomicBool,
    /// Serializes the page-table writes of bind jobs, which run without the resv locks, with
    /// the unmaps of a user-managed VM outside jobs; and guards the vm_log. Taken in the
    /// dma-fence signalling path, so nothing may allocate under it: lockdep learns at creation
    /// that it nests inside `fs_reclaim` and reports any allocation made while holding it.
    #[pin]
    mmu_lock: Mutex<Log>,
    /// The VAs the last bind job prepared on this VM allocated and did not use, for the next
    /// one: `VmLocked::sm_map` wants `MAX_NEW_VAS` at hand for each op, so every job would
    /// otherwise allocate and free that many more than it uses. Taken and given back by
    /// prepare, under the VM's resv; a spinlock only because the VM is shared.
    #[pin]
    spare_vas: SpinLock<VaSpares<RsVm>>,
    _live: Live<VMS>,
}

// SAFETY: `base.funcs` points to a static table; the MMU and the BO callbacks are the driver's,
// used from any thread in C as well (page-table writes serialized by `mmu_lock` or the resv
// locks); everything else is atomic or under `mmu_lock`.
unsafe impl Send for RsVm {}
// SAFETY: See `Send` above.
unsafe impl Sync for RsVm {}

/// Why a VM became unusable, as C strings for the contract.
const BIND_PREPARE_FAILED: &CStr = c_str!("bind prepare failed");
const BIND_FAILED: &CStr = c_str!("bind failed");
const BIND_NOT_RUN: &CStr = c_str!("bind not run");
const BIND_OUT_OF_ORDER: &CStr = c_str!("bind out of order");
const UNMAPPED_BEFORE_BIND: &CStr = c_str!("unmapped before its bind ran");

impl RsVm {
    fn unusable(&self) -> *const c_char {
        self.unusable.load(Ordering::Acquire)
    }

    /// Makes the VM unusable. The first reason stays: later failures are its consequences.
    fn mark_unusable(&self, reason: *const c_char) {
        let _ = self.unusable.compare_exchange(
            ptr::null_mut(),
            reason.cast_mut(),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }
}

/// The driver data of a VMA.
pub struct RsVa {
    /// The page-table entries of the VMA's range are written, or queued to be by a prepared bind
    /// job. Written and read under the VM's resv (`vma_map`/`vma_unmap` assert it, prepare's
    /// steps hold its `VmLocked`); atomic only because the VMA is shared.
    mapped: AtomicBool,
    /// The bind job that queued the map of the range (`RsVm::bind_prepared`), inherited by the
    /// pieces of a split; 0 for none. The map is still to be written while it is above
    /// `Log::done`. Set when the VMA is made.
    map_seq: u64,
    /// The stamp of the last `bind::reserve()` that counted this VMA, so that it counts each VMA
    /// once; under the VM's resv, atomic only because the VMA is shared.
    reserve_stamp: AtomicU64,
    _live: Live<VMAS>,
}

impl RsVa {
    fn new(mapped: bool, map_seq: u64) -> Self {
        Self {
            mapped: AtomicBool::new(mapped),
            map_seq,
            reserve_stamp: AtomicU64::new(0),
            _live: Live::new(),
        }
    }

    fn mapped(&self) -> bool {
        self.mapped.load(Ordering::Relaxed)
    }

    fn set_mapped(&self, mapped: bool) {
        self.mapped.store(mapped, Ordering::Relaxed);
    }
}

impl Clone for RsVa {
    /// The pieces of a split VMA keep whether it was mapped; each is a live VMA of its own.
    fn clone(&self) -> Self {
        Self::new(self.mapped(), self.map_seq)
    }
}

/// The driver data of a (VM, BO) pair: where each scatterlist entry of the BO ends.
pub struct RsVmBo {
    index: core::cell::UnsafeCell<bind::SgIndex>,
    _live: Live<VM_BOS>,
}

// SAFETY: `index` is only used under the BO's resv (`bind::sg_find` takes its proof).
unsafe impl Sync for RsVmBo {}
// SAFETY: See `Sync` above; its raw pointers point into the BO's pinned pages table.
unsafe impl Send for RsVmBo {}

static RS_GPUVM_OPS: Ops<RsVm> = Ops::new();

impl DriverGpuVm for RsVm {
    type VaData = RsVa;
    type VmBoData = RsVmBo;
    type StepContext = bind::Step;

    fn ops() -> &'static Ops<Self> {
        &RS_GPUVM_OPS
    }

    fn may_alloc() -> Result {
        may_alloc()
    }

    fn new_vm_bo_data() -> RsVmBo {
        RsVmBo {
            index: core::cell::UnsafeCell::new(bind::SgIndex::default()),
            _live: Live::new(),
        }
    }

    fn step_map<'op>(ctx: &mut bind::Step, op: OpMap<'op, Self>) -> Result<OpMapped<'op, Self>> {
        bind::step_map(ctx, op)
    }

    fn step_remap<'op>(
        ctx: &mut bind::Step,
        op: OpRemap<'op, Self>,
    ) -> Result<OpRemapped<'op, Self>> {
        bind::step_remap(ctx, op)
    }

    fn step_unmap<'op>(
        ctx: &mut bind::Step,
        op: OpUnmap<'op, Self>,
    ) -> Result<OpUnmapped<'op, Self>> {
        bind::step_unmap(ctx, op)
    }
}

type Vm = GpuVm<RsVm>;
type Va = GpuVa<RsVm>;

/// The VM behind a contract VM pointer.
///
/// # Safety
///
/// `vm` must be a live VM of this core (its `funcs` is `&msm_vm_rs_funcs`), referenced for `'a`.
unsafe fn vm<'a>(vm: *mut bindings::msm_vm) -> &'a Vm {
    // SAFETY: A VM of this core is the `base` of the `RsVm` data of a `GpuVm<RsVm>`.
    unsafe { Vm::from_data(kernel::container_of!(vm, RsVm, base)) }
}

/// The VMA behind a contract VMA pointer.
///
/// # Safety
///
/// `vma` must be an open VMA of a VM of this core, valid for `'a`.
unsafe fn vma<'a>(vma: *mut bindings::msm_vm_vma) -> &'a Va {
    // SAFETY: The VMAs this core hands out are the `drm_gpuva` of a `GpuVa<RsVm>`.
    unsafe { Va::from_raw(vma.cast()) }
}

fn to_vma(va: &Va) -> *mut bindings::msm_vm_vma {
    va.as_raw().cast()
}

fn create(info: &bindings::msm_vm_create_info) -> Result<ARef<Vm>> {
    if info.va_size == 0
        || !page_aligned(info.va_start)
        || !page_aligned(info.va_size)
        || info.va_start.checked_add(info.va_size).is_none()
    {
        return Err(EINVAL);
    }
    // SAFETY: `drm` is the caller's valid device (contract).
    let gpuva = unsafe {
        bindings::drm_core_check_feature(info.drm, bindings::drm_driver_feature_DRIVER_GEM_GPUVA)
    };
    if !gpuva || info.log_shift > bindings::MSM_VM_LOG_SHIFT_MAX {
        return Err(EINVAL);
    }
    let mmu = Mmu(NonNull::new(info.mmu).ok_or(EINVAL)?);
    let bo_funcs = BoFuncs(NonNull::new(info.bo_funcs.cast_mut()).ok_or(EINVAL)?);
    // What bind jobs call, checked once, as the C core does: a user-managed VM without it would
    // fail at its first VM_BIND. VM_BIND maps with the BO's protection, so `prot` is required.
    if !info.managed && (!bo_funcs.can_bind() || !mmu.can_bind(info.has_prr)) {
        return Err(EINVAL);
    }

    let mut ring = KVec::new();
    if !info.managed && info.log_shift != 0 {
        let size = 1usize << info.log_shift;
        let empty = LogEntry {
            op: c_str!(""),
            iova: 0,
            range: 0,
            queue_id: 0,
        };
        may_alloc()?;
        ring = KVec::from_elem(empty, size, GFP_KERNEL)?;
    }
    let name = if info.name.is_null() {
        c_str!("msm-vm")
    } else {
        // SAFETY: A NUL-terminated name (contract); copied by `GpuVm::new`.
        unsafe { CStr::from_char_ptr(info.name) }
    };
    let data = pin_init!(RsVm {
        base: bindings::msm_vm {
            funcs: &msm_vm_rs_funcs.0,
        },
        mmu,
        bo_funcs,
        managed: info.managed,
        has_prr: info.has_prr,
        unusable: AtomicPtr::new(ptr::null_mut()),
        bind_prepared: AtomicU64::new(0),
        reserve_stamp: AtomicU64::new(0),
        evicted: AtomicBool::new(false),
        mmu_lock <- new_mutex!(
            Log {
                ring,
                next: 0,
                count: 0,
                done: 0
            },
            "msm_vm_rs::mmu_lock"
        ),
        spare_vas <- new_spinlock!(VaSpares::default(), "msm_vm_rs::spare_vas"),
        _live: Live::new(),
    });
    // SAFETY: The device is valid and has DRIVER_GEM_GPUVA (checked); the range does not wrap
    // (checked).
    let vm = unsafe { Vm::new(info.drm, name, info.va_start, info.va_size, data)? };

    // Bind jobs take `mmu_lock` in the dma-fence signalling path: tell lockdep it nests inside
    // reclaim, so that any allocation made while holding it is reported.
    #[cfg(CONFIG_LOCKDEP)]
    {
        // SAFETY: Plain lockdep annotations.
        unsafe { bindings::fs_reclaim_acquire(bindings::GFP_KERNEL) };
        drop(vm.data().mmu_lock.lock());
        // SAFETY: Pairs with the acquire above.
        unsafe { bindings::fs_reclaim_release(bindings::GFP_KERNEL) };
    }
    Ok(vm)
}

/// Implements `msm_vm_create()` of `msm_vm.h`.
///
/// # Safety
///
/// `info` is valid for the call, as `msm_vm.h` says of `msm_vm_create()`.
unsafe extern "C" fn rs_create(info: *const bindings::msm_vm_create_info) -> *mut bindings::msm_vm {
    // SAFETY: `info` is valid for the call (contract).
    match create(unsafe { &*info }) {
        Ok(vm) => {
            let base = ptr::addr_of!(vm.data().base).cast_mut();
            // The caller's reference: given back through `rs_put`.
            core::mem::forget(vm);
            base
        }
        Err(e) => e.to_ptr(),
    }
}

/// Implements `msm_vm_get()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_get()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_get(v: *mut bindings::msm_vm) {
    // SAFETY: The caller holds a reference (contract).
    unsafe { vm(v) }.inc_ref();
}

/// Implements `msm_vm_put()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_put()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_put(v: *mut bindings::msm_vm) {
    // SAFETY: The caller gives up a reference it holds (contract).
    unsafe { Vm::dec_ref(NonNull::from(vm(v))) };
}

/// Implements `msm_vm_va_start()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_va_start()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_va_start(v: *mut bindings::msm_vm) -> u64 {
    // SAFETY: The caller holds a reference (contract); so for every entry point below.
    unsafe { vm(v) }.start()
}

/// Implements `msm_vm_va_size()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_va_size()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_va_size(v: *mut bindings::msm_vm) -> u64 {
    // SAFETY: See `rs_va_start`.
    unsafe { vm(v) }.range()
}

/// Implements `msm_vm_managed()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_managed()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_managed(v: *mut bindings::msm_vm) -> bool {
    // SAFETY: See `rs_va_start`.
    unsafe { vm(v) }.data().managed
}

/// Implements `msm_vm_resv_obj()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_resv_obj()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_resv_obj(v: *mut bindings::msm_vm) -> *mut bindings::drm_gem_object {
    // SAFETY: See `rs_va_start`.
    unsafe { vm(v) }.resv_obj().as_raw()
}

/// Implements `msm_vm_unusable()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_unusable()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_unusable(v: *mut bindings::msm_vm) -> *const c_char {
    // SAFETY: See `rs_va_start`.
    unsafe { vm(v) }.data().unusable()
}

/// Implements `msm_vm_mark_unusable()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_mark_unusable()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_mark_unusable(v: *mut bindings::msm_vm, reason: *const c_char) {
    let reason = if reason.is_null() {
        c_str!("unusable").as_char_ptr()
    } else {
        reason
    };
    // SAFETY: See `rs_va_start`.
    unsafe { vm(v) }.data().mark_unusable(reason);
}

/// The lowest free page-aligned range of `size` bytes in `[lo, hi)` and in the VM.
fn find_free(locked: &VmLocked<'_, RsVm>, lo: u64, hi: u64, size: u64) -> Option<u64> {
    let vm = locked.vm();
    let vm_end = vm.start() + vm.range();
    let lo = core::cmp::max(lo, vm.start());
    let hi = core::cmp::min(hi, vm_end);
    let page = kernel::page::PAGE_SIZE as u64;
    let align = |x: u64| x.checked_add(page - 1).map(|x| x & !(page - 1));
    if lo >= hi || size == 0 {
        return None;
    }
    let mut cand = align(lo)?;
    for va in locked.vas_in(lo, hi) {
        if cand.checked_add(size)? <= va.addr() {
            break;
        }
        cand = core::cmp::max(cand, align(va.addr() + va.range())?);
    }
    (cand.checked_add(size)? <= hi).then_some(cand)
}

fn vma_new(
    locked: &mut VmLocked<'_, RsVm>,
    obj: &GpuvaLocked<'_>,
    lo: u64,
    hi: u64,
) -> Result<*mut bindings::msm_vm_vma> {
    let vm = locked.vm();
    if !vm.data().managed {
        return Err(EINVAL);
    }
    let alloc = VaAlloc::new()?;
    let size = obj.obj().size() as u64;
    let addr = find_free(locked, lo, hi, size).ok_or(ENOSPC)?;
    let vm_bo = vm.obtain_bo(obj)?;
    // A free range inside the VM: inserting cannot fail. The link holds its own vm_bo
    // reference; ours goes at the end of the scope.
    let va = locked
        .insert_va(
            alloc,
            Some((&vm_bo, obj)),
            addr,
            size,
            0,
            RsVa::new(false, 0),
        )
        .inspect_err(|_| {
            warn_on(true);
        })?;
    vm_bo.extobj_add();
    Ok(to_vma(va))
}

/// Implements `msm_vm_vma_new()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_vma_new()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_vma_new(
    v: *mut bindings::msm_vm,
    obj: *mut bindings::drm_gem_object,
    range_start: u64,
    range_end: u64,
) -> *mut bindings::msm_vm_vma {
    // SAFETY: See `rs_va_start`.
    if !unsafe { vm(v) }.data().managed {
        return EINVAL.to_ptr();
    }
    // SAFETY: See `rs_va_start`; `obj` is referenced by the caller, who holds the VM's resv and
    // `obj`'s (contract).
    let (mut locked, obj) = unsafe {
        let obj = gem::Object::from_raw(obj);
        (vm(v).assume_locked(), obj.assume_gpuva_locked())
    };
    vma_new(&mut locked, &obj, range_start, range_end).unwrap_or_else(|e| e.to_ptr())
}

/// Implements `msm_vm_vma_map()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_vma_map()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_vma_map(
    v: *mut bindings::msm_vm,
    a: *mut bindings::msm_vm_vma,
    prot: c_int,
) -> c_int {
    // SAFETY: See `rs_va_start`; `a` is an open VMA of the VM.
    let (vm, va) = unsafe { (vm(v), vma(a)) };
    vm.assert_resv_held();
    let Some(obj) = va.obj() else {
        return EINVAL.to_errno();
    };
    obj.assert_gpuva_lock_held();
    let d = vm.data();
    // A VM_BIND VMA maps at its BO offset, under `mmu_lock`, from tables allocated beforehand:
    // `msm_vm_validate()` does that.
    if !d.managed {
        return EINVAL.to_errno();
    }
    if va.data().mapped() {
        return 0;
    }
    let ret = d
        .bo_funcs
        .get_sgt(obj)
        .and_then(|sgt| d.mmu.map(va.addr(), sgt, va.range(), prot));
    match ret {
        Ok(()) => {
            va.data().set_mapped(true);
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// Removes the page-table entries of a VMA, if written. The caller holds the VM's resv and the
/// BO's; for a user-managed VM, `mmu_lock` is taken here.
fn vma_unmap(vm: &Vm, va: &Va) {
    vm.assert_resv_held();
    // MAP_NULL ranges have no BO.
    if let Some(obj) = va.obj() {
        obj.assert_gpuva_lock_held();
    }
    if !va.data().mapped() {
        return;
    }
    let d = vm.data();
    // A user-managed VM's page tables are also written by bind jobs.
    let guard = (!d.managed).then(|| d.mmu_lock.lock());
    // A prepared job has yet to write this VMA's map: it would outlive the unmap. The driver
    // keeps a pending job's BOs busy, so this is its bug; the VM is lost, and an unusable VM maps
    // nothing more, so no entry outlives the unmap.
    if guard
        .as_ref()
        .is_some_and(|log| va.data().map_seq > log.done)
    {
        pr_err!(
            "{}: {:#x}+{:#x} unmapped before its bind ran\n",
            vm.name(),
            va.addr(),
            va.range()
        );
        d.mark_unusable(UNMAPPED_BEFORE_BIND.as_char_ptr());
    }
    let ret = d.mmu.unmap(va.addr(), va.range());
    if guard.is_some() {
        // Open and unmapped: `msm_vm_validate()` maps it again.
        d.evicted.store(true, Ordering::Relaxed);
    }
    drop(guard);
    // The range is gone for us either way: never map over it blindly.
    if let Err(e) = ret {
        pr_warn!(
            "{}: unmap of {:#x}+{:#x} failed: {}\n",
            vm.name(),
            va.addr(),
            va.range(),
            e.to_errno()
        );
    }
    va.data().set_mapped(false);
}

/// Closes a VMA: unmaps it if the caller forgot (a caller bug: WARNs), and takes it out of the
/// tree and its vm_bo.
///
/// # Safety
///
/// `va` is a VMA of the locked VM, not used afterwards; the caller holds its BO's resv, and a
/// reference on the VM other than the VMA's (whose link may be the VM's last one).
unsafe fn vma_close(locked: &mut VmLocked<'_, RsVm>, va: *const Va) {
    let vm = locked.vm();
    // SAFETY: `va` is in the tree until removed below.
    let mapped = unsafe { (*va).data().mapped() };
    if warn_on(mapped) {
        // SAFETY: As above.
        vma_unmap(vm, unsafe { &*va });
    }
    // SAFETY: Guaranteed by the caller. Dropping the VA frees it.
    drop(unsafe { locked.remove_va(va) });
}

/// Implements `msm_vm_vma_unmap()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_vma_unmap()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_vma_unmap(v: *mut bindings::msm_vm, a: *mut bindings::msm_vm_vma) {
    // SAFETY: See `rs_vma_map`.
    let (vm, va) = unsafe { (vm(v), vma(a)) };
    let was_mapped = va.data().mapped();
    vma_unmap(vm, va);
    if let (true, Some(obj), Some(bo)) = (was_mapped, va.obj(), va.vm_bo()) {
        // SAFETY: The caller holds the BO's resv (contract); `vma_unmap` asserted it.
        let obj = unsafe { obj.assume_gpuva_locked() };
        // Walks the BO's VMAs in this VM: a few, in kernel-managed VMs.
        if bo.vas(&obj).all(|va| !va.data().mapped()) {
            bind::forget_index(bo, &obj);
        }
    }
}

/// Implements `msm_vm_vma_close()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_vma_close()` takes: a VM of this core
/// that stays valid for the call (the VMA's link may hold its last reference), an open VMA of
/// it not used afterwards, and both resv held.
unsafe extern "C" fn rs_vma_close(v: *mut bindings::msm_vm, a: *mut bindings::msm_vm_vma) {
    // SAFETY: See `rs_vma_map`. The contract: the VMA is not used afterwards, and the caller
    // holds both resv. The VMA's link may hold the VM's last reference: `vm` keeps the VM until
    // the close is done, and may free it when dropped.
    unsafe {
        let vm = ARef::from(vm(v));
        let va = vma(a);
        if let Some(obj) = va.obj() {
            obj.assert_gpuva_lock_held();
        }
        vma_close(&mut vm.assume_locked(), va);
        drop(vm);
    };
}

/// Implements `msm_vm_vma_iova()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_vma_iova()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_vma_iova(_v: *mut bindings::msm_vm, a: *mut bindings::msm_vm_vma) -> u64 {
    // SAFETY: See `rs_vma_map`.
    unsafe { vma(a) }.addr()
}

/// Implements `msm_vm_vma_mapped()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_vma_mapped()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_vma_mapped(
    _v: *mut bindings::msm_vm,
    a: *mut bindings::msm_vm_vma,
) -> bool {
    // SAFETY: See `rs_vma_map`.
    unsafe { vma(a) }.data().mapped()
}

fn find_vm_bo<'a>(vm: &Vm, obj: &'a GpuvaLocked<'_>) -> Option<&'a GpuVmBo<RsVm>> {
    GpuVmBo::<RsVm>::of_obj(obj).find(|bo| ptr::eq(bo.vm(), vm))
}

/// Implements `msm_vm_bo_find_vma()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bo_find_vma()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_bo_find_vma(
    v: *mut bindings::msm_vm,
    obj: *mut bindings::drm_gem_object,
) -> *mut bindings::msm_vm_vma {
    // SAFETY: See `rs_va_start`; `obj` is referenced by the caller, who holds its resv
    // (contract).
    let (vm, obj) = unsafe { (vm(v), gem::Object::from_raw(obj).assume_gpuva_locked()) };
    // Linking appends: the first VA is the oldest.
    find_vm_bo(vm, &obj)
        .and_then(|bo| bo.first_va(&obj))
        .map_or(ptr::null_mut(), to_vma)
}

/// Unmaps, and with `close` closes, the VMAs of `bo`.
///
/// # Safety
///
/// The current task holds the resv of `bo`'s VM.
unsafe fn bo_unmap_vm_bo(bo: &GpuVmBo<RsVm>, obj: &GpuvaLocked<'_>, close: bool) {
    // Keep the vm_bo, and with it the VM, while its last VA goes.
    let Ok(bo) = bo.get(obj) else {
        return;
    };
    let vm = bo.vm();
    vm.assert_resv_held();
    if !close {
        bo.vas(obj).for_each(|va| vma_unmap(vm, va));
        // None of them is mapped now: the BO's pages may go (eviction).
        bind::forget_index(&bo, obj);
        return;
    }
    // SAFETY: The VM's resv is held (safety requirements); this is its only proof here.
    let mut locked = unsafe { vm.assume_locked() };
    while let Some(va) = bo.first_va(obj).map(ptr::from_ref) {
        // SAFETY: `va` is in the tree until closed, then not used again; `bo` keeps the VM;
        // both resv are held.
        unsafe {
            vma_unmap(vm, &*va);
            vma_close(&mut locked, va);
        }
    }
}

/// Implements `msm_vm_bo_unmap()` of `msm_vm.h`; with a NULL `v`, the part of
/// `msm_vm_bo_unmap_all_vms()` for this core: every VM of it.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bo_unmap()` takes: a VM of this core
/// on which the caller holds a reference, or NULL, a valid BO, and the locks named held (with a
/// NULL `v`, what `msm_vm_bo_lock_vms()` locks).
unsafe extern "C" fn rs_bo_unmap(
    v: *mut bindings::msm_vm,
    obj: *mut bindings::drm_gem_object,
    close: bool,
) {
    // SAFETY: `obj` is referenced by the caller, who holds its resv (contract).
    let obj = unsafe { gem::Object::from_raw(obj).assume_gpuva_locked() };
    if !v.is_null() {
        // SAFETY: See `rs_va_start`.
        if let Some(bo) = find_vm_bo(unsafe { vm(v) }, &obj) {
            // SAFETY: The caller holds the VM's resv (contract).
            unsafe { bo_unmap_vm_bo(bo, &obj, close) };
        }
        return;
    }
    // SAFETY: The caller holds the resv of every VM of the BO (`msm_vm_bo_lock_vms()`).
    unsafe { bo_unmap_vms(&obj, close, false) };
}

/// Unmaps, and with `close` closes, the VMAs of `obj` in every VM of this core, or in its
/// kernel-managed ones only.
///
/// # Safety
///
/// The current task holds the resv of every VM the BO has VMAs in.
unsafe fn bo_unmap_vms(obj: &GpuvaLocked<'_>, close: bool, managed_only: bool) {
    // Closing may free the current vm_bo, never the next one, which belongs to another VM;
    // `of_obj` reads it before returning the current one.
    for bo in GpuVmBo::<RsVm>::of_obj(obj).filter(|bo| !managed_only || bo.vm().data().managed) {
        // SAFETY: Guaranteed by the caller.
        unsafe { bo_unmap_vm_bo(bo, obj, close) };
    }
}

/// Implements `msm_vm_funcs.bo_close_managed` of `msm_vm.h` (for `msm_vm_bo_vma_put()`): unmaps
/// and closes the BO's VMAs in every kernel-managed VM of this core.
///
/// # Safety
///
/// `obj` is a valid BO; the caller holds its resv and the resv of every VM it has VMAs in
/// (`msm_vm_bo_lock_vms()`).
unsafe extern "C" fn rs_bo_close_managed(obj: *mut bindings::drm_gem_object) {
    // SAFETY: `obj` is referenced by the caller, who holds its resv (contract).
    let obj = unsafe { gem::Object::from_raw(obj).assume_gpuva_locked() };
    // SAFETY: The caller holds the resv of every VM of the BO.
    unsafe { bo_unmap_vms(&obj, true, true) };
}

/// Implements `msm_vm_bo_describe()` of `msm_vm.h`.
///
/// # Safety
///
/// `obj` and `p` are valid and `obj`'s resv is held, as `msm_vm.h` says of
/// `msm_vm_bo_describe()`.
unsafe extern "C" fn rs_bo_describe(
    obj: *mut bindings::drm_gem_object,
    p: *mut bindings::drm_printer,
) {
    // SAFETY: `obj` is referenced by the caller, who holds its resv (contract).
    let obj = unsafe { gem::Object::from_raw(obj).assume_gpuva_locked() };
    for bo in GpuVmBo::<RsVm>::of_obj(&obj) {
        for va in bo.vas(&obj) {
            let state = if va.data().mapped() {
                c_str!("mapped")
            } else {
                c_str!("unmapped")
            };
            // SAFETY: `p` is the caller's printer; the format matches the arguments.
            unsafe {
                bindings::drm_printf(
                    p,
                    c_str!(" vm=%s iova=0x%llx size=0x%llx %s").as_char_ptr(),
                    bo.vm().name().as_char_ptr(),
                    va.addr(),
                    va.range(),
                    state.as_char_ptr(),
                )
            };
        }
    }
}

/// Locks the BO of every VMA that overlaps `[start, end)`, reserving `num_fences` fence slots.
fn lock_vas(
    locked: &VmLocked<'_, RsVm>,
    exec: &mut Exec,
    start: u64,
    end: u64,
    num_fences: u32,
) -> Result {
    // The VA tree is stable: the caller locked the VM's resv first.
    for va in locked.vas_in(start, end) {
        if let Some(obj) = va.obj() {
            exec.prepare_obj(obj, num_fences)?;
        }
    }
    Ok(())
}

/// Implements `msm_vm_lock_all()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_lock_all()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_lock_all(v: *mut bindings::msm_vm, exec: *mut bindings::drm_exec) -> c_int {
    // SAFETY: See `rs_va_start`; `exec` is the caller's transaction (contract).
    let (vm, exec) = unsafe { (vm(v), Exec::from_raw(exec)) };
    let ret = exec.lock_obj(vm.resv_obj()).and_then(|()| {
        // SAFETY: `exec` holds the VM's resv now, until the caller ends the transaction.
        let locked = unsafe { vm.assume_locked() };
        lock_vas(&locked, exec, vm.start(), vm.start() + vm.range(), 0)
    });
    match ret {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Implements `msm_vm_close()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_close()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_close(v: *mut bindings::msm_vm) {
    // SAFETY: See `rs_va_start`; the caller holds the VM's resv (contract).
    let mut locked = unsafe { vm(v).assume_locked() };
    // The caller's reference keeps the VM while its last vm_bo goes.
    while let Some(va) = locked.first_va().map(ptr::from_ref) {
        // SAFETY: `va` is in the tree until closed, then not used again; the caller holds a
        // reference and what `msm_vm_lock_all()` locks.
        unsafe {
            vma_unmap(locked.vm(), &*va);
            vma_close(&mut locked, va);
        }
    }
}

/// Implements `msm_vm_vmas()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_vmas()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_vmas(
    v: *mut bindings::msm_vm,
    info: *mut bindings::msm_vm_va_info,
    max: c_uint,
) -> c_uint {
    // SAFETY: See `rs_va_start`; the caller holds the VM's resv (contract).
    let locked = unsafe { vm(v).assume_locked() };
    let vm = locked.vm();
    let mut n: c_uint = 0;
    for va in locked.vas_in(vm.start(), vm.start() + vm.range()) {
        if n < max {
            let dump = va.flags() & bind::VMA_DUMP != 0;
            // SAFETY: `info` has `max` entries (contract).
            unsafe {
                info.add(n as usize).write(bindings::msm_vm_va_info {
                    iova: va.addr(),
                    range: va.range(),
                    obj: va.obj().map_or(ptr::null_mut(), |o| o.as_raw()),
                    offset: va.offset(),
                    flags: if dump {
                        bindings::MSM_VM_BIND_OP_DUMP
                    } else {
                        0
                    },
                    mapped: va.data().mapped(),
                })
            };
        }
        n = n.saturating_add(1);
    }
    n
}

/// Implements `msm_vm_log_read()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_log_read()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
unsafe extern "C" fn rs_log_read(
    v: *mut bindings::msm_vm,
    entries: *mut bindings::msm_vm_log_entry,
    max: c_uint,
) -> c_uint {
    // SAFETY: See `rs_va_start`.
    let vm = unsafe { vm(v) };
    let log = vm.data().mmu_lock.lock();
    let size = log.ring.len();
    if size == 0 {
        return 0;
    }
    let n = core::cmp::min(log.count, max as usize);
    // The oldest of the last n entries.
    let first = (log.next + size - n) % size;
    for i in 0..n {
        let e = log.ring[(first + i) % size];
        // SAFETY: `entries` has `max` >= `n` entries (contract).
        unsafe {
            entries.add(i).write(bindings::msm_vm_log_entry {
                op: e.op.as_char_ptr(),
                iova: e.iova,
                range: e.range,
                queue_id: e.queue_id,
            })
        };
    }
    // `n` <= `max`, a `c_uint`.
    n as c_uint
}

/// Implements `msm_vm_core_live()` of `msm_vm.h`.
///
/// # Safety
///
/// `live` is valid for writing, as `msm_vm.h` says of `msm_vm_core_live()`.
unsafe extern "C" fn rs_live(live: *mut bindings::msm_vm_live) {
    let get = |k: usize| LIVE[k].load(Ordering::Relaxed) as c_long;
    // SAFETY: `live` is the caller's (contract).
    unsafe {
        live.write(bindings::msm_vm_live {
            vms: get(VMS),
            vmas: get(VMAS),
            vm_bos: get(VM_BOS),
            jobs: get(JOBS),
        })
    };
}

/// The ops table of the Rust core; see `struct msm_vm_funcs`.
#[repr(transparent)]
pub struct Funcs(bindings::msm_vm_funcs);

// SAFETY: A constant table of function pointers and a static string, never written.
unsafe impl Sync for Funcs {}

/// The Rust core, the second entry of `msm_vm_cores[]`.
///
/// Its type is the binding of `struct msm_vm_funcs`: every function must have exactly the type
/// `msm_vm.h` declares for its member, or the build fails.
#[no_mangle]
pub static msm_vm_rs_funcs: Funcs = Funcs(bindings::msm_vm_funcs {
    name: c_str!("rust").as_char_ptr(),
    create: Some(rs_create),
    get: Some(rs_get),
    put: Some(rs_put),
    get_va_start: Some(rs_va_start),
    get_va_size: Some(rs_va_size),
    managed: Some(rs_managed),
    resv_obj: Some(rs_resv_obj),
    unusable: Some(rs_unusable),
    mark_unusable: Some(rs_mark_unusable),
    vma_new: Some(rs_vma_new),
    vma_map: Some(rs_vma_map),
    vma_unmap: Some(rs_vma_unmap),
    vma_close: Some(rs_vma_close),
    vma_iova: Some(rs_vma_iova),
    vma_mapped: Some(rs_vma_mapped),
    bo_find_vma: Some(rs_bo_find_vma),
    bo_unmap: Some(rs_bo_unmap),
    bo_close_managed: Some(rs_bo_close_managed),
    bo_describe: Some(rs_bo_describe),
    lock_all: Some(rs_lock_all),
    close: Some(rs_close),
    vmas: Some(rs_vmas),
    log_read: Some(rs_log_read),
    validate: Some(bind::rs_validate),
    job_create: Some(bind::rs_job_create),
    job_pages: Some(bind::rs_job_pages),
    job_walk_map_bos: Some(bind::rs_job_walk_map_bos),
    job_lock: Some(bind::rs_job_lock),
    job_prepare: Some(bind::rs_job_prepare),
    job_run: Some(bind::rs_job_run),
    job_free: Some(bind::rs_job_free),
    live: Some(rs_live),
});
