# SPDX-License-Identifier: GPL-2.0-only
#
# msm-vm front door.  See README.md; `make help` lists the targets.

SHELL := /bin/bash
T := tools/testing/msm-vm

.PHONY: help deps assemble test test-fast test-debug test-qemu compare check selftest patches \
	patches-test arm64 qemu clean

help:
	@echo 'make test          install missing packages, assemble Linux 6.12 + overlay,'
	@echo '                   build and run every msm-vm KUnit suite under UML, on a'
	@echo '                   plain kernel and on a KASAN + lockdep + DEBUG_LIST one, then'
	@echo '                   the msm driver on the virtual GPU in qemu (arm64, TCG) with'
	@echo '                   the guest suites, on a plain and a debug (+ kmemleak) kernel,'
	@echo '                   each once per VM core (the driver'"'"'s VMs on C, then Rust)'
	@echo 'make test-fast     only the plain UML kernel (for quick iterations)'
	@echo 'make test-debug    only the debug UML kernel'
	@echo 'make test-qemu     only the two qemu kernels (both VM cores)'
	@echo 'make compare       the main job: conformance and benchmarks of both cores and'
	@echo '                   the floor on the plain kernel; prints the side-by-side report'
	@echo '                   and targets, writes it with CSV and a plot to out/compare/'
	@echo 'make check         checkpatch --strict, kernel-doc, rustfmt, clippy, shellcheck,'
	@echo '                   Rust core independent of the C core, arm64 msm driver with'
	@echo '                   W=1 + sparse against the stock 6.12 baseline: 0 findings'
	@echo 'make arm64         cross-build the arm64 kernel (msm, virtual GPU, both VM cores)'
	@echo 'make qemu          only the plain qemu kernel (both VM cores), a line per failed subtest'
	@echo 'make selftest      test the tooling itself (assembly, KERNEL_SRC, bindgen shim, report)'
	@echo 'make patches       git format-patch series (with cover letter) in out/patches'
	@echo 'make patches-test  make patches, then git am it onto the pristine base'
	@echo 'make assemble      only assemble the tree; prints its path'
	@echo 'make clean         remove out/ and the assembled trees and builds (keeps the base)'
	@echo 'KERNEL_SRC=/path   use your own 6.12.y tree (never modified) instead of Debian'"'"'s'

deps:
	@$(T)/deps.sh

assemble: deps
	@$(T)/assemble.sh

# Four kernels: the plain UML one (um), one with KASAN, lockdep and
# DEBUG_LIST (debug), and the arm64 msm kernel with the virtual GPU in qemu,
# plain (qemu) and with lockdep, DEBUG_LIST, KASAN and kmemleak
# (qemu-debug), each qemu one booted once per VM core (qemu-c, qemu-rust,
# ...).  All run to the end; the report fails if any failed.
# Everything that depends on the base (KERNEL_SRC, MSM_VM_CACHE) is
# resolved inside the scripts, which see make's command-line variables:
# make 4.3 does not pass them to $(shell), so nothing here may compute a
# path from them.
test: deps
	@$(T)/test.sh um debug qemu qemu-debug

test-fast: deps
	@$(T)/test.sh um

test-debug: deps
	@$(T)/test.sh debug

test-qemu: deps
	@$(T)/test.sh --table qemu qemu-debug

# The main job: the plain kernel with the benchmarks in full; the report,
# Markdown, CSV and plot go to out/compare/.
compare: deps
	@$(T)/test.sh --compare

check: deps
	@$(T)/check.sh

arm64: deps
	@$(T)/arm64.sh

qemu: deps
	@$(T)/test.sh --table qemu

selftest: deps
	@$(T)/selftest.sh

patches: deps
	@$(T)/patches.sh out/patches

patches-test: deps
	@$(T)/patches.sh --test out/patches

clean:
	rm -rf out
	@. $(T)/lib.sh && rm -rf "$$MSM_VM_CACHE/work"
