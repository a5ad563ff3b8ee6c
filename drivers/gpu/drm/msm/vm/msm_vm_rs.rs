// SPDX-License-Identifier: GPL-2.0-only

//! Rust core of the msm GPU VM contract.
//!
//! Built into the msm VM module next to the C reference core when
//! `CONFIG_DRM_MSM_VM_RUST` is set. Every function C may call is a
//! `#[no_mangle] extern "C"` function declared in `msm_vm_rs.h`.

use kernel::bindings;

/// Makes a drift between an export and its C declaration a compile error.
///
/// 6.12 has no `#[export]`: the declaration in `msm_vm_rs.h` is bound by
/// bindgen, and the export must coerce to the function-pointer type of that
/// binding, argument by argument (the arity is given, the types come from
/// the binding).
macro_rules! check_export {
    ($name:ident, $($arg:tt),*) => {
        const _: () = {
            let _ = [
                bindings::$name as unsafe extern "C" fn($($arg),*) -> _,
                $name,
            ];
        };
    };
}

/// Checks that `[addr, addr + range)` is a non-empty range inside the VM
/// `[vm_start, vm_start + vm_range)`.
///
/// Overflow-safe: a range or a VM whose end would wrap past 2^64 is invalid.
/// Declared in `msm_vm_rs.h`; does not sleep and takes no lock.
#[no_mangle]
pub extern "C" fn msm_vm_rs_range_valid(
    vm_start: u64,
    vm_range: u64,
    addr: u64,
    range: u64,
) -> bool {
    let (Some(end), Some(vm_end)) = (addr.checked_add(range), vm_start.checked_add(vm_range))
    else {
        return false;
    };
    range != 0 && addr >= vm_start && end <= vm_end
}
check_export!(msm_vm_rs_range_valid, _, _, _, _);
