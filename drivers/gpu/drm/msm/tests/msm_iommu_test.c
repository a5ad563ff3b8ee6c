// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit cases for the per-process pagetables of msm_iommu.c, the MMU of
 * the VM core's user-managed VMs: what the VM core asks of it (msm_mmu.h,
 * the members from prealloc_count on), on a fake SMMU.  Included at the
 * end of msm_iommu.c, so that the cases reach its static functions.
 *
 * The fake: a parent msm_iommu whose iommu_domain only takes TLB flushes,
 * and a KUnit device carrying the adreno_smmu_priv that arm-smmu-qcom
 * would fill, with the TTBR1 configuration of a 48-bit, 4 KiB-granule
 * GPU SMMU.  The pagetables are real io-pgtable-arm tables in RAM.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/pm_runtime.h>
#include <linux/sizes.h>

struct msm_iommu_test {
	struct device *dev;
	struct adreno_smmu_priv priv;
	struct io_pgtable_cfg ttbr1_cfg;
	struct io_pgtable_cfg ttbr0_cfg;	/* what set_ttbr0_cfg() got last */
	int ttbr0_sets;
	struct iommu_domain domain;
	struct msm_iommu *iommu;
	struct msm_mmu *mmu;
	struct page *pages[8];
	struct sg_table sgt;
};

static void fake_tlb_flush_all(void *cookie)
{
}

static void fake_tlb_flush_walk(unsigned long iova, size_t size, size_t granule, void *cookie)
{
}

static const struct iommu_flush_ops fake_tlb_ops = {
	.tlb_flush_all = fake_tlb_flush_all,
	.tlb_flush_walk = fake_tlb_flush_walk,
};

static void fake_flush_iotlb_all(struct iommu_domain *domain)
{
}

static const struct iommu_domain_ops fake_domain_ops = {
	.flush_iotlb_all = fake_flush_iotlb_all,
};

static const struct io_pgtable_cfg *fake_get_ttbr1_cfg(const void *cookie)
{
	const struct msm_iommu_test *t = cookie;

	return &t->ttbr1_cfg;
}

static int fake_set_ttbr0_cfg(const void *cookie, const struct io_pgtable_cfg *cfg)
{
	struct msm_iommu_test *t = (struct msm_iommu_test *)cookie;

	/* The pagetable passes a copy on its stack: keep one. */
	if (cfg) {
		t->ttbr0_cfg = *cfg;
		t->ttbr0_sets++;
	}
	return 0;
}

static void msm_iommu_test_pm_disable(void *dev)
{
	pm_runtime_disable(dev);
}

static int msm_iommu_test_init(struct kunit *test)
{
	struct msm_iommu_test *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;

	t->dev = kunit_device_register(test, "msm_iommu_test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->dev);
	/* Suspended, so the pagetables' TLB callbacks do nothing. */
	pm_runtime_enable(t->dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, msm_iommu_test_pm_disable,
							t->dev), 0);

	t->ttbr1_cfg = (struct io_pgtable_cfg) {
		.quirks = IO_PGTABLE_QUIRK_ARM_TTBR1,
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.ias = 48,
		.oas = 48,
		.coherent_walk = true,
		.tlb = &fake_tlb_ops,
		.iommu_dev = t->dev,
	};
	t->priv = (struct adreno_smmu_priv) {
		.cookie = t,
		.get_ttbr1_cfg = fake_get_ttbr1_cfg,
		.set_ttbr0_cfg = fake_set_ttbr0_cfg,
	};
	dev_set_drvdata(t->dev, &t->priv);
	t->domain.ops = &fake_domain_ops;

	t->iommu = kzalloc(sizeof(*t->iommu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->iommu);
	t->iommu->domain = &t->domain;
	mutex_init(&t->iommu->init_lock);
	msm_mmu_init(&t->iommu->base, t->dev, &funcs, MSM_MMU_IOMMU);

	t->mmu = msm_iommu_pagetable_create(&t->iommu->base);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->mmu);

	/* A BO of 8 pages that are not contiguous: every other one. */
	for (i = 0; i < ARRAY_SIZE(t->pages); i++) {
		t->pages[i] = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
		KUNIT_ASSERT_NOT_NULL(test, t->pages[i]);
	}
	{
		struct page *pg[ARRAY_SIZE(t->pages)];

		for (i = 0; i < ARRAY_SIZE(pg); i++)
			pg[i] = t->pages[i];
		KUNIT_ASSERT_EQ(test, sg_alloc_table_from_pages(&t->sgt, pg, ARRAY_SIZE(pg), 0,
								ARRAY_SIZE(pg) * PAGE_SIZE,
								GFP_KERNEL), 0);
	}
	return 0;
}

static void msm_iommu_test_exit(struct kunit *test)
{
	struct msm_iommu_test *t = test->priv;
	unsigned int i;

	if (!IS_ERR_OR_NULL(t->mmu))
		t->mmu->funcs->destroy(t->mmu);
	sg_free_table(&t->sgt);
	for (i = 0; i < ARRAY_SIZE(t->pages); i++)
		if (t->pages[i])
			__free_pages(t->pages[i], 1);
	if (t->iommu) {
		if (t->iommu->prr_page)
			__free_page(t->iommu->prr_page);
		mutex_destroy(&t->iommu->init_lock);
		kfree(t->iommu);
	}
}

static phys_addr_t pt_phys(struct msm_iommu_test *t, u64 iova)
{
	struct io_pgtable_ops *ops = to_pagetable(t->mmu)->pgtbl_ops;

	return ops->iova_to_phys(ops, iova);
}

/* Count, allocate and attach a pre-allocation for the ranges given. */
static void prealloc_for(struct kunit *test, struct msm_mmu_prealloc *p,
			 const u64 (*ranges)[2], unsigned int n)
{
	struct msm_iommu_test *t = test->priv;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++)
		t->mmu->funcs->prealloc_count(t->mmu, p, ranges[i][0], ranges[i][1]);
	KUNIT_ASSERT_EQ(test, t->mmu->funcs->prealloc_allocate(t->mmu, p), 0);
	t->mmu->prealloc = p;
}

static void prealloc_done(struct kunit *test, struct msm_mmu_prealloc *p)
{
	struct msm_iommu_test *t = test->priv;

	t->mmu->prealloc = NULL;
	t->mmu->funcs->prealloc_cleanup(t->mmu, p);
	KUNIT_EXPECT_NULL(test, p->pages);
}

static void first_pagetable_sets_ttbr0_up_without_the_ttbr1_quirk(struct kunit *test)
{
	struct msm_iommu_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, t->ttbr0_sets, 1);
	KUNIT_EXPECT_FALSE(test, t->ttbr0_cfg.quirks & IO_PGTABLE_QUIRK_ARM_TTBR1);
	KUNIT_EXPECT_TRUE(test, t->ttbr0_cfg.quirks & IO_PGTABLE_QUIRK_NO_WARN);
	KUNIT_EXPECT_NOT_NULL(test, t->iommu->prr_page);
}

/*
 * Ranges in address order, across 2 MiB, 1 GiB and 512 GiB boundaries:
 * the count is exactly what mapping them on empty tables takes.
 */
static void prealloc_of_sorted_maps_is_exact(struct kunit *test)
{
	static const u64 ranges[][2] = {
		{ SZ_2M - SZ_8K, SZ_16K },		/* two last-level tables */
		{ SZ_1G - SZ_4K, SZ_8K },		/* two 1 GiB tables */
		{ SZ_1G + SZ_4K, SZ_4K },		/* shares both with the one before */
		{ (512ull << 30) - SZ_4K, SZ_8K },	/* two 512 GiB tables */
	};
	struct msm_iommu_test *t = test->priv;
	struct msm_mmu_prealloc p;
	unsigned int i;

	prealloc_for(test, &p, ranges, ARRAY_SIZE(ranges));
	/* 512 GiB tables: 1 + 1; 1 GiB: 1 + 1 + 0 + 2; 2 MiB: 2 + 2 + 0 + 2 */
	KUNIT_EXPECT_EQ(test, p.count, 2 + 4 + 6);
	for (i = 0; i < ARRAY_SIZE(ranges); i++)
		KUNIT_ASSERT_EQ(test, t->mmu->funcs->map_sg(t->mmu, ranges[i][0], t->sgt.sgl, 0,
							    ranges[i][1], IOMMU_READ), 0);
	KUNIT_EXPECT_EQ(test, p.ptr, p.count);
	prealloc_done(test, &p);
	for (i = 0; i < ARRAY_SIZE(ranges); i++)
		KUNIT_EXPECT_EQ(test, pt_phys(t, ranges[i][0]), page_to_phys(t->pages[0]));
}

/* The same ranges backwards: never short, whatever the order. */
static void prealloc_of_unsorted_maps_is_never_short(struct kunit *test)
{
	static const u64 ranges[][2] = {
		{ (512ull << 30) - SZ_4K, SZ_8K },
		{ SZ_1G + SZ_4K, SZ_4K },
		{ SZ_1G - SZ_4K, SZ_8K },
		{ SZ_2M - SZ_8K, SZ_16K },
	};
	struct msm_iommu_test *t = test->priv;
	struct msm_mmu_prealloc p;
	unsigned int i;

	prealloc_for(test, &p, ranges, ARRAY_SIZE(ranges));
	for (i = 0; i < ARRAY_SIZE(ranges); i++)
		KUNIT_ASSERT_EQ(test, t->mmu->funcs->map_sg(t->mmu, ranges[i][0], t->sgt.sgl, 0,
							    ranges[i][1], IOMMU_READ), 0);
	KUNIT_EXPECT_LE(test, p.ptr, p.count);
	prealloc_done(test, &p);
}

/* While a pre-allocation is set, a map past it fails; nothing is allocated. */
static void map_beyond_the_prealloc_fails_and_leaves_nothing(struct kunit *test)
{
	static const u64 ranges[][2] = { { SZ_2M - SZ_4K, SZ_4K } };
	struct msm_iommu_test *t = test->priv;
	struct msm_mmu_prealloc p;

	prealloc_for(test, &p, ranges, 1);
	/* Tables for a second 2 MiB block were not counted. */
	KUNIT_EXPECT_NE(test, t->mmu->funcs->map_sg(t->mmu, SZ_2M - SZ_4K, t->sgt.sgl, 0,
						    SZ_8K, IOMMU_READ), 0);
	KUNIT_EXPECT_EQ(test, pt_phys(t, SZ_2M - SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, pt_phys(t, SZ_2M), 0);
	prealloc_done(test, &p);
}

/* map_sg at a BO offset: page k of the range is page skip/4K + k of the BO. */
static void map_sg_starts_at_the_bo_offset(struct kunit *test)
{
	struct msm_iommu_test *t = test->priv;
	const u64 iova = SZ_1G;
	struct scatterlist *sg;
	unsigned int k, first = 0;
	size_t skip = 5 * SZ_4K;

	/* The caller found the entry holding the offset: start from it. */
	for (sg = t->sgt.sgl; skip >= sg->length; sg = sg_next(sg)) {
		skip -= sg->length;
		first += sg->length / SZ_4K;
	}
	KUNIT_ASSERT_EQ(test, t->mmu->funcs->map_sg(t->mmu, iova, sg, skip, 3 * SZ_4K,
						    IOMMU_READ | IOMMU_WRITE), 0);
	for (k = 0; k < 3; k++)
		KUNIT_EXPECT_EQ(test, pt_phys(t, iova + k * SZ_4K),
				page_to_phys(t->pages[first + skip / SZ_4K + k]));
	KUNIT_EXPECT_EQ(test, pt_phys(t, iova + 3 * SZ_4K), 0);
}

/* A range longer than the pages left: -EINVAL, and nothing stays mapped. */
static void map_sg_past_the_pages_fails_and_leaves_nothing(struct kunit *test)
{
	struct msm_iommu_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, t->mmu->funcs->map_sg(t->mmu, SZ_1G, t->sgt.sgl, 6 * SZ_4K,
						    4 * SZ_4K, IOMMU_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_phys(t, SZ_1G), 0);
	KUNIT_EXPECT_EQ(test, pt_phys(t, SZ_1G + SZ_4K), 0);
}

/* Mapped runs with holes between them unmap without a WARN (the run fails on one). */
static void unmap_skips_holes_silently(struct kunit *test)
{
	struct msm_iommu_test *t = test->priv;
	const u64 base = SZ_2M;
	unsigned int k;

	KUNIT_ASSERT_EQ(test, t->mmu->funcs->map_sg(t->mmu, base + SZ_4K, t->sgt.sgl, 0, SZ_8K,
						    IOMMU_READ), 0);
	KUNIT_ASSERT_EQ(test, t->mmu->funcs->map_sg(t->mmu, base + 6 * SZ_4K, t->sgt.sgl, 0,
						    SZ_4K, IOMMU_READ), 0);
	/* Holes at both ends and in the middle; then a whole empty 2 MiB block. */
	KUNIT_EXPECT_EQ(test, t->mmu->funcs->unmap(t->mmu, base, 8 * SZ_4K), 0);
	for (k = 0; k < 8; k++)
		KUNIT_EXPECT_EQ(test, pt_phys(t, base + k * SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, t->mmu->funcs->unmap(t->mmu, 4 * SZ_2M, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, t->mmu->funcs->unmap(t->mmu, 512ull << 30, SZ_4K), 0);
}

/* MAP_NULL: every page of the range is the zeroed PRR page, with the prot given. */
static void map_prr_maps_every_page_to_the_prr_page(struct kunit *test)
{
	struct msm_iommu_test *t = test->priv;
	struct io_pgtable_ops *ops = to_pagetable(t->mmu)->pgtbl_ops;
	phys_addr_t prr = page_to_phys(t->iommu->prr_page);
	const u64 iova = SZ_2M - 2 * SZ_4K;
	unsigned int k;

	KUNIT_ASSERT_EQ(test, t->mmu->funcs->map_prr(t->mmu, iova, 5 * SZ_4K,
						     IOMMU_READ | IOMMU_WRITE), 0);
	for (k = 0; k < 5; k++)
		KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova + k * SZ_4K), prr);
	KUNIT_EXPECT_EQ(test, pt_phys(t, iova + 5 * SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, t->mmu->funcs->unmap(t->mmu, iova, 5 * SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, pt_phys(t, iova), 0);
}

static struct kunit_case msm_iommu_pagetable_cases[] = {
	KUNIT_CASE(first_pagetable_sets_ttbr0_up_without_the_ttbr1_quirk),
	KUNIT_CASE(prealloc_of_sorted_maps_is_exact),
	KUNIT_CASE(prealloc_of_unsorted_maps_is_never_short),
	KUNIT_CASE(map_beyond_the_prealloc_fails_and_leaves_nothing),
	KUNIT_CASE(map_sg_starts_at_the_bo_offset),
	KUNIT_CASE(map_sg_past_the_pages_fails_and_leaves_nothing),
	KUNIT_CASE(unmap_skips_holes_silently),
	KUNIT_CASE(map_prr_maps_every_page_to_the_prr_page),
	{}
};

static struct kunit_suite msm_iommu_pagetable_suite = {
	.name = "msm_iommu_pagetable",
	.init = msm_iommu_test_init,
	.exit = msm_iommu_test_exit,
	.test_cases = msm_iommu_pagetable_cases,
};

kunit_test_suite(msm_iommu_pagetable_suite);
