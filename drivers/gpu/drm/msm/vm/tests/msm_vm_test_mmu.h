/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test MMU: the msm_mmu_funcs the VM cores call, implemented on a real
 * io-pgtable-arm ARM_64_LPAE_S1 table (4K granule, 48-bit, coherent walk),
 * so that tests read back real PTEs and count real page-table pages.
 */
#ifndef __MSM_VM_TEST_MMU_H__
#define __MSM_VM_TEST_MMU_H__

#include <linux/types.h>

#include "../../msm_mmu.h"

struct io_pgtable_ops;
struct kunit;

/**
 * struct msm_vm_test_mmu - a test MMU
 * @base: what the VM cores see
 * @pgtbl: the io-pgtable-arm table
 * @table_pages: page-table pages allocated and not yet freed
 * @map_calls: calls of &msm_mmu_funcs.map
 * @unmap_calls: calls of &msm_mmu_funcs.unmap
 * @fail_map_at: if not zero, the map call with this number (counting from
 *	1, as @map_calls does; map, map_sg and map_prr alike) maps its first
 *	page and then fails with -ENOMEM, undoing what it mapped, as a real
 *	MMU must
 * @fail_prealloc: prealloc_allocate fails with -ENOMEM
 * @prealloc_allocated: pages handed out by prealloc_allocate, in total
 * @prealloc_used: of those, pages io-pgtable took as tables
 * @prealloc_returned: of those, pages given back unused by prealloc_cleanup
 * @prealloc_short: tables io-pgtable asked for while a job ran and none was
 *	left in the job's pre-allocation (a count too low); must stay 0
 * @prr_page: the page MAP_NULL ranges map to
 * @ttbr: physical address of the top-level table, for msm_vm_test_mmu_prot()
 */
struct msm_vm_test_mmu {
	struct msm_mmu base;
	struct io_pgtable_ops *pgtbl;
	long table_pages;
	unsigned int map_calls;
	unsigned int unmap_calls;
	unsigned int fail_map_at;
	bool fail_prealloc;
	long prealloc_allocated;
	long prealloc_used;
	long prealloc_returned;
	long prealloc_short;
	struct page *prr_page;
	u64 ttbr;
};

/**
 * msm_vm_test_mmu_new() - make a test MMU, freed when @test ends
 * @test: the test
 * @dev: device for io-pgtable
 *
 * Return: the MMU; the test fails if it cannot be made.
 */
struct msm_vm_test_mmu *msm_vm_test_mmu_new(struct kunit *test, struct device *dev);

/**
 * msm_vm_test_mmu_free() - free a test MMU before @test ends
 * @test: the test that made it
 * @mmu: the MMU; no VM may use it any more
 *
 * Frees its page tables and @mmu itself.
 */
void msm_vm_test_mmu_free(struct kunit *test, struct msm_vm_test_mmu *mmu);

/**
 * msm_vm_test_mmu_phys() - what a GPU address translates to
 * @mmu: the test MMU
 * @iova: the address
 *
 * Return: the physical address, or 0 if @iova is not mapped.
 */
phys_addr_t msm_vm_test_mmu_phys(struct msm_vm_test_mmu *mmu, u64 iova);

/**
 * msm_vm_test_mmu_prot() - the protection a GPU address is mapped with
 * @mmu: the test MMU
 * @iova: the address
 *
 * Decodes the page-table entry io-pgtable-arm wrote (walked here, not
 * through io-pgtable): AP[2] read-only, AP[1] unprivileged, the MAIR index
 * (cacheable or device) and XN, back into IOMMU_* flags.
 *
 * Return: IOMMU_READ, plus IOMMU_WRITE, IOMMU_PRIV, IOMMU_CACHE,
 * IOMMU_MMIO and IOMMU_NOEXEC as the entry says; -ENOENT if @iova is not
 * mapped.
 */
int msm_vm_test_mmu_prot(struct msm_vm_test_mmu *mmu, u64 iova);

#endif /* __MSM_VM_TEST_MMU_H__ */
