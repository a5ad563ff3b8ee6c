// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ground the msm VM core stands on, checked on the real thing.
 *
 * Before any core exists these cases pin down the behaviour of the kernel
 * pieces it is built from, exactly as the core will use them:
 *  - drm_gpuvm on a drm device with DRIVER_GEM | DRIVER_GEM_GPUVA, with its
 *    own resv object, and vm_bos of drm_gem_shmem objects;
 *  - drm_gpuvm_sm_map()/drm_gpuvm_sm_unmap() split steps, recorded as text;
 *  - drm_exec locking the VM resv and the BOs;
 *  - io-pgtable-arm ARM_64_LPAE_S1 (4K granule, coherent walk) with page
 *    tables counted through the io_pgtable_cfg alloc/free hooks;
 *  - the C to Rust call path into the Rust core (msm_vm_rs.h).
 */

#include <kunit/test.h>

#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_kunit_helpers.h>
#include <uapi/drm/msm_drm.h>

#include "../../msm_mmu.h"
#include "../msm_vm.h"
#include "../msm_vm_rs.h"

#define GROUND_VM_START		SZ_1M
#define GROUND_VM_SIZE		SZ_1G
#define GROUND_MAX_STEPS	8
#define GROUND_STEP_LEN		128

/**
 * struct ground - per-case fixture
 * @dev: parent device of @drm, from the drm KUnit helpers
 * @drm: drm device with DRIVER_GEM | DRIVER_GEM_GPUVA
 * @vm: a drm_gpuvm over [GROUND_VM_START, GROUND_VM_START + GROUND_VM_SIZE)
 */
struct ground {
	struct device *dev;
	struct drm_device *drm;
	struct drm_gpuvm *vm;
};

/**
 * struct ground_steps - what the sm_map/sm_unmap step callbacks saw
 * @vm: the VM the steps apply to
 * @vm_bo: vm_bo new mappings are linked to (map steps only)
 * @n: number of steps recorded
 * @step: one line of text per step, in call order
 */
struct ground_steps {
	struct drm_gpuvm *vm;
	struct drm_gpuvm_bo *vm_bo;
	int n;
	char step[GROUND_MAX_STEPS][GROUND_STEP_LEN];
};

static char *ground_step_slot(struct ground_steps *s)
{
	if (WARN_ON(s->n >= GROUND_MAX_STEPS))
		return NULL;
	return s->step[s->n++];
}

static int ground_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct ground_steps *s = priv;
	char *line = ground_step_slot(s);
	struct drm_gpuva *va;

	if (!line)
		return -EOVERFLOW;
	snprintf(line, GROUND_STEP_LEN, "map 0x%llx+0x%llx@0x%llx",
		 op->map.va.addr, op->map.va.range, op->map.gem.offset);

	va = kzalloc(sizeof(*va), GFP_KERNEL);
	if (!va)
		return -ENOMEM;
	drm_gpuva_map(s->vm, va, &op->map);
	drm_gpuva_link(va, s->vm_bo);
	return 0;
}

static int ground_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct drm_gpuva_op_remap *r = &op->remap;
	struct drm_gpuva *orig = r->unmap->va;
	struct drm_gpuvm_bo *vm_bo = orig->vm_bo;
	struct ground_steps *s = priv;
	struct drm_gpuva *prev = NULL, *next = NULL;
	char *line = ground_step_slot(s);
	int len;

	if (!line)
		return -EOVERFLOW;
	len = snprintf(line, GROUND_STEP_LEN, "remap 0x%llx+0x%llx",
		       orig->va.addr, orig->va.range);
	if (r->prev)
		len += snprintf(line + len, GROUND_STEP_LEN - len,
				" prev 0x%llx+0x%llx@0x%llx", r->prev->va.addr,
				r->prev->va.range, r->prev->gem.offset);
	if (r->next)
		snprintf(line + len, GROUND_STEP_LEN - len,
			 " next 0x%llx+0x%llx@0x%llx", r->next->va.addr,
			 r->next->va.range, r->next->gem.offset);

	if (r->prev) {
		prev = kzalloc(sizeof(*prev), GFP_KERNEL);
		if (!prev)
			return -ENOMEM;
	}
	if (r->next) {
		next = kzalloc(sizeof(*next), GFP_KERNEL);
		if (!next) {
			kfree(prev);
			return -ENOMEM;
		}
	}

	drm_gpuva_remap(prev, next, r);
	/* Link the pieces before unlinking @orig: they keep @vm_bo alive. */
	if (prev)
		drm_gpuva_link(prev, vm_bo);
	if (next)
		drm_gpuva_link(next, vm_bo);
	drm_gpuva_unlink(orig);
	kfree(orig);
	return 0;
}

static int ground_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct drm_gpuva *va = op->unmap.va;
	struct ground_steps *s = priv;
	char *line = ground_step_slot(s);

	if (!line)
		return -EOVERFLOW;
	snprintf(line, GROUND_STEP_LEN, "unmap 0x%llx+0x%llx",
		 va->va.addr, va->va.range);

	drm_gpuva_unmap(&op->unmap);
	drm_gpuva_unlink(va);
	kfree(va);
	return 0;
}

static void ground_vm_free(struct drm_gpuvm *vm)
{
	kfree(vm);
}

static const struct drm_gpuvm_ops ground_vm_ops = {
	.vm_free = ground_vm_free,
	.sm_step_map = ground_step_map,
	.sm_step_remap = ground_step_remap,
	.sm_step_unmap = ground_step_unmap,
};

static const struct drm_driver ground_driver = {
	.driver_features = DRIVER_GEM | DRIVER_GEM_GPUVA,
};

static struct drm_gpuvm *ground_vm_create(struct kunit *test,
					  struct drm_device *drm,
					  u64 start, u64 size)
{
	struct drm_gem_object *r_obj;
	struct drm_gpuvm *vm;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	r_obj = drm_gpuvm_resv_object_alloc(drm);
	KUNIT_ASSERT_NOT_NULL(test, r_obj);
	drm_gpuvm_init(vm, "msm-vm-ground", 0, drm, r_obj, start, size, 0, 0,
		       &ground_vm_ops);
	/* The VM holds its own reference on its resv object. */
	drm_gem_object_put(r_obj);
	return vm;
}

static int ground_init(struct kunit *test)
{
	struct ground *g;

	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	g->dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, g->dev);
	g->drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, g->dev,
								 sizeof(*g->drm), 0,
								 &ground_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, g->drm);
	g->vm = ground_vm_create(test, g->drm, GROUND_VM_START, GROUND_VM_SIZE);
	test->priv = g;
	return 0;
}

static void ground_exit(struct kunit *test)
{
	struct ground *g = test->priv;

	/* drm_gpuvm_put() of the last reference WARNs if VAs are left. */
	if (g && g->vm)
		drm_gpuvm_put(g->vm);
}

static struct drm_gem_object *ground_bo(struct kunit *test, struct ground *g,
					size_t size)
{
	struct drm_gem_shmem_object *shmem;

	shmem = drm_gem_shmem_create(g->drm, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	return &shmem->base;
}

/* Lock the VM's resv object and @n BOs; on success the caller ends @exec. */
static int ground_lock(struct drm_exec *exec, struct drm_gpuvm *vm,
		       struct drm_gem_object **objs, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	drm_exec_init(exec, DRM_EXEC_INTERRUPTIBLE_WAIT, 0);
	drm_exec_until_all_locked(exec) {
		ret = drm_gpuvm_prepare_vm(vm, exec, 0);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		for (i = 0; i < n && !ret; i++) {
			ret = drm_exec_lock_obj(exec, objs[i]);
			drm_exec_retry_on_contention(exec);
		}
		if (ret)
			break;
	}
	if (ret)
		drm_exec_fini(exec);
	return ret;
}

/* Map [@addr, @addr + @range) of @obj at @offset; records into @s. */
static int ground_map(struct ground *g, struct ground_steps *s,
		      struct drm_gem_object *obj, u64 addr, u64 range,
		      u64 offset)
{
	struct drm_gpuvm_bo *vm_bo;
	int ret;

	vm_bo = drm_gpuvm_bo_obtain(g->vm, obj);
	if (IS_ERR(vm_bo))
		return PTR_ERR(vm_bo);
	s->vm = g->vm;
	s->vm_bo = vm_bo;
	ret = drm_gpuvm_sm_map(g->vm, s, addr, range, obj, offset);
	/* Each linked VA holds its own vm_bo reference. */
	drm_gpuvm_bo_put(vm_bo);
	s->vm_bo = NULL;
	return ret;
}

/* Describe the VAs of @vm in address order, one "addr+range@offset" each. */
static void ground_describe(struct drm_gpuvm *vm, char *buf, size_t len)
{
	struct drm_gpuva *va;
	size_t pos = 0;

	buf[0] = '\0';
	drm_gpuvm_for_each_va(va, vm)
		pos += scnprintf(buf + pos, len - pos, "%s0x%llx+0x%llx@0x%llx",
				 pos ? " " : "", va->va.addr, va->va.range,
				 va->gem.offset);
}

static void gpuvm_bo_is_shared_per_vm_and_object(struct kunit *test)
{
	struct ground *g = test->priv;
	struct drm_gem_object *obj = ground_bo(test, g, SZ_64K);
	struct drm_gpuvm *vm2 = ground_vm_create(test, g->drm, 0, SZ_1G);
	/* Everything is locked in one drm_exec pass: none can follow it. */
	struct drm_gem_object *objs[] = { obj, drm_gpuvm_resv_obj(vm2) };
	struct drm_gpuvm_bo *a, *b, *c;
	struct drm_exec exec;

	KUNIT_ASSERT_EQ(test, ground_lock(&exec, g->vm, objs, 2), 0);

	a = drm_gpuvm_bo_obtain(g->vm, obj);
	b = drm_gpuvm_bo_obtain(g->vm, obj);
	c = drm_gpuvm_bo_obtain(vm2, obj);
	KUNIT_EXPECT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, kref_read(&a->kref), 2);
	KUNIT_EXPECT_PTR_NE(test, a, c);
	KUNIT_EXPECT_PTR_EQ(test, c->vm, vm2);
	KUNIT_EXPECT_PTR_EQ(test, drm_gpuvm_bo_find(vm2, obj), c);
	/* drm_gpuvm_bo_find() took a reference too. */
	KUNIT_EXPECT_EQ(test, kref_read(&c->kref), 2);
	drm_gpuvm_bo_put(c);

	drm_gpuvm_bo_put(a);
	drm_gpuvm_bo_put(b);
	drm_gpuvm_bo_put(c);
	KUNIT_EXPECT_NULL(test, drm_gpuvm_bo_find(g->vm, obj));
	KUNIT_EXPECT_NULL(test, drm_gpuvm_bo_find(vm2, obj));
	drm_exec_fini(&exec);

	drm_gpuvm_put(vm2);
	drm_gem_object_put(obj);
}

/*
 * Split and Merge, case "map inside a mapping of another object":
 *
 *	0x100000      0x110000
 *	old: |-----------|         (obj A, offset 0)
 *	req:     |--|              (obj B at 0x104000, 4 pages)
 *	new: |-|-|--|----|         (A 0x100000+0x4000, B, A 0x108000+0x8000@0x8000)
 */
static void sm_map_inside_a_mapping_remaps_into_prev_and_next(struct kunit *test)
{
	struct ground *g = test->priv;
	struct drm_gem_object *a = ground_bo(test, g, SZ_64K);
	struct drm_gem_object *b = ground_bo(test, g, SZ_16K);
	struct drm_gem_object *objs[] = { a, b };
	struct drm_gpuvm_bo *vm_bo;
	struct ground_steps *s;
	struct drm_exec exec;
	char desc[256];

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, ground_lock(&exec, g->vm, objs, 2), 0);

	KUNIT_EXPECT_EQ(test, ground_map(g, s, a, 0x100000, SZ_64K, 0), 0);
	KUNIT_EXPECT_EQ(test, s->n, 1);
	KUNIT_EXPECT_STREQ(test, s->step[0], "map 0x100000+0x10000@0x0");

	s->n = 0;
	KUNIT_EXPECT_EQ(test, ground_map(g, s, b, 0x104000, SZ_16K, 0), 0);
	KUNIT_ASSERT_EQ(test, s->n, 2);
	KUNIT_EXPECT_STREQ(test, s->step[0],
			   "remap 0x100000+0x10000 prev 0x100000+0x4000@0x0 next 0x108000+0x8000@0x8000");
	KUNIT_EXPECT_STREQ(test, s->step[1], "map 0x104000+0x4000@0x0");

	ground_describe(g->vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc,
			   "0x100000+0x4000@0x0 0x104000+0x4000@0x0 0x108000+0x8000@0x8000");
	/* A is mapped twice (prev and next) through one vm_bo. */
	vm_bo = drm_gpuvm_bo_find(g->vm, a);
	KUNIT_ASSERT_NOT_NULL(test, vm_bo);
	/* One reference per linked VA, one from drm_gpuvm_bo_find(). */
	KUNIT_EXPECT_EQ(test, kref_read(&vm_bo->kref), 3);
	drm_gpuvm_bo_put(vm_bo);

	s->n = 0;
	KUNIT_EXPECT_EQ(test, drm_gpuvm_sm_unmap(g->vm, s, GROUND_VM_START,
						 GROUND_VM_SIZE), 0);
	KUNIT_EXPECT_EQ(test, s->n, 3);
	ground_describe(g->vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "");
	KUNIT_EXPECT_NULL(test, drm_gpuvm_bo_find(g->vm, a));
	KUNIT_EXPECT_NULL(test, drm_gpuvm_bo_find(g->vm, b));
	drm_exec_fini(&exec);

	drm_gem_object_put(a);
	drm_gem_object_put(b);
}

/*
 * Split and Merge, case "unmap across the boundary of two mappings":
 *
 *	0x200000   0x204000   0x208000
 *	old: |---------|---------|    (A offset 0, B offset 0x10000)
 *	req:      |---------|
 *	new: |----|         |----|    (A 0x200000+0x2000, B 0x206000+0x2000@0x12000)
 */
static void sm_unmap_across_two_mappings_keeps_the_outer_parts(struct kunit *test)
{
	struct ground *g = test->priv;
	struct drm_gem_object *a = ground_bo(test, g, SZ_16K);
	struct drm_gem_object *b = ground_bo(test, g, SZ_128K);
	struct drm_gem_object *objs[] = { a, b };
	struct ground_steps *s;
	struct drm_exec exec;
	char desc[256];

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, ground_lock(&exec, g->vm, objs, 2), 0);

	KUNIT_EXPECT_EQ(test, ground_map(g, s, a, 0x200000, SZ_16K, 0), 0);
	KUNIT_EXPECT_EQ(test, ground_map(g, s, b, 0x204000, SZ_16K, SZ_64K), 0);

	s->n = 0;
	KUNIT_EXPECT_EQ(test, drm_gpuvm_sm_unmap(g->vm, s, 0x202000, SZ_16K), 0);
	KUNIT_ASSERT_EQ(test, s->n, 2);
	KUNIT_EXPECT_STREQ(test, s->step[0], "remap 0x200000+0x4000 prev 0x200000+0x2000@0x0");
	KUNIT_EXPECT_STREQ(test, s->step[1], "remap 0x204000+0x4000 next 0x206000+0x2000@0x12000");
	ground_describe(g->vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "0x200000+0x2000@0x0 0x206000+0x2000@0x12000");

	/* Unmapping a hole is no step at all. */
	s->n = 0;
	KUNIT_EXPECT_EQ(test, drm_gpuvm_sm_unmap(g->vm, s, 0x202000, SZ_16K), 0);
	KUNIT_EXPECT_EQ(test, s->n, 0);

	KUNIT_EXPECT_EQ(test, drm_gpuvm_sm_unmap(g->vm, s, GROUND_VM_START,
						 GROUND_VM_SIZE), 0);
	drm_exec_fini(&exec);

	drm_gem_object_put(a);
	drm_gem_object_put(b);
}

static void sm_map_outside_the_vm_is_rejected_untouched(struct kunit *test)
{
	struct ground *g = test->priv;
	struct drm_gem_object *a = ground_bo(test, g, SZ_16K);
	struct drm_gem_object *objs[] = { a };
	struct ground_steps *s;
	struct drm_exec exec;
	char desc[64];

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, ground_lock(&exec, g->vm, objs, 1), 0);

	KUNIT_EXPECT_EQ(test, ground_map(g, s, a, GROUND_VM_START - SZ_4K,
					 SZ_8K, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ground_map(g, s, a, GROUND_VM_START + GROUND_VM_SIZE - SZ_4K,
					 SZ_8K, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ground_map(g, s, a, U64_MAX - SZ_4K + 1, SZ_8K, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, s->n, 0);
	ground_describe(g->vm, desc, sizeof(desc));
	KUNIT_EXPECT_STREQ(test, desc, "");
	KUNIT_EXPECT_NULL(test, drm_gpuvm_bo_find(g->vm, a));
	drm_exec_fini(&exec);

	drm_gem_object_put(a);
}

/**
 * struct ground_pgt - page-table pages and TLB callbacks of one io-pgtable
 * @allocated: pages handed out by ground_pgt_alloc()
 * @freed: pages given back through ground_pgt_free()
 * @flush_all: calls of &iommu_flush_ops.tlb_flush_all
 * @flush_walk: calls of &iommu_flush_ops.tlb_flush_walk
 * @add_page: calls of &iommu_flush_ops.tlb_add_page
 */
struct ground_pgt {
	unsigned int allocated;
	unsigned int freed;
	unsigned int flush_all;
	unsigned int flush_walk;
	unsigned int add_page;
};

static void *ground_pgt_alloc(void *cookie, size_t size, gfp_t gfp)
{
	struct ground_pgt *pgt = cookie;
	void *p = (void *)__get_free_pages(gfp | __GFP_ZERO, get_order(size));

	if (p)
		pgt->allocated += 1 << get_order(size);
	return p;
}

static void ground_pgt_free(void *cookie, void *pages, size_t size)
{
	struct ground_pgt *pgt = cookie;

	pgt->freed += 1 << get_order(size);
	free_pages((unsigned long)pages, get_order(size));
}

static void ground_tlb_flush_all(void *cookie)
{
	((struct ground_pgt *)cookie)->flush_all++;
}

static void ground_tlb_flush_walk(unsigned long iova, size_t size,
				  size_t granule, void *cookie)
{
	((struct ground_pgt *)cookie)->flush_walk++;
}

static void ground_tlb_add_page(struct iommu_iotlb_gather *gather,
				unsigned long iova, size_t granule,
				void *cookie)
{
	((struct ground_pgt *)cookie)->add_page++;
}

static const struct iommu_flush_ops ground_flush_ops = {
	.tlb_flush_all = ground_tlb_flush_all,
	.tlb_flush_walk = ground_tlb_flush_walk,
	.tlb_add_page = ground_tlb_add_page,
};

/*
 * A 4 KiB page mapped at an iova in a fresh 48-bit stage-1 table costs three
 * new tables (levels 1 to 3) besides the level-0 table made at allocation,
 * is found again by iova_to_phys() at any offset inside it, and is gone after
 * unmap; every table page is freed with the io-pgtable.  A leaf unmap queues
 * a TLB invalidation only into a gather: with none (as msm unmaps) io-pgtable
 * calls no TLB op, and flushing is the caller's job.
 */
static void io_pgtable_lpae_s1_maps_and_unmaps_a_page(struct kunit *test)
{
	struct ground *g = test->priv;
	struct ground_pgt pgt = {};
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.ias = 48,
		.oas = 48,
		.coherent_walk = true,
		.tlb = &ground_flush_ops,
		.iommu_dev = g->dev,
		.alloc = ground_pgt_alloc,
		.free = ground_pgt_free,
	};
	const unsigned long iova = 0x1234567000UL;
	struct iommu_iotlb_gather gather;
	struct io_pgtable_ops *ops;
	struct page *page;
	phys_addr_t pa;
	size_t mapped = 0;

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pa = page_to_phys(page);

	ops = alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, &pgt);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_EXPECT_EQ(test, pgt.allocated, 1);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova), 0);

	KUNIT_EXPECT_EQ(test, ops->map_pages(ops, iova, pa, SZ_4K, 1,
					     IOMMU_READ | IOMMU_WRITE,
					     GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_EQ(test, mapped, SZ_4K);
	KUNIT_EXPECT_EQ(test, pgt.allocated, 4);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova), pa);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova + 0x123), pa + 0x123);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova + SZ_4K), 0);

	iommu_iotlb_gather_init(&gather);
	KUNIT_EXPECT_EQ(test, ops->unmap_pages(ops, iova, SZ_4K, 1, &gather), SZ_4K);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova), 0);
	KUNIT_EXPECT_EQ(test, pgt.add_page, 1);

	KUNIT_EXPECT_EQ(test, ops->map_pages(ops, iova, pa, SZ_4K, 1, IOMMU_READ,
					     GFP_KERNEL, &mapped), 0);
	/* The tables are still there: no new page. */
	KUNIT_EXPECT_EQ(test, pgt.allocated, 4);
	KUNIT_EXPECT_EQ(test, ops->unmap_pages(ops, iova, SZ_4K, 1, NULL), SZ_4K);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova), 0);
	KUNIT_EXPECT_EQ(test, pgt.add_page + pgt.flush_walk + pgt.flush_all, 1);
	/* io-pgtable keeps empty tables until it is freed. */
	KUNIT_EXPECT_EQ(test, pgt.freed, 0);

	free_io_pgtable_ops(ops);
	KUNIT_EXPECT_EQ(test, pgt.freed, pgt.allocated);
	__free_page(page);
}

static struct kunit_case msm_vm_ground_cases[] = {
	KUNIT_CASE(gpuvm_bo_is_shared_per_vm_and_object),
	KUNIT_CASE(sm_map_inside_a_mapping_remaps_into_prev_and_next),
	KUNIT_CASE(sm_unmap_across_two_mappings_keeps_the_outer_parts),
	KUNIT_CASE(sm_map_outside_the_vm_is_rejected_untouched),
	KUNIT_CASE(io_pgtable_lpae_s1_maps_and_unmaps_a_page),
	{}
};

static struct kunit_suite msm_vm_ground_suite = {
	.name = "msm_vm_ground",
	.init = ground_init,
	.exit = ground_exit,
	.test_cases = msm_vm_ground_cases,
};

/**
 * struct range_case - one row of the VA range table
 * @name: what the row checks
 * @vm_start: first address of the VM
 * @vm_range: size of the VM
 * @addr: first address of the range
 * @range: size of the range
 * @valid: whether the range is a valid VM_BIND range of the VM
 */
struct range_case {
	const char *name;
	u64 vm_start, vm_range, addr, range;
	bool valid;
};

static const struct range_case range_cases[] = {
	{ "first page", SZ_1M, SZ_1M, SZ_1M, SZ_4K, true },
	{ "last page", SZ_1M, SZ_1M, SZ_2M - SZ_4K, SZ_4K, true },
	{ "whole VM", SZ_1M, SZ_1M, SZ_1M, SZ_1M, true },
	{ "empty range", SZ_1M, SZ_1M, SZ_1M, 0, false },
	{ "page before the start", SZ_1M, SZ_1M, SZ_1M - SZ_4K, SZ_4K, false },
	{ "crossing the start", SZ_1M, SZ_1M, SZ_1M - SZ_4K, SZ_8K, false },
	{ "crossing the end", SZ_1M, SZ_1M, SZ_2M - SZ_4K, SZ_8K, false },
	{ "starting at the end", SZ_1M, SZ_1M, SZ_2M, SZ_4K, false },
	{ "ending at 2^64 - 4K", 0, U64_MAX - SZ_4K + 1, U64_MAX - SZ_8K + 1,
	  SZ_4K, true },
	{ "ending at 2^64", 0, U64_MAX - SZ_4K + 1, U64_MAX - SZ_4K + 1, SZ_4K,
	  false },
	{ "size wrapping past 2^64", 0, U64_MAX - SZ_4K + 1, SZ_4K, U64_MAX,
	  false },
	{ "last byte wrapping to 0", 0, U64_MAX - SZ_4K + 1, U64_MAX, 1, false },
	{ "VM whose end wraps", U64_MAX - SZ_4K + 1, SZ_8K, U64_MAX - SZ_4K + 1,
	  SZ_4K, false },
};

static void range_case_desc(const struct range_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(range, range_cases, range_case_desc);

static int rust_ffi_init(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_DRM_MSM_VM_RUST))
		kunit_skip(test, "the Rust core is not built (CONFIG_DRM_MSM_VM_RUST=n)");
	return ground_init(test);
}

static void rust_ffi_exit(struct kunit *test)
{
	if (IS_ENABLED(CONFIG_DRM_MSM_VM_RUST))
		ground_exit(test);
}

static void rust_range_valid_follows_the_table(struct kunit *test)
{
	const struct range_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, msm_vm_rs_range_valid(c->vm_start, c->vm_range,
						    c->addr, c->range),
			c->valid);
}

/*
 * For every non-empty range of a VM drm_gpuvm accepts, the Rust core answers
 * as drm_gpuvm_range_valid() does on a real drm_gpuvm over the same VM.
 */
static void rust_range_valid_agrees_with_drm_gpuvm(struct kunit *test)
{
	struct ground *g = test->priv;
	unsigned int i, compared = 0;

	for (i = 0; i < ARRAY_SIZE(range_cases); i++) {
		const struct range_case *c = &range_cases[i];
		struct drm_gpuvm *vm;
		u64 end;

		/* drm_gpuvm WARNs on a VM whose end wraps. */
		if (!c->range || check_add_overflow(c->vm_start, c->vm_range, &end))
			continue;
		vm = ground_vm_create(test, g->drm, c->vm_start, c->vm_range);
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_rs_range_valid(c->vm_start, c->vm_range,
								c->addr, c->range),
				    drm_gpuvm_range_valid(vm, c->addr, c->range),
				    "row \"%s\"", c->name);
		drm_gpuvm_put(vm);
		compared++;
	}
	KUNIT_EXPECT_EQ(test, compared, ARRAY_SIZE(range_cases) - 2);
}

static int ffi_prot(struct drm_gem_object *obj)
{
	return IOMMU_READ | IOMMU_WRITE;
}

/* BOs and an MMU for jobs of UNMAPs of holes: nothing is looked up or mapped. */
static struct sg_table *ffi_get_sgt(struct drm_gem_object *obj)
{
	return ERR_PTR(-EINVAL);
}

static struct drm_gem_object *ffi_lookup(struct drm_file *file, u32 handle)
{
	return NULL;
}

static int ffi_unmap(struct msm_mmu *mmu, u64 iova, size_t len)
{
	return 0;
}

static void ffi_prealloc_count(struct msm_mmu *mmu, struct msm_mmu_prealloc *p, u64 iova,
			       u64 len)
{
}

static int ffi_prealloc_allocate(struct msm_mmu *mmu, struct msm_mmu_prealloc *p)
{
	return p->count ? -ENOMEM : 0;
}

static void ffi_prealloc_cleanup(struct msm_mmu *mmu, struct msm_mmu_prealloc *p)
{
}

static int ffi_map_sg(struct msm_mmu *mmu, u64 iova, struct scatterlist *sg, size_t skip,
		      size_t len, int prot)
{
	return -EINVAL;
}

/*
 * The same table through the check each core runs on every VM_BIND op,
 * called from C through its ops table: on a VM of each row, an UNMAP of
 * the row's range is a job that goes through lock, prepare and run if the
 * row is valid, and -EINVAL if not.  For the Rust core the export above
 * only restates that check; this is its own path.  The rows at the top of
 * the address space put an op's end at the VM's end, the last page below
 * 2^64.  (A VM whose end wraps is refused at creation.)
 */
static void each_core_vm_bind_follows_the_table(struct kunit *test)
{
	static const struct msm_mmu_funcs mmu_funcs = {
		.unmap = ffi_unmap,
		.prealloc_count = ffi_prealloc_count,
		.prealloc_allocate = ffi_prealloc_allocate,
		.prealloc_cleanup = ffi_prealloc_cleanup,
		.map_sg = ffi_map_sg,
	};
	static const struct msm_vm_bo_funcs bo_funcs = {
		.get_sgt = ffi_get_sgt, .lookup = ffi_lookup, .prot = ffi_prot,
	};
	const struct msm_vm_funcs *const *core;
	struct msm_mmu mmu = { .funcs = &mmu_funcs };
	struct ground *g = test->priv;
	unsigned int i, checked = 0;

	for (core = msm_vm_cores; *core; core++) {
		for (i = 0; i < ARRAY_SIZE(range_cases); i++) {
			const struct range_case *c = &range_cases[i];
			struct msm_vm_create_info info = {
				.drm = g->drm, .mmu = &mmu, .bo_funcs = &bo_funcs,
				.va_start = c->vm_start, .va_size = c->vm_range,
			};
			struct drm_msm_vm_bind args = {
				.nr_ops = 1,
				.op = { .op = MSM_VM_BIND_OP_UNMAP, .iova = c->addr,
					.range = c->range },
			};
			struct msm_vm_bind_job *job;
			struct drm_exec exec;
			struct msm_vm *vm;
			int ret = 0;

			vm = msm_vm_create(*core, &info);
			if (IS_ERR(vm)) {
				KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(vm), -EINVAL, "%s: row \"%s\"",
						    (*core)->name, c->name);
				continue;
			}
			job = msm_vm_bind_job_create(vm, NULL, &args);
			if (!c->valid) {
				KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(job), -EINVAL,
						    "%s: row \"%s\"", (*core)->name, c->name);
				if (!IS_ERR(job))
					msm_vm_bind_job_free(vm, job);
				goto next;
			}
			KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, job, "%s: row \"%s\"",
							 (*core)->name, c->name);
			drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 0);
			drm_exec_until_all_locked(&exec) {
				ret = msm_vm_bind_job_lock(vm, job, &exec);
				drm_exec_retry_on_contention(&exec);
				if (ret)
					break;
			}
			if (!ret)
				ret = msm_vm_bind_job_prepare(vm, job);
			drm_exec_fini(&exec);
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s: row \"%s\"", (*core)->name, c->name);
			if (!ret)
				msm_vm_bind_job_run(vm, job);
			msm_vm_bind_job_free(vm, job);
			KUNIT_EXPECT_NULL_MSG(test, msm_vm_unusable(vm), "%s: row \"%s\"",
					      (*core)->name, c->name);
next:
			msm_vm_put(vm);
			checked++;
		}
	}
	/* Each core: every row but the VM whose end wraps. */
	KUNIT_EXPECT_EQ(test, checked, (ARRAY_SIZE(range_cases) - 1) * (core - msm_vm_cores));
}

static struct kunit_case msm_vm_rust_ffi_cases[] = {
	KUNIT_CASE_PARAM(rust_range_valid_follows_the_table, range_gen_params),
	KUNIT_CASE(rust_range_valid_agrees_with_drm_gpuvm),
	KUNIT_CASE(each_core_vm_bind_follows_the_table),
	{}
};

static struct kunit_suite msm_vm_rust_ffi_suite = {
	.name = "msm_vm_rust_ffi",
	.init = rust_ffi_init,
	.exit = rust_ffi_exit,
	.test_cases = msm_vm_rust_ffi_cases,
};

kunit_test_suites(&msm_vm_ground_suite, &msm_vm_rust_ffi_suite);

MODULE_DESCRIPTION("KUnit tests of the ground under the msm GPU VM core");
MODULE_LICENSE("GPL");
