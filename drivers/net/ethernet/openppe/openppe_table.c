// SPDX-License-Identifier: GPL-2.0
/* openppe flow table: hash, placement, relocation, commit and cache invalidate */

#include <kunit/visibility.h>
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/lockdep.h>
#include <linux/regmap.h>
#include <linux/slab.h>

#include "openppe.h"
#include "openppe_trace.h"

#define OPENPPE_CACHE_TIMEOUT_US	1000
#define OPENPPE_RECOVER_DELAY		(HZ / 10)

/**
 * openppe_hash() - bucket hash of a key (docs/hardware.md section 4)
 * @key: the numeric values of key words w1..w11
 * @seed: HASH_SEED0 or HASH_SEED1
 *
 * Return: the 32-bit hash (MurmurHash3 x86_32 of the 44 key bytes).
 */
u32 openppe_hash(const u32 *key, u32 seed)
{
	u32 h = seed, k;
	int i;

	for (i = 0; i < OPENPPE_KEY_WORDS; i++) {
		k = key[i] * 0xcc9e2d51;
		k = rol32(k, 15);
		k *= 0x1b873593;
		h ^= k;
		h = rol32(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	h ^= OPENPPE_KEY_WORDS * 4;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_hash);

/**
 * openppe_buckets() - the two candidate buckets of a key
 * @key: the numeric values of key words w1..w11
 * @seed0: HASH_SEED0
 * @seed1: HASH_SEED1
 * @nbuckets: number of buckets, a power of two >= 2
 * @b0: first bucket (searched first by the engine)
 * @b1: second bucket, never equal to @b0
 */
void openppe_buckets(const u32 *key, u32 seed0, u32 seed1, u32 nbuckets,
		     u32 *b0, u32 *b1)
{
	*b0 = openppe_hash(key, seed0) & (nbuckets - 1);
	*b1 = openppe_hash(key, seed1) & (nbuckets - 1);
	if (*b1 == *b0)
		*b1 = *b0 ^ 1;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_buckets);

void openppe_entry_key(const struct openppe_hw_entry *e, u32 *key)
{
	int i;

	for (i = 0; i < OPENPPE_KEY_WORDS; i++)
		key[i] = openppe_w(e, OPENPPE_KEY_FIRST + i);
}
EXPORT_SYMBOL_IF_KUNIT(openppe_entry_key);

bool openppe_entry_key_equal(const struct openppe_hw_entry *a,
			     const struct openppe_hw_entry *b)
{
	return !memcmp(&a->w[OPENPPE_KEY_FIRST], &b->w[OPENPPE_KEY_FIRST],
		       OPENPPE_KEY_WORDS * sizeof(a->w[0]));
}

/* one bucket the relocation search reached (openppe_place_relocate()) */
struct openppe_bfs_node {
	u32 bucket;
	int parent;	/* node index, -1 for the two roots */
	u32 slot;	/* slot in the parent's bucket whose entry moves here */
	u8 depth;
};

/**
 * openppe_table_init() - set up the software side of the table
 * @ppe: the PPE; @ppe->table and @ppe->counters must already point to
 *	zeroed memory of 1 << @log2 entries and counter records
 * @log2: log2 of the number of entries
 * @ways: entries per bucket
 *
 * The cookie table comes with it: as many chains as entries (at least one
 * per flow lock), so that a flow costs no memory in it beyond its object.
 *
 * Return: 0 or -ENOMEM.
 */
int openppe_table_init(struct openppe *ppe, unsigned int log2,
		       unsigned int ways)
{
	ppe->log2 = log2;
	ppe->entries = 1U << log2;
	ppe->ways = ways;
	ppe->nbuckets = ppe->entries / ways;
	ppe->cookie_bits = max_t(u32, log2, OPENPPE_FLOW_LOCK_BITS);
	ppe->slots = kvcalloc(ppe->entries, sizeof(*ppe->slots), GFP_KERNEL);
	ppe->cookies = kvcalloc(1U << ppe->cookie_bits, sizeof(*ppe->cookies),
				GFP_KERNEL);
	ppe->reloc_seen = bitmap_zalloc(ppe->nbuckets, GFP_KERNEL);
	ppe->reloc_q = kvmalloc_array(OPENPPE_RELOC_NODES + 1,
				      sizeof(*ppe->reloc_q), GFP_KERNEL);
	if (!ppe->slots || !ppe->cookies || !ppe->reloc_seen || !ppe->reloc_q) {
		openppe_table_fini(ppe);
		return -ENOMEM;
	}
	atomic_set(&ppe->entries_used, 0);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_table_init);

void openppe_table_fini(struct openppe *ppe)
{
	kvfree(ppe->reloc_q);
	ppe->reloc_q = NULL;
	bitmap_free(ppe->reloc_seen);
	ppe->reloc_seen = NULL;
	kvfree(ppe->slots);
	ppe->slots = NULL;
	/* every flow has gone: the cookie table is empty */
	WARN_ON_ONCE(atomic_read(&ppe->nflows));
	kvfree(ppe->cookies);
	ppe->cookies = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_table_fini);

/* Fail-safe when an entry-cache command did not complete, or completed with
 * an error, or could not be written: the engine might go on using a stale
 * copy of an entry, so stop it (every frame then goes to the CPU, where
 * nf_flow_table forwards it in software) until an INV_ALL completes.
 */
static void openppe_cache_fail(struct openppe *ppe, int err)
{
	lockdep_assert_held(&ppe->cmd_sem);

	mutex_lock(&ppe->cache_lock);
	if (err == -ETIMEDOUT) {
		atomic64_inc(&ppe->cnt.cache_timeouts);
		dev_warn_ratelimited(ppe->dev,
				     "entry cache command timed out: engine disabled, traffic falls back to the CPU\n");
	} else {
		dev_warn_ratelimited(ppe->dev,
				     "entry cache command failed (%d): engine disabled, traffic falls back to the CPU\n",
				     err);
	}
	regmap_clear_bits(ppe->regmap, OPENPPE_PPE_CTRL, OPENPPE_PPE_CTRL_EN);
	if (!ppe->degraded)
		ppe->degradations++;
	WRITE_ONCE(ppe->degraded, true);
	ppe->cache_err = err;
	/* devlink health is told from process context without this lock: the
	 * report may run the reporter's recover op, which takes it
	 */
	if (ppe->dl_live)
		schedule_work(&ppe->health_work);
	/* on unbind the engine is reset instead */
	if (!READ_ONCE(ppe->dead))
		schedule_delayed_work(&ppe->recover_work, OPENPPE_RECOVER_DELAY);
	mutex_unlock(&ppe->cache_lock);
}

/* Slot @slot's registers: slot 0's pair is CACHE_CMD/CACHE_STATUS on every
 * engine, the others exist when PPE_CAPS.CMD_SLOTS says so.
 */
static unsigned int openppe_slot_cmd_reg(unsigned int slot)
{
	return slot ? OPENPPE_CACHE_SLOT_CMD(slot) : OPENPPE_CACHE_CMD;
}

static unsigned int openppe_slot_status_reg(unsigned int slot)
{
	return slot ? OPENPPE_CACHE_SLOT_STATUS(slot) : OPENPPE_CACHE_STATUS;
}

/* Wait for slot @slot's STATUS.BUSY to clear; *@status is its last value. */
static int openppe_cache_wait(struct openppe *ppe, unsigned int slot,
			      u32 *status)
{
	lockdep_assert_held(&ppe->cmd_sem);

	return regmap_read_poll_timeout(ppe->regmap,
					openppe_slot_status_reg(slot), *status,
					!(*status & OPENPPE_CACHE_STATUS_BUSY),
					10, OPENPPE_CACHE_TIMEOUT_US);
}

/* One command in slot @slot, docs/hardware.md 2.5: the engine ignores a
 * command written while the slot is BUSY, and a command that timed out
 * earlier may still be running, so wait for BUSY to clear before writing as
 * well as after. The caller owns the slot (openppe_cmd_slot_get(), or
 * @cmd_sem write-held).
 */
static int openppe_cache_cmd_slot(struct openppe *ppe, unsigned int slot,
				  enum openppe_cache_op op, u32 idx)
{
	u32 val;
	int ret;

	lockdep_assert_held(&ppe->cmd_sem);

	ret = openppe_cache_wait(ppe, slot, &val);
	if (ret)
		return ret;
	/* The table stores this command is about must reach memory before the
	 * engine acts on it. writel() would order them, but the regmap may be
	 * a parent's (syscon, an emulator) or use relaxed accessors: order
	 * them here, whatever the register access is.
	 */
	wmb();
	ret = regmap_write(ppe->regmap, openppe_slot_cmd_reg(slot),
			   FIELD_PREP(OPENPPE_CACHE_CMD_OP, op) |
			   FIELD_PREP(OPENPPE_CACHE_CMD_INDEX, idx));
	if (ret)
		return ret;
	ret = openppe_cache_wait(ppe, slot, &val);
	if (ret)
		return ret;
	if (val & OPENPPE_CACHE_STATUS_ERR) {
		atomic64_inc(&ppe->cnt.cache_errors);
		dev_warn_ratelimited(ppe->dev,
				     "entry cache rejected op %u index %u (slot %u)\n",
				     op, idx, slot);
		return -EIO;
	}
	return 0;
}

/* Take a free command slot, if there is one: *@slot. */
static bool openppe_cmd_slot_try(struct openppe *ppe, unsigned int *slot)
{
	unsigned int s;

	for (s = 0; s < ppe->cmd_slots; s++) {
		if (!test_and_set_bit_lock(s, &ppe->cmd_busy)) {
			*slot = s;
			return true;
		}
	}
	return false;
}

/**
 * openppe_cmd_slot_get() - take a command slot, waiting for one if need be
 * @ppe: the PPE, @ppe->cmd_sem read-held
 *
 * Return: the slot, to be given back with openppe_cmd_slot_put().
 */
unsigned int openppe_cmd_slot_get(struct openppe *ppe)
{
	unsigned int slot;

	lockdep_assert_held_read(&ppe->cmd_sem);

	wait_event(ppe->cmd_wq, openppe_cmd_slot_try(ppe, &slot));
	return slot;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_cmd_slot_get);

/**
 * openppe_cmd_slot_put() - give a command slot back
 * @ppe: the PPE, @ppe->cmd_sem read-held
 * @slot: from openppe_cmd_slot_get()
 */
void openppe_cmd_slot_put(struct openppe *ppe, unsigned int slot)
{
	lockdep_assert_held_read(&ppe->cmd_sem);

	clear_bit_unlock(slot, &ppe->cmd_busy);
	wake_up(&ppe->cmd_wq);
}
EXPORT_SYMBOL_IF_KUNIT(openppe_cmd_slot_put);

/* INV_ALL (docs/hardware.md 2.5): the engine orders no command against the
 * commands of other slots, and rejects an INV_ALL while another slot is
 * BUSY. With @cmd_sem write-held no command of the driver's runs; one that
 * timed out may still, so wait for every slot to be idle first.
 */
static int openppe_cache_inv_all(struct openppe *ppe)
{
	unsigned int s;
	u32 val;
	int ret;

	lockdep_assert_held_write(&ppe->cmd_sem);

	for (s = 1; s < ppe->cmd_slots; s++) {
		ret = openppe_cache_wait(ppe, s, &val);
		if (ret)
			return ret;
	}
	return openppe_cache_cmd_slot(ppe, 0, OPENPPE_CACHE_OP_INV_ALL, 0);
}

/**
 * openppe_cache_inv() - drop the engine's cached copy of entries
 * @ppe: the PPE
 * @op: INV_ENTRY or INV_ALL
 * @idx: entry index for INV_ENTRY
 *
 * INV_ENTRY runs in a free command slot, beside the commands of other
 * callers in the other slots; INV_ALL waits until no other command runs.
 * On return the engine no longer uses the old contents of the entry: either
 * the command completed, or it did not and the engine was disabled until an
 * INV_ALL completes (see openppe_cache_fail()).
 *
 * Return: 0 when the command completed or timed out (the engine is then
 * off), or a negative errno if the engine rejected it or the register
 * access failed (the engine is then off too).
 */
int openppe_cache_inv(struct openppe *ppe, enum openppe_cache_op op, u32 idx)
{
	bool all = op == OPENPPE_CACHE_OP_INV_ALL;
	unsigned int slot;
	int ret = 0;

	if (all)
		down_write(&ppe->cmd_sem);
	else
		down_read(&ppe->cmd_sem);
	/* degraded: engine stopped; recovery invalidates everything, after
	 * this caller's table stores (it takes cmd_sem for writing)
	 */
	if (READ_ONCE(ppe->degraded))
		goto out_unlock;
	if (all) {
		ret = openppe_cache_inv_all(ppe);
	} else {
		slot = openppe_cmd_slot_get(ppe);
		ret = openppe_cache_cmd_slot(ppe, slot, op, idx);
		openppe_cmd_slot_put(ppe, slot);
	}
	if (ret)
		openppe_cache_fail(ppe, ret);
	if (ret == -ETIMEDOUT)
		ret = 0;
out_unlock:
	if (all)
		up_write(&ppe->cmd_sem);
	else
		up_read(&ppe->cmd_sem);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_cache_inv);

/* Leave the fail-safe state if the cache answers: INV_ALL (the engine may
 * hold stale copies of any entry), then PPE_CTRL.EN. Returns 0 when the
 * engine runs, also when it was not degraded.
 */
static int openppe_cache_recover_locked(struct openppe *ppe)
{
	int ret;

	lockdep_assert_held(&ppe->life_lock);
	lockdep_assert_held_write(&ppe->cmd_sem);

	if (!ppe->degraded)
		return 0;
	ret = openppe_cache_inv_all(ppe);
	if (ret)
		return ret;
	mutex_lock(&ppe->cache_lock);
	ret = regmap_set_bits(ppe->regmap, OPENPPE_PPE_CTRL,
			      OPENPPE_PPE_CTRL_EN);
	if (!ret) {
		WRITE_ONCE(ppe->degraded, false);
		atomic64_inc(&ppe->cnt.recoveries);
		dev_info(ppe->dev, "entry cache recovered, engine re-enabled\n");
		if (ppe->dl_live)
			schedule_work(&ppe->health_work);
	}
	mutex_unlock(&ppe->cache_lock);
	return ret;
}

/**
 * openppe_cache_recover() - try the recovery from a cache failure now
 * @ppe: the PPE
 *
 * What @ppe->recover_work retries every 100 ms, once (devlink health
 * recover).
 *
 * Return: 0 when the engine runs (re-enabled, or it was not degraded);
 * -ENODEV after unbind; else the errno of the cache command or register
 * access that failed (-ETIMEDOUT: the cache still does not answer).
 */
int openppe_cache_recover(struct openppe *ppe)
{
	int ret = -ENODEV;

	down_read(&ppe->life_lock);
	if (!ppe->dead) {
		down_write(&ppe->cmd_sem);
		ret = openppe_cache_recover_locked(ppe);
		up_write(&ppe->cmd_sem);
	}
	up_read(&ppe->life_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_cache_recover);

void openppe_recover_work(struct work_struct *work)
{
	struct openppe *ppe = container_of(to_delayed_work(work),
					   struct openppe, recover_work);
	int ret;

	down_read(&ppe->life_lock);
	if (ppe->dead)
		goto out_unlock_life;
	down_write(&ppe->cmd_sem);
	ret = openppe_cache_recover_locked(ppe);
	if (ret) {
		dev_warn_ratelimited(ppe->dev,
				     "entry cache still not answering (%d), engine stays disabled\n",
				     ret);
		/* under life_lock: openppe_stop() cancels after setting dead */
		schedule_delayed_work(&ppe->recover_work, OPENPPE_RECOVER_DELAY);
	}
	up_write(&ppe->cmd_sem);
out_unlock_life:
	up_read(&ppe->life_lock);
}
EXPORT_SYMBOL_IF_KUNIT(openppe_recover_work);

/* Commit an entry to slot @idx (docs/hardware.md 3.1): body first, then a
 * barrier so the engine can never see STATE = BOUND with a stale body, then the
 * state word, then drop the engine's cached copy of the slot.
 *
 * If the invalidate fails, the caller gives the slot back: the state word is
 * put back to INVALID so that memory never holds a bound entry in a slot the
 * driver thinks is free. The engine is then off (openppe_cache_inv()) and
 * reads memory afresh after the INV_ALL of its recovery.
 */
static int openppe_slot_write(struct openppe *ppe, u32 idx,
			      const struct openppe_hw_entry *e)
{
	struct openppe_hw_entry *slot = &ppe->table[idx];
	int i, ret;

	for (i = 1; i < OPENPPE_ENTRY_WORDS; i++)
		WRITE_ONCE(slot->w[i], e->w[i]);
	/* the body must be visible to the engine before the state word */
	dma_wmb();
	WRITE_ONCE(slot->w[OPENPPE_W_INFO], e->w[OPENPPE_W_INFO]);
	ret = openppe_cache_inv(ppe, OPENPPE_CACHE_OP_INV_ENTRY, idx);
	if (ret)
		WRITE_ONCE(slot->w[OPENPPE_W_INFO],
			   cpu_to_le32(FIELD_PREP(OPENPPE_INFO_STATE,
						  OPENPPE_STATE_INVALID)));
	return ret;
}

static int openppe_slot_clear(struct openppe *ppe, u32 idx)
{
	WRITE_ONCE(ppe->table[idx].w[OPENPPE_W_INFO],
		   cpu_to_le32(FIELD_PREP(OPENPPE_INFO_STATE,
					  OPENPPE_STATE_INVALID)));
	return openppe_cache_inv(ppe, OPENPPE_CACHE_OP_INV_ENTRY, idx);
}

static struct mutex *openppe_stripe(struct openppe *ppe, u32 bucket)
{
	return &ppe->stripe[bucket % OPENPPE_STRIPES];
}

/* slots of a bucket: stripe lock (with place_lock read) or place_lock write */
static void openppe_assert_bucket_locked(struct openppe *ppe, u32 bucket)
{
	lockdep_assert(lockdep_is_held_type(&ppe->place_lock, 0) ||
		       lockdep_is_held(openppe_stripe(ppe, bucket)));
}

/* Lock the stripes of two buckets in address order (one lock if shared). */
static void openppe_lock_buckets(struct openppe *ppe, u32 b0, u32 b1)
{
	struct mutex *l0 = openppe_stripe(ppe, b0);
	struct mutex *l1 = openppe_stripe(ppe, b1);

	if (l0 == l1) {
		mutex_lock(l0);
		return;
	}
	if (l0 > l1)
		swap(l0, l1);
	mutex_lock(l0);
	mutex_lock_nested(l1, SINGLE_DEPTH_NESTING);
}

static void openppe_unlock_buckets(struct openppe *ppe, u32 b0, u32 b1)
{
	struct mutex *l0 = openppe_stripe(ppe, b0);
	struct mutex *l1 = openppe_stripe(ppe, b1);

	mutex_unlock(l0);
	if (l1 != l0)
		mutex_unlock(l1);
}

static int openppe_bucket_free_slot(struct openppe *ppe, u32 bucket)
{
	u32 i, base = bucket * ppe->ways;

	openppe_assert_bucket_locked(ppe, bucket);

	for (i = 0; i < ppe->ways; i++)
		if (!ppe->slots[base + i])
			return base + i;
	return -ENOSPC;
}

/* Another flow with @e's key is in the table (it can only be in the key's
 * own two buckets @b): two bound entries must never carry one key
 * (docs/hardware.md section 3), the engine would use either. The other
 * entries are read from their slots: under the stripe lock of their bucket
 * nothing moves them, and no rewrite changes a key.
 */
static bool openppe_key_taken(struct openppe *ppe, struct openppe_flow *flow,
			      const struct openppe_hw_entry *e, const u32 *b)
{
	struct openppe_flow *f;
	u32 i, w, slot;

	for (i = 0; i < 2; i++) {
		openppe_assert_bucket_locked(ppe, b[i]);
		for (w = 0; w < ppe->ways; w++) {
			slot = b[i] * ppe->ways + w;
			f = ppe->slots[slot];
			if (f && f != flow &&
			    openppe_entry_key_equal(&ppe->table[slot], e))
				return true;
		}
	}
	return false;
}

/* Commit @flow's entry @e to the free slot @slot. */
static int openppe_place_at(struct openppe *ppe, struct openppe_flow *flow,
			    const struct openppe_hw_entry *e, u32 slot)
{
	int ret;

	ppe->slots[slot] = flow;
	flow->index = slot;
	ret = openppe_slot_write(ppe, slot, e);
	if (ret) {
		ppe->slots[slot] = NULL;
		return ret;
	}
	flow->placed = true;
	atomic_inc(&ppe->entries_used);
	return 0;
}

/* Place @flow's entry @e in a free slot of its own buckets @b, b0 first. */
static int openppe_place_direct(struct openppe *ppe, struct openppe_flow *flow,
				const struct openppe_hw_entry *e, const u32 *b)
{
	int slot, i;

	if (openppe_key_taken(ppe, flow, e, b))
		return -EEXIST;
	for (i = 0; i < 2; i++) {
		slot = openppe_bucket_free_slot(ppe, b[i]);
		if (slot >= 0)
			return openppe_place_at(ppe, flow, e, slot);
	}
	return -ENOSPC;
}

/* Move the entry in slot @from to the free slot @to (in the entry's other
 * bucket) without a gap in forwarding: the copy is bound and the cache told
 * before the original is cleared, so at every instant at least one identical
 * bound copy exists; both count into the same counter record. The slot is
 * the only copy of the entry: under place_lock (write) nothing rewrites it.
 */
static int openppe_move(struct openppe *ppe, u32 from, u32 to)
{
	struct openppe_flow *flow = ppe->slots[from];
	int ret;

	lockdep_assert_held_write(&ppe->place_lock);

	ppe->slots[to] = flow;
	ret = openppe_slot_write(ppe, to, &ppe->table[from]);
	if (ret) {
		ppe->slots[to] = NULL;
		return ret;
	}
	flow->index = to;
	ppe->slots[from] = NULL;
	ret = openppe_slot_clear(ppe, from);
	atomic64_inc(&ppe->cnt.relocations);
	trace_openppe_relocate(ppe, flow->cookie, from, to);
	return ret;
}

/* Both candidate buckets are full: search breadth-first for a chain of
 * entries that can each shift to their other bucket, ending in a bucket with
 * a free slot; at most OPENPPE_RELOC_DEPTH moves long, visiting each bucket
 * once (a bucket reached again is reached by a chain no shorter) and at most
 * OPENPPE_RELOC_NODES buckets. Execute the chain from its free end, so each
 * move targets a free slot, then place.
 */
static int openppe_place_relocate(struct openppe *ppe,
				  struct openppe_flow *flow,
				  const struct openppe_hw_entry *e, const u32 *b)
{
	struct openppe_bfs_node *q = ppe->reloc_q;
	int head = 0, tail = 0, n, free_slot = -1, ret;
	u32 w;

	lockdep_assert_held_write(&ppe->place_lock);

	for (n = 0; n < 2; n++) {
		q[tail++] = (struct openppe_bfs_node){ b[n], -1, 0, 0 };
		__set_bit(b[n], ppe->reloc_seen);
	}

	while (head < tail && free_slot < 0) {
		struct openppe_bfs_node *nd = &q[head];

		if (nd->depth >= OPENPPE_RELOC_DEPTH) {
			head++;
			continue;
		}
		for (w = 0; w < ppe->ways; w++) {
			u32 slot = nd->bucket * ppe->ways + w;
			struct openppe_flow *f = ppe->slots[slot];
			u32 alt;

			if (WARN_ON_ONCE(!f))
				continue;
			alt = nd->bucket ^ f->buckets;
			if (test_bit(alt, ppe->reloc_seen))
				continue;
			ret = openppe_bucket_free_slot(ppe, alt);
			if (ret >= 0) {
				/* leaf: f moves from slot to the free one */
				q[tail] = (struct openppe_bfs_node){
					alt, head, slot, nd->depth + 1 };
				free_slot = ret;
				break;
			}
			if (tail < OPENPPE_RELOC_NODES) {
				__set_bit(alt, ppe->reloc_seen);
				q[tail++] = (struct openppe_bfs_node){
					alt, head, slot, nd->depth + 1 };
			}
		}
		if (free_slot < 0)
			head++;
	}
	/* all clear again for the next search */
	for (n = 0; n < tail; n++)
		__clear_bit(q[n].bucket, ppe->reloc_seen);

	if (free_slot < 0)
		return -ENOSPC;

	/* walk the chain back to its root, each move into the slot just freed */
	n = tail;
	while (q[n].parent >= 0) {
		u32 from = q[n].slot;

		ret = openppe_move(ppe, from, free_slot);
		if (ret)
			return ret;
		free_slot = from;
		n = q[n].parent;
	}
	return openppe_place_at(ppe, flow, e, free_slot);
}

/**
 * openppe_table_insert() - write a flow's entry into the table
 * @ppe: the PPE
 * @flow: flow with @cnt_idx allocated, not placed, its lock held
 * @e: its entry (COUNTER.IDX = @flow->cnt_idx); the slot keeps the only
 *	copy once placed
 *
 * Places the entry in a free way of bucket b0 or b1; when both are full,
 * relocates entries to their other buckets to make room.
 *
 * Return: 0, -ENOSPC when the table (or every reachable bucket) is full,
 * -EEXIST when another flow's entry has the same key, or another negative
 * errno.
 */
int openppe_table_insert(struct openppe *ppe, struct openppe_flow *flow,
			 const struct openppe_hw_entry *e)
{
	u32 key[OPENPPE_KEY_WORDS], b[2];
	int ret;

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	if (atomic_read(&ppe->entries_used) >= ppe->entries)
		return -ENOSPC;

	openppe_entry_key(e, key);
	openppe_buckets(key, ppe->seed[0], ppe->seed[1], ppe->nbuckets,
			&b[0], &b[1]);
	/* relocations read it once the flow is in a slot (under the locks) */
	flow->buckets = b[0] ^ b[1];

	down_read(&ppe->place_lock);
	openppe_lock_buckets(ppe, b[0], b[1]);
	ret = openppe_place_direct(ppe, flow, e, b);
	openppe_unlock_buckets(ppe, b[0], b[1]);
	up_read(&ppe->place_lock);
	if (ret != -ENOSPC)
		return ret;

	down_write(&ppe->place_lock);
	ret = openppe_place_direct(ppe, flow, e, b);
	if (ret == -ENOSPC)
		ret = openppe_place_relocate(ppe, flow, e, b);
	up_write(&ppe->place_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_table_insert);

/**
 * openppe_table_rewrite() - replace the body of an installed entry
 * @ppe: the PPE
 * @flow: installed (placed) flow, its lock held
 * @e: new entry with the same key and counter index
 *
 * The slot is invalidated first, so frames of the flow go to the CPU for the
 * few microseconds until the new body is bound.
 *
 * Return: 0 or a negative errno.
 */
int openppe_table_rewrite(struct openppe *ppe, struct openppe_flow *flow,
			  const struct openppe_hw_entry *e)
{
	u32 bucket;
	int ret;

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	down_read(&ppe->place_lock);
	bucket = flow->index / ppe->ways;
	mutex_lock(openppe_stripe(ppe, bucket));
	ret = openppe_slot_clear(ppe, flow->index);
	if (!ret)
		ret = openppe_slot_write(ppe, flow->index, e);
	mutex_unlock(openppe_stripe(ppe, bucket));
	up_read(&ppe->place_lock);
	return ret;
}

/**
 * openppe_table_read() - a placed flow's entry, from its slot
 * @ppe: the PPE
 * @flow: the flow, its lock held (no rewrite of the slot meanwhile)
 * @e: filled with the slot's contents
 *
 * The slot holds the only copy of the entry: the engine never writes the
 * table (docs/hardware.md section 3). place_lock (read) keeps a relocation
 * from moving it while it is copied.
 *
 * Return: 0, or -ENOENT when the flow is not placed.
 */
int openppe_table_read(struct openppe *ppe, struct openppe_flow *flow,
		       struct openppe_hw_entry *e)
{
	int ret = -ENOENT;

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	down_read(&ppe->place_lock);
	if (flow->placed) {
		*e = ppe->table[flow->index];
		ret = 0;
	}
	up_read(&ppe->place_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_table_read);

/**
 * openppe_table_remove() - unbind a flow's entry and free its slot
 * @ppe: the PPE
 * @flow: flow, its lock held; nothing happens if it is not placed
 * @last: if not NULL, filled with the entry as it was in the slot (all
 *	zeroes if the flow was not placed)
 *
 * When this returns the engine no longer uses the entry.
 *
 * Return: 0 or a negative errno from the cache command (the slot is freed
 * anyway).
 */
int openppe_table_remove(struct openppe *ppe, struct openppe_flow *flow,
			 struct openppe_hw_entry *last)
{
	u32 bucket;
	int ret;

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	if (last)
		memset(last, 0, sizeof(*last));
	if (!flow->placed)
		return 0;
	down_read(&ppe->place_lock);
	bucket = flow->index / ppe->ways;
	mutex_lock(openppe_stripe(ppe, bucket));
	if (last)
		*last = ppe->table[flow->index];
	ret = openppe_slot_clear(ppe, flow->index);
	if (!WARN_ON_ONCE(ppe->slots[flow->index] != flow))
		ppe->slots[flow->index] = NULL;
	flow->placed = false;
	atomic_dec(&ppe->entries_used);
	mutex_unlock(openppe_stripe(ppe, bucket));
	up_read(&ppe->place_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_table_remove);
