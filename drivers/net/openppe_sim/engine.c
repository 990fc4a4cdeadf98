// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: engine model: table walk, entry cache, hash, lookup and counters */

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/dma-direct.h>
#include <linux/etherdevice.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <kunit/visibility.h>

#include "ppesim.h"

/**
 * ppesim_engine_init() - set up an engine in its reset state
 * @eng: the engine
 * @dev: device whose DMA configuration translates programmed addresses
 * @nports: PPE_CAPS.PORTS
 * @max_log2: TBL_CAPS.MAX_LOG2
 *
 * Return: 0 or -ENOMEM.
 */
int ppesim_engine_init(struct ppesim_engine *eng, struct device *dev,
		       unsigned int nports, unsigned int max_log2)
{
	size_t lines = BIT(max_log2);

	spin_lock_init(&eng->lock);
	ppesim_irq_setup(eng);
	eng->dev = dev;
	eng->nports = nports;
	eng->max_log2 = max_log2;
	eng->fw_buf = kvzalloc(PPESIM_FW_MAX, GFP_KERNEL);
	eng->cache = kvcalloc(lines, sizeof(*eng->cache), GFP_KERNEL);
	eng->cache_valid = bitmap_zalloc(lines, GFP_KERNEL);
	if (!eng->fw_buf || !eng->cache || !eng->cache_valid) {
		ppesim_engine_fini(eng);
		return -ENOMEM;
	}
	eng->cmd_slots = PPESIM_CMD_SLOTS;
	eng->seed[0] = get_random_u32();
	eng->seed[1] = get_random_u32();
	ppesim_engine_reset(eng);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_engine_init);

/**
 * ppesim_engine_fini() - free an engine's memory
 * @eng: the engine; no register access or frame may be in flight
 */
void ppesim_engine_fini(struct ppesim_engine *eng)
{
	bitmap_free(eng->cache_valid);
	kvfree(eng->cache);
	kvfree(eng->fw_buf);
	eng->cache_valid = NULL;
	eng->cache = NULL;
	eng->fw_buf = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_engine_fini);

/**
 * ppesim_engine_reset() - PPE_CTRL.RESET: back to the power-on state
 * @eng: the engine
 *
 * Keeps the hash seeds and the knobs; takes the number of command slots
 * from the cmd_slots knob.
 */
void ppesim_engine_reset(struct ppesim_engine *eng)
{
	spin_lock_bh(&eng->lock);
	eng->ctrl = 0;
	eng->fw_state = FW_STATE_IDLE;
	eng->fw_err = FW_ERR_NONE;
	eng->fw_version = 0;
	eng->fw_features = 0;
	eng->fw_len = 0;
	eng->tbl_base = 0;
	eng->cnt_base = 0;
	eng->tbl_cfg = 0;
	eng->tbl = NULL;
	eng->cnt = NULL;
	eng->entries = 0;
	bitmap_zero(eng->cache_valid, BIT(eng->max_log2));
	memset(eng->cslot, 0, sizeof(eng->cslot));
	eng->nslots = clamp_t(u32, READ_ONCE(eng->cmd_slots), 1,
			      CACHE_SLOTS_MAX);
	eng->irq_status = 0;
	eng->irq_mask = 0;
	ppesim_irq_update(eng);
	memset(eng->cnt_global, 0, sizeof(eng->cnt_global));
	memset(eng->latch_global, 0, sizeof(eng->latch_global));
	memset(eng->port, 0, sizeof(eng->port));
	memset(eng->rmac, 0, sizeof(eng->rmac));
	memset(eng->pcnt, 0, sizeof(eng->pcnt));
	memset(eng->latch_port, 0, sizeof(eng->latch_port));
	spin_unlock_bh(&eng->lock);
}

/* Kernel address of @size bytes of host memory at DMA address @dma, or NULL
 * when any page of the range is not RAM in the kernel's linear map: a bad
 * base must leave TBL_READY clear, never crash the host.
 */
static void *ppesim_dma_to_virt(struct device *dev, u64 dma, size_t size)
{
	phys_addr_t phys, last;
	unsigned long pfn;

	if (!dma || size == 0 || dma + size - 1 < dma)
		return NULL;
	phys = dma_to_phys(dev, dma);
	last = phys + size - 1;
	if (last < phys)
		return NULL;
	for (pfn = PHYS_PFN(phys); pfn <= PHYS_PFN(last); pfn++)
		if (!pfn_valid(pfn))
			return NULL;
	return phys_to_virt(phys);
}

/**
 * ppesim_engine_update_table() - recompute TBL_READY after a table register
 *	changed
 * @eng: the engine; caller holds @eng->lock
 */
void ppesim_engine_update_table(struct ppesim_engine *eng)
{
	unsigned int log2 = FIELD_GET(TBL_CFG_LOG2, eng->tbl_cfg);
	void *tbl = NULL, *cnt = NULL;
	u32 entries;

	lockdep_assert_held(&eng->lock);

	eng->tbl = NULL;
	eng->cnt = NULL;
	eng->entries = 0;
	if (log2 < PPESIM_WAYS_LOG2 + 1 || log2 > eng->max_log2)
		return;
	if (!IS_ALIGNED(eng->tbl_base, 128) || !IS_ALIGNED(eng->cnt_base, 32))
		return;
	entries = BIT(log2);
	tbl = ppesim_dma_to_virt(eng->dev, eng->tbl_base,
				 entries * sizeof(struct ppesim_hw_entry));
	cnt = ppesim_dma_to_virt(eng->dev, eng->cnt_base,
				 entries * sizeof(struct ppesim_hw_counter));
	if (!tbl || !cnt)
		return;
	eng->tbl = tbl;
	eng->cnt = cnt;
	eng->entries = entries;
}

static void ppesim_cache_exec(struct ppesim_engine *eng, u32 cmd)
{
	lockdep_assert_held(&eng->lock);

	switch (FIELD_GET(CACHE_CMD_OP, cmd)) {
	case CACHE_OP_INV_ENTRY:
		clear_bit(FIELD_GET(CACHE_CMD_INDEX, cmd), eng->cache_valid);
		break;
	case CACHE_OP_INV_ALL:
		bitmap_zero(eng->cache_valid, BIT(eng->max_log2));
		break;
	}
	ppesim_irq_raise(eng, IRQ_CACHE);
}

/* Complete slot @slot's held command if its time has come. */
static void ppesim_cache_poll(struct ppesim_engine *eng, u32 slot)
{
	struct ppesim_cslot *cs = &eng->cslot[slot];

	lockdep_assert_held(&eng->lock);

	if (cs->busy && !READ_ONCE(eng->cache_timeout) &&
	    ktime_compare(ktime_get(), cs->due) >= 0) {
		ppesim_cache_exec(eng, cs->cmd);
		cs->busy = false;
	}
}

/* Another slot than @slot has a command in progress. */
static bool ppesim_cache_others_busy(struct ppesim_engine *eng, u32 slot)
{
	u32 s;

	for (s = 0; s < eng->nslots; s++) {
		if (s == slot)
			continue;
		ppesim_cache_poll(eng, s);
		if (eng->cslot[s].busy)
			return true;
	}
	return false;
}

/**
 * ppesim_cache_cmd() - a write to a command slot's CMD (slot 0: CACHE_CMD)
 * @eng: the engine; caller holds @eng->lock
 * @slot: the slot, < @eng->nslots
 * @cmd: the value written
 *
 * Ignored while the slot is BUSY. Rejects the command (ERR, nothing done)
 * if it is malformed, if it is an INV_ALL while another slot is BUSY, or if
 * the cache_reject knob is set. Otherwise the slot holds it (BUSY) for
 * cmd_latency_us, or for as long as the cache_timeout knob is set, and runs
 * it when its STATUS is read after that; without either it runs at once.
 */
void ppesim_cache_cmd(struct ppesim_engine *eng, u32 slot, u32 cmd)
{
	u32 latency = READ_ONCE(eng->cmd_latency_us);
	struct ppesim_cslot *cs = &eng->cslot[slot];
	u32 op = FIELD_GET(CACHE_CMD_OP, cmd);
	u32 idx = FIELD_GET(CACHE_CMD_INDEX, cmd);
	u32 limit = eng->entries ?: BIT(eng->max_log2);

	lockdep_assert_held(&eng->lock);

	ppesim_cache_poll(eng, slot);
	if (cs->busy)
		return;
	if ((op != CACHE_OP_INV_ENTRY && op != CACHE_OP_INV_ALL) ||
	    (op == CACHE_OP_INV_ENTRY && idx >= limit) ||
	    (op == CACHE_OP_INV_ALL && ppesim_cache_others_busy(eng, slot)) ||
	    READ_ONCE(eng->cache_reject)) {
		cs->err = true;
		ppesim_irq_raise(eng, IRQ_CACHE);
		return;
	}
	cs->err = false;
	if (latency || READ_ONCE(eng->cache_timeout)) {
		cs->busy = true;
		cs->cmd = cmd;
		cs->due = ktime_add_us(ktime_get(), latency);
		return;
	}
	ppesim_cache_exec(eng, cmd);
}

/**
 * ppesim_cache_status() - read a command slot's STATUS (slot 0: CACHE_STATUS)
 * @eng: the engine; caller holds @eng->lock
 * @slot: the slot, < @eng->nslots
 *
 * Completes the slot's held command first if its time has come.
 *
 * Return: the register value.
 */
u32 ppesim_cache_status(struct ppesim_engine *eng, u32 slot)
{
	struct ppesim_cslot *cs = &eng->cslot[slot];

	ppesim_cache_poll(eng, slot);
	return (cs->busy ? CACHE_STATUS_BUSY : 0) |
	       (cs->err ? CACHE_STATUS_ERR : 0);
}

/**
 * ppesim_cache_evict() - debugfs: drop cached copies as the engine may
 * @eng: the engine
 * @idx: entry index
 * @all: drop every copy instead
 */
void ppesim_cache_evict(struct ppesim_engine *eng, u32 idx, bool all)
{
	spin_lock_bh(&eng->lock);
	if (all)
		bitmap_zero(eng->cache_valid, BIT(eng->max_log2));
	else if (idx < BIT(eng->max_log2))
		clear_bit(idx, eng->cache_valid);
	spin_unlock_bh(&eng->lock);
}

/**
 * ppesim_counter_set() - debugfs: overwrite a counter record in host memory
 * @eng: the engine
 * @idx: record index
 * @packets: new PACKETS
 * @bytes: new BYTES
 *
 * Return: 0, -ENODEV without a programmed table, -ERANGE for a bad index.
 */
int ppesim_counter_set(struct ppesim_engine *eng, u32 idx, u32 packets,
		       u64 bytes)
{
	int err = 0;

	spin_lock_bh(&eng->lock);
	if (!eng->cnt) {
		err = -ENODEV;
	} else if (idx >= eng->entries) {
		err = -ERANGE;
	} else {
		WRITE_ONCE(eng->cnt[idx].packets, cpu_to_le32(packets));
		WRITE_ONCE(eng->cnt[idx].bytes, cpu_to_le64(bytes));
	}
	spin_unlock_bh(&eng->lock);
	return err;
}

/**
 * ppesim_entry_corrupt() - debugfs: flip the top bit of an entry's TYPE
 * @eng: the engine
 * @idx: entry index
 *
 * In host memory, as a bit error in the driver's table would: every
 * defined type becomes an undefined one (BAD_ENTRY), and a second flip
 * restores the entry. The engine's cached copy is dropped, so the next
 * frame matching the entry's key meets what memory now holds.
 *
 * Return: 0, -ENODEV without a programmed table, -ERANGE for a bad index.
 */
int ppesim_entry_corrupt(struct ppesim_engine *eng, u32 idx)
{
	/* types 0..3 are defined, 4..7 are not */
	__le32 flip = cpu_to_le32(FIELD_PREP(ENT_INFO_TYPE, 4));
	__le32 *w0;
	int err = 0;

	spin_lock_bh(&eng->lock);
	if (!eng->tbl) {
		err = -ENODEV;
	} else if (idx >= eng->entries) {
		err = -ERANGE;
	} else {
		w0 = &eng->tbl[idx].w[ENT_INFO];
		WRITE_ONCE(*w0, READ_ONCE(*w0) ^ flip);
		clear_bit(idx, eng->cache_valid);
	}
	spin_unlock_bh(&eng->lock);
	return err;
}

/**
 * ppesim_ts_now() - TS_NOW: engine time in milliseconds, wrapping at 2^32
 *
 * Return: the tick count.
 */
u32 ppesim_ts_now(void)
{
	return (u32)ktime_to_ms(ktime_get());
}

/**
 * ppesim_hash() - the bucket hash of hardware.md section 4
 * @key: key words w1..w11 as numbers
 * @seed: HASH_SEED0 or HASH_SEED1
 *
 * Return: the 32-bit hash.
 */
u32 ppesim_hash(const u32 *key, u32 seed)
{
	u32 h = seed, k;
	unsigned int i;

	for (i = 0; i < ENT_KEY_WORDS; i++) {
		k = key[i] * 0xcc9e2d51;
		k = rol32(k, 15);
		k *= 0x1b873593;
		h ^= k;
		h = rol32(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	h ^= ENT_KEY_WORDS * 4;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_hash);

/**
 * ppesim_buckets() - the two candidate buckets of a key
 * @key: key words w1..w11
 * @seed0: HASH_SEED0
 * @seed1: HASH_SEED1
 * @nbuckets: number of buckets, a power of 2, >= 2
 * @b0: first bucket
 * @b1: second bucket, never equal to @b0
 */
void ppesim_buckets(const u32 *key, u32 seed0, u32 seed1, u32 nbuckets,
		    u32 *b0, u32 *b1)
{
	*b0 = ppesim_hash(key, seed0) & (nbuckets - 1);
	*b1 = ppesim_hash(key, seed1) & (nbuckets - 1);
	if (*b1 == *b0)
		*b1 = *b0 ^ 1;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_buckets);

/* The engine's copy of entry @idx: from the cache, else read from memory. */
static const u32 *ppesim_entry_get(struct ppesim_engine *eng, u32 idx)
{
	const struct ppesim_hw_entry *hw = &eng->tbl[idx];
	u32 *w = eng->cache[idx].w;
	unsigned int i;

	lockdep_assert_held(&eng->lock);

	if (test_bit(idx, eng->cache_valid))
		return w;
	/* The driver writes the body, then dma_wmb(), then w0: read w0 first
	 * and the body after a read barrier, so a BOUND state always comes
	 * with the body written before it.
	 */
	w[0] = le32_to_cpu(READ_ONCE(hw->w[0]));
	dma_rmb();
	for (i = 1; i < ENT_WORDS; i++)
		w[i] = le32_to_cpu(READ_ONCE(hw->w[i]));
	set_bit(idx, eng->cache_valid);
	return w;
}

static bool ppesim_key_match(const u32 *w, const u32 *key)
{
	return FIELD_GET(ENT_INFO_STATE, w[ENT_INFO]) == ENT_STATE_BOUND &&
	       !memcmp(&w[ENT_KEY_FIRST], key, ENT_KEY_WORDS * sizeof(u32));
}

static const u32 *ppesim_lookup(struct ppesim_engine *eng, const u32 *key)
{
	u32 nb = eng->entries / PPESIM_WAYS, b[2], i, way;
	const u32 *w;

	ppesim_buckets(key, eng->seed[0], eng->seed[1], nb, &b[0], &b[1]);
	for (i = 0; i < 2; i++) {
		for (way = 0; way < PPESIM_WAYS; way++) {
			w = ppesim_entry_get(eng, b[i] * PPESIM_WAYS + way);
			if (ppesim_key_match(w, key))
				return w;
		}
	}
	return NULL;
}

static const u32 ppesim_type_feature[] = {
	[ENT_TYPE_IPV4_ROUTE] = FW_FEAT_IPV4_ROUTE,
	[ENT_TYPE_IPV4_NAPT] = FW_FEAT_IPV4_NAPT,
	[ENT_TYPE_IPV6_ROUTE] = FW_FEAT_IPV6_ROUTE,
	[ENT_TYPE_IPV6_NAPT] = FW_FEAT_IPV6_NAPT,
};

/* PUNT_NONE if the engine can forward with entry @w, else the reason */
static enum ppesim_punt ppesim_entry_usable(struct ppesim_engine *eng,
					    const u32 *w)
{
	u32 type = FIELD_GET(ENT_INFO_TYPE, w[ENT_INFO]);
	u32 eg = w[ENT_EGRESS], need;
	unsigned int kv, ev;
	bool v6, tagged;

	kv = FIELD_GET(ENT_KEY_VLAN_CNT, w[ENT_KEY_META]);
	ev = FIELD_GET(ENT_EG_VLAN_CNT, eg);
	v6 = FIELD_GET(ENT_KEY_IPV6, w[ENT_KEY_META]);
	if (type >= ARRAY_SIZE(ppesim_type_feature) ||
	    v6 != (type == ENT_TYPE_IPV6_ROUTE || type == ENT_TYPE_IPV6_NAPT) ||
	    FIELD_GET(ENT_EG_EPORT, eg) >= eng->nports || ev > 2)
		return PUNT_BAD_ENTRY;
	/* 8.3: the entry's switch tag must be the egress port's */
	tagged = eng->port[FIELD_GET(ENT_EG_EPORT, eg)].tag == PORT_TAG_MTK;
	if (FIELD_GET(ENT_EG_SW_TAG, eg) != tagged ||
	    (tagged && FIELD_GET(ENT_EG_SW_PORT, eg) > MTK_TAG_PORT_MAX))
		return PUNT_BAD_ENTRY;

	need = ppesim_type_feature[type];
	if (kv == 1 || ev == 1)
		need |= FW_FEAT_VLAN;
	if (kv == 2 || ev == 2)
		need |= FW_FEAT_QINQ;
	if (FIELD_GET(ENT_EG_PPPOE, eg))
		need |= FW_FEAT_PPPOE;
	if (FIELD_GET(ENT_EG_SW_TAG, eg) ||
	    FIELD_GET(ENT_KEY_SW_TAGGED, w[ENT_KEY_META]))
		need |= FW_FEAT_DSA_MTK;
	if ((eng->fw_features & need) != need)
		return PUNT_MISS;
	return PUNT_NONE;
}

/* a MAC as the _HI/_LO register pair holds it equals @da */
static bool ppesim_mac_is(u32 hi, u32 lo, const u8 *da)
{
	u8 mac[ETH_ALEN];

	mac[0] = hi >> 8;
	mac[1] = hi;
	mac[2] = lo >> 24;
	mac[3] = lo >> 16;
	mac[4] = lo >> 8;
	mac[5] = lo;
	return ether_addr_equal_unaligned(mac, da);
}

/* Section 6.1 step 2: @da is the router's on @port, by PORT_MAC or by the
 * router MAC table (section 2.10).
 */
static bool ppesim_is_router_mac(const struct ppesim_engine *eng,
				 unsigned int port, const u8 *da)
{
	const struct ppesim_port_cfg *pc = &eng->port[port];
	const struct ppesim_rmac *rm;
	unsigned int n;

	if (ppesim_mac_is(pc->mac_hi, pc->mac_lo, da))
		return true;
	for (n = 0; n < PPESIM_RMACS; n++) {
		rm = &eng->rmac[n];
		if ((rm->ctrl & RMAC_CTRL_VALID) &&
		    (FIELD_GET(RMAC_CTRL_PORTS, rm->ctrl) & BIT(port)) &&
		    ppesim_mac_is(rm->mac_hi, rm->mac_lo, da))
			return true;
	}
	return false;
}

static unsigned int ppesim_port_mtu(const struct ppesim_port_cfg *pc)
{
	return pc->mtu ?: PPESIM_MTU_DEFAULT;
}

static void ppesim_punt(struct ppesim_engine *eng, unsigned int port,
			enum ppesim_punt r, struct ppesim_fwd *fwd)
{
	eng->cnt_global[CNT_PUNT(r)]++;
	eng->pcnt[port].punts[r]++;
	fwd->punt = r;
}

/* Section 6.2 from the matching entry on: decide, count, write back. */
static enum ppesim_verdict ppesim_hit(struct ppesim *sim, unsigned int port,
				      unsigned int len, const u32 *w,
				      struct ppesim_fwd *fwd)
{
	struct ppesim_engine *eng = &sim->eng;
	struct ppesim_hw_counter *rec;
	unsigned int ep, l3max, pct;
	enum ppesim_punt r;
	u32 idx;

	r = ppesim_entry_usable(eng, w);
	if (r) {
		if (r == PUNT_BAD_ENTRY)
			ppesim_irq_raise(eng, IRQ_TBL_ERR);
		ppesim_punt(eng, port, r, fwd);
		return PPESIM_TO_CPU;
	}

	ep = FIELD_GET(ENT_EG_EPORT, w[ENT_EGRESS]);
	if (!(eng->port[ep].ctrl & PORT_CTRL_EN) ||
	    !ppesim_port_link_ok(sim, ep))
		goto drop;

	l3max = ppesim_port_mtu(&eng->port[ep]);
	if (FIELD_GET(ENT_EG_PPPOE, w[ENT_EGRESS]))
		l3max = l3max > 8 ? l3max - 8 : 0;
	if (fwd->f.l3len > l3max) {
		ppesim_punt(eng, port, PUNT_MTU, fwd);
		return PPESIM_TO_CPU;
	}

	pct = READ_ONCE(eng->drop_percent);
	if (pct && get_random_u32_below(100) < pct)
		goto drop;

	memcpy(fwd->e.w, w, sizeof(fwd->e.w));
	fwd->eport = ep;
	eng->cnt_global[CNT_HITS]++;
	eng->pcnt[port].rx_pkts++;
	eng->pcnt[port].rx_bytes += len;
	eng->pcnt[ep].tx_pkts++;
	eng->pcnt[ep].tx_bytes += ppesim_l2_len(w) + fwd->f.l3len;

	idx = FIELD_GET(ENT_COUNTER_IDX, w[ENT_COUNTER]);
	if (idx < eng->entries) {
		/* one writer (under eng->lock); whole-word stores, never torn */
		rec = &eng->cnt[idx];
		WRITE_ONCE(rec->packets,
			   cpu_to_le32(le32_to_cpu(READ_ONCE(rec->packets)) + 1));
		WRITE_ONCE(rec->bytes,
			   cpu_to_le64(le64_to_cpu(READ_ONCE(rec->bytes)) +
				       fwd->f.l3len));
		WRITE_ONCE(rec->last_hit, cpu_to_le32(ppesim_ts_now()));
	}
	return PPESIM_FORWARD;

drop:
	eng->cnt_global[CNT_DROPS]++;
	eng->pcnt[port].drops++;
	return PPESIM_DROP;
}

/**
 * ppesim_engine_rx() - a frame received on a switch port enters the engine
 * @sim: the instance
 * @port: ingress hardware port
 * @data: the frame, from the destination MAC (linear)
 * @len: its length
 * @fwd: filled for PPESIM_FORWARD: the parse result, the entry, the egress
 *	port; the caller then rewrites the frame outside the engine lock
 *
 * Runs in any context with BHs off (xmit path of the wire netdev).
 *
 * Return: what to do with the frame.
 */
enum ppesim_verdict ppesim_engine_rx(struct ppesim *sim, unsigned int port,
				     const u8 *data, unsigned int len,
				     struct ppesim_fwd *fwd)
{
	struct ppesim_engine *eng = &sim->eng;
	enum ppesim_verdict v = PPESIM_TO_CPU;
	u32 key[ENT_KEY_WORDS];
	struct ppesim_port_cfg *pc;
	enum ppesim_punt r;
	const u32 *w;

	fwd->punt = PUNT_NONE;
	spin_lock_bh(&eng->lock);
	if (eng->fw_state != FW_STATE_RUNNING || !(eng->ctrl & PPE_CTRL_EN) ||
	    !eng->tbl || port >= eng->nports)
		goto out;

	pc = &eng->port[port];
	if (!(pc->ctrl & PORT_CTRL_EN)) {
		r = PUNT_PORT_DISABLED;
		goto punt;
	}
	if (len < ETH_ALEN || !ppesim_is_router_mac(eng, port, data)) {
		r = PUNT_NOT_ROUTER;
		goto punt;
	}
	/* 6.1 step 2a: a tag-mode port needs the firmware that parses tags */
	if (pc->tag == PORT_TAG_MTK && !(eng->fw_features & FW_FEAT_DSA_MTK)) {
		r = PUNT_UNSUPPORTED;
		goto punt;
	}
	r = ppesim_parse(data, len, eng->fw_features & FW_FEAT_PPPOE, pc->tag,
			 &fwd->f);
	if (r)
		goto punt;

	fwd->f.key[ENT_KEY_META - 1] |= FIELD_PREP(ENT_KEY_IPORT, port);
	eng->cnt_global[CNT_LOOKUPS]++;
	w = ppesim_lookup(eng, fwd->f.key);
	/* 8.4: then without a tag the switch may have added */
	if (!w && ppesim_key_sw_vtag(&fwd->f, key))
		w = ppesim_lookup(eng, key);
	if (!w) {
		r = PUNT_MISS;
		goto punt;
	}
	v = ppesim_hit(sim, port, len, w, fwd);
	goto out;

punt:
	ppesim_punt(eng, port, r, fwd);
out:
	spin_unlock_bh(&eng->lock);
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_engine_rx);

static const char * const ppesim_punt_names[PUNT_NUM] = {
	[PUNT_NONE] = "none",
	[PUNT_MISS] = "miss",
	[PUNT_TCP_FLAGS] = "tcp_flags",
	[PUNT_TTL] = "ttl",
	[PUNT_FRAG] = "frag",
	[PUNT_IP_OPTIONS] = "ip_options",
	[PUNT_UNSUPPORTED] = "unsupported",
	[PUNT_NOT_ROUTER] = "not_router",
	[PUNT_MTU] = "mtu",
	[PUNT_PORT_DISABLED] = "port_disabled",
	[PUNT_BAD_ENTRY] = "bad_entry",
};

/**
 * ppesim_punt_name() - name of a punt reason, for debugfs and ethtool
 * @r: reason, 0..PUNT_NUM-1
 *
 * Return: a lower-case name; "reserved<r>" style names are "rsvd".
 */
const char *ppesim_punt_name(unsigned int r)
{
	if (r >= PUNT_NUM || !ppesim_punt_names[r])
		return "rsvd";
	return ppesim_punt_names[r];
}
