// SPDX-License-Identifier: GPL-2.0-only
/*
 * The conformance suite of the msm GPU VM contract (msm_vm.h).
 *
 * Every case runs once per core built in (KUNIT_ARRAY_PARAM over
 * msm_vm_cores), on the real drm_gpuvm, drm_exec, drm_gem_shmem BOs and a
 * test MMU over the real io-pgtable-arm, so PTEs are read back from a real
 * page table.  After every case the core's live VMs, VMAs and vm_bos must be
 * back to what they were before it: nothing outlives its last reference.
 *
 * The cases are the specification: each is named after the behaviour it
 * pins down, and a core conforms when all of them pass on it.
 */

#include <kunit/test.h>

#include <linux/iommu.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_print.h>

#include "../msm_vm.h"
#include "msm_vm_conf.h"
#include "msm_vm_test_mmu.h"

/* ---- Lifetime and refcounts ---- */

static void create_rejects_an_invalid_va_range(struct kunit *test)
{
	static const struct { u64 start, size; const char *what; } bad[] = {
		{ SZ_1M, 0, "empty" },
		{ SZ_1M + 1, SZ_1M, "unaligned start" },
		{ SZ_1M, SZ_1M + 1, "unaligned size" },
		{ U64_MAX - SZ_1M + 1, SZ_2M, "wrapping past 2^64" },
		{ U64_MAX & PAGE_MASK, PAGE_SIZE, "ending at 2^64" },
	};
	struct conf *c = test->priv;
	struct msm_vm_live live;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct msm_vm_create_info info = {
			.drm = c->drm,
			.mmu = &c->mmu->base,
			.bo_funcs = &conf_bo_funcs,
			.va_start = bad[i].start,
			.va_size = bad[i].size,
			.managed = true,
		};

		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(msm_vm_create(c->core, &info)),
				    -EINVAL, "%s", bad[i].what);
	}
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms);
}

static void create_rejects_a_device_without_gem_gpuva(struct kunit *test)
{
	static const struct drm_driver no_gpuva = { .driver_features = DRIVER_GEM };
	struct conf *c = test->priv;
	struct msm_vm_create_info info = {
		.mmu = &c->mmu->base,
		.bo_funcs = &conf_bo_funcs,
		.va_start = SZ_1M,
		.va_size = SZ_1G,
		.managed = true,
	};

	/* A second drm device, without DRIVER_GEM_GPUVA, on the same parent. */
	info.drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, c->dev,
								   sizeof(*info.drm), 0,
								   &no_gpuva);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, info.drm);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_create(c->core, &info)), -EINVAL);
}

static void create_rejects_a_vm_without_mmu_or_bo_funcs(struct kunit *test)
{
	struct conf *c = test->priv;
	struct msm_vm_create_info info = {
		.drm = c->drm,
		.bo_funcs = &conf_bo_funcs,
		.va_start = SZ_1M,
		.va_size = SZ_1G,
		.managed = true,
	};
	struct msm_vm_live live;

	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_create(c->core, &info)), -EINVAL);
	info.mmu = &c->mmu->base;
	info.bo_funcs = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_create(c->core, &info)), -EINVAL);
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms);
}

/*
 * A user-managed VM needs what bind jobs call, checked once at creation
 * rather than at the first VM_BIND: the BO's pages, handles and
 * protection (VM_BIND maps with it: read-only, cache-coherent), and the
 * MMU's pre-allocation, map_sg, unmap and, with PRR, map_prr.  A
 * kernel-managed VM is given the protection per map and needs none.
 */
static void create_rejects_a_user_managed_vm_without_the_bind_callbacks(struct kunit *test)
{
	/* Each row: the callback left out, in the BO's table or the MMU's. */
	static const struct {
		const char *what;
		bool mmu;
		size_t off;
	} missing[] = {
		{ "get_sgt", false, offsetof(struct msm_vm_bo_funcs, get_sgt) },
		{ "lookup", false, offsetof(struct msm_vm_bo_funcs, lookup) },
		{ "prot", false, offsetof(struct msm_vm_bo_funcs, prot) },
		{ "unmap", true, offsetof(struct msm_mmu_funcs, unmap) },
		{ "prealloc_count", true, offsetof(struct msm_mmu_funcs, prealloc_count) },
		{ "prealloc_allocate", true, offsetof(struct msm_mmu_funcs, prealloc_allocate) },
		{ "prealloc_cleanup", true, offsetof(struct msm_mmu_funcs, prealloc_cleanup) },
		{ "map_sg", true, offsetof(struct msm_mmu_funcs, map_sg) },
		{ "map_prr, with PRR", true, offsetof(struct msm_mmu_funcs, map_prr) },
	};
	struct conf *c = test->priv;
	struct msm_vm_bo_funcs bo;
	struct msm_mmu_funcs mmu_funcs;
	struct msm_mmu mmu = c->mmu->base;
	struct msm_vm_create_info info = {
		.drm = c->drm, .mmu = &mmu, .bo_funcs = &bo,
		.va_start = SZ_1M, .va_size = SZ_1G, .has_prr = true,
	};
	struct msm_vm_live live;
	struct msm_vm *vm;
	unsigned int i;

	mmu.funcs = &mmu_funcs;
	for (i = 0; i < ARRAY_SIZE(missing); i++) {
		bo = conf_bo_funcs;
		mmu_funcs = *c->mmu->base.funcs;
		*(void **)((char *)(missing[i].mmu ? (void *)&mmu_funcs : (void *)&bo) +
			   missing[i].off) = NULL;
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(msm_vm_create(c->core, &info)), -EINVAL,
				    "no %s", missing[i].what);
	}
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms);

	/* Controls: without PRR, map_prr is not needed; a managed VM needs none. */
	info.has_prr = false;
	vm = msm_vm_create(c->core, &info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	msm_vm_put(vm);
	mmu_funcs.map_sg = NULL;
	bo.prot = NULL;
	info.managed = true;
	vm = msm_vm_create(c->core, &info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	msm_vm_put(vm);
}

static void create_rejects_a_log_above_the_maximum(struct kunit *test)
{
	struct conf *c = test->priv;
	struct msm_vm_create_info info = {
		.drm = c->drm,
		.mmu = &c->mmu->base,
		.bo_funcs = &conf_bo_funcs,
		.va_start = SZ_1M,
		.va_size = SZ_1G,
		.log_shift = MSM_VM_LOG_SHIFT_MAX + 1,
	};
	struct msm_vm *vm;

	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_create(c->core, &info)), -EINVAL);
	info.log_shift = MSM_VM_LOG_SHIFT_MAX;
	vm = msm_vm_create(c->core, &info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	msm_vm_put(vm);
}

static void a_vm_reports_what_it_was_created_with(struct kunit *test)
{
	struct msm_vm *managed = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm *user = conf_vm(test, 0, 1ULL << 48, false);

	KUNIT_EXPECT_EQ(test, msm_vm_va_start(managed), SZ_1M);
	KUNIT_EXPECT_EQ(test, msm_vm_va_size(managed), SZ_1G);
	KUNIT_EXPECT_TRUE(test, msm_vm_managed(managed));
	KUNIT_EXPECT_EQ(test, msm_vm_va_start(user), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_va_size(user), 1ULL << 48);
	KUNIT_EXPECT_FALSE(test, msm_vm_managed(user));
	/* Each VM has a resv object of its own. */
	KUNIT_EXPECT_PTR_NE(test, msm_vm_resv_obj(managed)->resv,
			    msm_vm_resv_obj(user)->resv);
	msm_vm_put(managed);
	msm_vm_put(user);
}

static void the_last_put_frees_the_vm(struct kunit *test)
{
	struct conf *c = test->priv;
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm_live live;

	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms + 1);
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_get(vm), vm);
	msm_vm_put(vm);
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms + 1);
	msm_vm_put(vm);
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms);
	/* Putting NULL is allowed and does nothing. */
	msm_vm_put(NULL);
}

static void an_open_vma_keeps_its_vm_and_bo_alive(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_64K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	unsigned int bo_refs = kref_read(&obj->refcount);
	struct msm_vm_live live;
	struct msm_vm_vma *vma;
	struct drm_exec exec;

	conf_lock(test, &exec, vm, &obj, 1);
	vma = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
	drm_exec_fini(&exec);
	/* Counted outside drm_exec, which holds references of its own. */
	KUNIT_EXPECT_EQ(test, kref_read(&obj->refcount), bo_refs + 1);

	/* The caller's reference goes first: the VMA still holds the VM. */
	msm_vm_put(vm);
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms + 1);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_iova(vm, vma), SZ_1M);

	conf_lock(test, &exec, vm, &obj, 1);
	msm_vm_vma_close(vm, vma);
	drm_exec_fini(&exec);
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms);
	KUNIT_EXPECT_EQ(test, live.vmas, c->live.vmas);
	KUNIT_EXPECT_EQ(test, kref_read(&obj->refcount), bo_refs);
}

/* ---- Kernel-managed VA allocation ---- */

/*
 * VAs are handed out lowest first, page aligned, one BO size each:
 *
 *	0x100000  0x110000  0x114000       0x134000
 *	|--A 64K--|-B 16K-|---C 128K---|
 */
static void vma_new_takes_the_lowest_free_range(struct kunit *test)
{
	struct drm_gem_object *objs[] = {
		conf_bo_new(test, SZ_64K), conf_bo_new(test, SZ_16K),
		conf_bo_new(test, SZ_128K),
	};
	static const u64 expect[] = { 0x100000, 0x110000, 0x114000 };
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm_vma *vma[ARRAY_SIZE(objs)];
	struct drm_exec exec;
	unsigned int i;

	conf_lock(test, &exec, vm, objs, ARRAY_SIZE(objs));
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		vma[i] = msm_vm_vma_new(vm, objs[i], 0, U64_MAX);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma[i]);
		KUNIT_EXPECT_EQ(test, msm_vm_vma_iova(vm, vma[i]), expect[i]);
		KUNIT_EXPECT_FALSE(test, msm_vm_vma_mapped(vm, vma[i]));
	}
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		msm_vm_vma_close(vm, vma[i]);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

static void vma_new_stays_inside_the_requested_range(struct kunit *test)
{
	struct drm_gem_object *obj = conf_bo_new(test, SZ_64K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_16M, true);
	struct msm_vm_vma *a, *b;
	struct drm_exec exec;

	conf_lock(test, &exec, vm, &obj, 1);
	a = msm_vm_vma_new(vm, obj, SZ_4M, SZ_8M);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_iova(vm, a), SZ_4M);
	/* A range reaching below the VM is cut to the VM. */
	b = msm_vm_vma_new(vm, obj, 0, SZ_2M);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_iova(vm, b), SZ_1M);
	msm_vm_vma_close(vm, a);
	msm_vm_vma_close(vm, b);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

static void vma_new_without_room_is_enospc_and_changes_nothing(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_64K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_64K, true);
	struct msm_vm_live live;
	struct msm_vm_vma *vma;
	unsigned int bo_refs;
	struct drm_exec exec;

	conf_lock(test, &exec, vm, &obj, 1);
	bo_refs = kref_read(&obj->refcount);
	/* A range smaller than the BO. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_vma_new(vm, obj, SZ_1M, SZ_1M + SZ_32K)),
			-ENOSPC);
	/* A range outside the VM. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_vma_new(vm, obj, SZ_2M, SZ_4M)), -ENOSPC);
	vma = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
	/* The VM is full. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_vma_new(vm, obj, 0, U64_MAX)), -ENOSPC);
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vmas, c->live.vmas + 1);
	KUNIT_EXPECT_EQ(test, live.vm_bos, c->live.vm_bos + 1);
	KUNIT_EXPECT_EQ(test, kref_read(&obj->refcount), bo_refs + 1);
	msm_vm_vma_close(vm, vma);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

static void a_closed_range_is_handed_out_again(struct kunit *test)
{
	struct drm_gem_object *objs[] = { conf_bo_new(test, SZ_16K), conf_bo_new(test, SZ_16K) };
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_32K, true);
	struct msm_vm_vma *a, *b, *again;
	struct drm_exec exec;

	conf_lock(test, &exec, vm, objs, 2);
	a = msm_vm_vma_new(vm, objs[0], 0, U64_MAX);
	b = msm_vm_vma_new(vm, objs[1], 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	msm_vm_vma_close(vm, a);
	again = msm_vm_vma_new(vm, objs[1], 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, again);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_iova(vm, again), SZ_1M);
	msm_vm_vma_close(vm, b);
	msm_vm_vma_close(vm, again);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

static void vma_new_on_a_user_managed_vm_is_einval(struct kunit *test)
{
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, false);
	struct drm_exec exec;

	conf_lock(test, &exec, vm, &obj, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msm_vm_vma_new(vm, obj, 0, U64_MAX)), -EINVAL);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

/* ---- Page tables of kernel-managed VMAs ---- */

static void map_writes_every_pte_and_unmap_clears_them(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm_vma *vma;
	struct drm_exec exec;
	u64 iova, off;

	conf_lock(test, &exec, vm, &obj, 1);
	vma = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
	iova = msm_vm_vma_iova(vm, vma);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, iova), 0);

	KUNIT_ASSERT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), 0);
	KUNIT_EXPECT_TRUE(test, msm_vm_vma_mapped(vm, vma));
	for (off = 0; off < SZ_16K; off += SZ_4K)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, iova + off),
				    conf_bo_phys(obj, off), "page at +0x%llx", off);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, iova + SZ_16K), 0);

	msm_vm_vma_unmap(vm, vma);
	KUNIT_EXPECT_FALSE(test, msm_vm_vma_mapped(vm, vma));
	for (off = 0; off < SZ_16K; off += SZ_4K)
		KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, iova + off), 0);
	/* The range stays allocated until close. */
	KUNIT_EXPECT_EQ(test, msm_vm_vma_iova(vm, vma), iova);
	msm_vm_vma_close(vm, vma);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

static void map_and_unmap_twice_write_the_page_table_once(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm_vma *vma;
	struct drm_exec exec;

	conf_lock(test, &exec, vm, &obj, 1);
	vma = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), 0);
	KUNIT_EXPECT_EQ(test, c->mmu->map_calls, 1);
	msm_vm_vma_unmap(vm, vma);
	msm_vm_vma_unmap(vm, vma);
	KUNIT_EXPECT_EQ(test, c->mmu->unmap_calls, 1);
	msm_vm_vma_close(vm, vma);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

static void a_failed_map_leaves_the_vma_unmapped(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm_vma *vma;
	struct drm_exec exec;
	u64 iova;

	conf_lock(test, &exec, vm, &obj, 1);
	vma = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
	iova = msm_vm_vma_iova(vm, vma);

	/* The MMU fails part-way (and undoes its part). */
	c->mmu->fail_map_at = 1;
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), -ENOMEM);
	KUNIT_EXPECT_FALSE(test, msm_vm_vma_mapped(vm, vma));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, iova), 0);

	/* The driver cannot give the pages. */
	to_conf_bo(obj)->sgt_error = -EIO;
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), -EIO);
	KUNIT_EXPECT_FALSE(test, msm_vm_vma_mapped(vm, vma));
	KUNIT_EXPECT_EQ(test, c->mmu->map_calls, 1);

	/* Nothing stuck: the next map works. */
	to_conf_bo(obj)->sgt_error = 0;
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, iova), conf_bo_phys(obj, 0));
	msm_vm_vma_unmap(vm, vma);
	msm_vm_vma_close(vm, vma);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

/* ---- VMAs per BO per VM ---- */

static void two_vmas_of_one_bo_in_one_vm_share_one_vm_bo(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm_vma *first, *second;
	struct msm_vm_live live;
	struct drm_exec exec;

	conf_lock(test, &exec, vm, &obj, 1);
	KUNIT_EXPECT_NULL(test, msm_vm_bo_find_vma(vm, obj));
	first = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	second = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, first);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, second);
	KUNIT_EXPECT_NE(test, msm_vm_vma_iova(vm, first), msm_vm_vma_iova(vm, second));
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vm_bos, c->live.vm_bos + 1);
	KUNIT_EXPECT_EQ(test, live.vmas, c->live.vmas + 2);

	/* The oldest open VMA is the BO's VMA in the VM. */
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_bo_find_vma(vm, obj), first);
	msm_vm_vma_close(vm, first);
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_bo_find_vma(vm, obj), second);
	msm_vm_vma_close(vm, second);
	KUNIT_EXPECT_NULL(test, msm_vm_bo_find_vma(vm, obj));
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vm_bos, c->live.vm_bos);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

static void unmapping_a_bo_in_one_vm_leaves_its_other_vms(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *a = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm *b = conf_vm(test, SZ_2G, SZ_1G, true);
	struct msm_vm_vma *va, *vb;
	struct drm_exec exec;

	drm_exec_init(&exec, 0, 0);
	drm_exec_until_all_locked(&exec) {
		drm_exec_lock_obj(&exec, msm_vm_resv_obj(a));
		drm_exec_retry_on_contention(&exec);
		drm_exec_lock_obj(&exec, msm_vm_resv_obj(b));
		drm_exec_retry_on_contention(&exec);
		drm_exec_lock_obj(&exec, obj);
		drm_exec_retry_on_contention(&exec);
	}
	va = msm_vm_vma_new(a, obj, 0, U64_MAX);
	vb = msm_vm_vma_new(b, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, va);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vb);
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_bo_find_vma(a, obj), va);
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_bo_find_vma(b, obj), vb);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(a, va, PROT_RW), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(b, vb, PROT_RW), 0);

	msm_vm_bo_unmap(a, obj, false);
	KUNIT_EXPECT_FALSE(test, msm_vm_vma_mapped(a, va));
	KUNIT_EXPECT_TRUE(test, msm_vm_vma_mapped(b, vb));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_2G), conf_bo_phys(obj, 0));
	/* Without close, the VMA stays. */
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_bo_find_vma(a, obj), va);

	msm_vm_bo_unmap(a, obj, true);
	KUNIT_EXPECT_NULL(test, msm_vm_bo_find_vma(a, obj));
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_bo_find_vma(b, obj), vb);
	msm_vm_bo_unmap(b, obj, true);
	drm_exec_fini(&exec);
	msm_vm_put(a);
	msm_vm_put(b);
}

static void unmap_all_vms_with_close_releases_every_vma(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *a = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm *b = conf_vm(test, SZ_2G, SZ_1G, true);
	unsigned int bo_refs = kref_read(&obj->refcount);
	struct msm_vm_live live;
	struct msm_vm_vma *v;
	struct drm_exec exec;
	int ret;

	conf_lock(test, &exec, a, &obj, 1);
	v = msm_vm_vma_new(a, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, v);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(a, v, PROT_RW), 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, msm_vm_vma_new(a, obj, 0, U64_MAX));
	drm_exec_fini(&exec);
	conf_lock(test, &exec, b, &obj, 1);
	v = msm_vm_vma_new(b, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, v);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(b, v, PROT_RW), 0);
	drm_exec_fini(&exec);
	msm_vm_put(a);
	msm_vm_put(b);
	KUNIT_EXPECT_EQ(test, kref_read(&obj->refcount), bo_refs + 2);

	/* As when the BO is freed: lock it and every VM it is in. */
	drm_exec_init(&exec, 0, 0);
	drm_exec_until_all_locked(&exec) {
		ret = drm_exec_lock_obj(&exec, obj);
		drm_exec_retry_on_contention(&exec);
		if (!ret)
			ret = msm_vm_bo_lock_vms(obj, &exec);
		drm_exec_retry_on_contention(&exec);
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	msm_vm_bo_unmap_all_vms(obj, true);
	drm_exec_fini(&exec);

	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_2G), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&obj->refcount), bo_refs);
	/* The VMAs held the VMs: with them gone, so are the VMs. */
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms);
	KUNIT_EXPECT_EQ(test, live.vmas, c->live.vmas);
}

struct conf_print {
	char buf[256];
	size_t len;
};

static void conf_printfn(struct drm_printer *p, struct va_format *vaf)
{
	struct conf_print *out = p->arg;

	out->len += scnprintf(out->buf + out->len, sizeof(out->buf) - out->len,
			      "%pV", vaf);
}

static void describe_lists_every_vma_of_the_bo(struct kunit *test)
{
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct conf_print out = {};
	struct drm_printer p = { .printfn = conf_printfn, .arg = &out };
	const char *first = " vm=conf-managed iova=0x100000 size=0x4000 unmapped";
	const char *second = " vm=conf-managed iova=0x104000 size=0x4000 mapped";
	struct msm_vm_vma *a, *b;
	struct drm_exec exec;

	conf_lock(test, &exec, vm, &obj, 1);
	a = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	b = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, b, PROT_RW), 0);
	msm_vm_bo_describe(obj, &p);
	/* Oldest first, one item each. */
	KUNIT_EXPECT_EQ(test, strncmp(out.buf, first, strlen(first)), 0);
	KUNIT_EXPECT_STREQ(test, out.buf + strlen(first), second);
	msm_vm_bo_unmap(vm, obj, true);
	drm_exec_fini(&exec);
	msm_vm_put(vm);
}

/*
 * msm_vm_close() on a kernel-managed VM (driver unload): every VMA of
 * every BO unmapped and closed, the BO references dropped, and the VM
 * freed with the caller's last reference.
 */
static void close_of_a_kernel_managed_vm_unmaps_and_closes_every_vma(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *objs[] = { conf_bo_new(test, SZ_16K), conf_bo_new(test, SZ_8K) };
	unsigned int refs[] = { kref_read(&objs[0]->refcount), kref_read(&objs[1]->refcount) };
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm_va_info info;
	struct msm_vm_live live;
	struct msm_vm_vma *vma;
	struct drm_exec exec;
	unsigned int i;

	conf_lock(test, &exec, vm, objs, ARRAY_SIZE(objs));
	for (i = 0; i < 3; i++) {
		vma = msm_vm_vma_new(vm, objs[i % 2], 0, U64_MAX);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
		KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), 0);
	}
	drm_exec_fini(&exec);
	KUNIT_EXPECT_NE(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), 0);

	conf_lock_all(test, &exec, vm);
	msm_vm_close(vm);
	KUNIT_EXPECT_EQ(test, msm_vm_vmas(vm, &info, 1), 0);
	drm_exec_fini(&exec);
	for (i = 0; i < (SZ_16K + SZ_8K + SZ_16K) / SZ_4K; i++)
		KUNIT_EXPECT_EQ_MSG(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M + i * SZ_4K), 0,
				    "page %u", i);
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		KUNIT_EXPECT_EQ(test, kref_read(&objs[i]->refcount), refs[i]);
		KUNIT_EXPECT_FALSE(test, msm_vm_bo_has_vmas(objs[i]));
	}
	msm_vm_put(vm);
	conf_live(test, &live);
	KUNIT_EXPECT_EQ(test, live.vms, c->live.vms);
}

/* ---- Lazy teardown ---- */

/*
 * While userspace holds handles (or exports) of a BO, unpinning it leaves
 * its VMAs in a kernel-managed VM, mapped; the last one going tears them
 * down: PTEs gone, VMA closed, BO reference dropped.
 */
static void vmas_stay_until_the_last_handle_goes(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	unsigned int bo_refs = kref_read(&obj->refcount);
	struct msm_vm_vma *vma;
	struct drm_exec exec;
	atomic_t ref = ATOMIC_INIT(0);

	msm_vm_bo_vma_get(&ref);	/* a handle */
	msm_vm_bo_vma_get(&ref);	/* a dma-buf export */
	conf_lock(test, &exec, vm, &obj, 1);
	vma = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), 0);
	drm_exec_fini(&exec);

	msm_vm_bo_vma_put(obj, &ref);
	conf_lock(test, &exec, vm, &obj, 1);
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_bo_find_vma(vm, obj), vma);
	KUNIT_EXPECT_TRUE(test, msm_vm_vma_mapped(vm, vma));
	drm_exec_fini(&exec);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), conf_bo_phys(obj, 0));

	msm_vm_bo_vma_put(obj, &ref);
	conf_lock(test, &exec, vm, &obj, 1);
	KUNIT_EXPECT_NULL(test, msm_vm_bo_find_vma(vm, obj));
	drm_exec_fini(&exec);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&obj->refcount), bo_refs);
	msm_vm_put(vm);
}

/*
 * One BO may have VMAs in several kernel-managed VMs (the KMS VM and the
 * global GPU VM on a2xx-a5xx) and in a VM_BIND VM: the last handle going
 * tears down those of every kernel-managed VM, of both kinds of mapping,
 * and leaves the VM_BIND one, which is userspace's until it unmaps it.
 * The second managed VM and the VM_BIND VM each have a test MMU of their own.
 */
static void the_last_handle_tears_down_the_vmas_of_every_kernel_managed_vm(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm_test_mmu *mmu2 = msm_vm_test_mmu_new(test, c->dev);
	struct msm_vm_test_mmu *mmu3 = msm_vm_test_mmu_new(test, c->dev);
	struct msm_vm *kms = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm *gpu = conf_vm_on(test, mmu2, SZ_1M, SZ_1G, true);
	struct msm_vm *user = conf_vm_on(test, mmu3, SZ_1M, SZ_1G, false);
	const struct drm_msm_vm_bind_op map = MAP(conf_handle(test, obj), 0, SZ_8M, SZ_16K);
	struct msm_vm *vms[] = { kms, gpu };
	atomic_t ref = ATOMIC_INIT(0);
	struct msm_vm_vma *vma;
	struct drm_exec exec;
	unsigned int i;

	msm_vm_bo_vma_get(&ref);
	for (i = 0; i < ARRAY_SIZE(vms); i++) {
		conf_lock(test, &exec, vms[i], &obj, 1);
		vma = msm_vm_vma_new(vms[i], obj, 0, U64_MAX);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
		KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vms[i], vma, PROT_RW), 0);
		drm_exec_fini(&exec);
	}
	KUNIT_ASSERT_EQ(test, conf_bind(test, user, &map, 1), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), conf_bo_phys(obj, 0));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu2, SZ_1M), conf_bo_phys(obj, 0));
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu3, SZ_8M), conf_bo_phys(obj, 0));

	msm_vm_bo_vma_put(obj, &ref);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu2, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu3, SZ_8M), conf_bo_phys(obj, 0));
	conf_lock(test, &exec, user, &obj, 1);
	KUNIT_EXPECT_NULL(test, msm_vm_bo_find_vma(kms, obj));
	KUNIT_EXPECT_NULL(test, msm_vm_bo_find_vma(gpu, obj));
	KUNIT_EXPECT_NOT_NULL(test, msm_vm_bo_find_vma(user, obj));
	/* What the driver's postclose does to a VM_BIND VM. */
	msm_vm_close(user);
	drm_exec_fini(&exec);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(mmu3, SZ_8M), 0);
	KUNIT_EXPECT_FALSE(test, msm_vm_bo_has_vmas(obj));
	msm_vm_put(user);
	msm_vm_put(gpu);
	msm_vm_put(kms);
}

/*
 * A NO_SHARE BO shares its VM's resv: locking it with the VM must not fail
 * with -EALREADY, and its lazy teardown must lock what it shares once.
 */
static void a_no_share_bo_is_locked_once_with_its_vm(struct kunit *test)
{
	struct conf *c = test->priv;
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, true);
	struct drm_gem_object *obj = conf_bo_new_no_share(test, SZ_16K, vm);
	struct msm_vm_trylocks locks;
	atomic_t ref = ATOMIC_INIT(0);
	struct msm_vm_vma *vma;
	struct drm_exec exec;

	KUNIT_ASSERT_PTR_EQ(test, obj->resv, msm_vm_resv_obj(vm)->resv);
	msm_vm_bo_vma_get(&ref);
	conf_lock(test, &exec, vm, &obj, 1);
	vma = msm_vm_vma_new(vm, obj, 0, U64_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
	KUNIT_EXPECT_EQ(test, msm_vm_vma_map(vm, vma, PROT_RW), 0);
	drm_exec_fini(&exec);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), conf_bo_phys(obj, 0));

	/* The shrinker's try-lock skips the resv the BO shares. */
	dma_resv_lock(obj->resv, NULL);
	KUNIT_EXPECT_TRUE(test, msm_vm_bo_trylock_vms(obj, &locks));
	KUNIT_EXPECT_EQ(test, locks.n, 0);
	msm_vm_bo_unlock_vms(&locks);
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(obj->resv));
	dma_resv_unlock(obj->resv);

	msm_vm_bo_vma_put(obj, &ref);
	KUNIT_EXPECT_EQ(test, msm_vm_test_mmu_phys(c->mmu, SZ_1M), 0);
	KUNIT_EXPECT_FALSE(test, msm_vm_bo_has_vmas(obj));
	msm_vm_put(vm);
}

/*
 * The shrinker holds the BO's resv (try-locked, under reclaim) and may only
 * try-lock its VMs: all of them, or none when one is taken.
 */
static void the_shrinker_try_locks_every_vm_of_a_bo_or_none(struct kunit *test)
{
	struct conf *c = test->priv;
	struct drm_gem_object *obj = conf_bo_new(test, SZ_16K);
	struct msm_vm_test_mmu *mmu2 = msm_vm_test_mmu_new(test, c->dev);
	struct msm_vm *vm1 = conf_vm(test, SZ_1M, SZ_1G, true);
	struct msm_vm *vm2 = conf_vm_on(test, mmu2, SZ_1M, SZ_1G, true);
	struct dma_resv *r1 = msm_vm_resv_obj(vm1)->resv, *r2 = msm_vm_resv_obj(vm2)->resv;
	struct msm_vm *vms[] = { vm1, vm2 };
	struct msm_vm_trylocks locks;
	struct ww_acquire_ctx ctx;
	struct msm_vm_vma *vma;
	struct drm_exec exec;
	unsigned int i;

	KUNIT_EXPECT_FALSE(test, msm_vm_bo_has_vmas(obj));
	for (i = 0; i < ARRAY_SIZE(vms); i++) {
		conf_lock(test, &exec, vms[i], &obj, 1);
		vma = msm_vm_vma_new(vms[i], obj, 0, U64_MAX);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vma);
		drm_exec_fini(&exec);
	}
	KUNIT_EXPECT_TRUE(test, msm_vm_bo_has_vmas(obj));

	/*
	 * Someone holds VM 2: neither VM is left locked.  (The BO first:
	 * lockdep folds the locks of one ww context into the entry of the
	 * first, which must then outlive the VMs.)
	 */
	ww_acquire_init(&ctx, &reservation_ww_class);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(obj->resv, &ctx), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(r2, &ctx), 0);
	KUNIT_EXPECT_FALSE(test, msm_vm_bo_trylock_vms(obj, &locks));
	KUNIT_EXPECT_EQ(test, locks.n, 0);
	KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(r1));
	dma_resv_unlock(r2);

	/*
	 * Both free: both locked.  With the driver's references gone, only
	 * the VMAs keep the VMs: closing them all (a purge) frees the VMs
	 * while their resvs are locked, which the references taken keep.
	 */
	msm_vm_put(vm2);
	msm_vm_put(vm1);
	KUNIT_EXPECT_TRUE(test, msm_vm_bo_trylock_vms(obj, &locks));
	KUNIT_EXPECT_EQ(test, locks.n, 2);
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(r1));
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(r2));
	msm_vm_bo_unmap_all_vms(obj, true);
	msm_vm_bo_unlock_vms(&locks);
	dma_resv_unlock(obj->resv);
	ww_acquire_fini(&ctx);
	KUNIT_EXPECT_FALSE(test, msm_vm_bo_has_vmas(obj));
}

/* ---- Unusable VMs ---- */

static void a_vm_is_usable_until_marked_and_keeps_the_first_reason(struct kunit *test)
{
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, false);

	KUNIT_EXPECT_NULL(test, msm_vm_unusable(vm));
	msm_vm_mark_unusable(vm, "gpu fault");
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(vm), "gpu fault");
	msm_vm_mark_unusable(vm, "bind failed");
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(vm), "gpu fault");
	msm_vm_put(vm);
}

static void a_vm_marked_without_a_reason_says_unusable(struct kunit *test)
{
	struct msm_vm *vm = conf_vm(test, SZ_1M, SZ_1G, false);

	msm_vm_mark_unusable(vm, NULL);
	KUNIT_EXPECT_STREQ(test, msm_vm_unusable(vm), "unusable");
	msm_vm_put(vm);
}

static struct kunit_case msm_vm_conformance_cases[] = {
	KUNIT_CASE_PARAM(create_rejects_an_invalid_va_range, core_gen_params),
	KUNIT_CASE_PARAM(create_rejects_a_device_without_gem_gpuva, core_gen_params),
	KUNIT_CASE_PARAM(create_rejects_a_vm_without_mmu_or_bo_funcs, core_gen_params),
	KUNIT_CASE_PARAM(create_rejects_a_user_managed_vm_without_the_bind_callbacks,
			 core_gen_params),
	KUNIT_CASE_PARAM(create_rejects_a_log_above_the_maximum, core_gen_params),
	KUNIT_CASE_PARAM(a_vm_reports_what_it_was_created_with, core_gen_params),
	KUNIT_CASE_PARAM(the_last_put_frees_the_vm, core_gen_params),
	KUNIT_CASE_PARAM(an_open_vma_keeps_its_vm_and_bo_alive, core_gen_params),
	KUNIT_CASE_PARAM(vma_new_takes_the_lowest_free_range, core_gen_params),
	KUNIT_CASE_PARAM(vma_new_stays_inside_the_requested_range, core_gen_params),
	KUNIT_CASE_PARAM(vma_new_without_room_is_enospc_and_changes_nothing, core_gen_params),
	KUNIT_CASE_PARAM(a_closed_range_is_handed_out_again, core_gen_params),
	KUNIT_CASE_PARAM(vma_new_on_a_user_managed_vm_is_einval, core_gen_params),
	KUNIT_CASE_PARAM(map_writes_every_pte_and_unmap_clears_them, core_gen_params),
	KUNIT_CASE_PARAM(map_and_unmap_twice_write_the_page_table_once, core_gen_params),
	KUNIT_CASE_PARAM(a_failed_map_leaves_the_vma_unmapped, core_gen_params),
	KUNIT_CASE_PARAM(two_vmas_of_one_bo_in_one_vm_share_one_vm_bo, core_gen_params),
	KUNIT_CASE_PARAM(unmapping_a_bo_in_one_vm_leaves_its_other_vms, core_gen_params),
	KUNIT_CASE_PARAM(unmap_all_vms_with_close_releases_every_vma, core_gen_params),
	KUNIT_CASE_PARAM(describe_lists_every_vma_of_the_bo, core_gen_params),
	KUNIT_CASE_PARAM(close_of_a_kernel_managed_vm_unmaps_and_closes_every_vma, core_gen_params),
	KUNIT_CASE_PARAM(vmas_stay_until_the_last_handle_goes, core_gen_params),
	KUNIT_CASE_PARAM(the_last_handle_tears_down_the_vmas_of_every_kernel_managed_vm,
			 core_gen_params),
	KUNIT_CASE_PARAM(a_no_share_bo_is_locked_once_with_its_vm, core_gen_params),
	KUNIT_CASE_PARAM(the_shrinker_try_locks_every_vm_of_a_bo_or_none, core_gen_params),
	KUNIT_CASE_PARAM(a_vm_is_usable_until_marked_and_keeps_the_first_reason,
			 core_gen_params),
	KUNIT_CASE_PARAM(a_vm_marked_without_a_reason_says_unusable, core_gen_params),
	{}
};

static struct kunit_suite msm_vm_conformance_suite = {
	.name = "msm_vm_conformance",
	.suite_init = conf_suite_init,
	.suite_exit = conf_suite_exit,
	.init = conf_init,
	.exit = conf_exit,
	.test_cases = msm_vm_conformance_cases,
};

/* ---- The cores built in ---- */

static void every_built_in_core_is_found_by_its_name(struct kunit *test)
{
	const struct msm_vm_funcs *const *core;
	char line[32];

	for (core = msm_vm_cores; *core; core++) {
		KUNIT_EXPECT_PTR_EQ(test, msm_vm_core_by_name((*core)->name), *core);
		/* As written to the module parameter through sysfs. */
		snprintf(line, sizeof(line), "%s\n", (*core)->name);
		KUNIT_EXPECT_PTR_EQ(test, msm_vm_core_by_name(line), *core);
	}
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_cores[0], &msm_vm_c_funcs);
	KUNIT_EXPECT_EQ(test, !!msm_vm_core_by_name("rust"), IS_ENABLED(CONFIG_DRM_MSM_VM_RUST));
}

static void an_unknown_core_name_finds_no_core(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, msm_vm_core_by_name("cobol"));
	KUNIT_EXPECT_NULL(test, msm_vm_core_by_name("rus"));
	KUNIT_EXPECT_NULL(test, msm_vm_core_by_name(""));
	KUNIT_EXPECT_NULL(test, msm_vm_core_by_name(NULL));
}

/*
 * The msm_vm.vm_core parameter chooses the core of the VMs created after
 * it is written, each built-in one by its name; an unknown name is refused
 * and changes nothing.  The C core is the default until then.
 */
static void the_default_core_is_the_one_the_parameter_names(struct kunit *test)
{
	const struct msm_vm_funcs *const *core;
	const struct msm_vm_funcs *old = msm_vm_default_core();

	KUNIT_EXPECT_PTR_EQ(test, msm_vm_core_by_name(old->name), old);
	for (core = msm_vm_cores; *core; core++) {
		KUNIT_EXPECT_EQ(test, msm_vm_set_default_core((*core)->name), 0);
		KUNIT_EXPECT_PTR_EQ(test, msm_vm_default_core(), *core);
		KUNIT_EXPECT_EQ(test, msm_vm_set_default_core("nonesuch"), -EINVAL);
		KUNIT_EXPECT_PTR_EQ(test, msm_vm_default_core(), *core);
	}
	/* As sysfs writes it, with a newline. */
	KUNIT_EXPECT_EQ(test, msm_vm_set_default_core("c\n"), 0);
	KUNIT_EXPECT_PTR_EQ(test, msm_vm_default_core(), &msm_vm_c_funcs);
	KUNIT_EXPECT_EQ(test, msm_vm_set_default_core(old->name), 0);
}

static struct kunit_case msm_vm_cores_cases[] = {
	KUNIT_CASE(every_built_in_core_is_found_by_its_name),
	KUNIT_CASE(an_unknown_core_name_finds_no_core),
	KUNIT_CASE(the_default_core_is_the_one_the_parameter_names),
	{}
};

static struct kunit_suite msm_vm_cores_suite = {
	.name = "msm_vm_cores",
	.test_cases = msm_vm_cores_cases,
};

kunit_test_suites(&msm_vm_conformance_suite, &msm_vm_cores_suite);

MODULE_DESCRIPTION("Conformance suite of the msm GPU VM contract");
MODULE_LICENSE("GPL");
