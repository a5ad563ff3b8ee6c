/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM_BIND suites (msm_sparse.c), run by the guest's /init: msm_sparse
 * with per-process page tables, msm_sparse_shared without.
 */
#ifndef MSM_VM_GUEST_MSM_SPARSE_H
#define MSM_VM_GUEST_MSM_SPARSE_H

#include "igt.h"

extern const struct igt_subtest msm_sparse_subtests[];
extern const unsigned int msm_sparse_nr_subtests;
extern const struct igt_subtest msm_sparse_shared_subtests[];
extern const unsigned int msm_sparse_shared_nr_subtests;

void msm_sparse_bench(void);

#endif /* MSM_VM_GUEST_MSM_SPARSE_H */
