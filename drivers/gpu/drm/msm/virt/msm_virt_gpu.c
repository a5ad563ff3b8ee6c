// SPDX-License-Identifier: GPL-2.0-only
/*
 * A virtual Adreno GPU, for running the msm driver without hardware.
 *
 * It is an adreno_gpu like any other: the catalog entry below claims chip id
 * 9.9.9.0, msm probes it through the headless "amd,imageon" path, and
 * everything above msm_gpu_funcs (ioctls, GEM, submit, drm_sched, fences,
 * hangcheck, recovery, devcoredump, msm_iommu.c and its per-process page
 * tables) is the real driver.  Below msm_gpu_funcs, a kernel thread plays the
 * CP: it fetches the ringbuffer the driver writes, as a5xx+ PM4 type-7
 * packets, and executes a small set of them, reaching memory only through
 * the virtual SMMU's table walk (msm_virt_smmu.c):
 *
 *   CP_NOP, CP_WAIT_FOR_IDLE, CP_WAIT_FOR_ME	nothing (execution is in order)
 *   CP_MEM_WRITE				write dwords
 *   CP_MEM_TO_MEM				dst = (+/-)a (+/-)b (+/-)c, 32/64-bit
 *   CP_INDIRECT_BUFFER				call an IB (two levels, like IB1/IB2)
 *   CP_WAIT_REG_MEM (memory)			wait for a value: the way to hang it
 *   CP_EVENT_WRITE CACHE_FLUSH_TS		write a timestamp, raise the IRQ
 *   CP_SMMU_TABLE_UPDATE			switch TTBR0 (ringbuffer only)
 *
 * Packets of the ringbuffer run privileged, those of an IB unprivileged: the
 * GPU claims hw_apriv, so the ringbuffer and memptrs are mapped IOMMU_PRIV
 * and out of an IB's reach.  The CP checks for a reset and yields before
 * every packet.
 *
 * Type-4 packets (register writes) are consumed and ignored.  Anything else
 * is an opcode error: the CP stops until the driver resets it, so the
 * hangcheck recovers it, as on hardware.  A translation or permission fault
 * goes to msm's fault handler through report_iommu_fault() and stalls the
 * access until resume_translation, then terminates it (reads give 0, writes
 * are dropped).  The interrupt is the device tree's GIC SPI, made pending
 * with irq_set_irqchip_state(), so fences signal through msm's own IRQ
 * handler, ring memptrs and msm_gpu_retire().
 *
 * There are no registers: the register window of the device tree node is
 * mapped by msm_gpu_init() and never accessed.  Caches, GMEM, preemption,
 * performance counters and power management are not modelled.
 */

#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "adreno/adreno_gpu.h"
#include "msm_gem.h"
#include "msm_mmu.h"
#include "msm_virt_gpu.h"

#define VIRT_CP_IB_LEVELS	2

/*
 * Off: the GPU has no per-process page tables, as a GPU behind an SMMU
 * without the adreno_smmu_priv callbacks: every file shares the GPU's
 * address space (msm's other path, e.g. a5xx on some SoCs).
 */
static bool virt_per_process_pgtables = true;
MODULE_PARM_DESC(virt_per_process_pgtables, "Virtual GPU: per-process page tables (default: true)");
module_param_named(virt_per_process_pgtables, virt_per_process_pgtables, bool, 0400);
#define VIRT_IRQ_CACHE_FLUSH_TS	0

/**
 * struct msm_virt_gpu - the virtual GPU
 * @base: the adreno_gpu msm sees
 * @cp: the CP thread
 * @cp_wq: wakes the CP (a new wptr, a halt, a stop)
 * @exec_lock: held by the CP while it executes; taken by virt_cp_halt(), so
 *	the CP's state changes only while the CP is stopped.  Never taken
 *	by the CP with any other lock held, and the CP never takes
 *	gpu->lock, which hw_init (also through recover) holds around this one.
 * @halt: stop executing at the next packet or poll, and wait
 * @error: the CP hit an opcode or protection error and stopped; cleared by
 *	the next reset (hw_init)
 * @wptr: the ringbuffer write pointer "register", in dwords (flush)
 * @rptr: the CP's ringbuffer read pointer, in dwords
 * @ib_base: address of the IB being executed at each level, or 0
 * @ib_rem: dwords left in it (for progress() and fault reports)
 * @irq_status: interrupt sources raised and not yet handled
 */
struct msm_virt_gpu {
	struct adreno_gpu base;
	struct task_struct *cp;
	wait_queue_head_t cp_wq;
	struct mutex exec_lock; /* the CP's, see @exec_lock above */
	bool halt;
	bool error;
	u32 wptr;
	u32 rptr;
	u64 ib_base[VIRT_CP_IB_LEVELS];
	u32 ib_rem[VIRT_CP_IB_LEVELS];
	unsigned long irq_status;
};

static struct msm_virt_gpu *to_virt_gpu(struct msm_gpu *gpu)
{
	return container_of(to_adreno_gpu(gpu), struct msm_virt_gpu, base);
}

/**
 * struct virt_cp_stream - where the CP fetches packets from
 * @base: GPU address of the ringbuffer or IB
 * @size: its size in dwords
 * @pos: next dword (the ringbuffer wraps, an IB ends)
 * @ring: the ringbuffer, not an IB
 */
struct virt_cp_stream {
	u64 base;
	u32 size;
	u32 pos;
	bool ring;
};

/*
 * One access through the SMMU, privileged from the ringbuffer (level 0),
 * unprivileged from an IB.  A fault is reported and, while stalled, waited
 * out; the access is then terminated (*@fault says so).  Returns -EINTR if
 * the CP is halted meanwhile.
 */
static int virt_cp_access(struct msm_virt_gpu *vg, int level, u64 iova, u32 *val, bool write,
			  bool *fault)
{
	int ret = msm_virt_smmu_access(iova, val, write, level > 0);

	if (fault)
		*fault = ret;

	if (!ret)
		return 0;
	if (!write)
		*val = 0;
	if (msm_virt_smmu_fault(iova, write, ret))
		wait_event_interruptible(*msm_virt_smmu_waitq(),
					 !msm_virt_smmu_stalled() || READ_ONCE(vg->halt));
	return READ_ONCE(vg->halt) ? -EINTR : 0;
}

static int virt_cp_read(struct msm_virt_gpu *vg, int level, u64 iova, u32 *val)
{
	return virt_cp_access(vg, level, iova, val, false, NULL);
}

static int virt_cp_write(struct msm_virt_gpu *vg, int level, u64 iova, u32 val)
{
	return virt_cp_access(vg, level, iova, &val, true, NULL);
}

static int virt_cp_read64(struct msm_virt_gpu *vg, int level, u64 iova, u64 *val)
{
	u32 lo, hi = 0;
	int ret;

	ret = virt_cp_read(vg, level, iova, &lo);
	if (!ret)
		ret = virt_cp_read(vg, level, iova + 4, &hi);
	*val = (u64)hi << 32 | lo;
	return ret;
}

/* The ringbuffer is fetched privileged, an IB as the level that calls it. */
static int virt_cp_fetch(struct msm_virt_gpu *vg, struct virt_cp_stream *s, int level, u32 *val)
{
	u32 i = s->ring ? s->pos % s->size : s->pos;

	s->pos++;
	return virt_cp_read(vg, s->ring ? 0 : level, s->base + 4ull * i, val);
}

/* A halt (reset) or a stop ends the work in progress at the next packet. */
static bool virt_cp_stopping(struct msm_virt_gpu *vg)
{
	return READ_ONCE(vg->halt) || kthread_should_stop();
}

static int virt_cp_error(struct msm_virt_gpu *vg, const char *what, u32 hdr, int level)
{
	dev_err_ratelimited(&vg->base.base.pdev->dev,
			    "CP | %s | packet=0x%08x level=%d ib1=0x%llx ib2=0x%llx\n",
			    what, hdr, level, vg->ib_base[0], vg->ib_base[1]);
	WRITE_ONCE(vg->error, true);
	return -EIO;
}

static void virt_cp_irq(struct msm_virt_gpu *vg, int source)
{
	struct msm_gpu *gpu = &vg->base.base;

	set_bit(source, &vg->irq_status);
	if (irq_set_irqchip_state(gpu->irq, IRQCHIP_STATE_PENDING, true)) {
		dev_warn_once(&gpu->pdev->dev, "cannot raise IRQ %d, calling its handler\n",
			      gpu->irq);
		gpu->funcs->irq(gpu);
	}
}

static bool virt_cp_compare(u32 func, u32 val, u32 ref)
{
	switch (func) {
	case WRITE_ALWAYS:
		return true;
	case WRITE_LT:
		return val < ref;
	case WRITE_LE:
		return val <= ref;
	case WRITE_EQ:
		return val == ref;
	case WRITE_NE:
		return val != ref;
	case WRITE_GE:
		return val >= ref;
	case WRITE_GT:
		return val > ref;
	}
	return false;
}

static int virt_cp_packet(struct msm_virt_gpu *vg, struct virt_cp_stream *s, int level);

static int virt_cp_ib(struct msm_virt_gpu *vg, u64 iova, u32 size, u32 hdr, int level)
{
	struct virt_cp_stream ib = { .base = iova, .size = size };
	int ret = 0;

	if (level >= VIRT_CP_IB_LEVELS)
		return virt_cp_error(vg, "IB nested too deep", hdr, level);
	/* The IB's packets run at the next level: unprivileged. */
	WRITE_ONCE(vg->ib_base[level], iova);
	while (!ret && ib.pos < ib.size) {
		WRITE_ONCE(vg->ib_rem[level], ib.size - ib.pos);
		ret = virt_cp_packet(vg, &ib, level + 1);
	}
	WRITE_ONCE(vg->ib_rem[level], 0);
	WRITE_ONCE(vg->ib_base[level], 0);
	return ret;
}

static int virt_cp_wait_reg_mem(struct msm_virt_gpu *vg, const u32 *p, u32 hdr, int level)
{
	u64 addr = (u64)p[2] << 32 | p[1];
	u32 func = p[0] & CP_WAIT_REG_MEM_0_FUNCTION__MASK;
	bool fault;
	u32 val;
	int ret;

	if ((p[0] & CP_WAIT_REG_MEM_0_POLL__MASK) >> CP_WAIT_REG_MEM_0_POLL__SHIFT != POLL_MEMORY)
		return virt_cp_error(vg, "register poll", hdr, level);
	for (;;) {
		ret = virt_cp_access(vg, level, addr, &val, false, &fault);
		if (ret)
			return ret;
		/*
		 * Polling a faulting address would fault every millisecond,
		 * and the first fault's devcoredump stopped the hangcheck:
		 * stop the CP instead (the next submit re-arms it).
		 */
		if (fault)
			return virt_cp_error(vg, "CP_WAIT_REG_MEM faulted", hdr, level);
		if (virt_cp_compare(func, val & p[4], p[3]))
			return 0;
		/* Poll every millisecond; a halt (reset) ends the wait. */
		wait_event_interruptible_timeout(vg->cp_wq, READ_ONCE(vg->halt) ||
						 kthread_should_stop(), msecs_to_jiffies(1));
		if (virt_cp_stopping(vg))
			return -EINTR;
	}
}

static int virt_cp_mem_to_mem(struct msm_virt_gpu *vg, const u32 *p, u32 cnt, u32 hdr,
			      int level)
{
	bool dbl = p[0] & CP_MEM_TO_MEM_0_DOUBLE;
	u64 dst = (u64)p[2] << 32 | p[1];
	u32 i, nsrc = (cnt - 3) / 2;
	u64 sum = 0;
	int ret;

	if (cnt < 5 || (cnt - 3) % 2 || nsrc > 3)
		return virt_cp_error(vg, "CP_MEM_TO_MEM operands", hdr, level);
	for (i = 0; i < nsrc; i++) {
		u64 src = (u64)p[4 + 2 * i] << 32 | p[3 + 2 * i];
		u64 v;

		if (dbl) {
			ret = virt_cp_read64(vg, level, src, &v);
		} else {
			u32 v32;

			ret = virt_cp_read(vg, level, src, &v32);
			v = v32;
		}
		if (ret)
			return ret;
		sum += (p[0] & BIT(i)) ? -v : v;
	}
	ret = virt_cp_write(vg, level, dst, lower_32_bits(sum));
	if (!ret && dbl)
		ret = virt_cp_write(vg, level, dst + 4, upper_32_bits(sum));
	return ret;
}

/* Execute the packet at s->pos; on return s->pos is past it. */
static int virt_cp_packet(struct msm_virt_gpu *vg, struct virt_cp_stream *s, int level)
{
	u32 hdr, cnt, op, start, i;
	u32 p[9];
	int ret;

	if (virt_cp_stopping(vg))
		return -EINTR;
	/* An IB can hold 2^20 packets: let the rest of the kernel run. */
	cond_resched();
	ret = virt_cp_fetch(vg, s, level, &hdr);
	if (ret)
		return ret;

	switch (hdr >> 28) {
	case 4:
		cnt = hdr & 0x7f;
		op = 0;
		break;
	case 7:
		cnt = hdr & 0x7fff;
		op = (hdr >> 16) & 0x7f;
		if (((hdr >> 15) & 1) != PM4_PARITY(cnt) || ((hdr >> 23) & 1) != PM4_PARITY(op) ||
		    (hdr & GENMASK(27, 24)))
			return virt_cp_error(vg, "packet parity", hdr, level);
		break;
	default:
		return virt_cp_error(vg, "opcode error", hdr, level);
	}
	if (!s->ring && cnt > s->size - s->pos)
		return virt_cp_error(vg, "packet overruns its IB", hdr, level);
	start = s->pos;

	/* Operands of the fixed-size packets; CP_MEM_WRITE streams its data. */
	if ((hdr >> 28) == 7 && op != CP_MEM_WRITE && op != CP_NOP) {
		if (cnt > ARRAY_SIZE(p))
			return virt_cp_error(vg, "too many operands", hdr, level);
		for (i = 0; i < cnt; i++) {
			ret = virt_cp_fetch(vg, s, level, &p[i]);
			if (ret)
				return ret;
		}
	}

	if ((hdr >> 28) == 4)
		goto out;

	switch (op) {
	case CP_NOP:
	case CP_WAIT_FOR_IDLE:
	case CP_WAIT_FOR_ME:
		break;
	case CP_MEM_WRITE: {
		u32 lo, hi;
		u64 dst;

		if (cnt < 3)
			return virt_cp_error(vg, "CP_MEM_WRITE operands", hdr, level);
		ret = virt_cp_fetch(vg, s, level, &lo);
		if (!ret)
			ret = virt_cp_fetch(vg, s, level, &hi);
		if (ret)
			return ret;
		dst = (u64)hi << 32 | lo;
		for (i = 2; !ret && i < cnt; i++) {
			u32 v;

			ret = virt_cp_fetch(vg, s, level, &v);
			if (!ret)
				ret = virt_cp_write(vg, level, dst + 4ull * (i - 2), v);
		}
		break;
	}
	case CP_MEM_TO_MEM:
		ret = virt_cp_mem_to_mem(vg, p, cnt, hdr, level);
		break;
	case CP_INDIRECT_BUFFER:
		if (cnt != 3)
			return virt_cp_error(vg, "CP_INDIRECT_BUFFER operands", hdr, level);
		ret = virt_cp_ib(vg, (u64)p[1] << 32 | p[0],
				 p[2] & A5XX_CP_INDIRECT_BUFFER_2_IB_SIZE__MASK, hdr, level);
		break;
	case CP_WAIT_REG_MEM:
		if (cnt != 6)
			return virt_cp_error(vg, "CP_WAIT_REG_MEM operands", hdr, level);
		ret = virt_cp_wait_reg_mem(vg, p, hdr, level);
		break;
	case CP_EVENT_WRITE:
		if (cnt != 1 && cnt != 4)
			return virt_cp_error(vg, "CP_EVENT_WRITE operands", hdr, level);
		if (cnt == 4 && (p[0] & 0xff) == CACHE_FLUSH_TS)
			ret = virt_cp_write(vg, level, (u64)p[2] << 32 | p[1], p[3]);
		if (!ret && (p[0] & CP_EVENT_WRITE_0_IRQ))
			virt_cp_irq(vg, VIRT_IRQ_CACHE_FLUSH_TS);
		break;
	case CP_SMMU_TABLE_UPDATE:
		/* Privileged: an IB switching page tables could reach any memory. */
		if (level)
			return virt_cp_error(vg, "protected packet in an IB", hdr, level);
		if (cnt != 4)
			return virt_cp_error(vg, "CP_SMMU_TABLE_UPDATE operands", hdr, level);
		msm_virt_smmu_set_ttbr0((u64)p[1] << 32 | p[0]);
		break;
	default:
		return virt_cp_error(vg, "opcode error", hdr, level);
	}
out:
	s->pos = start + cnt;
	return ret;
}

/* Execute the ringbuffer up to wptr.  Caller holds exec_lock. */
static void virt_cp_run(struct msm_virt_gpu *vg)
{
	struct msm_ringbuffer *ring = vg->base.base.rb[0];
	struct virt_cp_stream rb = {
		.base = ring->iova,
		.size = MSM_GPU_RINGBUFFER_SZ >> 2,
		.ring = true,
	};

	lockdep_assert_held(&vg->exec_lock);

	while (!READ_ONCE(vg->halt) && !vg->error && vg->rptr != READ_ONCE(vg->wptr)) {
		/* Read the ringbuffer only after the wptr that covers it. */
		smp_rmb();
		rb.pos = vg->rptr;
		if (virt_cp_packet(vg, &rb, 0))
			break;
		WRITE_ONCE(vg->rptr, rb.pos % rb.size);
	}
}

static bool virt_cp_has_work(struct msm_virt_gpu *vg)
{
	return kthread_should_stop() ||
	       (!READ_ONCE(vg->halt) && !READ_ONCE(vg->error) &&
		READ_ONCE(vg->rptr) != READ_ONCE(vg->wptr));
}

static int virt_cp_thread(void *arg)
{
	struct msm_virt_gpu *vg = arg;

	while (!kthread_should_stop()) {
		wait_event_interruptible(vg->cp_wq, virt_cp_has_work(vg));
		mutex_lock(&vg->exec_lock);
		virt_cp_run(vg);
		mutex_unlock(&vg->exec_lock);
	}
	return 0;
}

/* Stop the CP; it stays stopped until virt_cp_reset_and_restart(). */
static void virt_cp_halt(struct msm_virt_gpu *vg)
{
	WRITE_ONCE(vg->halt, true);
	wake_up_all(&vg->cp_wq);
	wake_up_all(msm_virt_smmu_waitq());
	mutex_lock(&vg->exec_lock);
}

static void virt_cp_reset_and_restart(struct msm_virt_gpu *vg)
{
	lockdep_assert_held(&vg->exec_lock);

	WRITE_ONCE(vg->error, false);
	vg->rptr = 0;
	WRITE_ONCE(vg->wptr, 0);
	memset(vg->ib_base, 0, sizeof(vg->ib_base));
	memset(vg->ib_rem, 0, sizeof(vg->ib_rem));
	clear_bit(VIRT_IRQ_CACHE_FLUSH_TS, &vg->irq_status);
	WRITE_ONCE(vg->halt, false);
	mutex_unlock(&vg->exec_lock);
}

/* msm_gpu_funcs */

static int virt_gpu_hw_init(struct msm_gpu *gpu)
{
	struct msm_virt_gpu *vg = to_virt_gpu(gpu);
	int ret;

	lockdep_assert_held(&gpu->lock);
	virt_cp_halt(vg);
	ret = adreno_hw_init(gpu);
	/*
	 * The CP starts without a TTBR0 table (the one it had may be gone):
	 * the next submit switches to its context's.
	 */
	msm_virt_smmu_set_ttbr0(0);
	gpu->cur_ctx_seqno = 0;
	virt_cp_reset_and_restart(vg);
	return ret;
}

static void virt_gpu_flush(struct msm_gpu *gpu, struct msm_ringbuffer *ring)
{
	struct msm_virt_gpu *vg = to_virt_gpu(gpu);

	ring->cur = ring->next;
	/* The ringbuffer's contents before the wptr that covers them. */
	smp_wmb();
	WRITE_ONCE(vg->wptr, get_wptr(ring));
	wake_up_all(&vg->cp_wq);
}

static void virt_gpu_submit(struct msm_gpu *gpu, struct msm_gem_submit *submit)
{
	struct msm_file_private *ctx = submit->queue->ctx;
	struct msm_ringbuffer *ring = submit->ring;
	unsigned int i;

	/* gpu->lock serializes the ringbuffer's writers and cur_ctx_seqno. */
	lockdep_assert_held(&gpu->lock);
	if (ctx->seqno != gpu->cur_ctx_seqno) {
		phys_addr_t ttbr;
		int asid;

		/* The shared address space has no TTBR0 table. */
		if (msm_iommu_pagetable_params(submit->aspace->mmu, &ttbr, &asid)) {
			ttbr = 0;
			asid = 0;
		}
		OUT_PKT7(ring, CP_SMMU_TABLE_UPDATE, 4);
		OUT_RING(ring, CP_SMMU_TABLE_UPDATE_0_TTBR0_LO(lower_32_bits(ttbr)));
		OUT_RING(ring, CP_SMMU_TABLE_UPDATE_1_TTBR0_HI(upper_32_bits(ttbr)) |
			 CP_SMMU_TABLE_UPDATE_1_ASID(asid));
		OUT_RING(ring, CP_SMMU_TABLE_UPDATE_2_CONTEXTIDR(0));
		OUT_RING(ring, CP_SMMU_TABLE_UPDATE_3_CONTEXTBANK(0));
	}

	for (i = 0; i < submit->nr_cmds; i++) {
		switch (submit->cmd[i].type) {
		case MSM_SUBMIT_CMD_IB_TARGET_BUF:
			break;
		case MSM_SUBMIT_CMD_CTX_RESTORE_BUF:
			if (gpu->cur_ctx_seqno == ctx->seqno)
				break;
			fallthrough;
		case MSM_SUBMIT_CMD_BUF:
			OUT_PKT7(ring, CP_INDIRECT_BUFFER, 3);
			OUT_RING(ring, lower_32_bits(submit->cmd[i].iova));
			OUT_RING(ring, upper_32_bits(submit->cmd[i].iova));
			OUT_RING(ring, A5XX_CP_INDIRECT_BUFFER_2_IB_SIZE(submit->cmd[i].size));
			break;
		}
	}

	OUT_PKT7(ring, CP_EVENT_WRITE, 4);
	OUT_RING(ring, CP_EVENT_WRITE_0_EVENT(CACHE_FLUSH_TS) | CP_EVENT_WRITE_0_IRQ);
	OUT_RING(ring, lower_32_bits(rbmemptr(ring, fence)));
	OUT_RING(ring, upper_32_bits(rbmemptr(ring, fence)));
	OUT_RING(ring, submit->seqno);

	virt_gpu_flush(gpu, ring);
}

static irqreturn_t virt_gpu_irq(struct msm_gpu *gpu)
{
	struct msm_virt_gpu *vg = to_virt_gpu(gpu);

	if (!test_and_clear_bit(VIRT_IRQ_CACHE_FLUSH_TS, &vg->irq_status))
		return IRQ_NONE;
	msm_gpu_retire(gpu);
	return IRQ_HANDLED;
}

static u32 virt_gpu_get_rptr(struct msm_gpu *gpu, struct msm_ringbuffer *ring)
{
	return ring->memptrs->rptr = READ_ONCE(to_virt_gpu(gpu)->rptr);
}

static bool virt_gpu_progress(struct msm_gpu *gpu, struct msm_ringbuffer *ring)
{
	struct msm_virt_gpu *vg = to_virt_gpu(gpu);
	struct msm_cp_state cp_state = {
		.ib1_base = READ_ONCE(vg->ib_base[0]),
		.ib2_base = READ_ONCE(vg->ib_base[1]),
		.ib1_rem = READ_ONCE(vg->ib_rem[0]),
		.ib2_rem = READ_ONCE(vg->ib_rem[1]),
	};
	bool progress = memcmp(&cp_state, &ring->last_cp_state, sizeof(cp_state));

	ring->last_cp_state = cp_state;
	return progress;
}

static struct msm_gpu_state *virt_gpu_state_get(struct msm_gpu *gpu)
{
	struct msm_gpu_state *state = kzalloc(sizeof(*state), GFP_KERNEL);

	if (!state)
		return ERR_PTR(-ENOMEM);
	adreno_gpu_state_get(gpu, state);
	return state;
}

static struct msm_gem_address_space *
virt_gpu_create_private_address_space(struct msm_gpu *gpu, bool kernel_managed)
{
	struct msm_gem_address_space *aspace;
	struct msm_mmu *mmu;

	mmu = msm_iommu_pagetable_create(gpu->aspace->mmu);
	if (IS_ERR(mmu))
		return ERR_CAST(mmu);
	aspace = msm_gem_address_space_create(gpu->dev, mmu, "gpu", SZ_4G,
					      adreno_private_address_space_size(gpu),
					      kernel_managed);
	if (IS_ERR(aspace))
		mmu->funcs->destroy(mmu);
	return aspace;
}

static int virt_gpu_fault_handler(void *arg, unsigned long iova, int flags, void *data)
{
	struct msm_gpu *gpu = arg;
	struct msm_virt_gpu *vg = to_virt_gpu(gpu);
	u32 scratch[4] = {
		lower_32_bits(READ_ONCE(vg->ib_base[0])), upper_32_bits(READ_ONCE(vg->ib_base[0])),
		lower_32_bits(READ_ONCE(vg->ib_base[1])), upper_32_bits(READ_ONCE(vg->ib_base[1])),
	};

	return adreno_fault_handler(gpu, iova, flags, data, "CP", scratch);
}

static void virt_gpu_destroy(struct msm_gpu *gpu)
{
	struct msm_virt_gpu *vg = to_virt_gpu(gpu);

	if (vg->cp) {
		WRITE_ONCE(vg->halt, true);
		wake_up_all(msm_virt_smmu_waitq());
		kthread_stop(vg->cp);
	}
	adreno_gpu_cleanup(&vg->base);
	mutex_destroy(&vg->exec_lock);
	kfree(vg);
}

/*
 * With msm.virt_per_process_pgtables=0 the GPU is one without per-process
 * page tables (a2xx-a5xx): no create_private_address_space, so contexts
 * share gpu->aspace and MSM_PARAM_EN_VM_BIND is -EINVAL.
 */
#define VIRT_GPU_FUNCS(private_aspace) { \
	.base = { \
		.get_param = adreno_get_param, \
		.set_param = adreno_set_param, \
		.hw_init = virt_gpu_hw_init, \
		.pm_suspend = msm_gpu_pm_suspend, \
		.pm_resume = msm_gpu_pm_resume, \
		.submit = virt_gpu_submit, \
		.flush = virt_gpu_flush, \
		.irq = virt_gpu_irq, \
		.active_ring = adreno_active_ring, \
		/* pm_suspend/resume, then hw_init halts and resets the CP. */ \
		.recover = adreno_recover, \
		.destroy = virt_gpu_destroy, \
		VIRT_GPU_SHOW \
		.gpu_state_get = virt_gpu_state_get, \
		.gpu_state_put = adreno_gpu_state_put, \
		.create_address_space = adreno_create_address_space, \
		.create_private_address_space = private_aspace, \
		.get_rptr = virt_gpu_get_rptr, \
		.progress = virt_gpu_progress, \
	}, \
}

#if defined(CONFIG_DEBUG_FS) || defined(CONFIG_DEV_COREDUMP)
#define VIRT_GPU_SHOW .show = adreno_show,
#else
#define VIRT_GPU_SHOW
#endif

static const struct adreno_gpu_funcs virt_gpu_funcs =
	VIRT_GPU_FUNCS(virt_gpu_create_private_address_space);
static const struct adreno_gpu_funcs virt_gpu_funcs_shared = VIRT_GPU_FUNCS(NULL);

static struct msm_gpu *msm_virt_gpu_init(struct drm_device *drm)
{
	struct msm_drm_private *priv = drm->dev_private;
	struct platform_device *pdev = priv->gpu_pdev;
	struct msm_virt_gpu *vg;
	struct msm_gpu *gpu;
	int ret;

	vg = kzalloc(sizeof(*vg), GFP_KERNEL);
	if (!vg)
		return ERR_PTR(-ENOMEM);
	gpu = &vg->base.base;
	init_waitqueue_head(&vg->cp_wq);
	mutex_init(&vg->exec_lock);
	/*
	 * As a650 and later: the ringbuffer and memptrs are mapped
	 * privileged, so that an IB cannot forge a fence or rewrite the ring.
	 */
	gpu->hw_apriv = true;

	ret = adreno_gpu_init(drm, pdev, &vg->base,
			      virt_per_process_pgtables ? &virt_gpu_funcs :
			      &virt_gpu_funcs_shared, 1);
	if (ret)
		goto fail;
	if (!gpu->aspace) {
		/* Without its SMMU the virtual GPU could reach no memory. */
		dev_err(&pdev->dev, "virtual GPU: no IOMMU (the virtual SMMU did not probe it)\n");
		ret = -ENODEV;
		goto fail;
	}
	msm_mmu_set_fault_handler(gpu->aspace->mmu, gpu, virt_gpu_fault_handler);

	vg->cp = kthread_run(virt_cp_thread, vg, "msm-virt-cp");
	if (IS_ERR(vg->cp)) {
		ret = PTR_ERR(vg->cp);
		vg->cp = NULL;
		goto fail;
	}
	return gpu;

fail:
	virt_gpu_destroy(gpu);
	return ERR_PTR(ret);
}

static const struct adreno_info virt_gpus[] = {
	{
		.chip_ids = ADRENO_CHIP_IDS(0x09090900),
		.family = ADRENO_6XX_GEN1,
		.gmem = SZ_256K,
		.inactive_period = DRM_MSM_INACTIVE_PERIOD,
		.init = msm_virt_gpu_init,
	},
};
DECLARE_ADRENO_GPULIST(virt);
