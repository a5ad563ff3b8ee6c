/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The legacy msm UAPI suites (msm_legacy.c), run by the guest's /init:
 * msm_legacy with per-process page tables, msm_shared without.
 */
#ifndef MSM_VM_GUEST_MSM_LEGACY_H
#define MSM_VM_GUEST_MSM_LEGACY_H

#include "igt.h"

extern const struct igt_subtest msm_legacy_subtests[];
extern const unsigned int msm_legacy_nr_subtests;
extern const struct igt_subtest msm_shared_subtests[];
extern const unsigned int msm_shared_nr_subtests;

int msm_legacy_settle(void);
void msm_legacy_bench(void);

#endif /* MSM_VM_GUEST_MSM_LEGACY_H */
