// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test MMU of the msm VM conformance suite (see msm_vm_test_mmu.h).
 */

#include <kunit/test.h>

#include <linux/bitfield.h>
#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "../msm_vm.h"
#include "msm_vm_test_mmu.h"

static struct msm_vm_test_mmu *to_test_mmu(struct msm_mmu *mmu)
{
	return container_of(mmu, struct msm_vm_test_mmu, base);
}

static void *test_pt_alloc(void *cookie, size_t size, gfp_t gfp)
{
	struct msm_vm_test_mmu *mmu = cookie;
	struct msm_mmu_prealloc *pre = mmu->base.prealloc;
	void *p;

	/* A bind job runs: tables come from its pre-allocation only. */
	if (pre) {
		if (size != PAGE_SIZE || pre->ptr >= pre->count) {
			mmu->prealloc_short++;
			return NULL;
		}
		p = pre->pages[pre->ptr++];
		mmu->prealloc_used++;
		mmu->table_pages++;
		return p;
	}
	p = (void *)__get_free_pages(gfp | __GFP_ZERO, get_order(size));
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

/*
 * Unmap the mapped runs of [@iova, @iova + @len) and skip the holes, as the
 * VM cores require: io-pgtable-arm WARNs when asked to unmap an empty PTE.
 */
static int test_mmu_unmap(struct msm_mmu *_mmu, u64 iova, size_t len)
{
	struct msm_vm_test_mmu *mmu = to_test_mmu(_mmu);
	struct io_pgtable_ops *ops = mmu->pgtbl;
	u64 end = iova + len, run;
	size_t done;

	mmu->unmap_calls++;
	while (iova < end) {
		if (!ops->iova_to_phys(ops, iova)) {
			iova += SZ_4K;
			continue;
		}
		for (run = iova; run < end && ops->iova_to_phys(ops, run); run += SZ_4K)
			;
		/* unmap_pages() stops at table boundaries: go on. */
		while (iova < run) {
			done = ops->unmap_pages(ops, iova, SZ_4K, (run - iova) / SZ_4K, NULL);
			if (WARN_ON(!done))
				return -EINVAL;
			iova += done;
		}
	}
	return 0;
}

/*
 * Map @len bytes at @iova: from the pages of @sg on, @skip bytes into it,
 * or all to one page (@sg NULL, PRR).  On failure nothing stays mapped.
 */
static int test_mmu_map_from(struct msm_vm_test_mmu *mmu, u64 iova, struct scatterlist *sg,
			     size_t skip, size_t len, int prot)
{
	struct io_pgtable_ops *ops = mmu->pgtbl;
	bool fail = ++mmu->map_calls == mmu->fail_map_at;
	phys_addr_t prr = page_to_phys(mmu->prr_page);
	u64 addr = iova, end = iova + len;
	int ret = 0;

	while (addr < end && (sg || !skip)) {
		size_t size, mapped = 0;
		phys_addr_t pa;

		if (sg && skip >= sg->length) {
			skip -= sg->length;
			sg = sg_next(sg);
			continue;
		}
		size = sg ? min_t(u64, sg->length - skip, end - addr) : SZ_4K;
		pa = sg ? sg_phys(sg) + skip : prr;
		if (fail)
			size = SZ_4K;
		ret = ops->map_pages(ops, addr, pa, SZ_4K, size / SZ_4K, prot,
				     GFP_KERNEL, &mapped);
		addr += mapped;
		if (!ret && fail)
			ret = -ENOMEM;
		if (ret)
			break;
		/*
		 * map_pages() stops at the end of a last-level table: the rest
		 * of this entry comes next, as msm_iommu's map loop does it.
		 */
		if (sg && mapped < size) {
			skip += mapped;
			continue;
		}
		if (sg) {
			skip = 0;
			sg = sg_next(sg);
		}
	}
	if (!ret && addr != end)
		ret = -EINVAL;	/* the pages are shorter than the range */
	if (ret && addr != iova) {
		test_mmu_unmap(&mmu->base, iova, addr - iova);
		mmu->unmap_calls--;
	}
	return ret;
}

static int test_mmu_map(struct msm_mmu *mmu, u64 iova, struct sg_table *sgt,
			size_t len, int prot)
{
	return test_mmu_map_from(to_test_mmu(mmu), iova, sgt->sgl, 0, len, prot);
}

static int test_mmu_map_sg(struct msm_mmu *mmu, u64 iova, struct scatterlist *sg,
			   size_t skip, size_t len, int prot)
{
	return test_mmu_map_from(to_test_mmu(mmu), iova, sg, skip, len, prot);
}

static int test_mmu_map_prr(struct msm_mmu *mmu, u64 iova, size_t len, int prot)
{
	return test_mmu_map_from(to_test_mmu(mmu), iova, NULL, 0, len, prot);
}

/*
 * As msm_iommu counts: one table per 512 GiB, 1 GiB and 2 MiB block spanned,
 * less the one of each level a range at or above the previous one's end
 * shares with it (msm_mmu.h, &msm_mmu_funcs.prealloc_count).
 */
static void test_prealloc_count(struct msm_mmu *mmu, struct msm_mmu_prealloc *p,
				u64 iova, u64 len)
{
	static const unsigned int shifts[] = { 39, 30, 21 };
	bool after = p->last_end && iova >= p->last_end;
	u64 end = iova + len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shifts); i++) {
		u64 block = 1ULL << shifts[i], first = ALIGN_DOWN(iova, block);

		p->count += (ALIGN(end, block) - first) >> shifts[i];
		if (after && first == ALIGN_DOWN(p->last_end - 1, block))
			p->count--;
	}
	p->last_end = end;
}

static void test_prealloc_cleanup(struct msm_mmu *_mmu, struct msm_mmu_prealloc *p)
{
	struct msm_vm_test_mmu *mmu = to_test_mmu(_mmu);
	u64 i;

	for (i = p->ptr; p->pages && i < p->count; i++) {
		free_page((unsigned long)p->pages[i]);
		mmu->prealloc_returned++;
	}
	kvfree(p->pages);
	p->pages = NULL;
}

static int test_prealloc_allocate(struct msm_mmu *_mmu, struct msm_mmu_prealloc *p)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
	struct msm_vm_test_mmu *mmu = to_test_mmu(_mmu);
	u64 i;

	if (mmu->fail_prealloc)
		return -ENOMEM;
	/* The VM core caps the count: it fits in a size_t. */
	if (WARN_ON(p->count > MSM_VM_JOB_PAGES_MAX))
		return -ENOMEM;
	p->pages = kvmalloc_array(p->count, sizeof(*p->pages), gfp);
	if (!p->pages)
		return -ENOMEM;
	for (i = 0; i < p->count; i++) {
		p->pages[i] = (void *)get_zeroed_page(gfp);
		if (!p->pages[i]) {
			/* Never handed out: not counted as returned either. */
			while (i--)
				free_page((unsigned long)p->pages[i]);
			kvfree(p->pages);
			p->pages = NULL;
			return -ENOMEM;
		}
	}
	p->ptr = 0;
	mmu->prealloc_allocated += p->count;
	return 0;
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
	.prealloc_count = test_prealloc_count,
	.prealloc_allocate = test_prealloc_allocate,
	.prealloc_cleanup = test_prealloc_cleanup,
	.map_sg = test_mmu_map_sg,
	.map_prr = test_mmu_map_prr,
};

static void test_mmu_release(void *data)
{
	struct msm_vm_test_mmu *mmu = data;

	free_io_pgtable_ops(mmu->pgtbl);
	__free_page(mmu->prr_page);
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
	mmu->prr_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, mmu->prr_page);
	mmu->pgtbl = alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, mmu);
	if (!mmu->pgtbl)
		__free_page(mmu->prr_page);
	KUNIT_ASSERT_NOT_NULL(test, mmu->pgtbl);
	mmu->ttbr = cfg.arm_lpae_s1_cfg.ttbr;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_mmu_release, mmu), 0);
	msm_mmu_init(&mmu->base, dev, &test_mmu_funcs, MSM_MMU_IOMMU_PAGETABLE);
	return mmu;
}

void msm_vm_test_mmu_free(struct kunit *test, struct msm_vm_test_mmu *mmu)
{
	kunit_release_action(test, test_mmu_release, mmu);
	kunit_kfree(test, mmu);
}

phys_addr_t msm_vm_test_mmu_phys(struct msm_vm_test_mmu *mmu, u64 iova)
{
	return mmu->pgtbl->iova_to_phys(mmu->pgtbl, iova);
}

/*
 * The VMSAv8-64 stage 1 descriptor, 4 KiB granule (Arm ARM D8.3): what
 * io-pgtable-arm writes, read back here without its private helpers.
 */
#define DESC_VALID		BIT_ULL(0)
#define DESC_TABLE		BIT_ULL(1)	/* table at levels 0-2, page at 3 */
#define DESC_ADDR		GENMASK_ULL(47, 12)
#define DESC_ATTRINDX		GENMASK_ULL(4, 2)
#define DESC_AP_UNPRIV		BIT_ULL(6)	/* AP[1]: EL0 may access */
#define DESC_AP_RDONLY		BIT_ULL(7)	/* AP[2]: read-only */
#define DESC_XN			GENMASK_ULL(54, 53)	/* UXN and PXN */
/* io-pgtable-arm's MAIR slots: 0 non-cacheable, 1 cacheable, 2 device. */
#define MAIR_IDX_CACHE		1
#define MAIR_IDX_DEV		2

int msm_vm_test_mmu_prot(struct msm_vm_test_mmu *mmu, u64 iova)
{
	u64 *table = phys_to_virt(mmu->ttbr & DESC_ADDR);
	unsigned int level;
	u64 pte = 0;
	int prot;

	for (level = 0; level < 4; level++) {
		pte = READ_ONCE(table[(iova >> (39 - 9 * level)) & 511]);
		if (!(pte & DESC_VALID))
			return -ENOENT;
		/* A block (levels 1 and 2), or a page at the last level. */
		if (!(pte & DESC_TABLE) || level == 3)
			break;
		table = phys_to_virt(pte & DESC_ADDR);
	}
	if (level == 3 && !(pte & DESC_TABLE))
		return -EINVAL;	/* reserved encoding */
	prot = IOMMU_READ;
	if (!(pte & DESC_AP_RDONLY))
		prot |= IOMMU_WRITE;
	if (!(pte & DESC_AP_UNPRIV))
		prot |= IOMMU_PRIV;
	if (FIELD_GET(DESC_ATTRINDX, pte) == MAIR_IDX_CACHE)
		prot |= IOMMU_CACHE;
	if (FIELD_GET(DESC_ATTRINDX, pte) == MAIR_IDX_DEV)
		prot |= IOMMU_MMIO;
	if (pte & DESC_XN)
		prot |= IOMMU_NOEXEC;
	return prot;
}
