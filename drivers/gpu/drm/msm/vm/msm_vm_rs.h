/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Functions the Rust core (msm_vm_rs.rs) exports to C.
 *
 * Every declaration here has a `#[no_mangle] extern "C"` definition in
 * msm_vm_rs.rs, built only with CONFIG_DRM_MSM_VM_RUST.
 */
#ifndef __MSM_VM_RS_H__
#define __MSM_VM_RS_H__

#include <linux/types.h>

/**
 * msm_vm_rs_range_valid() - check a VA range against a VM's range (Rust core)
 * @vm_start: first address of the VM
 * @vm_range: size of the VM in bytes
 * @addr: first address of the range to check
 * @range: size of the range to check in bytes
 *
 * The range check VM_BIND applies to every op, overflow-safe at 2^64.  Does
 * not sleep, takes no lock.
 *
 * Return: true if @range is not zero and [@addr, @addr + @range) lies within
 * [@vm_start, @vm_start + @vm_range) with neither sum wrapping past 2^64;
 * false otherwise.
 */
bool msm_vm_rs_range_valid(u64 vm_start, u64 vm_range, u64 addr, u64 range);

#endif /* __MSM_VM_RS_H__ */
