/* SPDX-License-Identifier: GPL-2.0-only */
/* The legacy msm UAPI suite (msm_legacy.c), run by the guest's /init. */
#ifndef MSM_VM_GUEST_MSM_LEGACY_H
#define MSM_VM_GUEST_MSM_LEGACY_H

#include "igt.h"

extern const struct igt_subtest msm_legacy_subtests[];
extern const unsigned int msm_legacy_nr_subtests;

int msm_legacy_settle(void);
void devcoredump_dismiss(void);

#endif /* MSM_VM_GUEST_MSM_LEGACY_H */
