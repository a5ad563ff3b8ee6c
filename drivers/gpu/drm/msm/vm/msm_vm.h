/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The msm GPU VM contract.
 *
 * Everything the msm driver does with GPU address spaces goes through the
 * functions of this header, and nothing else of a VM core is visible: VMs,
 * VMAs and bind jobs are opaque.  Two cores implement the contract, the C
 * reference core (msm_vm_c.c) and the Rust core; each VM is created on one of
 * them and every call on it is dispatched to that core through the one public
 * part of a VM, &struct msm_vm.  The KUnit conformance suite in tests/ runs on
 * every core built in and is the specification of what follows.
 *
 * Locking, in the order the locks nest:
 *
 *  1. The VM's resv (msm_vm_resv_obj(), a dma_resv shared by the VM and its
 *     MSM_BO_NO_SHARE BOs) protects the VM's VA tree and its VA allocator.
 *  2. A BO's resv protects the list of the BO's VMAs in every VM (the
 *     drm_gpuvm gpuva lock).
 *  3. A core-internal MMU lock serializes page-table writes of user-managed
 *     VMs, whose bind jobs run without the resv locks.
 *
 * Callers take 1 and 2, usually together with drm_exec; each function says
 * which it needs and the cores assert it with lockdep.
 *
 * References: a VM is refcounted (msm_vm_get()/msm_vm_put()).  A VMA belongs
 * to its VM and lives until msm_vm_vma_close(); every VMA, a MAP_NULL range
 * too, holds a reference on its VM (drm_gpuva_insert() takes one), so while
 * any VMA of a VM is open the VM stays alive even without other references.
 * A VMA of a BO holds a reference on the BO.
 */
#ifndef __MSM_VM_H__
#define __MSM_VM_H__

#include <linux/atomic.h>
#include <linux/types.h>

struct drm_device;
struct drm_exec;
struct drm_file;
struct drm_gem_object;
struct drm_msm_vm_bind;
struct drm_printer;
struct msm_mmu;
struct sg_table;

struct msm_vm_bind_job;
struct msm_vm_funcs;
struct msm_vm_vma;

/**
 * struct msm_vm - the public part of a VM
 * @funcs: the core this VM was created on
 *
 * Every core's VM begins with this member and nothing else of it is public;
 * it is what lets one kernel carry several cores and pick one per VM.
 */
struct msm_vm {
	const struct msm_vm_funcs *funcs;
};

/**
 * struct msm_vm_bo_funcs - what a VM core asks of the driver about BOs
 * @get_sgt: return the scatter-gather table of the pages of @obj, which the
 *	driver has pinned.  Called with the BO's resv held; returns an
 *	ERR_PTR() on failure, whose errno the core passes on.  The table stays
 *	valid while the pages are pinned.  A core keeps pointers into it (an
 *	index of BO offsets) while a VMA of the BO in a VM is mapped, and
 *	drops them when the last one is unmapped outside a bind job
 *	(msm_vm_vma_unmap(), msm_vm_bo_unmap(), msm_vm_bo_unmap_all_vms()):
 *	unmap a BO's VMAs before its pages or its table change (eviction,
 *	purge), as their entries point at the pages anyway.  A later table is
 *	indexed anew, whatever its address.
 * @lookup: the BO behind GEM handle @handle of @file, with a new reference,
 *	or NULL if there is none (VM_BIND MAP ops).  May sleep.
 * @prot: the protection VM_BIND maps of @obj get, as the MMU takes it:
 *	IOMMU_READ, plus IOMMU_WRITE unless the BO is GPU read-only,
 *	IOMMU_CACHE for a cache-coherent BO, IOMMU_PRIV for a privileged one
 *	(upstream msm's msm_gem_prot()).  Read once per MAP op, by
 *	msm_vm_bind_job_create(), and used for every page the op maps; the
 *	pieces a later split leaves keep their entries, and so their
 *	protection.  Required for user-managed VMs (msm_vm_create() refuses
 *	one without it); kernel-managed VMs take the protection per map
 *	(msm_vm_vma_map()).  Does not sleep; no lock needed.
 */
struct msm_vm_bo_funcs {
	struct sg_table *(*get_sgt)(struct drm_gem_object *obj);
	struct drm_gem_object *(*lookup)(struct drm_file *file, u32 handle);
	int (*prot)(struct drm_gem_object *obj);
};

/**
 * struct msm_vm_create_info - what a new VM is made of
 * @drm: the drm device; its driver must have DRIVER_GEM_GPUVA
 * @mmu: the MMU whose page tables the VM writes; the VM does not own it
 * @bo_funcs: the driver's BO callbacks
 * @name: name for debug output; copied
 * @va_start: first GPU address of the VM, page aligned
 * @va_size: size of the VM in bytes, page aligned and not zero;
 *	@va_start + @va_size must not wrap past 2^64
 * @managed: true for a kernel-managed VM (the core allocates VAs, see
 *	msm_vm_vma_new()); false for a user-managed one (VM_BIND)
 * @has_prr: the MMU can map MAP_NULL ranges (partially resident regions)
 * @log_shift: a user-managed VM keeps its last 1 << @log_shift page-table
 *	operations for devcoredump (msm_vm_log_read()); 0 for none, at most
 *	MSM_VM_LOG_SHIFT_MAX
 */
struct msm_vm_create_info {
	struct drm_device *drm;
	struct msm_mmu *mmu;
	const struct msm_vm_bo_funcs *bo_funcs;
	const char *name;
	u64 va_start;
	u64 va_size;
	bool managed;
	bool has_prr;
	unsigned int log_shift;
};

#define MSM_VM_LOG_SHIFT_MAX	8

/*
 * MSM_VM_JOB_PAGES_MAX: the most page-table pages one bind job may
 * pre-allocate (256 MiB of tables with 4 KiB pages, enough to map 128 GiB
 * with last-level tables).  The count comes from userspace ranges: a
 * MAP_NULL of a whole 2^47-byte VM alone would ask for 2^26 pages.  A job
 * above it is refused with -ENOMEM at msm_vm_bind_job_create(), before
 * anything is allocated; turnip then retries with one op per ioctl.
 */
#define MSM_VM_JOB_PAGES_MAX	65536

/**
 * struct msm_vm_log_entry - one page-table operation of a bind job
 * @op: "map", "map_null" or "unmap", a static string
 * @iova: first address
 * @range: size in bytes
 * @queue_id: the submitqueue of the VM_BIND that asked for it
 */
struct msm_vm_log_entry {
	const char *op;
	u64 iova;
	u64 range;
	u32 queue_id;
};

/**
 * struct msm_vm_va_info - one VMA of a VM, as msm_vm_vmas() reports it
 * @iova: first address
 * @range: size in bytes
 * @obj: the BO, or NULL for a MAP_NULL range
 * @offset: offset into @obj
 * @flags: MSM_VM_BIND_OP_DUMP or 0
 * @mapped: its page-table entries are written or queued to be
 */
struct msm_vm_va_info {
	u64 iova;
	u64 range;
	struct drm_gem_object *obj;
	u64 offset;
	u32 flags;
	bool mapped;
};

/**
 * struct msm_vm_live - objects of a core alive now
 * @vms: VMs not yet freed
 * @vmas: VMAs not yet freed
 * @vm_bos: (VM, BO) pairs not yet freed
 * @jobs: bind jobs not yet freed
 *
 * For leak checks: tests read it after every case and expect zero.
 */
struct msm_vm_live {
	long vms;
	long vmas;
	long vm_bos;
	long jobs;
};

/*
 * msm_vm_bo_fn_t: a function called on a BO, with the caller's argument, by
 * msm_vm_bind_job_walk_map_bos(); a non-zero return stops the walk.
 */
typedef int (*msm_vm_bo_fn_t)(struct drm_gem_object *obj, void *arg);

/**
 * struct msm_vm_funcs - the entry points of one core
 * @name: the core's name, as the msm.vm_core parameter spells it
 * @create: see msm_vm_create()
 * @get: see msm_vm_get()
 * @put: see msm_vm_put()
 * @get_va_start: see msm_vm_va_start()
 * @get_va_size: see msm_vm_va_size()
 * @managed: see msm_vm_managed()
 * @resv_obj: see msm_vm_resv_obj()
 * @unusable: see msm_vm_unusable()
 * @mark_unusable: see msm_vm_mark_unusable()
 * @vma_new: see msm_vm_vma_new()
 * @vma_map: see msm_vm_vma_map()
 * @vma_unmap: see msm_vm_vma_unmap()
 * @vma_close: see msm_vm_vma_close()
 * @vma_iova: see msm_vm_vma_iova()
 * @vma_mapped: see msm_vm_vma_mapped()
 * @bo_find_vma: see msm_vm_bo_find_vma()
 * @bo_unmap: see msm_vm_bo_unmap(); called with a NULL VM by
 *	msm_vm_bo_unmap_all_vms() for the VMs of this core
 * @bo_close_managed: unmap and close the BO's VMAs in every kernel-managed
 *	VM of this core, for msm_vm_bo_vma_put(); the caller holds the BO's
 *	resv and the resv of every VM the BO has VMAs in
 * @bo_describe: see msm_vm_bo_describe()
 * @lock_all: see msm_vm_lock_all()
 * @close: see msm_vm_close()
 * @vmas: see msm_vm_vmas()
 * @log_read: see msm_vm_log_read()
 * @validate: see msm_vm_validate()
 * @job_create: see msm_vm_bind_job_create()
 * @job_pages: see msm_vm_bind_job_pages()
 * @job_walk_map_bos: see msm_vm_bind_job_walk_map_bos()
 * @job_lock: see msm_vm_bind_job_lock()
 * @job_prepare: see msm_vm_bind_job_prepare()
 * @job_run: see msm_vm_bind_job_run()
 * @job_free: see msm_vm_bind_job_free()
 * @live: see msm_vm_core_live()
 *
 * A core fills one constant table; each member has the semantics of the
 * contract function named, which is the only caller.  (The VA range getters
 * are not called va_start/va_size: va_start() is <stdarg.h>'s.)
 */
struct msm_vm_funcs {
	const char *name;
	struct msm_vm *(*create)(const struct msm_vm_create_info *info);
	void (*get)(struct msm_vm *vm);
	void (*put)(struct msm_vm *vm);
	u64 (*get_va_start)(struct msm_vm *vm);
	u64 (*get_va_size)(struct msm_vm *vm);
	bool (*managed)(struct msm_vm *vm);
	struct drm_gem_object *(*resv_obj)(struct msm_vm *vm);
	const char *(*unusable)(struct msm_vm *vm);
	void (*mark_unusable)(struct msm_vm *vm, const char *reason);
	struct msm_vm_vma *(*vma_new)(struct msm_vm *vm, struct drm_gem_object *obj,
				      u64 range_start, u64 range_end);
	int (*vma_map)(struct msm_vm *vm, struct msm_vm_vma *vma, int prot);
	void (*vma_unmap)(struct msm_vm *vm, struct msm_vm_vma *vma);
	void (*vma_close)(struct msm_vm *vm, struct msm_vm_vma *vma);
	u64 (*vma_iova)(struct msm_vm *vm, struct msm_vm_vma *vma);
	bool (*vma_mapped)(struct msm_vm *vm, struct msm_vm_vma *vma);
	struct msm_vm_vma *(*bo_find_vma)(struct msm_vm *vm, struct drm_gem_object *obj);
	void (*bo_unmap)(struct msm_vm *vm, struct drm_gem_object *obj, bool close);
	void (*bo_close_managed)(struct drm_gem_object *obj);
	void (*bo_describe)(struct drm_gem_object *obj, struct drm_printer *p);
	int (*lock_all)(struct msm_vm *vm, struct drm_exec *exec);
	void (*close)(struct msm_vm *vm);
	unsigned int (*vmas)(struct msm_vm *vm, struct msm_vm_va_info *info, unsigned int max);
	unsigned int (*log_read)(struct msm_vm *vm, struct msm_vm_log_entry *entries,
				 unsigned int max);
	int (*validate)(struct msm_vm *vm);
	struct msm_vm_bind_job *(*job_create)(struct msm_vm *vm, struct drm_file *file,
					      const struct drm_msm_vm_bind *args);
	u64 (*job_pages)(struct msm_vm *vm, struct msm_vm_bind_job *job);
	int (*job_walk_map_bos)(struct msm_vm *vm, struct msm_vm_bind_job *job,
				msm_vm_bo_fn_t fn, void *arg);
	int (*job_lock)(struct msm_vm *vm, struct msm_vm_bind_job *job, struct drm_exec *exec);
	int (*job_prepare)(struct msm_vm *vm, struct msm_vm_bind_job *job);
	void (*job_run)(struct msm_vm *vm, struct msm_vm_bind_job *job);
	void (*job_free)(struct msm_vm *vm, struct msm_vm_bind_job *job);
	void (*live)(struct msm_vm_live *live);
};

extern const struct msm_vm_funcs msm_vm_c_funcs;
/* The Rust core (msm_vm_rs.rs), with CONFIG_DRM_MSM_VM_RUST. */
extern const struct msm_vm_funcs msm_vm_rs_funcs;

/*
 * msm_vm_cores: the cores built into this kernel, NULL-terminated; the C
 * reference core comes first, then the Rust core if built in.
 */
extern const struct msm_vm_funcs *const msm_vm_cores[];

/**
 * msm_vm_core_by_name() - the built-in core of a name
 * @name: a core's &msm_vm_funcs.name, as the msm_vm.vm_core parameter spells
 *	it (a trailing newline is ignored); may be NULL
 *
 * Return: the core of msm_vm_cores with that name, or NULL.
 */
const struct msm_vm_funcs *msm_vm_core_by_name(const char *name);

/**
 * msm_vm_default_core() - the core new VMs of the driver use
 *
 * Chosen with the msm_vm.vm_core module parameter, on the command line or
 * later in sysfs (see msm_vm_set_default_core()); the C reference core
 * until then.  Does not sleep.
 *
 * Return: a core of msm_vm_cores.
 */
const struct msm_vm_funcs *msm_vm_default_core(void);

/**
 * msm_vm_set_default_core() - choose the core of the VMs created from now on
 * @name: a built-in core's name (see msm_vm_core_by_name())
 *
 * What writing the msm_vm.vm_core parameter does; VMs created before keep
 * their core.  Does not sleep.
 *
 * Return: 0; -EINVAL if no built-in core has that name, the default then
 * staying as it was.
 */
int msm_vm_set_default_core(const char *name);

/**
 * msm_vm_create() - create a VM
 * @core: the core to create it on, one of msm_vm_cores
 * @info: what it is made of
 *
 * A user-managed VM's MMU must implement the optional &msm_mmu_funcs for
 * bind jobs (prealloc_count/allocate/cleanup, map_sg, map_prr), skip
 * unmapped parts in unmap, and map with PAGE_SIZE granules only: an unmap
 * that splits a block allocates a table, and bind jobs unmap in the
 * dma-fence signalling path.  The MMU must outlive the VM and its last
 * bind job (the driver frees it after msm_vm_close() and the last put).
 * Sleeps and allocates.  No lock needed.
 *
 * Return: the VM, with one reference for the caller; ERR_PTR(-EINVAL) if
 * @info's VA range is empty, not page aligned or wraps past 2^64, its drm
 * device lacks DRIVER_GEM_GPUVA, its mmu or bo_funcs is NULL, it is
 * user-managed and lacks a callback bind jobs call (get_sgt, lookup and
 * prot of bo_funcs; unmap, prealloc_count/allocate/cleanup, map_sg, and
 * map_prr with has_prr, of the MMU), or its log_shift is above
 * MSM_VM_LOG_SHIFT_MAX; ERR_PTR(-ENOMEM).
 */
static inline struct msm_vm *
msm_vm_create(const struct msm_vm_funcs *core, const struct msm_vm_create_info *info)
{
	return core->create(info);
}

/**
 * msm_vm_get() - take a reference on a VM
 * @vm: the VM
 *
 * Does not sleep.
 *
 * Return: @vm.
 */
static inline struct msm_vm *msm_vm_get(struct msm_vm *vm)
{
	vm->funcs->get(vm);
	return vm;
}

/**
 * msm_vm_put() - drop a reference on a VM
 * @vm: the VM, or NULL
 *
 * The VM is freed when its last reference is gone and no VMA of it is open:
 * each VMA keeps it alive, MAP_NULL ranges too.  A put of the driver's last
 * reference on a VM that still has VMAs frees nothing, and nothing can
 * close them afterwards: close a user-managed VM with msm_vm_close(), and
 * the VMAs of a kernel-managed one, first.  May sleep; no lock of the VM
 * may be held.
 */
static inline void msm_vm_put(struct msm_vm *vm)
{
	if (vm)
		vm->funcs->put(vm);
}

/**
 * msm_vm_va_start() - first GPU address of a VM
 * @vm: the VM
 *
 * Return: the VM's &msm_vm_create_info.va_start.
 */
static inline u64 msm_vm_va_start(struct msm_vm *vm)
{
	return vm->funcs->get_va_start(vm);
}

/**
 * msm_vm_va_size() - size of a VM
 * @vm: the VM
 *
 * Return: the VM's &msm_vm_create_info.va_size.
 */
static inline u64 msm_vm_va_size(struct msm_vm *vm)
{
	return vm->funcs->get_va_size(vm);
}

/**
 * msm_vm_managed() - whether the kernel allocates a VM's VAs
 * @vm: the VM
 *
 * Return: true for a kernel-managed VM, false for a VM_BIND one.
 */
static inline bool msm_vm_managed(struct msm_vm *vm)
{
	return vm->funcs->managed(vm);
}

/**
 * msm_vm_resv_obj() - the GEM object holding a VM's dma_resv
 * @vm: the VM
 *
 * Lock its resv (drm_exec_lock_obj() or dma_resv_lock()) to hold the VM's
 * lock.  A BO made with MSM_BO_NO_SHARE shares this resv.
 *
 * Return: the object; the VM holds the reference.
 */
static inline struct drm_gem_object *msm_vm_resv_obj(struct msm_vm *vm)
{
	return vm->funcs->resv_obj(vm);
}

/**
 * msm_vm_unusable() - whether a VM can take no more work
 * @vm: the VM
 *
 * A VM becomes unusable when its page tables may no longer match its VMAs
 * (a bind failed part-way) or when the driver says so (a GPU fault); it
 * stays so until freed, and VM_BIND and SUBMIT on it fail with -EPIPE.
 * Like VK_ERROR_DEVICE_LOST, userspace must recreate its context.
 *
 * Return: NULL while usable, else the reason, a static string.
 */
static inline const char *msm_vm_unusable(struct msm_vm *vm)
{
	return vm->funcs->unusable(vm);
}

/**
 * msm_vm_mark_unusable() - make a VM unusable
 * @vm: the VM
 * @reason: why, a static string, or NULL for "unusable"; the first reason
 *	given is kept
 *
 * Does not sleep.  No lock needed.
 */
static inline void msm_vm_mark_unusable(struct msm_vm *vm, const char *reason)
{
	vm->funcs->mark_unusable(vm, reason);
}

/**
 * msm_vm_vma_new() - allocate a VA range for a whole BO in a managed VM
 * @vm: a kernel-managed VM
 * @obj: the BO; the VMA covers all of it, at BO offset 0
 * @range_start: lowest acceptable address
 * @range_end: end of the acceptable range (exclusive)
 *
 * The range is the lowest free page-aligned one of obj->size bytes inside
 * [@range_start, @range_end) and inside the VM.  The VMA is not mapped yet
 * (see msm_vm_vma_map()).  A BO may have several VMAs in one VM and VMAs in
 * several VMs.  The caller holds the VM's resv and @obj's resv.  Sleeps and
 * allocates.
 *
 * Return: the VMA, which holds a reference on @obj; ERR_PTR(-EINVAL) if @vm
 * is not kernel-managed; ERR_PTR(-ENOSPC) if no such free range exists;
 * ERR_PTR(-ENOMEM).  On error nothing changed.
 */
static inline struct msm_vm_vma *
msm_vm_vma_new(struct msm_vm *vm, struct drm_gem_object *obj, u64 range_start, u64 range_end)
{
	return vm->funcs->vma_new(vm, obj, range_start, range_end);
}

/**
 * msm_vm_vma_map() - write a VMA's page-table entries
 * @vm: the VMA's VM
 * @vma: the VMA
 * @prot: IOMMU_READ, IOMMU_WRITE, ... as the MMU takes them
 *
 * Maps the BO's pages, from &msm_vm_bo_funcs.get_sgt, through the VM's MMU.
 * Mapping a mapped VMA does nothing.  The caller holds the VM's resv and
 * the BO's resv, and has pinned the BO's pages.  May sleep and allocate
 * (page tables).  Kernel-managed VMs only: a VM_BIND VMA maps at its BO
 * offset and under the core's MMU lock, which msm_vm_validate() does.
 *
 * Return: 0; -EINVAL on a user-managed VM; the errno of get_sgt or of the
 * MMU's map, with nothing left mapped.
 */
static inline int msm_vm_vma_map(struct msm_vm *vm, struct msm_vm_vma *vma, int prot)
{
	return vm->funcs->vma_map(vm, vma, prot);
}

/**
 * msm_vm_vma_unmap() - remove a VMA's page-table entries
 * @vm: the VMA's VM
 * @vma: the VMA
 *
 * The VA range stays allocated.  Unmapping an unmapped VMA does nothing.
 * In a user-managed VM (an eviction) the VMA stays open and
 * msm_vm_validate() maps it again.  Unmapping a VMA whose map a prepared
 * bind job has yet to write is a driver bug (it keeps a pending job's BOs
 * busy): the VM is then marked unusable ("unmapped before its bind ran"),
 * so that the job maps nothing and no entry outlives the unmap.  The
 * caller holds the VM's resv and the BO's resv.  May sleep.
 */
static inline void msm_vm_vma_unmap(struct msm_vm *vm, struct msm_vm_vma *vma)
{
	vm->funcs->vma_unmap(vm, vma);
}

/**
 * msm_vm_vma_close() - free a VMA and its VA range
 * @vm: the VMA's VM
 * @vma: an unmapped VMA; not to be used afterwards
 *
 * Drops the VMA's reference on its BO, and the VM's reference the VMA
 * implied.  The caller holds the VM's resv and the BO's resv.  Closing a
 * mapped VMA is a caller bug: the core WARNs and unmaps it first.  May
 * sleep.
 */
static inline void msm_vm_vma_close(struct msm_vm *vm, struct msm_vm_vma *vma)
{
	vm->funcs->vma_close(vm, vma);
}

/**
 * msm_vm_vma_iova() - GPU address of a VMA
 * @vm: the VMA's VM
 * @vma: the VMA
 *
 * Return: the first address of the VMA's range.
 */
static inline u64 msm_vm_vma_iova(struct msm_vm *vm, struct msm_vm_vma *vma)
{
	return vm->funcs->vma_iova(vm, vma);
}

/**
 * msm_vm_vma_mapped() - whether a VMA's page-table entries are written
 * @vm: the VMA's VM
 * @vma: the VMA
 *
 * Return: true between a successful msm_vm_vma_map() and the next
 * msm_vm_vma_unmap().
 */
static inline bool msm_vm_vma_mapped(struct msm_vm *vm, struct msm_vm_vma *vma)
{
	return vm->funcs->vma_mapped(vm, vma);
}

/**
 * msm_vm_bo_find_vma() - the VMA of a BO in a VM
 * @vm: the VM
 * @obj: the BO
 *
 * With several VMAs of @obj in @vm, the oldest one still open.  The caller
 * holds @obj's resv.  Does not sleep.
 *
 * Return: the VMA, or NULL if @obj has none in @vm.
 */
static inline struct msm_vm_vma *msm_vm_bo_find_vma(struct msm_vm *vm, struct drm_gem_object *obj)
{
	return vm->funcs->bo_find_vma(vm, obj);
}

/**
 * msm_vm_bo_unmap() - unmap, and maybe close, every VMA of a BO in a VM
 * @vm: the VM
 * @obj: the BO
 * @close: also close them (msm_vm_vma_close())
 *
 * The caller holds @vm's resv and @obj's resv.  May sleep.
 */
static inline void msm_vm_bo_unmap(struct msm_vm *vm, struct drm_gem_object *obj, bool close)
{
	vm->funcs->bo_unmap(vm, obj, close);
}

/**
 * msm_vm_bo_vma_get() - count a userspace handle or dma-buf export of a BO
 * @ref: the BO's count, kept by the driver (upstream msm's vma_ref)
 *
 * Lazy teardown for kernel-managed VMs: a BO's VMAs there stay, mapped or
 * not, while userspace can still reach the BO, so that unpinning it does
 * not unmap it only to map it again at the next use.  Does not sleep.
 */
static inline void msm_vm_bo_vma_get(atomic_t *ref)
{
	atomic_inc(ref);
}

/**
 * msm_vm_bo_vma_put() - drop a count; the last one tears down the VMAs
 * @obj: the BO
 * @ref: the BO's count
 *
 * When the count drops to zero, locks @obj's resv and the resv of every VM
 * it has VMAs in (a NO_SHARE BO shares one of them), and if no new count
 * was taken meanwhile, unmaps and closes every VMA of @obj in every
 * kernel-managed VM, of every core: one BO may have VMAs in several (the
 * KMS VM and the global GPU VM on a2xx-a5xx).  VM_BIND VMAs stay: they are
 * userspace's until it unmaps them or closes the VM.  A VM whose last VMA
 * goes may be freed here.  The caller holds none of the resvs.  May sleep.
 * Never fails: the VMAs hold the BO, so nothing could tear them down
 * later; if drm_exec cannot allocate, it is retried after
 * memalloc_retry_wait().
 */
void msm_vm_bo_vma_put(struct drm_gem_object *obj, atomic_t *ref);

/**
 * msm_vm_bo_has_vmas() - whether a BO has a VMA in any VM
 * @obj: the BO
 *
 * Locks nothing, for the BO's free path: without the BO's resv the answer
 * may be stale, and it is final only when nothing can give the BO a new
 * VMA meanwhile (the BO's last reference is the caller's).  Does not sleep.
 *
 * Return: true if @obj has a VMA (mapped or not) in some VM.
 */
bool msm_vm_bo_has_vmas(struct drm_gem_object *obj);

#define MSM_VM_TRYLOCK_MAX	8

/**
 * struct msm_vm_trylocks - the VM resvs msm_vm_bo_trylock_vms() took
 * @n: entries of @objs in use
 * @objs: the VMs' resv objects, each locked and with a reference (closing a
 *	VM's last VMA may free the VM before they are unlocked)
 */
struct msm_vm_trylocks {
	unsigned int n;
	struct drm_gem_object *objs[MSM_VM_TRYLOCK_MAX];
};

/**
 * msm_vm_bo_trylock_vms() - try to lock the VMs a BO has VMAs in (shrinker)
 * @obj: the BO, whose resv the caller holds (the shrinker try-locked it)
 * @locks: filled with what was locked, for msm_vm_bo_unlock_vms()
 *
 * Try-locks the resv of every VM @obj has VMAs in, skipping the one @obj
 * shares (NO_SHARE BOs), without a ww acquire context: the shrinker runs
 * under reclaim and must never wait on one (upstream needed a 2026 fix
 * for a kswapd deadlock here).  On success the caller may unmap, or close,
 * the BO's VMAs everywhere (msm_vm_bo_unmap_all_vms()), then calls
 * msm_vm_bo_unlock_vms().  A BO in more than MSM_VM_TRYLOCK_MAX VMs is
 * skipped like a busy one.  Does not sleep or allocate.
 *
 * Return: true with every such resv locked; false with none locked, if one
 * is taken or there are too many.
 */
bool msm_vm_bo_trylock_vms(struct drm_gem_object *obj, struct msm_vm_trylocks *locks);

/**
 * msm_vm_bo_unlock_vms() - unlock what msm_vm_bo_trylock_vms() locked
 * @locks: as it filled them; emptied
 *
 * Drops the references it took, which may free a VM's resv object.
 */
void msm_vm_bo_unlock_vms(struct msm_vm_trylocks *locks);

/**
 * msm_vm_bo_lock_vms() - lock the resv of every VM a BO has VMAs in
 * @obj: the BO, whose resv the caller holds through @exec
 * @exec: the caller's drm_exec transaction
 *
 * For msm_vm_bo_unmap_all_vms().  Call inside drm_exec_until_all_locked()
 * and follow it with drm_exec_retry_on_contention().
 *
 * Return: 0, or the errno of drm_exec_lock_obj().
 */
int msm_vm_bo_lock_vms(struct drm_gem_object *obj, struct drm_exec *exec);

/**
 * msm_vm_bo_unmap_all_vms() - unmap, and maybe close, a BO's VMAs everywhere
 * @obj: the BO
 * @close: also close them
 *
 * Covers the BO's VMAs in every VM of every core.  The caller holds @obj's
 * resv and the resv of every VM the BO has VMAs in (msm_vm_bo_lock_vms()).
 * May sleep.
 */
void msm_vm_bo_unmap_all_vms(struct drm_gem_object *obj, bool close);

/**
 * msm_vm_bo_describe() - print a BO's VMAs, for debugfs
 * @obj: the BO
 * @p: where to print
 *
 * One " vm=NAME iova=0x... size=0x... mapped|unmapped" item per VMA, in every
 * VM of every core.  The caller holds @obj's resv.
 */
void msm_vm_bo_describe(struct drm_gem_object *obj, struct drm_printer *p);

/**
 * msm_vm_lock_all() - lock a VM and the BO of each of its VMAs
 * @vm: the VM
 * @exec: the caller's drm_exec transaction, with DRM_EXEC_IGNORE_DUPLICATES
 *
 * For msm_vm_close().  Call inside drm_exec_until_all_locked() and follow
 * it with drm_exec_retry_on_contention().
 *
 * Return: 0, or the errno of drm_exec_lock_obj().
 */
static inline int msm_vm_lock_all(struct msm_vm *vm, struct drm_exec *exec)
{
	return vm->funcs->lock_all(vm, exec);
}

/**
 * msm_vm_close() - unmap and close every VMA of a VM
 * @vm: the VM; the caller holds a reference across the call
 *
 * What the driver does when a VM_BIND context's file is closed, and the one
 * way to clean up a VM a failure made unusable: MAP_NULL ranges have no BO
 * for msm_vm_bo_unmap() to find.  Unmaps always complete.  Do not call it
 * while a bind job of @vm may still run.  The caller holds what
 * msm_vm_lock_all() locks.  May sleep; does not allocate.
 */
static inline void msm_vm_close(struct msm_vm *vm)
{
	vm->funcs->close(vm);
}

/**
 * msm_vm_vmas() - the VMAs of a VM, in address order
 * @vm: the VM
 * @info: filled with the first @max VMAs
 * @max: entries of @info
 *
 * For devcoredump (the VMAs with MSM_VM_BIND_OP_DUMP) and tests.  The
 * caller holds the VM's resv.  Does not sleep or allocate.
 *
 * Return: the number of VMAs of @vm, which may be more than @max.
 */
static inline unsigned int msm_vm_vmas(struct msm_vm *vm, struct msm_vm_va_info *info,
				       unsigned int max)
{
	return vm->funcs->vmas(vm, info, max);
}

/**
 * msm_vm_log_read() - the last page-table operations of a user-managed VM
 * @vm: the VM
 * @entries: filled oldest first
 * @max: entries of @entries
 *
 * The log keeps the last 1 << &msm_vm_create_info.log_shift operations
 * bind jobs applied; older ones are overwritten.  May sleep (takes the
 * core's MMU lock); does not allocate.
 *
 * Return: the number of entries written.
 */
static inline unsigned int msm_vm_log_read(struct msm_vm *vm, struct msm_vm_log_entry *entries,
					   unsigned int max)
{
	return vm->funcs->log_read(vm, entries, max);
}

/**
 * msm_vm_validate() - map again what evictions unmapped in a VM_BIND VM
 * @vm: a user-managed VM
 *
 * Maps every VMA of @vm that an unmap outside a bind job left open but
 * unmapped (msm_vm_vma_unmap(), msm_vm_bo_unmap(), an eviction): at its BO
 * offset with its BO's protection, under the core's MMU lock, with page
 * tables allocated before it is taken.  (MAP_NULL ranges have no BO and so
 * are never unmapped outside a job: only msm_vm_close() reaches them.)
 * What SUBMIT calls before a job of a VM_BIND context (upstream's
 * drm_gpuvm_validate()).  Returns at once when nothing was unmapped since
 * the last full validate; otherwise walks the VM's VMAs.  The caller holds
 * what msm_vm_lock_all() locks and has pinned the BOs' pages again.  May
 * sleep and allocate.
 *
 * Return: 0; -EINVAL on a kernel-managed VM; -ENOMEM, or the errno of
 * &msm_vm_bo_funcs.get_sgt or of the MMU's map: the VMAs mapped so far
 * stay mapped, the others unmapped, and a later call tries them again.
 */
static inline int msm_vm_validate(struct msm_vm *vm)
{
	return vm->funcs->validate(vm);
}

/**
 * msm_vm_bind_job_create() - parse and check a VM_BIND
 * @vm: a user-managed VM
 * @file: the file the GEM handles belong to, for &msm_vm_bo_funcs.lookup
 * @args: the ioctl argument, in kernel memory; its ops are the inline
 *	@args->op when @args->nr_ops is 1, else read from user memory at
 *	@args->ops, @args->op_stride bytes apart
 *
 * The first check that fails decides the errno; nothing changes on error:
 *
 *  - -EPIPE: @vm is unusable (msm_vm_unusable());
 *  - -EINVAL: @vm is kernel-managed; @args->flags has a bit other than
 *    MSM_VM_BIND_FENCE_FD_IN/OUT; @args->nr_ops > 1 with an op_stride
 *    smaller than struct drm_msm_vm_bind_op;
 *  - -ENOMEM: the ops do not fit in memory (turnip then retries with one op
 *    per ioctl);
 *  - then op by op, in order, each read (-EFAULT if it cannot be) and
 *    checked, -EINVAL for: an unknown op; a flag other than
 *    MSM_VM_BIND_OP_DUMP; a non-zero pad; iova, range or obj_offset not
 *    page aligned; an empty range, or one not inside the VM or wrapping
 *    past 2^64, or above SIZE_MAX (32-bit kernels: the MMU takes size_t
 *    lengths); a MAP with handle 0; an UNMAP or MAP_NULL with a handle or
 *    an obj_offset; a MAP_NULL on a VM without PRR;
 *  - then, once every op was read, the MAP ops in order, -EINVAL for: a
 *    handle @file does not have; obj_offset + range past the end of the BO
 *    (upstream's order: a bad handle in op 0 and an unreadable op 1 give
 *    -EFAULT);
 *  - then -ENOMEM if the page-table pages the job may need (counted in 64
 *    bits with the MMU's prealloc_count, see msm_vm_bind_job_pages()) are
 *    more than MSM_VM_JOB_PAGES_MAX.
 *
 * Each MAP op takes its BO's protection (&msm_vm_bo_funcs.prot) here.
 * MSM_VM_BIND_OP_DUMP on a MAP_NULL is accepted and ignored (a PRR range
 * has no content to dump), as upstream.
 * nr_ops == 0 is valid: a job that changes nothing (a fence-only bind).
 * Sleeps and allocates.  No lock needed.
 *
 * Return: the job, holding a reference on @vm and on every BO of its MAP
 * ops; or an ERR_PTR() as above.
 */
static inline struct msm_vm_bind_job *
msm_vm_bind_job_create(struct msm_vm *vm, struct drm_file *file, const struct drm_msm_vm_bind *args)
{
	return vm->funcs->job_create(vm, file, args);
}

/**
 * msm_vm_bind_job_pages() - the page-table pages a bind job pre-allocates
 * @vm: the job's VM
 * @job: the job, in any state
 *
 * The worst case of the job's page-table pages, known from
 * msm_vm_bind_job_create() on, at most MSM_VM_JOB_PAGES_MAX: what
 * msm_vm_bind_job_prepare() allocates and what the job holds until it is
 * freed.  For throttling: the driver waits while too many pages of a VM's
 * jobs are in flight before it takes any lock (upstream msm: 1024).
 * Consecutive MAP and MAP_NULL ops whose ranges meet in one 2 MiB block
 * share their last-level tables and are counted once, and an op at or
 * above the end of the one before shares with it the tables they have in
 * common (&msm_mmu_funcs.prealloc_count): ops in increasing address order
 * count exactly what their ranges need on empty page tables, in any order
 * at most what each needs alone.  Does not sleep; no lock needed.
 *
 * Return: the number of pages.
 */
static inline u64 msm_vm_bind_job_pages(struct msm_vm *vm, struct msm_vm_bind_job *job)
{
	return vm->funcs->job_pages(vm, job);
}

/**
 * msm_vm_bind_job_walk_map_bos() - call a function on each BO a job maps
 * @vm: the job's VM
 * @job: the job, in any state
 * @fn: called with the BO of each MAP op, in op order: a BO several ops map
 *	comes once per op, NO_SHARE BOs too; a non-zero return stops the walk.
 *	Not NULL (-EINVAL, with a WARN)
 * @arg: passed to @fn
 *
 * For the driver to pin those BOs before msm_vm_bind_job_prepare() and to
 * unpin them after the job ran, the same way both times (a job's ops do not
 * change): a queued map points into its BO's scatterlist, and a reference
 * keeps the object, not its pages.  No lock needed; does not sleep itself.
 *
 * Return: 0, or the first non-zero return of @fn.
 */
static inline int msm_vm_bind_job_walk_map_bos(struct msm_vm *vm, struct msm_vm_bind_job *job,
					       msm_vm_bo_fn_t fn, void *arg)
{
	return vm->funcs->job_walk_map_bos(vm, job, fn, arg);
}

/**
 * msm_vm_bind_job_lock() - lock what a bind job changes
 * @vm: the job's VM
 * @job: the job
 * @exec: the caller's drm_exec transaction
 *
 * Locks the VM's resv, the BO of every MAP op and the BO of every VMA the
 * ops' ranges overlap now (an UNMAP unlinks those), reserving one fence slot
 * in each.  Call inside drm_exec_until_all_locked() and follow it with
 * drm_exec_retry_on_contention().  @exec needs DRM_EXEC_IGNORE_DUPLICATES:
 * several ops may name one BO.
 *
 * That is the resv of every BO whose VMAs the job changes, each once, and
 * the VM's: the driver adds the job fence to each (DMA_RESV_USAGE_KERNEL),
 * walking a transaction of the job's own with
 * drm_exec_for_each_locked_object(), so that none of those BOs is evicted
 * or purged before the job ran.  A NO_SHARE BO is not listed apart: it
 * shares the VM's resv, which is.  The BOs the job maps are pinned with
 * msm_vm_bind_job_walk_map_bos().
 *
 * Return: 0, or the errno of drm_exec_prepare_obj().
 */
static inline int msm_vm_bind_job_lock(struct msm_vm *vm, struct msm_vm_bind_job *job,
				       struct drm_exec *exec)
{
	return vm->funcs->job_lock(vm, job, exec);
}

/**
 * msm_vm_bind_job_prepare() - do a bind job's bookkeeping, queue its PTEs
 * @vm: the job's VM
 * @job: the job, locked (msm_vm_bind_job_lock())
 *
 * Allocates the page-table pages the job may need and everything the ops
 * may use (VMAs, queued writes, each MAP's vm_bo and scatterlist position),
 * all before the VMAs change; then applies the ops to the VM's VMAs in
 * order with drm_gpuvm's split and merge, which cannot fail, queueing the
 * page-table writes for msm_vm_bind_job_run().  Sorted batches allocate
 * what they use, and at most a few writes more; unsorted ones at most one
 * write per distinct VMA they overlap, per VMA they may make and per op:
 * linear in the batch and the tree.  The VMAs and queued writes are charged
 * to the caller (__GFP_ACCOUNT), and a shortage is -ENOMEM.  A MAP identical
 * to an existing VMA (same BO, offset, iova and range) only updates its
 * DUMP flag.  Sleeps and allocates.
 *
 * Return: 0; -ENOMEM, the errno of &msm_vm_bo_funcs.get_sgt, or -EINVAL if
 * a BO's pages do not cover the BO, with nothing changed and the VM usable,
 * whichever op needed it: turnip
 * answers -ENOMEM by binding one op per ioctl, and takes -EPIPE for a lost
 * device.
 */
static inline int msm_vm_bind_job_prepare(struct msm_vm *vm, struct msm_vm_bind_job *job)
{
	return vm->funcs->job_prepare(vm, job);
}

/**
 * msm_vm_bind_job_run() - apply a prepared bind job's page-table writes
 * @vm: the job's VM
 * @job: the job, prepared
 *
 * Runs in the dma-fence signalling path: takes no resv lock and allocates
 * nothing (page tables come from the job's pre-allocation).  Every unmap is
 * done; after a map fails the remaining maps are skipped and the VM is
 * marked unusable ("bind failed").  On a VM already unusable no map is
 * done, as upstream.  MAP_NULL ranges map the PRR page with IOMMU_READ |
 * IOMMU_WRITE.  Logs each write in the vm_log.
 *
 * The jobs of a VM must be applied (run, or freed unrun) in the order they
 * were prepared, whatever submitqueue they came from: the VA tree is what
 * the last prepare made of it.  The driver orders them (upstream: each bind
 * job of a VM depends on the previous one's fence).  A job applied out of
 * order is refused, an error is logged and the VM is marked unusable ("bind
 * out of order"); its unmaps are still done.
 */
static inline void msm_vm_bind_job_run(struct msm_vm *vm, struct msm_vm_bind_job *job)
{
	vm->funcs->job_run(vm, job);
}

/**
 * msm_vm_bind_job_free() - free a bind job
 * @vm: the job's VM
 * @job: the job, in any state
 *
 * Drops the job's references and returns its unused page-table pages.  A
 * job prepared (in full or in part) but never run does its queued unmaps
 * here, so that no page-table entry outlives its VMA, and skips its maps;
 * if it queued a map, the page tables now lack what its VMAs say and the VM
 * is marked unusable ("bind not run").  A job that queued none (no op, an
 * UNMAP of a hole or of mapped ranges, a DUMP re-map) leaves the VM usable.
 * May sleep; takes the core's MMU lock; does not allocate.
 */
static inline void msm_vm_bind_job_free(struct msm_vm *vm, struct msm_vm_bind_job *job)
{
	vm->funcs->job_free(vm, job);
}

/**
 * msm_vm_alloc_should_fail() - whether a core's next allocation must fail
 *
 * Every allocation a core makes for itself asks this first and fails with
 * -ENOMEM when told to, so that tests can fail each allocation in turn
 * (msm_vm_fail_nth_alloc()).  Does not sleep.
 *
 * Return: true for the allocation chosen by msm_vm_fail_nth_alloc().
 */
bool msm_vm_alloc_should_fail(void);

/**
 * msm_vm_fail_nth_alloc() - fail the n-th core allocation from now (tests)
 * @n: 1 for the next allocation; 0 to fail none
 *
 * One shot: after the failure, allocations succeed again.  Global to all
 * cores: tests that use it must not run concurrently.
 */
void msm_vm_fail_nth_alloc(unsigned int n);

/**
 * msm_vm_alloc_failure_pending() - whether the failure asked for is still to come (tests)
 *
 * After msm_vm_fail_nth_alloc(n) and a sequence that succeeded: true if
 * the sequence made fewer than n allocations; false if the n-th failed and
 * the sequence succeeded anyway, which means the failure was swallowed.
 *
 * Return: true while the failure has not happened.
 */
bool msm_vm_alloc_failure_pending(void);

/**
 * msm_vm_core_live() - count a core's live objects
 * @core: the core
 * @live: filled in
 */
static inline void msm_vm_core_live(const struct msm_vm_funcs *core, struct msm_vm_live *live)
{
	core->live(live);
}

#endif /* __MSM_VM_H__ */
