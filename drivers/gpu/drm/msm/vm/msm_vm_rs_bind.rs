// SPDX-License-Identifier: GPL-2.0-only

//! VM_BIND jobs of the Rust core (see `msm_vm.h` for the contract).
//!
//! The same four steps as the C core's (`msm_vm_c_bind.c`):
//!
//! ```text
//!   create   parse and check the ops, look up their BOs         unlocked
//!   lock     drm_exec: the VM's resv and every BO concerned
//!   prepare  allocate everything, then apply each op to the VA tree with
//!            VmLocked::sm_map()/sm_unmap() and queue page-table writes
//!   run      apply the queued writes under mmu_lock             no resv,
//!                                                               no allocation
//! ```
//!
//! then free (dropping the [`Job`]). The page-table pages of the whole job are counted at create
//! (capped at `MSM_VM_JOB_PAGES_MAX`, and reported for throttling) and allocated first in
//! prepare, merging ops that share a 2 MiB block exactly as the C core does, so both cores ask
//! the MMU for the same number of pages. Then, per op and before the tree changes: a
//! full `VaSpares` (which `VmLocked::sm_map` insists on), room for one queued write per VMA the op
//! overlaps plus one, the vm_bo of a MAP and the scatterlist position of its BO offset. So a
//! step never fails, an op is applied whole or not at all, and a failure at the first op leaves
//! the VM as it was.

use super::{
    may_alloc, vm, Live, Mmu, RsVm, Vm, BIND_FAILED, BIND_NOT_RUN, BIND_OUT_OF_ORDER,
    BIND_PREPARE_FAILED, JOBS,
};
use core::{ffi::c_void, mem::MaybeUninit, ptr, sync::atomic::Ordering};
use kernel::{
    alloc::{
        flags::{__GFP_NOWARN, GFP_KERNEL, GFP_KERNEL_ACCOUNT, GFP_NOWAIT},
        KBox, KVVec,
    },
    bindings, c_str,
    drm::{
        exec::Exec,
        gem::{self, GpuvaLocked},
        gpuvm::{
            GpuVmBo, OpMap, OpMapped, OpRemap, OpRemapped, OpUnmap, OpUnmapped, VaAlloc, VaSpares,
            VmBoRef, VmLocked, MAX_NEW_VAS,
        },
        warn_on,
    },
    error::to_result,
    ffi::c_int,
    prelude::*,
    str::CStr,
    types::ARef,
    uaccess::UserSlice,
};

/// The DUMP flag of a VMA, in the `drm_gpuva` flags left to drivers.
pub(super) const VMA_DUMP: u32 = bindings::drm_gpuva_flags_DRM_GPUVA_USERBITS;

fn vma_flags(op_flags: u32) -> u32 {
    if op_flags & bindings::MSM_VM_BIND_OP_DUMP != 0 {
        VMA_DUMP
    } else {
        0
    }
}

/// Where each scatterlist entry of a BO ends, for a binary search of a BO offset; built on first
/// use under the BO's resv.
///
/// It points into the BO's table, which the driver keeps while a VMA of the BO is mapped and
/// changes only after unmapping them all: [`forget_index`] drops it whenever `msm_vm_bo_unmap()`
/// runs for the (VM, BO) pair and when an unmap of one VMA leaves none mapped, and it goes with
/// the pair. A table at the address of `sgt` is not taken to be the same table: the driver may
/// free one and allocate the next at the same address.
pub(crate) struct SgIndex {
    /// The table the index was built from.
    sgt: *mut bindings::sg_table,
    /// Per entry: the BO offset just past it, and the entry.
    ends: KVVec<(u64, *mut bindings::scatterlist)>,
}

impl Default for SgIndex {
    fn default() -> Self {
        Self {
            sgt: ptr::null_mut(),
            ends: KVVec::new(),
        }
    }
}

/// Forgets `vm_bo`'s scatterlist index: none of its VMAs is mapped, and the BO's pages may go.
/// `obj` proves the BO's resv (nothing is done for another object's).
pub(super) fn forget_index(vm_bo: &GpuVmBo<RsVm>, obj: &GpuvaLocked<'_>) {
    if vm_bo.obj() == obj.obj() {
        // SAFETY: Only used under the BO's resv, held (`obj`), by one task at a time.
        unsafe { *vm_bo.data().index.get() = SgIndex::default() };
    }
}

/// Finds the scatterlist entry holding BO offset `offset` and the bytes of it before the offset.
///
/// The index is built and read under the BO's resv, which `obj` proves.
fn sg_find(
    vm: &Vm,
    vm_bo: &GpuVmBo<RsVm>,
    obj: &GpuvaLocked<'_>,
    offset: u64,
) -> Result<(*mut bindings::scatterlist, usize)> {
    if vm_bo.obj() != obj.obj() {
        return Err(EINVAL);
    }
    let sgt = vm.data().bo_funcs.get_sgt(obj.obj())?;
    // SAFETY: Only used under the BO's resv, held (`obj`), by one task at a time.
    let index = unsafe { &mut *vm_bo.data().index.get() };
    if index.sgt != sgt {
        // SAFETY: `get_sgt` returned a valid table of the pinned pages.
        let nents = unsafe { (*sgt).orig_nents } as usize;
        may_alloc()?;
        let mut ends = KVVec::with_capacity(nents, GFP_KERNEL)?;
        // SAFETY: As above.
        let mut sg = unsafe { (*sgt).sgl };
        let mut end = 0u64;
        for _ in 0..nents {
            // SAFETY: `sg` is one of the table's `orig_nents` entries.
            end += u64::from(unsafe { (*sg).length });
            // Within the capacity just allocated: does not allocate.
            ends.push((end, sg), GFP_KERNEL)?;
            // SAFETY: As above; `sg_next()` follows chained tables.
            sg = unsafe { bindings::sg_next(sg) };
        }
        *index = SgIndex { sgt, ends };
    }
    // The first entry that ends past `offset`, by the C core's branchy binary search: core's
    // `partition_point` is branchless, which serializes the loads of a large index (make compare:
    // 2.5x slower over the 2^18 entries of a 1 GiB BO, as a whole bind 1.2x the C core).
    let (mut lo, mut hi) = (0, index.ends.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if index.ends[mid].0 > offset {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let i = lo;
    let Some(&(_, sg)) = index.ends.get(i) else {
        // The pages do not cover the BO.
        return Err(EINVAL);
    };
    let before = if i == 0 { 0 } else { index.ends[i - 1].0 };
    let skip = usize::try_from(offset - before).map_err(|_| EINVAL)?;
    Ok((sg, skip))
}

/// One item inline, more in a vector: a job of one op, the bind turnip issues for each new BO,
/// allocates nothing for its ops nor for what prepare keeps per op.
enum OneOrMany<T> {
    One(Option<T>),
    Many(KVVec<T>),
}

impl<T> OneOrMany<T> {
    /// Room for `n` items, allocated (with `flags`) only for more than one.
    fn with_capacity(n: usize, flags: kernel::alloc::Flags) -> Result<Self> {
        if n <= 1 {
            return Ok(Self::One(None));
        }
        may_alloc()?;
        Ok(Self::Many(KVVec::with_capacity(n, flags)?))
    }

    /// Adds an item within the room made: never allocates. `EINVAL` when full.
    fn push(&mut self, item: T) -> Result {
        match self {
            Self::One(slot @ None) => {
                *slot = Some(item);
                Ok(())
            }
            Self::One(Some(_)) => Err(EINVAL),
            Self::Many(v) if v.len() == v.capacity() => Err(EINVAL),
            Self::Many(v) => Ok(v.push(item, GFP_NOWAIT)?),
        }
    }
}

impl<T> core::ops::Deref for OneOrMany<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Self::One(item) => item.as_slice(),
            Self::Many(v) => v,
        }
    }
}

impl<T> core::ops::DerefMut for OneOrMany<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Self::One(item) => item.as_mut_slice(),
            Self::Many(v) => v,
        }
    }
}

/// One checked op of a job.
struct BindOp {
    op: u32,
    flags: u32,
    /// The GEM handle of a MAP, looked up after every op was read.
    handle: u32,
    /// The BO of a MAP; `None` otherwise (and until the handle is looked up).
    obj: Option<ARef<gem::Object>>,
    /// For a MAP, the BO's protection (`msm_vm_bo_funcs.prot`).
    prot: c_int,
    obj_offset: u64,
    iova: u64,
    range: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PtKind {
    Map,
    MapNull,
    Unmap,
}

/// A page-table write queued by prepare for run.
struct PtOp {
    kind: PtKind,
    iova: u64,
    range: u64,
    /// For a map: the scatterlist entry holding the first page, and the bytes of it before.
    sg: *mut bindings::scatterlist,
    skip: usize,
    /// For a map, the protection to map with.
    prot: c_int,
    /// A reference on the BO whose pages are (un)mapped, which keeps them until the write is
    /// done; `None` for MAP_NULL.
    _obj: Option<ARef<gem::Object>>,
}

/// What the step functions need of the op prepare is applying and the steps do not say: its
/// flags and protection, and for a MAP where its BO offset is in the BO's scatterlist.
#[derive(Default)]
struct Cur {
    flags: u32,
    prot: c_int,
    sg: Option<(*mut bindings::scatterlist, usize)>,
}

/// What the step functions work on: the queue of page-table writes and the current op.
pub struct Step {
    /// Queued page-table writes, in order. Prepare makes room for every write the ops' steps
    /// may queue before the tree changes, so they never allocate.
    pt_ops: KVVec<PtOp>,
    cur: Cur,
    /// The job's place in the order of its VM's jobs, which the VMAs its maps make take.
    seq: u64,
}

impl Default for Step {
    fn default() -> Self {
        Self {
            pt_ops: KVVec::new(),
            cur: Cur::default(),
            seq: 0,
        }
    }
}

impl Step {
    /// Is there room for one more queued write? There always is (`reserve` counted every write a
    /// step may queue); were the count ever short, the step fails before it changes anything, and
    /// the VM becomes unusable, instead of allocating in a step.
    fn has_room(&self) -> Result {
        if warn_on(self.pt_ops.len() >= self.pt_ops.capacity()) {
            return Err(ENOMEM);
        }
        Ok(())
    }

    fn queue(
        &mut self,
        kind: PtKind,
        iova: u64,
        range: u64,
        obj: Option<ARef<gem::Object>>,
    ) -> Result {
        self.has_room()?;
        let (sg, skip) = match kind {
            PtKind::Map => self.cur.sg.ok_or(EINVAL)?,
            _ => (ptr::null_mut(), 0),
        };
        let prot = match kind {
            PtKind::Map => self.cur.prot,
            PtKind::MapNull => (bindings::IOMMU_READ | bindings::IOMMU_WRITE) as c_int,
            PtKind::Unmap => 0,
        };
        let pt = PtOp {
            kind,
            iova,
            range,
            sg,
            skip,
            prot,
            _obj: obj,
        };
        // Room checked above: this does not allocate, so it cannot fail.
        self.pt_ops.push(pt, GFP_NOWAIT)?;
        Ok(())
    }
}

/// A VM_BIND job of the Rust core.
pub(super) struct Job {
    queue_id: u32,
    prealloc: bindings::msm_mmu_prealloc,
    /// `prealloc` holds pages to give back.
    prealloc_allocated: bool,
    /// The job's place in the order of its VM's jobs, from 1; 0 before prepare.
    seq: u64,
    /// Prepare applied every op.
    prepared: bool,
    /// Run was called.
    ran: bool,
    ops: OneOrMany<BindOp>,
    step: Step,
    spares: VaSpares<RsVm>,
    _live: Live<JOBS>,
    /// Last: dropped after everything else of the job.
    vm: ARef<Vm>,
}

// SAFETY: The raw pointers of a job (scatterlist entries, the MMU's pre-allocated pages) are
// only used by whoever owns the job, one task at a time, as in C.
unsafe impl Send for Job {}

/// The checks of `msm_vm_bind_job_create()` that need no handle, per op, in the documented order;
/// made on each op as it is read.
fn check_op(vm: &Vm, u: &bindings::drm_msm_vm_bind_op) -> Result<BindOp> {
    let d = vm.data();
    if u.op > bindings::MSM_VM_BIND_OP_MAP_NULL
        || u.flags & !bindings::MSM_VM_BIND_OP_FLAGS != 0
        || u.pad != 0
    {
        return Err(EINVAL);
    }
    if !super::page_aligned(u.iova)
        || !super::page_aligned(u.range)
        || !super::page_aligned(u.obj_offset)
    {
        return Err(EINVAL);
    }
    // The MMU takes `size_t` lengths: a 32-bit kernel cannot map more.
    if u.range == 0 || !vm.range_valid(u.iova, u.range) || usize::try_from(u.range).is_err() {
        return Err(EINVAL);
    }
    let map = u.op == bindings::MSM_VM_BIND_OP_MAP;
    if (map && u.handle == 0) || (!map && (u.handle != 0 || u.obj_offset != 0)) {
        return Err(EINVAL);
    }
    if u.op == bindings::MSM_VM_BIND_OP_MAP_NULL && !d.has_prr {
        return Err(EINVAL);
    }
    Ok(BindOp {
        op: u.op,
        flags: u.flags,
        handle: u.handle,
        obj: None,
        prot: 0,
        obj_offset: u.obj_offset,
        iova: u.iova,
        range: u.range,
    })
}

/// The checks of the BO of a MAP, once every op was read and checked.
fn lookup_op(vm: &Vm, file: *mut bindings::drm_file, op: &mut BindOp) -> Result {
    if op.op != bindings::MSM_VM_BIND_OP_MAP {
        return Ok(());
    }
    let d = vm.data();
    let obj = d.bo_funcs.lookup(file, op.handle).ok_or(EINVAL)?;
    match op.obj_offset.checked_add(op.range) {
        Some(end) if end <= obj.size() as u64 => {}
        _ => return Err(EINVAL),
    }
    op.prot = d.bo_funcs.prot(&obj)?;
    op.obj = Some(obj);
    Ok(())
}

/// Reads op `i` of a batch from user memory.
fn read_op(args: &bindings::drm_msm_vm_bind, i: u32) -> Result<bindings::drm_msm_vm_bind_op> {
    const SIZE: usize = core::mem::size_of::<bindings::drm_msm_vm_bind_op>();
    // SAFETY: With more than one op, the union holds the user pointer.
    let base = unsafe { args.__bindgen_anon_1.ops };
    // An address past 2^64 faults like any bad one.
    let addr = u64::from(i)
        .checked_mul(u64::from(args.op_stride))
        .and_then(|off| base.checked_add(off))
        .ok_or(EFAULT)?;
    let addr = usize::try_from(addr).map_err(|_| EFAULT)?;
    let mut buf = [MaybeUninit::<u8>::uninit(); SIZE];
    UserSlice::new(addr, SIZE).reader().read_raw(&mut buf)?;
    // SAFETY: `read_raw` wrote all `SIZE` bytes, and any bytes are a valid op (integers only).
    Ok(unsafe { ptr::read_unaligned(buf.as_ptr().cast()) })
}

fn job_create(
    vm: &Vm,
    file: *mut bindings::drm_file,
    args: &bindings::drm_msm_vm_bind,
) -> Result<KBox<Job>> {
    let d = vm.data();
    if !d.unusable().is_null() {
        return Err(EPIPE);
    }
    if d.managed
        || args.flags & !bindings::MSM_VM_BIND_FLAGS != 0
        || (args.nr_ops > 1
            && (args.op_stride as usize) < core::mem::size_of::<bindings::drm_msm_vm_bind_op>())
    {
        return Err(EINVAL);
    }
    let nr_ops = args.nr_ops as usize;
    // A batch too large for memory fails here, quietly: turnip retries with one op per ioctl.
    let ops = OneOrMany::with_capacity(nr_ops, GFP_KERNEL_ACCOUNT | __GFP_NOWARN)?;
    may_alloc()?;
    let mut job = KBox::new(
        Job {
            queue_id: args.queue_id,
            prealloc: bindings::msm_mmu_prealloc::default(),
            prealloc_allocated: false,
            seq: 0,
            prepared: false,
            ran: false,
            ops,
            step: Step::default(),
            spares: VaSpares::default(),
            _live: Live::new(),
            vm: ARef::from(vm),
        },
        GFP_KERNEL,
    )?;
    for i in 0..args.nr_ops {
        let uop = if args.nr_ops == 1 {
            // SAFETY: With one op, the union holds it inline.
            unsafe { args.__bindgen_anon_1.op }
        } else {
            read_op(args, i)?
        };
        let op = check_op(vm, &uop)?;
        // Within the capacity made above: does not allocate.
        job.ops.push(op)?;
    }
    // Handles last, as upstream: an unreadable op is `EFAULT` first.
    for op in job.ops.iter_mut() {
        lookup_op(vm, file, op)?;
    }
    job.count()?;
    Ok(job)
}

/// Do two ops share last-level tables? They do when the first ends in the 2 MiB block the
/// second starts in; then one range is counted for both.
fn same_table(last: &BindOp, op: &BindOp) -> bool {
    // The span of one last-level table (`linux/sizes.h`; 6.12's `kernel::sizes` stops at 512K).
    let block = !(u64::from(bindings::SZ_2M) - 1);
    (last.iova + last.range) & block == op.iova & block
}

impl Job {
    fn mmu(&self) -> Mmu {
        self.vm.data().mmu
    }

    /// Counts the page-table pages of every MAP and MAP_NULL op, at create: the count depends on
    /// the ops only, and the driver throttles on it before it takes any lock
    /// (`msm_vm_bind_job_pages()`). `ENOMEM` once it is above `MSM_VM_JOB_PAGES_MAX`: the MMU adds
    /// to a `u64`, at most about 2^44 for a range inside the VM, and counting stops at the cap, so
    /// the sum cannot wrap.
    fn count(&mut self) -> Result {
        let mmu = self.mmu();
        // `msm_vm_create()` checked that the MMU of a user-managed VM counts.
        let count = mmu.funcs().prealloc_count.ok_or(EINVAL)?;
        let p = ptr::addr_of_mut!(self.prealloc);
        let add = |start: u64, end: u64| -> Result {
            // SAFETY: The MMU is valid and `p` is this job's, not in use by the MMU.
            unsafe { count(mmu.raw(), p, start, end - start) };
            // SAFETY: As above; the MMU is done with it.
            if unsafe { (*p).count } > u64::from(bindings::MSM_VM_JOB_PAGES_MAX) {
                return Err(ENOMEM);
            }
            Ok(())
        };
        let mut last: Option<&BindOp> = None;
        let (mut start, mut end) = (0u64, 0u64);
        for op in self
            .ops
            .iter()
            .filter(|op| op.op != bindings::MSM_VM_BIND_OP_UNMAP)
        {
            match last {
                // Ops need not be sorted: keep the span covering both.
                Some(l) if same_table(l, op) => {
                    start = core::cmp::min(start, op.iova);
                    end = core::cmp::max(end, op.iova + op.range);
                }
                _ => {
                    if last.is_some() {
                        add(start, end)?;
                    }
                    start = op.iova;
                    end = op.iova + op.range;
                }
            }
            last = Some(op);
        }
        if last.is_some() {
            add(start, end)?;
        }
        Ok(())
    }

    /// Allocates the page-table pages create counted.
    fn prealloc(&mut self) -> Result {
        let mmu = self.mmu();
        let allocate = mmu.funcs().prealloc_allocate.ok_or(EINVAL)?;
        // SAFETY: The MMU is valid and the pre-allocation is this job's, not in use by the MMU.
        to_result(unsafe { allocate(mmu.raw(), ptr::addr_of_mut!(self.prealloc)) })?;
        self.prealloc_allocated = true;
        Ok(())
    }

    fn prepare(&mut self) -> Result {
        self.vm.assert_resv_held();
        if warn_on(self.prepared || self.prealloc_allocated) {
            return Err(EINVAL);
        }
        self.prealloc()?;
        let Job {
            vm,
            ops,
            step,
            spares,
            seq,
            ..
        } = self;
        // SAFETY: The job is locked (`msm_vm_bind_job_lock()`, contract): the VM's resv is held.
        let mut locked = unsafe { vm.assume_locked() };

        // Phase 1, before the tree changes: everything the steps of all ops may use. On error
        // nothing changed and the VM stays usable (turnip answers ENOMEM op by op). Start from
        // what the VM's last job left over (prepares of a VM hold its resv).
        core::mem::swap(&mut *vm.data().spare_vas.lock(), spares);
        // SAFETY: The job is locked (contract): the BO of every MAP op is, until the job is
        // unlocked, after prepare.
        let reserved = unsafe { reserve(&locked, ops, step, spares.len()) };
        let Reserved { maps, vas } = match reserved {
            Ok(r) => r,
            Err(e) => {
                core::mem::swap(&mut *vm.data().spare_vas.lock(), spares);
                return Err(e);
            }
        };

        // Phase 2: apply the ops; their steps cannot fail.
        // From here on the job writes page tables, in run or in free. Under the VM's resv.
        *seq = vm.data().bind_prepared.fetch_add(1, Ordering::Relaxed) + 1;
        step.seq = *seq;
        let mut pool = vas.into_iter();
        for (i, op) in ops.iter().enumerate() {
            spares.refill_from(&mut pool);
            step.cur = Cur {
                // No DUMP for MAP_NULL: a PRR range has no content to dump (as upstream).
                flags: if op.obj.is_some() { op.flags } else { 0 },
                prot: op.prot,
                sg: maps.get(i).and_then(|m| m.sg),
            };
            // SAFETY: `msm_vm_bind_job_lock()` locked the BO of every MAP op and of every VMA the
            // ops overlapped then; the VMAs the earlier ops of the job added are of MAP BOs: every
            // BO whose VMAs the steps link or unlink is locked.
            let ret = unsafe {
                if op.op == bindings::MSM_VM_BIND_OP_UNMAP {
                    locked.sm_unmap(step, spares, op.iova, op.range)
                } else {
                    let bo = maps.get(i).and_then(|m| m.bo.as_ref());
                    locked.sm_map(step, spares, op.iova, op.range, bo, op.obj_offset)
                }
            };
            step.cur = Cur::default();
            if let Err(e) = ret {
                // Cannot happen (create checked the ranges, phase 1 counted what steps use);
                // the ops before changed the VM for good.
                warn_on(true);
                pr_err!("{}: bind op refused: {}\n", vm.name(), e.to_errno());
                vm.data().mark_unusable(BIND_PREPARE_FAILED.as_char_ptr());
                return Err(e);
            }
        }
        // The VMAs linked to the vm_bos hold their own references: ours go here.
        drop(maps);
        // What the last op did not use, for the VM's next job.
        core::mem::swap(&mut *vm.data().spare_vas.lock(), spares);
        self.prepared = true;
        Ok(())
    }

    /// Applies the queued page-table writes, in order. With `unmaps_only`, or once a map failed,
    /// the maps are skipped; unmaps are always done. No allocation: page tables come from the
    /// job's pre-allocation. Returns the error of the map that failed.
    fn apply(&mut self, unmaps_only: bool) -> Result {
        let d = self.vm.data();
        let mmu = self.mmu();
        let funcs = mmu.funcs();
        let mut log = d.mmu_lock.lock();
        let mut skip_maps = unmaps_only;
        // In the order of prepare, or the page tables would not follow the VA tree. A driver bug
        // (its bind queues of one VM must be ordered), so the VM is lost; the unmaps still go, no
        // PTE outlives its VMA.
        if self.seq != log.done + 1 {
            pr_err!(
                "{}: bind job {} applied after job {}\n",
                self.vm.name(),
                self.seq,
                log.done
            );
            d.mark_unusable(BIND_OUT_OF_ORDER.as_char_ptr());
            skip_maps = true;
        } else {
            log.done = self.seq;
        }
        let mut ret = Ok(());
        // SAFETY: The MMU takes page tables from the job's pages while this is set, under
        // `mmu_lock`; reset below, before the lock is dropped.
        unsafe { (*mmu.raw()).prealloc = ptr::addr_of_mut!(self.prealloc) };
        for pt in self.step.pt_ops.iter() {
            let (name, r): (&'static CStr, Result) = match pt.kind {
                PtKind::Unmap => {
                    // Unmaps are always done; the MMU skips holes.
                    let _ = mmu.unmap(pt.iova, pt.range);
                    log.push(c_str!("unmap"), pt.iova, pt.range, self.queue_id);
                    continue;
                }
                _ if skip_maps => continue,
                PtKind::Map => (
                    c_str!("map"),
                    usize::try_from(pt.range)
                        .map_err(|_| EINVAL)
                        .and_then(|len| {
                            let f = funcs.map_sg.ok_or(EINVAL)?;
                            // SAFETY: `sg` and `skip` come from the BO's pinned table, kept by
                            // `pt.obj`.
                            to_result(unsafe {
                                f(mmu.raw(), pt.iova, pt.sg, pt.skip, len, pt.prot)
                            })
                        }),
                ),
                PtKind::MapNull => (
                    c_str!("map_null"),
                    usize::try_from(pt.range)
                        .map_err(|_| EINVAL)
                        .and_then(|len| {
                            let f = funcs.map_prr.ok_or(EINVAL)?;
                            // SAFETY: The MMU is valid.
                            to_result(unsafe { f(mmu.raw(), pt.iova, len, pt.prot) })
                        }),
                ),
            };
            log.push(name, pt.iova, pt.range, self.queue_id);
            skip_maps = r.is_err();
            ret = r;
        }
        // SAFETY: As above.
        unsafe { (*mmu.raw()).prealloc = ptr::null_mut() };
        drop(log);
        ret
    }
}

/// What phase 1 of prepare got for phase 2 for a MAP op: its vm_bo (living no longer than its
/// BO's lock) and the scatterlist position of its BO offset.
struct MapRes<'p> {
    bo: Option<VmBoRef<'p, RsVm>>,
    sg: Option<(*mut bindings::scatterlist, usize)>,
}

/// What phase 1 of prepare got for phase 2: per op, a [`MapRes`] (none at all for a job without
/// a MAP, and inline for a job of one op), and the VAs the steps may make.
struct Reserved<'p> {
    maps: OneOrMany<MapRes<'p>>,
    vas: KVVec<VaAlloc<RsVm>>,
}

/// Phase 1 of prepare, the C core's `c_job_reserve()`: what the steps of all ops may use, counted
/// on the tree of now. Per op: the new VA (not for UNMAP), and prev and next where its start or end
/// falls inside a VA; one queued write per VA it overlaps and one for its own map. An op starting
/// at or past every earlier op's end meets only pieces of VAs of now, at most one of each: the
/// tree of now bounds it exactly, and sorted batches reserve what they use. In an unsorted batch
/// every VA is unmapped at most once: the distinct VAs of now the ops overlap (each counted once,
/// by a stamp), the VAs the ops may make and one map per op bound the writes, linear in the batch
/// and the tree. The memory is charged to the caller.
///
/// # Safety
///
/// The current task holds the gpuva lock of the BO of every MAP op of `ops` for `'p`.
unsafe fn reserve<'p>(
    locked: &VmLocked<'_, RsVm>,
    ops: &'p [BindOp],
    step: &mut Step,
    have: usize,
) -> Result<Reserved<'p>> {
    let vm = locked.vm();
    let gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN;
    let any_map = ops.iter().any(|op| op.obj.is_some());
    let mut maps = OneOrMany::with_capacity(if any_map { ops.len() } else { 0 }, gfp)?;
    let stamp = vm.data().reserve_stamp.fetch_add(1, Ordering::Relaxed) + 1;
    let (mut writes, mut distinct, mut nr_vas) = (0usize, 0usize, 0usize);
    let (mut max_end, mut sorted) = (0u64, true);
    for op in ops.iter() {
        let end = op.iova + op.range;
        let after_all = op.iova >= max_end;
        sorted &= after_all;
        max_end = core::cmp::max(max_end, end);
        // The first VA's start and the last one's end: one walk of the tree tells where the op
        // may split a VA, at its start or at its end.
        let (mut first, mut last) = (None, None);
        for va in locked.vas_in(op.iova, end) {
            writes += 1;
            if va.data().reserve_stamp.swap(stamp, Ordering::Relaxed) != stamp {
                distinct += 1;
            }
            first.get_or_insert(va.addr());
            last = Some(va.addr() + va.range());
        }
        writes += 1;
        nr_vas += usize::from(op.op != bindings::MSM_VM_BIND_OP_UNMAP);
        nr_vas += usize::from(!after_all || first.is_some_and(|a| a < op.iova));
        nr_vas += usize::from(!after_all || last.is_some_and(|e| e > end));
        if !any_map {
            continue;
        }
        // SAFETY: The BO of a MAP op is locked for `'p` (safety requirements).
        let proof = op
            .obj
            .as_deref()
            .map(|obj| unsafe { obj.assume_gpuva_locked() });
        let bo = proof.as_ref().map(|o| vm.obtain_bo(o)).transpose()?;
        let sg = match (&bo, &proof) {
            (Some(bo), Some(o)) => Some(sg_find(vm, bo, o, op.obj_offset)?),
            _ => None,
        };
        // Within the capacity: does not allocate.
        maps.push(MapRes { bo, sg })?;
    }
    if !sorted {
        writes = distinct + ops.len() + nr_vas;
    }
    if step.pt_ops.capacity() - step.pt_ops.len() < writes {
        may_alloc()?;
        step.pt_ops.reserve(writes, gfp)?;
    }
    // `VmLocked::sm_map` starts with a full `VaSpares`: room for the last op's leftovers, of
    // which the job already has `have` from the VM's last job.
    let pool_len = nr_vas + MAX_NEW_VAS - have;
    may_alloc()?;
    let mut vas = KVVec::with_capacity(pool_len, gfp)?;
    for _ in 0..pool_len {
        // Within the capacity: does not allocate.
        vas.push(VaAlloc::new_with(gfp)?, gfp)?;
    }
    Ok(Reserved { maps, vas })
}

impl Drop for Job {
    /// `msm_vm_bind_job_free()`.
    fn drop(&mut self) {
        // Page tables then lack maps the VMAs have. A job that queued no map (no op, UNMAP of a
        // hole, a DUMP re-map, only unmaps, done below) leaves them matching: the VM stays usable.
        let maps = self.step.pt_ops.iter().any(|pt| pt.kind != PtKind::Unmap);
        if !self.ran && maps {
            self.vm.data().mark_unusable(BIND_NOT_RUN.as_char_ptr());
        }
        // Writes queued but never run (prepare failed after the first op, or the job was
        // dropped): their VMAs are already gone from the tree, so nothing else would ever remove
        // their PTEs, which still point at BO pages. Do the unmaps now; skip the maps.
        if !self.ran && self.seq != 0 {
            let _ = self.apply(true);
        }
        if self.prealloc_allocated {
            let mmu = self.mmu();
            if let Some(cleanup) = mmu.funcs().prealloc_cleanup {
                // SAFETY: The pages were allocated by `prealloc_allocate` for this job.
                unsafe { cleanup(mmu.raw(), ptr::addr_of_mut!(self.prealloc)) };
            }
        }
    }
}

pub(super) fn step_map<'op>(step: &mut Step, op: OpMap<'op, RsVm>) -> Result<OpMapped<'op, RsVm>> {
    // An identical re-map kept its VMA in the unmap step: nothing to do.
    let op = match op.skip_kept() {
        Ok(done) => return Ok(done),
        Err(op) => op,
    };
    // Before the tree changes: its write must fit.
    step.has_room()?;
    // The map step is the request itself: its range, and the request's BO (none for MAP_NULL).
    let (iova, range) = (op.addr(), op.range());
    let obj = op.vm_bo().map(|bo| {
        bo.extobj_add();
        ARef::from(bo.obj())
    });
    let done = op.map(vma_flags(step.cur.flags), super::RsVa::new(true, step.seq))?;
    let kind = if obj.is_some() {
        PtKind::Map
    } else {
        PtKind::MapNull
    };
    step.queue(kind, iova, range, obj)?;
    Ok(done)
}

pub(super) fn step_remap<'op>(
    step: &mut Step,
    op: OpRemap<'op, RsVm>,
) -> Result<OpRemapped<'op, RsVm>> {
    let orig = op.orig();
    if orig.data().mapped() {
        let (start, range) = op.unmap_range();
        step.queue(PtKind::Unmap, start, range, orig.obj().map(ARef::from))?;
    }
    // The pieces keep the flags, the vm_bo and the PTEs of what they were part of.
    let (done, orig) = op.remap()?;
    drop(orig);
    Ok(done)
}

pub(super) fn step_unmap<'op>(
    step: &mut Step,
    op: OpUnmap<'op, RsVm>,
) -> Result<OpUnmapped<'op, RsVm>> {
    let va = op.va();
    // A MAP identical to this VMA (same BO, offset, iova and range): turnip re-maps so to toggle
    // DUMP. Only the flags change; no PTE is written, so a SUBMIT using the range meanwhile is
    // not disturbed.
    let flags = (va.flags() & !VMA_DUMP) | vma_flags(step.cur.flags);
    let op = match op.keep_va(flags) {
        Ok(done) => return Ok(done),
        Err(op) => op,
    };
    let va = op.va();
    if va.data().mapped() {
        step.queue(
            PtKind::Unmap,
            va.addr(),
            va.range(),
            va.obj().map(ARef::from),
        )?;
    }
    let (done, va) = op.unmap();
    drop(va);
    Ok(done)
}

/// `job` as C holds it.
fn to_job(job: KBox<Job>) -> *mut bindings::msm_vm_bind_job {
    KBox::into_raw(job).cast()
}

/// The job behind a contract job pointer.
///
/// # Safety
///
/// `job` must be a job of this core not yet freed, used by the caller only for `'a`.
unsafe fn job<'a>(job: *mut bindings::msm_vm_bind_job) -> &'a mut Job {
    // SAFETY: This core's jobs are `KBox<Job>`s given to C by `to_job`.
    unsafe { &mut *job.cast::<Job>() }
}

/// Implements `msm_vm_bind_job_create()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bind_job_create()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
pub(super) unsafe extern "C" fn rs_job_create(
    v: *mut bindings::msm_vm,
    file: *mut bindings::drm_file,
    args: *const bindings::drm_msm_vm_bind,
) -> *mut bindings::msm_vm_bind_job {
    // SAFETY: The caller holds a VM reference, and `args` is in kernel memory (contract).
    match job_create(unsafe { vm(v) }, file, unsafe { &*args }) {
        Ok(job) => to_job(job),
        Err(e) => e.to_ptr(),
    }
}

/// Maps a BO's VMA an unmap outside a job left unmapped; see `msm_vm_validate()`.
fn vma_remap(vm: &Vm, va: &super::Va) -> Result {
    let d = vm.data();
    let mmu = d.mmu;
    let funcs = mmu.funcs();
    let (Some(count), Some(allocate), Some(cleanup)) = (
        funcs.prealloc_count,
        funcs.prealloc_allocate,
        funcs.prealloc_cleanup,
    ) else {
        return Err(EINVAL);
    };
    let (Some(obj), Some(bo)) = (va.obj(), va.vm_bo()) else {
        return Err(EINVAL);
    };
    // SAFETY: The caller holds the BO's resv (contract of `msm_vm_validate()`).
    let obj = unsafe { obj.assume_gpuva_locked() };
    let (sg, skip) = sg_find(vm, bo, &obj, va.offset())?;
    let prot = d.bo_funcs.prot(obj.obj())?;
    let len = usize::try_from(va.range()).map_err(|_| EINVAL)?;
    let mut prealloc = bindings::msm_mmu_prealloc::default();
    let p = ptr::addr_of_mut!(prealloc);
    // As a bind job: tables first, none allocated under `mmu_lock`.
    // SAFETY: The MMU is valid and `p` is ours.
    unsafe { count(mmu.raw(), p, va.addr(), va.range()) };
    if warn_on(prealloc.count > u64::from(bindings::MSM_VM_JOB_PAGES_MAX)) {
        return Err(ENOMEM);
    }
    // SAFETY: As above.
    to_result(unsafe { allocate(mmu.raw(), p) })?;
    let log = d.mmu_lock.lock();
    // SAFETY: The MMU takes page tables from `prealloc` while this is set, under `mmu_lock`;
    // reset below, before the lock is dropped.
    unsafe { (*mmu.raw()).prealloc = p };
    let ret = funcs.map_sg.ok_or(EINVAL).and_then(|f| {
        // SAFETY: `sg` and `skip` come from the BO's table, which the driver pinned again.
        to_result(unsafe { f(mmu.raw(), va.addr(), sg, skip, len, prot) })
    });
    // SAFETY: As above.
    unsafe { (*mmu.raw()).prealloc = ptr::null_mut() };
    drop(log);
    // SAFETY: The pages were allocated by `prealloc_allocate` for this map.
    unsafe { cleanup(mmu.raw(), p) };
    ret?;
    va.data().set_mapped(true);
    Ok(())
}

/// Implements `msm_vm_validate()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_validate()` takes: a VM of this core on which
/// the caller holds a reference, and the locks named held.
pub(super) unsafe extern "C" fn rs_validate(v: *mut bindings::msm_vm) -> c_int {
    // SAFETY: The caller holds a VM reference (contract).
    let vm = unsafe { vm(v) };
    vm.assert_resv_held();
    let d = vm.data();
    if d.managed {
        return EINVAL.to_errno();
    }
    // Nothing unmapped since the last validate: the common case.
    if !d.evicted.load(Ordering::Relaxed) {
        return 0;
    }
    // SAFETY: The caller holds the VM's resv (contract), as asserted above.
    let locked = unsafe { vm.assume_locked() };
    let vas = locked.vas_in(vm.start(), vm.start() + vm.range());
    // Only a BO's VMAs: a MAP_NULL range is never unmapped outside a job (no call reaches it but
    // `msm_vm_close()`, which closes it).
    for va in vas.filter(|va| !va.data().mapped() && va.obj().is_some()) {
        if let Err(e) = vma_remap(vm, va) {
            return e.to_errno();
        }
    }
    d.evicted.store(false, Ordering::Relaxed);
    0
}

/// Implements `msm_vm_bind_job_pages()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bind_job_pages()` takes: a VM of this core
/// on which the caller holds a reference and a job of it.
pub(super) unsafe extern "C" fn rs_job_pages(
    _v: *mut bindings::msm_vm,
    j: *mut bindings::msm_vm_bind_job,
) -> u64 {
    // SAFETY: A job of this core (contract).
    unsafe { job(j) }.prealloc.count
}

/// Implements `msm_vm_bind_job_walk_map_bos()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bind_job_walk_map_bos()` takes: a job of
/// this core, and a function that may be called with `arg` and a BO.
pub(super) unsafe extern "C" fn rs_job_walk_map_bos(
    _v: *mut bindings::msm_vm,
    j: *mut bindings::msm_vm_bind_job,
    f: Option<unsafe extern "C" fn(*mut bindings::drm_gem_object, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> c_int {
    let Some(f) = f else {
        return EINVAL.to_errno();
    };
    // SAFETY: A job of this core (contract).
    let job = unsafe { job(j) };
    // After create, exactly the MAP ops have a BO.
    for obj in job.ops.iter().filter_map(|op| op.obj.as_deref()) {
        // SAFETY: `f` and `arg` are the caller's (contract); the job holds a reference on `obj`.
        let ret = unsafe { f(obj.as_raw(), arg) };
        if ret != 0 {
            return ret;
        }
    }
    0
}

/// Implements `msm_vm_bind_job_lock()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bind_job_lock()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
pub(super) unsafe extern "C" fn rs_job_lock(
    _v: *mut bindings::msm_vm,
    j: *mut bindings::msm_vm_bind_job,
    exec: *mut bindings::drm_exec,
) -> c_int {
    // SAFETY: A job of this core and the caller's transaction (contract).
    let (job, exec) = unsafe { (job(j), Exec::from_raw(exec)) };
    let vm: &Vm = &job.vm;
    // One fence slot on each, for the job fence the driver adds.
    let lock = |exec: &mut Exec| -> Result {
        exec.prepare_obj(vm.resv_obj(), 1)?;
        // SAFETY: `exec` holds the VM's resv now, until the caller ends the transaction.
        let locked = unsafe { vm.assume_locked() };
        for op in job.ops.iter() {
            if let Some(obj) = &op.obj {
                exec.prepare_obj(obj, 1)?;
            }
            // The BOs of what the op overlaps now: an UNMAP unlinks them.
            super::lock_vas(&locked, exec, op.iova, op.iova + op.range, 1)?;
        }
        Ok(())
    };
    match lock(exec) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Implements `msm_vm_bind_job_prepare()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bind_job_prepare()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
pub(super) unsafe extern "C" fn rs_job_prepare(
    _v: *mut bindings::msm_vm,
    j: *mut bindings::msm_vm_bind_job,
) -> c_int {
    // SAFETY: A job of this core (contract).
    match unsafe { job(j) }.prepare() {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Implements `msm_vm_bind_job_run()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bind_job_run()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
pub(super) unsafe extern "C" fn rs_job_run(
    _v: *mut bindings::msm_vm,
    j: *mut bindings::msm_vm_bind_job,
) {
    // SAFETY: A job of this core (contract).
    let job = unsafe { job(j) };
    job.ran = true;
    // An unusable VM maps nothing more; its unmaps still complete.
    let unusable = !job.vm.data().unusable().is_null();
    if job.apply(unusable).is_err() {
        job.vm.data().mark_unusable(BIND_FAILED.as_char_ptr());
    }
}

/// Implements `msm_vm_bind_job_free()` of `msm_vm.h`.
///
/// # Safety
///
/// The arguments are what `msm_vm.h` says `msm_vm_bind_job_free()` takes: a VM of this core
/// on which the caller holds a reference, valid objects of it, and the locks named held.
pub(super) unsafe extern "C" fn rs_job_free(
    _v: *mut bindings::msm_vm,
    j: *mut bindings::msm_vm_bind_job,
) {
    // SAFETY: A job of this core, not used afterwards (contract); made by `to_job`.
    drop(unsafe { KBox::from_raw(j.cast::<Job>()) });
}
