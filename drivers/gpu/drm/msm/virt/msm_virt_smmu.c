// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual GPU's SMMU: a software IOMMU with one context bank whose page
 * tables are io-pgtable-arm (ARM_64_LPAE_S1, 4K granule, 48-bit) tables in
 * RAM.  It exists so that msm_iommu.c runs unchanged without hardware: the
 * GPU's global address space is a real paging iommu_domain mapped with the
 * TTBR1 quirk, per-process page tables are real msm_iommu pagetables
 * installed through adreno_smmu_priv, and the virtual CP reaches memory only
 * through a table walk of those tables, as the SMMU of an Adreno does.
 *
 * The IOMMU is registered without a fwnode, so the core offers it every
 * device without an "iommus" property; it takes only the device tree node
 * of compatible MSM_VIRT_GPU_COMPATIBLE and refuses the rest with -ENODEV,
 * which leaves them exactly as they were.  The default domain is identity,
 * so the DMA API of the GPU's device stays dma-direct.
 */

#include <linux/adreno-smmu-priv.h>
#include <linux/highmem.h>
#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "msm_virt_gpu.h"

/* Descriptor bits of the LPAE long format (as io-pgtable-arm writes them). */
#define VIRT_PTE_VALID		BIT_ULL(0)
#define VIRT_PTE_TABLE		BIT_ULL(1)
#define VIRT_PTE_AP_UNPRIV	BIT_ULL(6)
#define VIRT_PTE_AP_RDONLY	BIT_ULL(7)
#define VIRT_PTE_ADDR		GENMASK_ULL(47, 12)
#define VIRT_TTBR_ADDR		GENMASK_ULL(47, 1)

#define VIRT_IAS		48

/* FSR bits adreno_fault_handler() decodes. */
#define VIRT_FSR_TF		BIT(1)
#define VIRT_FSR_PF		BIT(3)

/**
 * struct msm_virt_smmu_domain - a paging domain of the virtual SMMU
 * @domain: the iommu_domain msm_iommu.c holds
 * @pgtbl: its io-pgtable-arm tables (TTBR1 format); NULL until the first
 *	attach, because the tables are made for the context bank they use
 * @quirks: io-pgtable quirks asked for with set_pgtable_quirks
 */
struct msm_virt_smmu_domain {
	struct iommu_domain domain;
	struct io_pgtable_ops *pgtbl;
	unsigned long quirks;
};

/**
 * struct msm_virt_smmu - the one virtual SMMU and its one context bank
 * @iommu: the registered IOMMU instance
 * @lock: the context bank's registers and its walks.  A translation holds
 *	it from the walk to the end of the access, and every TLB
 *	invalidation (tlb_flush_*, iotlb_sync) takes it once, so a table or
 *	page io-pgtable frees after the invalidation is never read again
 *	(the same guarantee an SMMU's TLBI + sync gives).  Never held while
 *	reporting a fault.
 * @dom: the paging domain attached (context bank in translation), or NULL
 * @ttbr0: the TTBR0 register (table address and ASID)
 * @ttbr0_enabled: TTBR0 walks enabled (set_ttbr0_cfg with a cfg)
 * @stall: stall-on-fault enabled (set_stall)
 * @stalled: a faulting access waits for resume_translation
 * @fault: the syndrome of the last fault, for get_fault_info
 * @prr: the partially resident region is on (set_prr_bit): accesses to
 *	the page at @prr_addr read zero and drop writes, as a Qualcomm
 *	SMMU's PRR does
 * @prr_addr: the PRR page's physical address (set_prr_addr)
 * @resume: woken by resume_translation
 * @dev: the GPU's device, once probed
 * @registered: msm_virt_smmu_register() succeeded
 */
struct msm_virt_smmu {
	struct iommu_device iommu;
	spinlock_t lock; /* registers and walks, see @lock above */
	struct msm_virt_smmu_domain *dom;
	u64 ttbr0;
	bool ttbr0_enabled;
	bool stall;
	bool stalled;
	struct adreno_smmu_fault_info fault;
	bool prr;
	phys_addr_t prr_addr;
	wait_queue_head_t resume;
	struct device *dev;
	bool registered;
};

static struct msm_virt_smmu virt_smmu = {
	.lock = __SPIN_LOCK_UNLOCKED(virt_smmu.lock),
	.resume = __WAIT_QUEUE_HEAD_INITIALIZER(virt_smmu.resume),
};

static struct msm_virt_smmu_domain *to_virt_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct msm_virt_smmu_domain, domain);
}

/*
 * Walk a 4-level table at @table for @va; on success *@pa is the output
 * address.  Caller holds virt_smmu.lock.  Returns -EFAULT for a
 * translation fault, -EACCES for a write to a read-only page or an
 * unprivileged access to a privileged one.
 */
static int virt_smmu_walk(u64 table, u64 va, bool write, bool unpriv, phys_addr_t *pa)
{
	int lvl;

	lockdep_assert_held(&virt_smmu.lock);

	for (lvl = 0; lvl < 4; lvl++) {
		unsigned int shift = 39 - 9 * lvl;
		const u64 *t;
		u64 pte;

		if (!pfn_valid(PHYS_PFN(table)))
			return -EFAULT;
		t = phys_to_virt(table);
		pte = READ_ONCE(t[(va >> shift) & 511]);
		if (!(pte & VIRT_PTE_VALID))
			return -EFAULT;
		if (lvl < 3 && (pte & VIRT_PTE_TABLE)) {
			table = pte & VIRT_PTE_ADDR;
			continue;
		}
		/* A block at level 0, or a reserved descriptor at level 3. */
		if (lvl == 0 || (lvl == 3 && !(pte & VIRT_PTE_TABLE)))
			return -EFAULT;
		if (write && (pte & VIRT_PTE_AP_RDONLY))
			return -EACCES;
		if (unpriv && !(pte & VIRT_PTE_AP_UNPRIV))
			return -EACCES;
		*pa = (pte & VIRT_PTE_ADDR & GENMASK_ULL(47, shift)) |
		      (va & GENMASK_ULL(shift - 1, 0));
		return 0;
	}
	return -EFAULT;
}

/**
 * msm_virt_smmu_access() - a 32-bit access of the GPU through the SMMU
 * @iova: GPU address (49 bits: bit 48 selects TTBR1, as the GPU's SMMU
 *	does; upper bits zero or a sign extension of bit 48)
 * @val: the value to write, or where the value read goes
 * @write: a write, not a read
 * @unpriv: an unprivileged access (from an IB): pages mapped IOMMU_PRIV
 *	(the ringbuffer, memptrs) give a permission fault
 *
 * Translates @iova with the context bank's tables and performs the access
 * under the walk lock.  The caller reports a failure with
 * msm_virt_smmu_fault(); a failed access does not touch memory.
 *
 * Return: 0, -EFAULT on a translation fault (also an unaligned address,
 * no context bank in use, or TTBR0 disabled or zero), -EACCES on a
 * permission fault.
 */
int msm_virt_smmu_access(u64 iova, u32 *val, bool write, bool unpriv)
{
	u64 upper = iova >> (VIRT_IAS + 1);
	phys_addr_t pa;
	u64 root;
	u32 *p;
	int ret;

	if (iova & 3)
		return -EFAULT;
	if (upper != 0 && upper != GENMASK_ULL(63 - VIRT_IAS - 1, 0))
		return -EFAULT;

	spin_lock(&virt_smmu.lock);
	if (!virt_smmu.dom || !virt_smmu.dom->pgtbl) {
		ret = -EFAULT;
		goto out;
	}
	if (iova & BIT_ULL(VIRT_IAS)) {
		root = io_pgtable_ops_to_pgtable(virt_smmu.dom->pgtbl)->cfg.arm_lpae_s1_cfg.ttbr;
	} else if (virt_smmu.ttbr0_enabled && (virt_smmu.ttbr0 & VIRT_TTBR_ADDR)) {
		root = virt_smmu.ttbr0 & VIRT_TTBR_ADDR;
	} else {
		ret = -EFAULT;
		goto out;
	}
	ret = virt_smmu_walk(root, iova, write, unpriv, &pa);
	if (ret)
		goto out;
	if (!pfn_valid(PHYS_PFN(pa))) {
		ret = -EFAULT;
		goto out;
	}
	if (virt_smmu.prr && (pa & PAGE_MASK) == virt_smmu.prr_addr) {
		if (!write)
			*val = 0;
		goto out;
	}
	p = kmap_local_pfn(PHYS_PFN(pa)) + offset_in_page(pa);
	if (write)
		WRITE_ONCE(*p, *val);
	else
		*val = READ_ONCE(*p);
	kunmap_local(p);
out:
	spin_unlock(&virt_smmu.lock);
	return ret;
}

/**
 * msm_virt_smmu_set_ttbr0() - the CP's CP_SMMU_TABLE_UPDATE
 * @ttbr0: new TTBR0 register value (table address, ASID in bits 63:48)
 */
void msm_virt_smmu_set_ttbr0(u64 ttbr0)
{
	spin_lock(&virt_smmu.lock);
	virt_smmu.ttbr0 = ttbr0;
	spin_unlock(&virt_smmu.lock);
}

/**
 * msm_virt_smmu_fault() - raise a context fault for a failed access
 * @iova: the faulting GPU address
 * @write: the access was a write
 * @err: what msm_virt_smmu_access() returned
 *
 * Records the syndrome get_fault_info returns and reports the fault to the
 * domain's handler (msm_iommu.c's msm_fault_handler, which hands it to the
 * GPU's fault handler).  With stall enabled the access then waits for
 * resume_translation: the caller waits on msm_virt_smmu_waitq() until
 * msm_virt_smmu_stalled() is false.  Either way the access is terminated:
 * a read returns 0, a write is dropped.
 *
 * Return: true if the access is stalled.
 */
bool msm_virt_smmu_fault(u64 iova, bool write, int err)
{
	struct iommu_domain *domain = NULL;
	struct device *dev;
	bool stalled;

	spin_lock(&virt_smmu.lock);
	if (virt_smmu.dom) {
		domain = &virt_smmu.dom->domain;
		virt_smmu.fault = (struct adreno_smmu_fault_info) {
			.far = iova,
			.ttbr0 = virt_smmu.ttbr0,
			.fsr = err == -EACCES ? VIRT_FSR_PF : VIRT_FSR_TF,
			.fsynr0 = write ? BIT(4) : 0,
		};
		virt_smmu.stalled = virt_smmu.stall;
	}
	stalled = virt_smmu.stalled;
	dev = virt_smmu.dev;
	spin_unlock(&virt_smmu.lock);

	if (domain)
		report_iommu_fault(domain, dev, iova,
				   write ? IOMMU_FAULT_WRITE : IOMMU_FAULT_READ);
	return stalled && msm_virt_smmu_stalled();
}

/**
 * msm_virt_smmu_stalled() - a faulting access still waits for resume
 *
 * Return: true until resume_translation ends the stall.
 */
bool msm_virt_smmu_stalled(void)
{
	bool stalled;

	spin_lock(&virt_smmu.lock);
	stalled = virt_smmu.stalled;
	spin_unlock(&virt_smmu.lock);
	return stalled;
}

/**
 * msm_virt_smmu_waitq() - woken when a stall ends
 *
 * Return: the wait queue resume_translation wakes.
 */
wait_queue_head_t *msm_virt_smmu_waitq(void)
{
	return &virt_smmu.resume;
}

/* adreno_smmu_priv: what arm-smmu-qcom gives msm_iommu.c on hardware. */

static const struct io_pgtable_cfg *virt_smmu_get_ttbr1_cfg(const void *cookie)
{
	const struct msm_virt_smmu_domain *d = cookie;

	return &io_pgtable_ops_to_pgtable(d->pgtbl)->cfg;
}

static int virt_smmu_set_ttbr0_cfg(const void *cookie, const struct io_pgtable_cfg *cfg)
{
	spin_lock(&virt_smmu.lock);
	virt_smmu.ttbr0_enabled = cfg;
	virt_smmu.ttbr0 = cfg ? cfg->arm_lpae_s1_cfg.ttbr : 0;
	spin_unlock(&virt_smmu.lock);
	return 0;
}

static void virt_smmu_set_prr_bit(const void *cookie, bool set)
{
	spin_lock(&virt_smmu.lock);
	virt_smmu.prr = set;
	spin_unlock(&virt_smmu.lock);
}

static void virt_smmu_set_prr_addr(const void *cookie, phys_addr_t page_addr)
{
	spin_lock(&virt_smmu.lock);
	virt_smmu.prr_addr = page_addr;
	spin_unlock(&virt_smmu.lock);
}

static void virt_smmu_get_fault_info(const void *cookie, struct adreno_smmu_fault_info *info)
{
	spin_lock(&virt_smmu.lock);
	*info = virt_smmu.fault;
	spin_unlock(&virt_smmu.lock);
}

static void virt_smmu_set_stall(const void *cookie, bool enabled)
{
	spin_lock(&virt_smmu.lock);
	virt_smmu.stall = enabled;
	spin_unlock(&virt_smmu.lock);
}

static void virt_smmu_resume_translation(const void *cookie, bool terminate)
{
	spin_lock(&virt_smmu.lock);
	virt_smmu.stalled = false;
	spin_unlock(&virt_smmu.lock);
	wake_up_all(&virt_smmu.resume);
}

/* TLB maintenance: the tables are walked under the lock, nothing is cached. */

static void virt_smmu_sync(void)
{
	spin_lock(&virt_smmu.lock);
	spin_unlock(&virt_smmu.lock);
}

static void virt_smmu_tlb_flush_all(void *cookie)
{
	virt_smmu_sync();
}

static void virt_smmu_tlb_flush_walk(unsigned long iova, size_t size, size_t granule,
				     void *cookie)
{
	virt_smmu_sync();
}

static const struct iommu_flush_ops virt_smmu_tlb_ops = {
	.tlb_flush_all = virt_smmu_tlb_flush_all,
	.tlb_flush_walk = virt_smmu_tlb_flush_walk,
};

/* The paging domain. */

static const struct iommu_domain_ops virt_smmu_domain_ops;

static struct iommu_domain *virt_smmu_domain_alloc_paging(struct device *dev)
{
	struct msm_virt_smmu_domain *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	d->domain.ops = &virt_smmu_domain_ops;
	d->domain.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	return &d->domain;
}

static int virt_smmu_attach_paging(struct iommu_domain *domain, struct device *dev)
{
	struct msm_virt_smmu_domain *d = to_virt_domain(domain);
	struct adreno_smmu_priv *priv;

	/* One context bank, for the GPU. */
	if (dev != virt_smmu.dev)
		return -ENODEV;
	if (!d->pgtbl) {
		struct io_pgtable_cfg cfg = {
			.quirks = d->quirks | IO_PGTABLE_QUIRK_ARM_TTBR1,
			.pgsize_bitmap = domain->pgsize_bitmap,
			.ias = VIRT_IAS,
			.oas = VIRT_IAS,
			.coherent_walk = true,
			.tlb = &virt_smmu_tlb_ops,
			.iommu_dev = virt_smmu.iommu.dev,
		};

		d->pgtbl = alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, d);
		if (!d->pgtbl)
			return -ENOMEM;
		domain->geometry.aperture_start = ~0UL << VIRT_IAS;
		domain->geometry.aperture_end = ~0UL;
		domain->geometry.force_aperture = true;
	}

	spin_lock(&virt_smmu.lock);
	virt_smmu.dom = d;
	spin_unlock(&virt_smmu.lock);

	/*
	 * msm_gpu_init() made &gpu->adreno_smmu the device's drvdata before
	 * creating the address space; fill it in as arm-smmu-qcom does in its
	 * init_context (never replace it: dev_to_gpu() relies on it).
	 */
	priv = dev_get_drvdata(dev);
	if (priv) {
		priv->cookie = d;
		priv->get_ttbr1_cfg = virt_smmu_get_ttbr1_cfg;
		priv->set_ttbr0_cfg = virt_smmu_set_ttbr0_cfg;
		priv->get_fault_info = virt_smmu_get_fault_info;
		priv->set_stall = virt_smmu_set_stall;
		priv->resume_translation = virt_smmu_resume_translation;
		priv->set_prr_bit = virt_smmu_set_prr_bit;
		priv->set_prr_addr = virt_smmu_set_prr_addr;
	}
	return 0;
}

static int virt_smmu_map_pages(struct iommu_domain *domain, unsigned long iova,
			       phys_addr_t paddr, size_t pgsize, size_t pgcount,
			       int prot, gfp_t gfp, size_t *mapped)
{
	struct msm_virt_smmu_domain *d = to_virt_domain(domain);

	if (!d->pgtbl)
		return -ENODEV;
	return d->pgtbl->map_pages(d->pgtbl, iova, paddr, pgsize, pgcount, prot, gfp, mapped);
}

static size_t virt_smmu_unmap_pages(struct iommu_domain *domain, unsigned long iova,
				    size_t pgsize, size_t pgcount,
				    struct iommu_iotlb_gather *gather)
{
	struct msm_virt_smmu_domain *d = to_virt_domain(domain);

	if (!d->pgtbl)
		return 0;
	return d->pgtbl->unmap_pages(d->pgtbl, iova, pgsize, pgcount, gather);
}

static phys_addr_t virt_smmu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct msm_virt_smmu_domain *d = to_virt_domain(domain);

	return d->pgtbl ? d->pgtbl->iova_to_phys(d->pgtbl, iova) : 0;
}

static void virt_smmu_flush_iotlb_all(struct iommu_domain *domain)
{
	virt_smmu_sync();
}

static void virt_smmu_iotlb_sync(struct iommu_domain *domain,
				 struct iommu_iotlb_gather *gather)
{
	virt_smmu_sync();
}

static int virt_smmu_set_pgtable_quirks(struct iommu_domain *domain, unsigned long quirks)
{
	struct msm_virt_smmu_domain *d = to_virt_domain(domain);

	if (d->pgtbl)
		return -EBUSY;
	/* The walk is coherent: an outer-cacheable walk attribute means nothing here. */
	d->quirks = quirks & ~IO_PGTABLE_QUIRK_ARM_OUTER_WBWA;
	return 0;
}

static void virt_smmu_domain_free(struct iommu_domain *domain)
{
	struct msm_virt_smmu_domain *d = to_virt_domain(domain);

	spin_lock(&virt_smmu.lock);
	if (virt_smmu.dom == d)
		virt_smmu.dom = NULL;
	spin_unlock(&virt_smmu.lock);
	if (d->pgtbl)
		free_io_pgtable_ops(d->pgtbl);
	kfree(d);
}

static const struct iommu_domain_ops virt_smmu_domain_ops = {
	.attach_dev = virt_smmu_attach_paging,
	.map_pages = virt_smmu_map_pages,
	.unmap_pages = virt_smmu_unmap_pages,
	.iova_to_phys = virt_smmu_iova_to_phys,
	.flush_iotlb_all = virt_smmu_flush_iotlb_all,
	.iotlb_sync = virt_smmu_iotlb_sync,
	.set_pgtable_quirks = virt_smmu_set_pgtable_quirks,
	.free = virt_smmu_domain_free,
};

/* The identity (bypass) domain: the default, so the DMA API stays direct. */

static int virt_smmu_attach_identity(struct iommu_domain *domain, struct device *dev)
{
	if (dev != virt_smmu.dev)
		return 0;
	spin_lock(&virt_smmu.lock);
	virt_smmu.dom = NULL;
	spin_unlock(&virt_smmu.lock);
	return 0;
}

static struct iommu_domain virt_smmu_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = virt_smmu_attach_identity,
	},
};

/*
 * The GPU's device tree node, and the headless "msm" device that
 * adreno_probe() registers for it: msm_use_mmu() asks whether the drm
 * device (or its parent) is behind an IOMMU, and on a headless system that
 * device is the "msm" one, so it gets a group too (identity, never attached
 * to a paging domain), as a display controller behind the GPU's SMMU would.
 */
static struct iommu_device *virt_smmu_probe_device(struct device *dev)
{
	if (!dev_is_platform(dev))
		return ERR_PTR(-ENODEV);
	if (of_device_is_compatible(dev->of_node, MSM_VIRT_GPU_COMPATIBLE)) {
		virt_smmu.dev = dev;
		return &virt_smmu.iommu;
	}
	if (virt_smmu.dev && !dev->of_node && !strcmp(dev_name(dev), "msm"))
		return &virt_smmu.iommu;
	return ERR_PTR(-ENODEV);
}

static int virt_smmu_def_domain_type(struct device *dev)
{
	return IOMMU_DOMAIN_IDENTITY;
}

static const struct iommu_ops virt_smmu_ops = {
	.identity_domain = &virt_smmu_identity_domain,
	.domain_alloc_paging = virt_smmu_domain_alloc_paging,
	.probe_device = virt_smmu_probe_device,
	.device_group = generic_device_group,
	.def_domain_type = virt_smmu_def_domain_type,
	.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
	.owner = THIS_MODULE,
	.default_domain_ops = &virt_smmu_domain_ops,
};

/**
 * msm_virt_smmu_register() - register the virtual SMMU
 *
 * Called before the adreno platform driver registers, so the GPU's device
 * (created from the device tree long before) is probed with its IOMMU
 * before a driver binds to it.  A failure is logged; the GPU then probes
 * without an IOMMU, which msm_virt_gpu_init() refuses.
 */
void msm_virt_smmu_register(void)
{
	int ret;

	ret = iommu_device_sysfs_add(&virt_smmu.iommu, NULL, NULL, "msm-virt-smmu");
	if (ret)
		goto fail;
	/*
	 * msm_iommu.c flushes per-process tables only while
	 * pm_runtime_get_if_in_use() of this device succeeds: keep it active
	 * and in use, as an SMMU that is always powered.
	 */
	pm_runtime_set_active(virt_smmu.iommu.dev);
	pm_runtime_enable(virt_smmu.iommu.dev);
	pm_runtime_get_noresume(virt_smmu.iommu.dev);

	ret = iommu_device_register(&virt_smmu.iommu, &virt_smmu_ops, NULL);
	if (!ret) {
		virt_smmu.registered = true;
		return;
	}
	pm_runtime_put_noidle(virt_smmu.iommu.dev);
	pm_runtime_disable(virt_smmu.iommu.dev);
	iommu_device_sysfs_remove(&virt_smmu.iommu);
fail:
	pr_err("msm: the virtual GPU's SMMU did not register: %d\n", ret);
}

/**
 * msm_virt_smmu_unregister() - undo msm_virt_smmu_register(), if it worked
 */
void msm_virt_smmu_unregister(void)
{
	if (!virt_smmu.registered)
		return;
	iommu_device_unregister(&virt_smmu.iommu);
	pm_runtime_put_noidle(virt_smmu.iommu.dev);
	pm_runtime_disable(virt_smmu.iommu.dev);
	iommu_device_sysfs_remove(&virt_smmu.iommu);
	virt_smmu.registered = false;
}
