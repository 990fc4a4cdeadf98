// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: the register file, exposed as a regmap on the instance's device */

#include <linux/bitfield.h>
#include <linux/regmap.h>
#include <kunit/visibility.h>

#include "ppesim.h"
#include "ppesim_compat.h"

#define PPESIM_REG_MAX	(PORT_REG(PORT_MAX, 0) - 4)

/* 64-bit counter register pair: _LO returns the low half and latches _HI */
static u32 ppesim_cnt_read(u64 val, u32 *latch, bool hi, bool peek)
{
	if (peek)
		return hi ? upper_32_bits(val) : lower_32_bits(val);
	if (hi)
		return *latch;
	*latch = upper_32_bits(val);
	return lower_32_bits(val);
}

static bool ppesim_global_cnt_exists(unsigned int n)
{
	return n <= CNT_DROPS || (n > CNT_PUNT(0) && n < CNT_GLOBAL_NUM);
}

static u32 ppesim_port_read(struct ppesim_engine *eng, unsigned int p,
			    unsigned int r, bool peek)
{
	struct ppesim_port_cnt *c = &eng->pcnt[p];
	bool hi = r & 4;

	switch (r) {
	case PORT_CTRL:
		return eng->port[p].ctrl;
	case PORT_MAC_HI:
		return eng->port[p].mac_hi;
	case PORT_MAC_LO:
		return eng->port[p].mac_lo;
	case PORT_MTU:
		return eng->port[p].mtu;
	case PORT_TAG:
		return eng->port[p].tag;
	case PORT_RX_PKTS ... PORT_RX_PKTS + 4:
		return ppesim_cnt_read(c->rx_pkts, &eng->latch_port[p][0],
				       hi, peek);
	case PORT_RX_BYTES ... PORT_RX_BYTES + 4:
		return ppesim_cnt_read(c->rx_bytes, &eng->latch_port[p][1],
				       hi, peek);
	case PORT_TX_PKTS ... PORT_TX_PKTS + 4:
		return ppesim_cnt_read(c->tx_pkts, &eng->latch_port[p][2],
				       hi, peek);
	case PORT_TX_BYTES ... PORT_TX_BYTES + 4:
		return ppesim_cnt_read(c->tx_bytes, &eng->latch_port[p][3],
				       hi, peek);
	default:
		return 0;
	}
}

static u32 ppesim_reg_get(struct ppesim_engine *eng, unsigned int reg,
			  bool peek)
{
	bool running = eng->fw_state == FW_STATE_RUNNING;
	unsigned int n;

	lockdep_assert_held(&eng->lock);

	switch (reg) {
	case PPE_ID:
		return PPE_ID_MAGIC;
	case PPE_REV:
		return FIELD_PREP(PPE_REV_HW_ID, PPESIM_HW_ID) |
		       FIELD_PREP(PPE_REV_MAJOR, PPESIM_REV_MAJOR) |
		       FIELD_PREP(PPE_REV_MINOR, PPESIM_REV_MINOR);
	case PPE_CAPS:
		return FIELD_PREP(PPE_CAPS_PORTS, eng->nports) |
		       FIELD_PREP(PPE_CAPS_RMACS, PPESIM_RMACS) |
		       FIELD_PREP(PPE_CAPS_CMD_SLOTS,
				  eng->nslots > 1 ? eng->nslots : 0);
	case PPE_CTRL:
		return eng->ctrl;
	case PPE_STATUS:
		return (running && (eng->ctrl & PPE_CTRL_EN) ?
			PPE_STATUS_RUNNING : 0) |
		       (running ? PPE_STATUS_FW_RUNNING : 0) |
		       (eng->tbl ? PPE_STATUS_TBL_READY : 0);
	case FW_STATUS:
		return FIELD_PREP(FW_STATUS_STATE, eng->fw_state) |
		       FIELD_PREP(FW_STATUS_ERR, eng->fw_err);
	case FW_MAX_SIZE:
		return PPESIM_FW_MAX;
	case FW_VERSION:
		return running ? eng->fw_version : 0;
	case FW_FEATURES:
		return running ? eng->fw_features : 0;
	case TBL_BASE_LO:
		return lower_32_bits(eng->tbl_base);
	case TBL_BASE_HI:
		return upper_32_bits(eng->tbl_base);
	case CNT_BASE_LO:
		return lower_32_bits(eng->cnt_base);
	case CNT_BASE_HI:
		return upper_32_bits(eng->cnt_base);
	case TBL_CAPS:
		return FIELD_PREP(TBL_CAPS_MAX_LOG2, eng->max_log2) |
		       FIELD_PREP(TBL_CAPS_WAYS, PPESIM_WAYS) |
		       FIELD_PREP(TBL_CAPS_ENTRY_SIZE,
				  sizeof(struct ppesim_hw_entry)) |
		       FIELD_PREP(TBL_CAPS_CNT_SIZE,
				  sizeof(struct ppesim_hw_counter));
	case TBL_CFG:
		return eng->tbl_cfg;
	case HASH_SEED0:
		return eng->seed[0];
	case HASH_SEED1:
		return eng->seed[1];
	case CACHE_STATUS:
		return ppesim_cache_status(eng, 0);
	case CACHE_SLOT_BASE ... CACHE_SLOT_STATUS(CACHE_SLOTS_MAX - 1):
		n = (reg - CACHE_SLOT_BASE) / CACHE_SLOT_STRIDE;
		/* CMD reads 0; no slot registers on a one-slot engine */
		if (eng->nslots < 2 || n >= eng->nslots || reg == CACHE_SLOT_CMD(n))
			return 0;
		return ppesim_cache_status(eng, n);
	case TS_NOW:
		return ppesim_ts_now();
	case TS_RATE:
		return PPESIM_TS_RATE;
	case IRQ_STATUS:
		return eng->irq_status;
	case IRQ_MASK:
		return eng->irq_mask;
	case CNT_GLOBAL_BASE ... CNT_GLOBAL(CNT_GLOBAL_NUM) - 4:
		n = (reg - CNT_GLOBAL_BASE) / 8;
		if (!ppesim_global_cnt_exists(n))
			return 0;
		return ppesim_cnt_read(eng->cnt_global[n],
				       &eng->latch_global[n], reg & 4, peek);
	case RMAC_BASE ... RMAC_REG(PPESIM_RMACS, 0) - 4:
		n = (reg - RMAC_BASE) / RMAC_STRIDE;
		switch ((reg - RMAC_BASE) % RMAC_STRIDE) {
		case RMAC_CTRL:
			return eng->rmac[n].ctrl;
		case RMAC_HI:
			return eng->rmac[n].mac_hi;
		case RMAC_LO:
			return eng->rmac[n].mac_lo;
		}
		return 0;
	case PORT_BASE ... PPESIM_REG_MAX:
		n = (reg - PORT_BASE) / PORT_STRIDE;
		if (n >= eng->nports)
			return 0;
		return ppesim_port_read(eng, n, (reg - PORT_BASE) % PORT_STRIDE,
					peek);
	default:
		return 0;
	}
}

static void ppesim_port_write(struct ppesim_engine *eng, unsigned int p,
			      unsigned int r, u32 val)
{
	switch (r) {
	case PORT_CTRL:
		eng->port[p].ctrl = val & PORT_CTRL_EN;
		break;
	case PORT_MAC_HI:
		eng->port[p].mac_hi = val & PORT_MAC_HI_BYTES;
		break;
	case PORT_MAC_LO:
		eng->port[p].mac_lo = val;
		break;
	case PORT_MTU:
		eng->port[p].mtu = val;
		break;
	case PORT_TAG:
		eng->port[p].tag = val & PORT_TAG_MODE;
		break;
	}
}

static void ppesim_rmac_write(struct ppesim_engine *eng, unsigned int n,
			      unsigned int r, u32 val)
{
	switch (r) {
	case RMAC_CTRL:
		eng->rmac[n].ctrl = val & (RMAC_CTRL_VALID | RMAC_CTRL_PORTS);
		break;
	case RMAC_HI:
		eng->rmac[n].mac_hi = val & RMAC_HI_BYTES;
		break;
	case RMAC_LO:
		eng->rmac[n].mac_lo = val;
		break;
	}
}

static void ppesim_fw_data(struct ppesim_engine *eng, u32 val)
{
	if (eng->fw_state != FW_STATE_LOADING)
		return;
	if (eng->fw_len + 4 > PPESIM_FW_MAX) {
		eng->fw_state = FW_STATE_ERROR;
		eng->fw_err = FW_ERR_OVERFLOW;
		ppesim_irq_raise(eng, IRQ_FW);
		return;
	}
	put_unaligned_le32(val, eng->fw_buf + eng->fw_len);
	eng->fw_len += 4;
}

static void ppesim_fw_ctrl(struct ppesim_engine *eng, u32 val)
{
	if (val & FW_CTRL_START) {
		eng->fw_state = FW_STATE_LOADING;
		eng->fw_err = FW_ERR_NONE;
		eng->fw_version = 0;
		eng->fw_features = 0;
		eng->fw_len = 0;
	}
	if (val & FW_CTRL_BOOT)
		ppesim_fw_boot(eng);
}

/* Writes that are not RESET; caller holds eng->lock. */
static void ppesim_reg_set(struct ppesim_engine *eng, unsigned int reg,
			   u32 val)
{
	unsigned int n;

	lockdep_assert_held(&eng->lock);

	switch (reg) {
	case PPE_CTRL:
		eng->ctrl = val & PPE_CTRL_EN;
		break;
	case FW_CTRL:
		ppesim_fw_ctrl(eng, val);
		break;
	case FW_DATA:
		ppesim_fw_data(eng, val);
		break;
	case TBL_BASE_LO:
		eng->tbl_base = (eng->tbl_base & GENMASK_ULL(63, 32)) | val;
		ppesim_engine_update_table(eng);
		break;
	case TBL_BASE_HI:
		eng->tbl_base = lower_32_bits(eng->tbl_base) | (u64)val << 32;
		ppesim_engine_update_table(eng);
		break;
	case CNT_BASE_LO:
		eng->cnt_base = (eng->cnt_base & GENMASK_ULL(63, 32)) | val;
		ppesim_engine_update_table(eng);
		break;
	case CNT_BASE_HI:
		eng->cnt_base = lower_32_bits(eng->cnt_base) | (u64)val << 32;
		ppesim_engine_update_table(eng);
		break;
	case TBL_CFG:
		eng->tbl_cfg = val & TBL_CFG_LOG2;
		ppesim_engine_update_table(eng);
		break;
	case HASH_SEED0:
		eng->seed[0] = val;
		break;
	case HASH_SEED1:
		eng->seed[1] = val;
		break;
	case CACHE_CMD:
		ppesim_cache_cmd(eng, 0, val);
		break;
	case CACHE_SLOT_BASE ... CACHE_SLOT_STATUS(CACHE_SLOTS_MAX - 1):
		n = (reg - CACHE_SLOT_BASE) / CACHE_SLOT_STRIDE;
		if (eng->nslots > 1 && n < eng->nslots && reg == CACHE_SLOT_CMD(n))
			ppesim_cache_cmd(eng, n, val);
		break;
	case IRQ_STATUS:
		eng->irq_status &= ~val;
		ppesim_irq_update(eng);
		break;
	case IRQ_MASK:
		eng->irq_mask = val & IRQ_ALL;
		ppesim_irq_update(eng);
		break;
	case RMAC_BASE ... RMAC_REG(PPESIM_RMACS, 0) - 4:
		ppesim_rmac_write(eng, (reg - RMAC_BASE) / RMAC_STRIDE,
				  (reg - RMAC_BASE) % RMAC_STRIDE, val);
		break;
	case PORT_BASE ... PPESIM_REG_MAX:
		n = (reg - PORT_BASE) / PORT_STRIDE;
		if (n < eng->nports)
			ppesim_port_write(eng, n, (reg - PORT_BASE) % PORT_STRIDE,
					  val);
		break;
	}
}

/* the one-shot inject_reg_error knob; caller holds eng->lock */
static int ppesim_reg_fault(struct ppesim_engine *eng)
{
	int err = READ_ONCE(eng->inject_reg_error);

	if (err)
		WRITE_ONCE(eng->inject_reg_error, 0);
	return -err;
}

/**
 * ppesim_reg_read() - regmap reg_read: a register read with its side effects
 * @ctx: the engine
 * @reg: register offset
 * @val: the value read
 *
 * Return: 0, or the errno armed in inject_reg_error.
 */
VISIBLE_IF_KUNIT int ppesim_reg_read(void *ctx, unsigned int reg,
				     unsigned int *val)
{
	struct ppesim_engine *eng = ctx;
	int err;

	spin_lock_bh(&eng->lock);
	err = ppesim_reg_fault(eng);
	if (!err)
		*val = ppesim_reg_get(eng, reg, false);
	spin_unlock_bh(&eng->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_reg_read);

/**
 * ppesim_reg_write() - regmap reg_write: a register write with its side effects
 * @ctx: the engine
 * @reg: register offset
 * @val: the value written
 *
 * Return: 0, or the errno armed in inject_reg_error.
 */
VISIBLE_IF_KUNIT int ppesim_reg_write(void *ctx, unsigned int reg,
				      unsigned int val)
{
	struct ppesim_engine *eng = ctx;
	int err;

	spin_lock_bh(&eng->lock);
	err = ppesim_reg_fault(eng);
	if (!err && !(reg == PPE_CTRL && (val & PPE_CTRL_RESET)))
		ppesim_reg_set(eng, reg, val);
	spin_unlock_bh(&eng->lock);

	if (!err && reg == PPE_CTRL && (val & PPE_CTRL_RESET))
		ppesim_engine_reset(eng);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_reg_write);

/**
 * ppesim_reg_peek() - read a register for debugfs, without side effects on
 *	the counter latches or the one-shot error
 * @eng: the engine
 * @reg: register offset
 *
 * Return: the register value.
 */
u32 ppesim_reg_peek(struct ppesim_engine *eng, unsigned int reg)
{
	u32 val;

	spin_lock_bh(&eng->lock);
	val = ppesim_reg_get(eng, reg, true);
	spin_unlock_bh(&eng->lock);
	return val;
}

static const struct regmap_config ppesim_regmap_cfg = {
	.name = "ppe",
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = PPESIM_REG_MAX,
	.cache_type = REGCACHE_NONE,
	.reg_read = ppesim_reg_read,
	.reg_write = ppesim_reg_write,
	/* default mutex locking: register access from process context */
};

/**
 * ppesim_regs_init() - register the instance's register file as a regmap
 * @sim: the instance; the regmap lives on @sim->dev (devres)
 *
 * Return: 0 or a negative errno.
 */
int ppesim_regs_init(struct ppesim *sim)
{
	sim->regmap = devm_regmap_init(sim->dev, NULL, &sim->eng,
				       &ppesim_regmap_cfg);
	return PTR_ERR_OR_ZERO(sim->regmap);
}
