/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual Adreno GPU and its SMMU: what one side needs of the other.
 *
 * There is one virtual SMMU with one context bank, for the one device
 * tree node of compatible MSM_VIRT_GPU_COMPATIBLE.  Its paging domain is
 * the GPU's global (TTBR1) address space; its TTBR0 register holds the
 * per-process page table msm_iommu.c installs through adreno_smmu_priv,
 * and the virtual CP switches it with CP_SMMU_TABLE_UPDATE, as an a6xx
 * CP does.
 */
#ifndef __MSM_VIRT_GPU_H__
#define __MSM_VIRT_GPU_H__

#include <linux/types.h>
#include <linux/wait.h>

#define MSM_VIRT_GPU_COMPATIBLE "amd,imageon-999.0"

struct adreno_gpulist;

/* The catalog entry adreno_device.c lists: chip id 9.9.9.0. */
extern const struct adreno_gpulist virt_gpulist;

void msm_virt_smmu_register(void);
void msm_virt_smmu_unregister(void);

int msm_virt_smmu_access(u64 iova, u32 *val, bool write, bool unpriv);
void msm_virt_smmu_set_ttbr0(u64 ttbr0);
bool msm_virt_smmu_fault(u64 iova, bool write, int err);
bool msm_virt_smmu_stalled(void);
wait_queue_head_t *msm_virt_smmu_waitq(void);

#endif /* __MSM_VIRT_GPU_H__ */
