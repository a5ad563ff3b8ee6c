// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module definition of the msm GPU VM core.
 *
 * The core itself (VM, VMA and vm_bo lifetime, VM_BIND parsing) is linked
 * into this module next to this file: the C reference core and, with
 * CONFIG_DRM_MSM_VM_RUST, the Rust core.
 */

#include <linux/module.h>

MODULE_DESCRIPTION("msm GPU VM core (drm_gpuvm address spaces, VM_BIND)");
MODULE_LICENSE("GPL");
