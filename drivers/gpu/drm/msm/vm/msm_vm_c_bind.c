// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM_BIND jobs of the C reference core (see msm_vm.h for the contract).
 *
 * A job goes through four steps:
 *
 *   create   parse and check the ops, look up their BOs         unlocked
 *   lock     drm_exec: the VM's resv and every BO concerned
 *   prepare  allocate everything, then apply each op to the VA tree with
 *            drm_gpuvm_sm_map()/sm_unmap() and queue page-table writes
 *   run      apply the queued writes under mmu_lock             no resv,
 *                                                               no allocation
 *
 * then free.  The VA tree is the truth for the next job as soon as prepare
 * returns; the page tables catch up when the job runs.
 *
 * Pre-allocation: the page-table pages of the whole job are counted at
 * create (capped, and reported to the driver for throttling) and allocated
 * first in prepare.  Then, for all ops and before drm_gpuvm touches the
 * tree, everything their steps may use (c_job_reserve()): VMAs, queued
 * writes, the vm_bo of each MAP and the scatterlist position of its BO
 * offset.  So a step callback never fails, and a failing prepare leaves the
 * VM as it was, and usable: turnip answers -ENOMEM by binding one op per
 * ioctl, and takes -EPIPE for a lost device.
 */

#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <uapi/drm/msm_drm.h>

#include "msm_vm_c.h"

/**
 * struct c_bind_op - one checked op of a job
 * @op: MSM_VM_BIND_OP_x
 * @flags: MSM_VM_BIND_OP_x flags
 * @handle: the GEM handle of a MAP, looked up after every op was read
 * @obj: the BO of a MAP, with a reference; NULL otherwise (and until the
 *	handle is looked up)
 * @prot: for a MAP, the BO's protection (&msm_vm_bo_funcs.prot)
 * @vm_bo: for a MAP, its (VM, BO) pair, with a reference, from the start of
 *	prepare until its ops are applied
 * @sg: for a MAP, the scatterlist entry of its BO offset, found with @vm_bo
 * @skip: the bytes of @sg before that offset
 * @obj_offset: offset into @obj
 * @iova: first address
 * @range: size in bytes
 */
struct c_bind_op {
	u32 op;
	u32 flags;
	u32 handle;
	struct drm_gem_object *obj;
	int prot;
	struct drm_gpuvm_bo *vm_bo;
	struct scatterlist *sg;
	size_t skip;
	u64 obj_offset;
	u64 iova;
	u64 range;
};

enum c_pt_kind {
	C_PT_MAP,
	C_PT_MAP_NULL,
	C_PT_UNMAP,
};

/**
 * struct c_pt_op - a page-table write queued by prepare for run
 * @kind: what to write
 * @iova: first address
 * @range: size in bytes
 * @sg: for C_PT_MAP, the scatterlist entry holding the first page
 * @skip: for C_PT_MAP, bytes of @sg before the first page
 * @prot: for C_PT_MAP and C_PT_MAP_NULL, the protection to map with
 * @obj: the BO whose pages are (un)mapped, with a reference that keeps
 *	them until the write is done; NULL for MAP_NULL ranges
 */
struct c_pt_op {
	enum c_pt_kind kind;
	u64 iova;
	u64 range;
	struct scatterlist *sg;
	size_t skip;
	int prot;
	struct drm_gem_object *obj;
};

/**
 * struct c_job - a VM_BIND job of the C core
 * @vm: the VM, with a reference
 * @queue_id: the submitqueue, for the vm_log
 * @prealloc: the page-table pages of the job, counted by create
 * @prealloc_allocated: @prealloc holds pages to give back
 * @seq: the job's place in the order of its VM's jobs, from 1; 0 before
 *	prepare
 * @prepared: prepare applied every op
 * @ran: run was called
 * @pt: page-table writes, queued in order, @nr_pt of them, in an array
 *	of @max_pt allocated by c_job_reserve() (one allocation per job)
 * @nr_pt: entries of @pt queued
 * @max_pt: entries of @pt allocated
 * @spare_vma: pre-allocated VMAs not used yet, @nr_spare_vma of them
 * @nr_spare_vma: entries of @spare_vma in use
 * @cur: the op prepare is applying (step callbacks read it)
 * @cur_kept: @cur was an identical re-map: its map step does nothing
 * @nr_ops: entries of @ops
 * @ops: the checked ops
 */
struct c_job {
	struct msm_vm_c *vm;
	u32 queue_id;
	struct msm_mmu_prealloc prealloc;
	bool prealloc_allocated;
	u64 seq;
	bool prepared;
	bool ran;
	struct c_pt_op *pt;
	u64 nr_pt;
	u64 max_pt;
	struct msm_vm_c_vma **spare_vma;
	u32 nr_spare_vma;
	const struct c_bind_op *cur;
	bool cur_kept;
	u32 nr_ops;
	struct c_bind_op ops[] __counted_by(nr_ops);
};

static struct c_job *to_c_job(struct msm_vm_bind_job *job)
{
	return (struct c_job *)job;
}

static u64 c_vma_flags(u32 op_flags)
{
	return op_flags & MSM_VM_BIND_OP_DUMP ? MSM_VM_C_VMA_DUMP : 0;
}

/*
 * The checks of msm_vm_bind_job_create() that need no handle, per op, in
 * the documented order; made on each op as it is read.
 */
static int c_check_op(struct msm_vm_c *vm, const struct drm_msm_vm_bind_op *u,
		      struct c_bind_op *op)
{
	if (u->op > MSM_VM_BIND_OP_MAP_NULL)
		return -EINVAL;
	if (u->flags & ~MSM_VM_BIND_OP_FLAGS)
		return -EINVAL;
	if (u->pad)
		return -EINVAL;
	if (!PAGE_ALIGNED(u->iova) || !PAGE_ALIGNED(u->range) || !PAGE_ALIGNED(u->obj_offset))
		return -EINVAL;
	if (!u->range || !drm_gpuvm_range_valid(&vm->gpuvm, u->iova, u->range))
		return -EINVAL;
	/* The MMU takes size_t lengths: a 32-bit kernel cannot map more. */
	if ((size_t)u->range != u->range)
		return -EINVAL;
	if (u->op == MSM_VM_BIND_OP_MAP && !u->handle)
		return -EINVAL;
	if (u->op != MSM_VM_BIND_OP_MAP && (u->handle || u->obj_offset))
		return -EINVAL;
	if (u->op == MSM_VM_BIND_OP_MAP_NULL && !vm->has_prr)
		return -EINVAL;

	*op = (struct c_bind_op) {
		.op = u->op,
		.flags = u->flags,
		.handle = u->handle,
		.obj_offset = u->obj_offset,
		.iova = u->iova,
		.range = u->range,
	};
	return 0;
}

/* The checks of the BO of a MAP, once every op was read and checked. */
static int c_lookup_op(struct msm_vm_c *vm, struct drm_file *file, struct c_bind_op *op)
{
	u64 end;

	if (op->op != MSM_VM_BIND_OP_MAP)
		return 0;
	/* Kept in @op even when it fails the size check: freed with the job. */
	op->obj = vm->bo_funcs->lookup(file, op->handle);
	if (!op->obj)
		return -EINVAL;
	if (check_add_overflow(op->obj_offset, op->range, &end) || end > op->obj->size)
		return -EINVAL;
	op->prot = vm->bo_funcs->prot(op->obj);
	return 0;
}

/*
 * Do two MAP ops share last-level tables?  They do when the first ends in
 * the 2 MiB block the second starts in; then one range is counted for both.
 */
static bool c_same_table(const struct c_bind_op *last, const struct c_bind_op *op)
{
	return ALIGN_DOWN(last->iova + last->range, SZ_2M) == ALIGN_DOWN(op->iova, SZ_2M);
}

/*
 * Add the pages of [@start, @end) to the job's count; -ENOMEM once it is
 * above the cap.  The MMU adds to a u64, at most about 2^44 for a range
 * inside the VM, and counting stops at the cap: the sum cannot wrap.
 */
static int c_count_range(struct c_job *job, u64 start, u64 end)
{
	struct msm_mmu *mmu = job->vm->mmu;

	mmu->funcs->prealloc_count(mmu, &job->prealloc, start, end - start);
	return job->prealloc.count > MSM_VM_JOB_PAGES_MAX ? -ENOMEM : 0;
}

/*
 * Count the page-table pages of every MAP and MAP_NULL op, at create: the
 * count depends on the ops only, and the driver throttles on it before it
 * takes any lock (msm_vm_bind_job_pages()).
 */
static int c_job_count(struct c_job *job)
{
	const struct c_bind_op *last = NULL;
	u64 start = 0, end = 0;
	u32 i;
	int ret;

	/* msm_vm_create() checked that the MMU of a user-managed VM counts. */
	for (i = 0; i < job->nr_ops; i++) {
		const struct c_bind_op *op = &job->ops[i];

		if (op->op == MSM_VM_BIND_OP_UNMAP)
			continue;
		if (last && c_same_table(last, op)) {
			/* Ops need not be sorted: keep the span covering both. */
			start = min(start, op->iova);
			end = max(end, op->iova + op->range);
		} else {
			if (last) {
				ret = c_count_range(job, start, end);
				if (ret)
					return ret;
			}
			start = op->iova;
			end = op->iova + op->range;
		}
		last = op;
	}
	return last ? c_count_range(job, start, end) : 0;
}

struct msm_vm_bind_job *msm_vm_c_job_create(struct msm_vm *_vm, struct drm_file *file,
					    const struct drm_msm_vm_bind *args)
{
	struct msm_vm_c *vm = to_c_vm(_vm);
	struct drm_msm_vm_bind_op uop;
	struct c_job *job;
	u32 i;
	int ret;

	if (READ_ONCE(vm->unusable))
		return ERR_PTR(-EPIPE);
	if (vm->managed)
		return ERR_PTR(-EINVAL);
	if (args->flags & ~MSM_VM_BIND_FLAGS)
		return ERR_PTR(-EINVAL);
	if (args->nr_ops > 1 && args->op_stride < sizeof(uop))
		return ERR_PTR(-EINVAL);

	/* struct_size() saturates: a batch too large to count fails here too. */
	job = c_may_fail(kvzalloc(struct_size(job, ops, args->nr_ops),
				  GFP_KERNEL_ACCOUNT | __GFP_NOWARN));
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->nr_ops = args->nr_ops;
	job->vm = vm;
	job->queue_id = args->queue_id;
	drm_gpuvm_get(&vm->gpuvm);
	atomic_long_inc(&msm_vm_c_live_jobs);

	for (i = 0; i < args->nr_ops; i++) {
		/* u64 arithmetic: a wrapped address faults like any bad one. */
		u64 user = args->ops + (u64)i * args->op_stride;

		if (args->nr_ops == 1) {
			uop = args->op;
		} else if (copy_from_user(&uop, u64_to_user_ptr(user), sizeof(uop))) {
			ret = -EFAULT;
			goto err;
		}
		ret = c_check_op(vm, &uop, &job->ops[i]);
		if (ret)
			goto err;
	}
	/* Handles last, as upstream: an unreadable op is -EFAULT first. */
	for (i = 0; i < args->nr_ops; i++) {
		ret = c_lookup_op(vm, file, &job->ops[i]);
		if (ret)
			goto err;
	}
	ret = c_job_count(job);
	if (ret)
		goto err;
	return (struct msm_vm_bind_job *)job;

err:
	msm_vm_c_job_free(_vm, (struct msm_vm_bind_job *)job);
	return ERR_PTR(ret);
}

int msm_vm_c_job_walk_map_bos(struct msm_vm *_vm, struct msm_vm_bind_job *_job,
			      msm_vm_bo_fn_t fn, void *arg)
{
	struct c_job *job = to_c_job(_job);
	u32 i;
	int ret;

	if (WARN_ON(!fn))
		return -EINVAL;
	for (i = 0; i < job->nr_ops; i++) {
		if (job->ops[i].op != MSM_VM_BIND_OP_MAP)
			continue;
		ret = fn(job->ops[i].obj, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int msm_vm_c_job_lock(struct msm_vm *_vm, struct msm_vm_bind_job *_job, struct drm_exec *exec)
{
	struct c_job *job = to_c_job(_job);
	struct msm_vm_c *vm = job->vm;
	u32 i;
	int ret;

	/* One fence slot on each, for the job fence the driver adds. */
	ret = drm_exec_prepare_obj(exec, drm_gpuvm_resv_obj(&vm->gpuvm), 1);
	if (ret)
		return ret;
	for (i = 0; i < job->nr_ops; i++) {
		const struct c_bind_op *op = &job->ops[i];

		if (op->obj) {
			ret = drm_exec_prepare_obj(exec, op->obj, 1);
			if (ret)
				return ret;
		}
		/* The BOs of what the op overlaps now: an UNMAP unlinks them. */
		ret = msm_vm_c_lock_vas(vm, exec, op->iova, op->iova + op->range, 1);
		if (ret)
			return ret;
	}
	return 0;
}

u64 msm_vm_c_job_pages(struct msm_vm *_vm, struct msm_vm_bind_job *_job)
{
	return to_c_job(_job)->prealloc.count;
}

/* Allocate the page-table pages create counted. */
static int c_job_prealloc(struct c_job *job)
{
	struct msm_mmu *mmu = job->vm->mmu;
	int ret;

	ret = mmu->funcs->prealloc_allocate(mmu, &job->prealloc);
	if (ret)
		return ret;
	job->prealloc_allocated = true;
	return 0;
}

/* Find the scatterlist entry holding BO offset @offset: a binary search. */
static int c_sg_find(struct msm_vm_c *vm, struct drm_gpuvm_bo *vm_bo, u64 offset,
		     struct scatterlist **sgp, size_t *skip)
{
	struct msm_vm_c_vm_bo *vbo = container_of(vm_bo, struct msm_vm_c_vm_bo, base);
	struct sg_table *sgt;
	unsigned int lo, hi;

	/* The index is built and read under the BO's resv. */
	drm_gem_gpuva_assert_lock_held(vm_bo->obj);
	sgt = vm->bo_funcs->get_sgt(vm_bo->obj);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	if (vbo->sgt != sgt) {
		struct msm_vm_c_sg_index *index;
		struct scatterlist *sg;
		unsigned int i;
		u64 end = 0;

		index = c_may_fail(kvmalloc_array(sgt->orig_nents, sizeof(*index), GFP_KERNEL));
		if (!index)
			return -ENOMEM;
		for_each_sgtable_sg(sgt, sg, i) {
			end += sg->length;
			index[i] = (struct msm_vm_c_sg_index) { .end = end, .sg = sg };
		}
		msm_vm_c_vm_bo_free_index(vbo);
		vbo->index = index;
		vbo->nents = sgt->orig_nents;
		vbo->sgt = sgt;
	}

	/* The first entry that ends past @offset. */
	lo = 0;
	hi = vbo->nents;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (vbo->index[mid].end > offset)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == vbo->nents)
		return -EINVAL;	/* the pages do not cover the BO */
	*sgp = vbo->index[lo].sg;
	*skip = offset - (lo ? vbo->index[lo - 1].end : 0);
	return 0;
}

void msm_vm_c_vm_bo_free_index(struct msm_vm_c_vm_bo *vbo)
{
	kvfree(vbo->index);
	vbo->index = NULL;
	vbo->nents = 0;
	vbo->sgt = NULL;
}

static struct c_pt_op *c_queue(struct c_job *job, enum c_pt_kind kind, u64 iova, u64 range,
			       struct drm_gem_object *obj)
{
	struct c_pt_op *pt;

	/* c_job_reserve() counted every write a step may queue. */
	if (WARN_ON(job->nr_pt >= job->max_pt))
		return NULL;
	pt = &job->pt[job->nr_pt++];
	pt->kind = kind;
	pt->iova = iova;
	pt->range = range;
	pt->obj = obj;
	if (obj)
		drm_gem_object_get(obj);
	return pt;
}

static struct msm_vm_c_vma *c_take_vma(struct c_job *job)
{
	/* c_job_reserve() counted every VMA a step may make. */
	if (WARN_ON(!job->nr_spare_vma))
		return NULL;
	atomic_long_inc(&msm_vm_c_live_vmas);
	return job->spare_vma[--job->nr_spare_vma];
}

/*
 * Does the job have what a step takes?  It always does (c_job_reserve()
 * counted it); were the count ever wrong, the step fails before it changes
 * anything, and the VM becomes unusable, instead of corrupting the job.
 */
static bool c_step_has(struct c_job *job, u32 vmas, bool write)
{
	return !WARN_ON(job->nr_spare_vma < vmas || (write && job->nr_pt >= job->max_pt));
}

int msm_vm_c_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct c_job *job = priv;
	const struct c_bind_op *req = job->cur;
	struct msm_vm_c_vma *vma;
	struct c_pt_op *pt;

	if (job->cur_kept)
		return 0;
	if (!c_step_has(job, 1, true))
		return -ENOMEM;
	vma = c_take_vma(job);
	drm_gpuva_map(&job->vm->gpuvm, &vma->base, &op->map);
	vma->mapped = true;
	vma->map_seq = job->seq;
	if (req->op == MSM_VM_BIND_OP_MAP_NULL) {
		/* No DUMP: a PRR range has no content to dump (as upstream). */
		pt = c_queue(job, C_PT_MAP_NULL, req->iova, req->range, NULL);
		pt->prot = IOMMU_READ | IOMMU_WRITE;
		return 0;
	}
	vma->base.flags = c_vma_flags(req->flags);
	drm_gpuva_link(&vma->base, req->vm_bo);
	drm_gpuvm_bo_extobj_add(req->vm_bo);
	pt = c_queue(job, C_PT_MAP, req->iova, req->range, req->obj);
	pt->sg = req->sg;
	pt->skip = req->skip;
	pt->prot = req->prot;
	return 0;
}

int msm_vm_c_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct drm_gpuva_op_remap *r = &op->remap;
	struct msm_vm_c_vma *orig = va_to_c_vma(r->unmap->va);
	struct drm_gpuvm_bo *vm_bo = orig->base.vm_bo;
	struct drm_gem_object *obj = orig->base.gem.obj;
	struct msm_vm_c_vma *prev = NULL, *next = NULL;
	struct c_job *job = priv;
	u64 start, range;

	if (!c_step_has(job, !!r->prev + !!r->next, orig->mapped))
		return -ENOMEM;
	if (orig->mapped) {
		drm_gpuva_op_remap_to_unmap_range(r, &start, &range);
		c_queue(job, C_PT_UNMAP, start, range, obj);
	}
	if (r->prev)
		prev = c_take_vma(job);
	if (r->next)
		next = c_take_vma(job);
	drm_gpuva_remap(prev ? &prev->base : NULL, next ? &next->base : NULL, r);
	/* The pieces keep the flags and the PTEs of what they were part of. */
	if (prev) {
		prev->base.flags = orig->base.flags;
		prev->mapped = orig->mapped;
		prev->map_seq = orig->map_seq;
		drm_gpuva_link(&prev->base, vm_bo);
	}
	if (next) {
		next->base.flags = orig->base.flags;
		next->mapped = orig->mapped;
		next->map_seq = orig->map_seq;
		drm_gpuva_link(&next->base, vm_bo);
	}
	/* After the links above, which keep @vm_bo alive. */
	drm_gpuva_unlink(&orig->base);
	kfree(orig);
	atomic_long_dec(&msm_vm_c_live_vmas);
	return 0;
}

int msm_vm_c_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct drm_gpuva *va = op->unmap.va;
	struct msm_vm_c_vma *vma = va_to_c_vma(va);
	struct c_job *job = priv;
	const struct c_bind_op *req = job->cur;

	/*
	 * A MAP identical to this VMA (drm_gpuvm says "keep" when BO and
	 * offset match at the same start): turnip re-maps so to toggle DUMP.
	 * Only the flags change; no PTE is written, so a SUBMIT using the
	 * range meanwhile is not disturbed.
	 */
	if (op->unmap.keep && req->op == MSM_VM_BIND_OP_MAP &&
	    va->va.addr == req->iova && va->va.range == req->range) {
		va->flags = (va->flags & ~MSM_VM_C_VMA_DUMP) | c_vma_flags(req->flags);
		job->cur_kept = true;
		return 0;
	}
	if (!c_step_has(job, 0, vma->mapped))
		return -ENOMEM;
	if (vma->mapped)
		c_queue(job, C_PT_UNMAP, va->va.addr, va->va.range, va->gem.obj);
	drm_gpuva_unmap(&op->unmap);
	drm_gpuva_unlink(va);
	kfree(vma);
	atomic_long_dec(&msm_vm_c_live_vmas);
	return 0;
}

/* Does a VA other than one starting at @addr hold the page at @addr? */
/*
 * Phase 1 of prepare, before the VA tree changes: allocate everything the
 * steps of all ops may use, and obtain the vm_bo and the scatterlist
 * position of every MAP.  What an op's steps use:
 *
 *  - VMAs: the new one (not for UNMAP), and prev and next where its start
 *    or end falls inside a VA, which may split it;
 *  - queued writes: one per VA it overlaps (each unmapped once) and one for
 *    its own map.
 *
 * An op whose range starts at or past every earlier op's end overlaps no VA
 * an earlier op made but pieces of VAs in the tree now, at most one of each
 * (an earlier range between two pieces would be inside its own): the tree
 * of now bounds it exactly, and sorted batches reserve what they use (one
 * write more per UNMAP and per DUMP re-map).  In an unsorted batch an op
 * may meet what earlier ops made, and its ends may split; but every VA is
 * unmapped at most once, so its writes are bounded by the distinct VAs of
 * now the ops overlap (each counted once, by a stamp), the VMAs the ops may
 * make and one map per op: linear in the batch and the tree, never their
 * product.  The memory is charged to the caller.
 */
static int c_job_reserve(struct c_job *job)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
	struct msm_vm_c *vm = job->vm;
	u64 writes = 0, distinct = 0, vmas = 0, max_end = 0;
	u64 stamp;
	bool sorted = true;
	struct drm_gpuva *va;
	u32 i;
	int ret;

	/* The tree, the VMAs' stamps and the VM's stamp counter. */
	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	stamp = ++vm->reserve_stamp;
	for (i = 0; i < job->nr_ops; i++) {
		struct c_bind_op *op = &job->ops[i];
		struct drm_gpuva *first = NULL, *last = NULL;
		u64 end = op->iova + op->range;
		bool after_all = op->iova >= max_end;

		sorted &= after_all;
		max_end = max(max_end, end);
		drm_gpuvm_for_each_va_range(va, &vm->gpuvm, op->iova, end) {
			struct msm_vm_c_vma *vma = va_to_c_vma(va);

			writes++;
			if (vma->reserve_stamp != stamp) {
				vma->reserve_stamp = stamp;
				distinct++;
			}
			first = first ?: va;
			last = va;
		}
		writes++;
		vmas += op->op != MSM_VM_BIND_OP_UNMAP;
		/* One walk tells where the op may split a VA: at its start or its end. */
		vmas += !after_all || (first && first->va.addr < op->iova);
		vmas += !after_all || (last && last->va.addr + last->va.range > end);
		if (op->op != MSM_VM_BIND_OP_MAP)
			continue;
		op->vm_bo = drm_gpuvm_bo_obtain(&vm->gpuvm, op->obj);
		if (IS_ERR(op->vm_bo)) {
			ret = PTR_ERR(op->vm_bo);
			op->vm_bo = NULL;
			return ret;
		}
		ret = c_sg_find(vm, op->vm_bo, op->obj_offset, &op->sg, &op->skip);
		if (ret)
			return ret;
	}
	if (!sorted)
		writes = distinct + job->nr_ops + vmas;

	/* A count the address space of a 32-bit kernel cannot hold. */
	if (writes > SIZE_MAX / sizeof(*job->pt))
		return -ENOMEM;
	job->pt = c_may_fail(kvcalloc(writes, sizeof(*job->pt), gfp));
	if (!job->pt)
		return -ENOMEM;
	job->max_pt = writes;
	job->spare_vma = c_may_fail(kvmalloc_array(vmas, sizeof(*job->spare_vma), gfp));
	if (!job->spare_vma)
		return -ENOMEM;
	for (; job->nr_spare_vma < vmas; job->nr_spare_vma++) {
		job->spare_vma[job->nr_spare_vma] =
			c_may_fail(kzalloc(sizeof(struct msm_vm_c_vma), gfp));
		if (!job->spare_vma[job->nr_spare_vma])
			return -ENOMEM;
	}
	return 0;
}

/* Drop the vm_bo references of the ops; the VMAs linked hold their own. */
static void c_job_put_vm_bos(struct c_job *job)
{
	u32 i;

	for (i = 0; i < job->nr_ops; i++) {
		if (job->ops[i].vm_bo)
			drm_gpuvm_bo_put(job->ops[i].vm_bo);
		job->ops[i].vm_bo = NULL;
	}
}

/* Phase 2: apply one op to the VA tree; its steps cannot fail. */
static int c_prepare_op(struct c_job *job, const struct c_bind_op *op)
{
	struct msm_vm_c *vm = job->vm;
	int ret;

	job->cur = op;
	job->cur_kept = false;
	if (op->op == MSM_VM_BIND_OP_UNMAP)
		ret = drm_gpuvm_sm_unmap(&vm->gpuvm, job, op->iova, op->range);
	else
		ret = drm_gpuvm_sm_map(&vm->gpuvm, job, op->iova, op->range, op->obj,
				       op->obj_offset);
	job->cur = NULL;
	/* create checked the range against the VM: drm_gpuvm cannot refuse. */
	WARN_ON(ret);
	return ret;
}

int msm_vm_c_job_prepare(struct msm_vm *_vm, struct msm_vm_bind_job *_job)
{
	struct c_job *job = to_c_job(_job);
	struct msm_vm_c *vm = job->vm;
	u32 i;
	int ret;

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	if (WARN_ON(job->prepared || job->prealloc_allocated))
		return -EINVAL;

	ret = c_job_prealloc(job);
	if (!ret)
		ret = c_job_reserve(job);
	if (ret) {
		/* Nothing changed: the VM stays usable. */
		c_job_put_vm_bos(job);
		return ret;
	}
	/* From here on the job writes page tables, in run or in free. */
	job->seq = ++vm->bind_prepared;
	for (i = 0; i < job->nr_ops; i++) {
		ret = c_prepare_op(job, &job->ops[i]);
		if (ret) {
			/* Cannot happen; the ops before changed the VM for good. */
			msm_vm_c_mark_unusable(vm, "bind prepare failed");
			break;
		}
	}
	c_job_put_vm_bos(job);
	if (ret)
		return ret;
	job->prepared = true;
	return 0;
}

/* Map a BO's VMA an unmap outside a job left unmapped; see msm_vm_validate(). */
static int c_vma_remap(struct msm_vm_c *vm, struct msm_vm_c_vma *vma)
{
	struct msm_mmu_prealloc prealloc = {};
	struct msm_mmu *mmu = vm->mmu;
	struct scatterlist *sg;
	size_t skip;
	int ret;

	drm_gem_gpuva_assert_lock_held(vma->base.gem.obj);
	ret = c_sg_find(vm, vma->base.vm_bo, vma->base.gem.offset, &sg, &skip);
	if (ret)
		return ret;
	/* As a bind job: tables first, none allocated under mmu_lock. */
	mmu->funcs->prealloc_count(mmu, &prealloc, vma->base.va.addr, vma->base.va.range);
	if (WARN_ON(prealloc.count > MSM_VM_JOB_PAGES_MAX))
		return -ENOMEM;
	ret = mmu->funcs->prealloc_allocate(mmu, &prealloc);
	if (ret)
		return ret;
	mutex_lock(&vm->mmu_lock);
	mmu->prealloc = &prealloc;
	ret = mmu->funcs->map_sg(mmu, vma->base.va.addr, sg, skip, vma->base.va.range,
				 vm->bo_funcs->prot(vma->base.gem.obj));
	mmu->prealloc = NULL;
	mutex_unlock(&vm->mmu_lock);
	mmu->funcs->prealloc_cleanup(mmu, &prealloc);
	if (!ret)
		vma->mapped = true;
	return ret;
}

int msm_vm_c_validate(struct msm_vm *_vm)
{
	struct msm_vm_c *vm = to_c_vm(_vm);
	struct drm_gpuva *va;
	int ret;

	drm_gpuvm_resv_assert_held(&vm->gpuvm);
	if (vm->managed)
		return -EINVAL;
	/* Nothing unmapped since the last validate: the common case. */
	if (!vm->evicted)
		return 0;
	drm_gpuvm_for_each_va(va, &vm->gpuvm) {
		struct msm_vm_c_vma *vma = va_to_c_vma(va);

		/*
		 * Only a BO's VMAs: a MAP_NULL range is never unmapped outside
		 * a job (no call reaches it but msm_vm_close(), which closes it).
		 */
		if (vma->mapped || !va->gem.obj)
			continue;
		ret = c_vma_remap(vm, vma);
		if (ret)
			return ret;
	}
	vm->evicted = false;
	return 0;
}

static void c_log(struct msm_vm_c *vm, const char *op, const struct c_pt_op *pt, u32 queue_id)
{
	lockdep_assert_held(&vm->mmu_lock);
	if (!vm->log)
		return;
	vm->log[vm->log_next] = (struct msm_vm_log_entry) {
		.op = op,
		.iova = pt->iova,
		.range = pt->range,
		.queue_id = queue_id,
	};
	vm->log_next = (vm->log_next + 1) & ((1 << vm->log_shift) - 1);
	if (vm->log_count < 1 << vm->log_shift)
		vm->log_count++;
}

/*
 * Apply the queued page-table writes, in order.  With @unmaps_only, or once
 * a map failed, the maps are skipped; unmaps are always done.  No
 * allocation: page tables come from the job's pre-allocation.  Returns the
 * error of the map that failed, or 0.
 */
static int c_job_apply(struct c_job *job, bool unmaps_only)
{
	struct msm_vm_c *vm = job->vm;
	struct msm_mmu *mmu = vm->mmu;
	bool skip_maps = unmaps_only;
	struct c_pt_op *pt;
	int ret = 0;

	mutex_lock(&vm->mmu_lock);
	/*
	 * In the order of prepare, or the page tables would not follow the
	 * VA tree.  A driver bug (its bind queues of one VM must be ordered),
	 * so the VM is lost; the unmaps still go, no PTE outlives its VMA.
	 */
	if (job->seq != vm->bind_done + 1) {
		drm_err(vm->gpuvm.drm, "%s: bind job %llu applied after job %llu\n",
			vm->gpuvm.name, job->seq, vm->bind_done);
		msm_vm_c_mark_unusable(vm, "bind out of order");
		skip_maps = true;
	} else {
		vm->bind_done = job->seq;
	}
	mmu->prealloc = &job->prealloc;
	for (pt = job->pt; pt < job->pt + job->nr_pt; pt++) {
		if (pt->kind == C_PT_UNMAP) {
			mmu->funcs->unmap(mmu, pt->iova, pt->range);
			c_log(vm, "unmap", pt, job->queue_id);
			continue;
		}
		if (skip_maps)
			continue;
		if (pt->kind == C_PT_MAP) {
			ret = mmu->funcs->map_sg(mmu, pt->iova, pt->sg, pt->skip, pt->range,
						 pt->prot);
			c_log(vm, "map", pt, job->queue_id);
		} else {
			ret = mmu->funcs->map_prr(mmu, pt->iova, pt->range, pt->prot);
			c_log(vm, "map_null", pt, job->queue_id);
		}
		skip_maps = ret != 0;
	}
	mmu->prealloc = NULL;
	mutex_unlock(&vm->mmu_lock);
	return ret;
}

void msm_vm_c_job_run(struct msm_vm *_vm, struct msm_vm_bind_job *_job)
{
	struct c_job *job = to_c_job(_job);

	job->ran = true;
	/* An unusable VM maps nothing more; its unmaps still complete. */
	if (c_job_apply(job, !!READ_ONCE(job->vm->unusable)))
		msm_vm_c_mark_unusable(job->vm, "bind failed");
}

/* Did prepare queue a map?  Unmaps are done even if the job never runs. */
static bool c_job_maps(const struct c_job *job)
{
	u64 i;

	for (i = 0; i < job->nr_pt; i++)
		if (job->pt[i].kind != C_PT_UNMAP)
			return true;
	return false;
}

void msm_vm_c_job_free(struct msm_vm *_vm, struct msm_vm_bind_job *_job)
{
	struct c_job *job = to_c_job(_job);
	struct msm_vm_c *vm = job->vm;
	u64 i;

	/*
	 * Page tables then lack maps the VMAs have.  A job that queued no map
	 * (no op, UNMAP of a hole, a DUMP re-map, only unmaps, done below)
	 * leaves them matching: the VM stays usable.
	 */
	if (!job->ran && c_job_maps(job))
		msm_vm_c_mark_unusable(vm, "bind not run");
	/*
	 * Writes queued but never run (prepare failed after the first op, or
	 * the job was dropped): their VMAs are already gone from the tree, so
	 * nothing else would ever remove their PTEs, which still point at BO
	 * pages.  Do the unmaps now; skip the maps.
	 */
	if (!job->ran && job->seq)
		c_job_apply(job, true);
	for (i = 0; i < job->nr_pt; i++)
		if (job->pt[i].obj)
			drm_gem_object_put(job->pt[i].obj);
	kvfree(job->pt);
	while (job->nr_spare_vma)
		kfree(job->spare_vma[--job->nr_spare_vma]);
	kvfree(job->spare_vma);
	for (i = 0; i < job->nr_ops; i++)
		if (job->ops[i].obj)
			drm_gem_object_put(job->ops[i].obj);
	if (job->prealloc_allocated)
		vm->mmu->funcs->prealloc_cleanup(vm->mmu, &job->prealloc);
	drm_gpuvm_put(&vm->gpuvm);
	kvfree(job);
	atomic_long_dec(&msm_vm_c_live_jobs);
}
