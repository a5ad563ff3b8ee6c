// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test MMU of the msm VM conformance suite (see msm_vm_test_mmu.h).
 */

#include <kunit/test.h>

#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "msm_vm_test_mmu.h"

static struct msm_vm_test_mmu *to_test_mmu(struct msm_mmu *mmu)
{
	return container_of(mmu, struct msm_vm_test_mmu, base);
}

static void *test_pt_alloc(void *cookie, size_t size, gfp_t gfp)
{
	struct msm_vm_test_mmu *mmu = cookie;
	void *p = (void *)__get_free_pages(gfp | __GFP_ZERO, get_order(size));

	if (p)
		mmu->table_pages += 1 << get_order(size);
	return p;
}

static void test_pt_free(void *cookie, void *pages, size_t size)
{
	struct msm_vm_test_mmu *mmu = cookie;

	mmu->table_pages -= 1 << get_order(size);
	free_pages((unsigned long)pages, get_order(size));
}

/* Like msm, the test MMU unmaps without a gather and flushes by itself. */
static void test_tlb_flush_all(void *cookie)
{
}

static void test_tlb_flush_walk(unsigned long iova, size_t size,
				size_t granule, void *cookie)
{
}

static const struct iommu_flush_ops test_flush_ops = {
	.tlb_flush_all = test_tlb_flush_all,
	.tlb_flush_walk = test_tlb_flush_walk,
};

static int test_mmu_unmap(struct msm_mmu *_mmu, u64 iova, size_t len)
{
	struct msm_vm_test_mmu *mmu = to_test_mmu(_mmu);
	struct io_pgtable_ops *ops = mmu->pgtbl;
	size_t done;

	mmu->unmap_calls++;
	/* unmap_pages() stops at table boundaries and at holes: go on. */
	while (len) {
		done = ops->unmap_pages(ops, iova, SZ_4K, len / SZ_4K, NULL);
		if (!done)
			done = SZ_4K;
		iova += done;
		len -= done;
	}
	return 0;
}

static int test_mmu_map(struct msm_mmu *_mmu, u64 iova, struct sg_table *sgt,
			size_t len, int prot)
{
	struct msm_vm_test_mmu *mmu = to_test_mmu(_mmu);
	struct io_pgtable_ops *ops = mmu->pgtbl;
	bool fail = ++mmu->map_calls == mmu->fail_map_at;
	u64 addr = iova, end = iova + len;
	struct scatterlist *sg;
	unsigned int i;
	int ret = 0;

	for_each_sgtable_sg(sgt, sg, i) {
		size_t size = min_t(size_t, sg->length, end - addr);
		size_t mapped = 0;

		if (!size)
			break;
		if (fail)
			size = SZ_4K;
		ret = ops->map_pages(ops, addr, sg_phys(sg), SZ_4K, size / SZ_4K,
				     prot, GFP_KERNEL, &mapped);
		addr += mapped;
		if (!ret && fail)
			ret = -ENOMEM;
		if (ret)
			break;
	}
	if (!ret && addr != end)
		ret = -EINVAL;	/* the table is shorter than the range */
	if (ret && addr != iova) {
		test_mmu_unmap(_mmu, iova, addr - iova);
		mmu->unmap_calls--;
	}
	return ret;
}

static void test_mmu_detach(struct msm_mmu *mmu)
{
}

static void test_mmu_destroy(struct msm_mmu *mmu)
{
}

static const struct msm_mmu_funcs test_mmu_funcs = {
	.detach = test_mmu_detach,
	.map = test_mmu_map,
	.unmap = test_mmu_unmap,
	.destroy = test_mmu_destroy,
};

static void test_mmu_release(void *data)
{
	struct msm_vm_test_mmu *mmu = data;

	free_io_pgtable_ops(mmu->pgtbl);
}

struct msm_vm_test_mmu *msm_vm_test_mmu_new(struct kunit *test, struct device *dev)
{
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap = SZ_4K,
		.ias = 48,
		.oas = 48,
		.coherent_walk = true,
		.tlb = &test_flush_ops,
		.iommu_dev = dev,
		.alloc = test_pt_alloc,
		.free = test_pt_free,
	};
	struct msm_vm_test_mmu *mmu;

	mmu = kunit_kzalloc(test, sizeof(*mmu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mmu);
	mmu->pgtbl = alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, mmu);
	KUNIT_ASSERT_NOT_NULL(test, mmu->pgtbl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_mmu_release, mmu), 0);
	msm_mmu_init(&mmu->base, dev, &test_mmu_funcs, MSM_MMU_IOMMU_PAGETABLE);
	return mmu;
}

phys_addr_t msm_vm_test_mmu_phys(struct msm_vm_test_mmu *mmu, u64 iova)
{
	return mmu->pgtbl->iova_to_phys(mmu->pgtbl, iova);
}
