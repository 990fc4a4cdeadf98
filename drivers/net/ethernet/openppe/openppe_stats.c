// SPDX-License-Identifier: GPL-2.0
/* openppe STATS: per-entry counter deltas and last-use time for nf_flow_table */

#include <kunit/visibility.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/regmap.h>
#include <asm/barrier.h>

#include "openppe.h"
#include "openppe_trace.h"

/**
 * openppe_stats_delta() - traffic since the previous reading of a record
 * @prev_pkts: PACKETS at the previous reading
 * @prev_bytes: BYTES at the previous reading
 * @now_pkts: PACKETS now (32 bits, wraps)
 * @now_bytes: BYTES now (64 bits, wraps)
 * @dpkts: packets since the previous reading
 * @dbytes: bytes since the previous reading
 *
 * Correct across one wrap of either counter between two readings.
 */
void openppe_stats_delta(u32 prev_pkts, u64 prev_bytes, u32 now_pkts,
			 u64 now_bytes, u64 *dpkts, u64 *dbytes)
{
	*dpkts = (u32)(now_pkts - prev_pkts);
	*dbytes = now_bytes - prev_bytes;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_stats_delta);

/**
 * openppe_ts_age() - engine ticks since a hit
 * @ts_now: TS_NOW
 * @last_hit: LAST_HIT of a counter record
 *
 * TS_NOW wraps at 2^32, so the age is taken modulo 2^32. A hit stamped
 * after @ts_now was read (a frame forwarded between the two reads) would
 * come out as nearly 2^32 ticks; an age of 2^31 ticks or more is taken for
 * that and counts as 0. No bound entry gets that old (24 days at 1000
 * ticks/s): nf_flow_table removes a flow after seconds without hits.
 *
 * Return: the age in ticks.
 */
u32 openppe_ts_age(u32 ts_now, u32 last_hit)
{
	u32 age = ts_now - last_hit;

	return age < BIT(31) ? age : 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_ts_age);

/**
 * openppe_read_le64_split() - read a __le64 of DMA memory as two halves
 * @p: the field; the engine writes it with single 64-bit stores
 *	(docs/hardware.md 3.2)
 *
 * What a 32-bit CPU must do: read the high word, the low word, the high word
 * again, and retry until both high words agree. A carry into the high word
 * between the two loads is then seen and the pair re-read; the high word
 * cannot come back to the same value in between (that takes 2^32 carries).
 * Used by openppe_read_le64() on 32-bit CPUs; built everywhere so KUnit
 * tests it on any CPU.
 *
 * Return: the value.
 */
u64 openppe_read_le64_split(const __le64 *p)
{
	const __le32 *w = (const __le32 *)p;	/* w[0] bits 31:0, w[1] 63:32 */
	u32 hi, lo, again;

	again = le32_to_cpu(READ_ONCE(w[1]));
	do {
		hi = again;
		/* the loads in program order: hi, lo, hi */
		dma_rmb();
		lo = le32_to_cpu(READ_ONCE(w[0]));
		dma_rmb();
		again = le32_to_cpu(READ_ONCE(w[1]));
	} while (unlikely(hi != again));
	return (u64)hi << 32 | lo;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_read_le64_split);

/**
 * openppe_lastused() - jiffies of an entry's most recent hit
 * @now_jiffies: get_jiffies_64() now
 * @ts_now: TS_NOW now
 * @last_hit: LAST_HIT of the entry's counter record
 * @ts_rate: TS_RATE (ticks per second), 0 for the ppe-v1 default
 *
 * Return: @now_jiffies minus the age of the hit, converted from engine ticks.
 */
u64 openppe_lastused(u64 now_jiffies, u32 ts_now, u32 last_hit, u32 ts_rate)
{
	u64 age;

	age = div_u64((u64)openppe_ts_age(ts_now, last_hit) * HZ,
		      ts_rate ?: OPENPPE_TS_RATE_DEFAULT);
	return now_jiffies > age ? now_jiffies - age : 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_lastused);

/**
 * openppe_flow_stats() - FLOW_CLS_STATS for one flow direction
 * @ppe: the PPE, life_lock read-held and alive
 * @cls: the request; packets and bytes since the previous STATS are added
 *	to @cls->stats, with lastused set only when the flow had hits
 *
 * Return: 0, or -ENOENT for a cookie that is not installed (counted in
 * stats_unknown).
 */
int openppe_flow_stats(struct openppe *ppe, struct flow_cls_offload *cls)
{
	u64 dpkts = 0, dbytes = 0, lastused = 0;
	const struct openppe_hw_counter *c;
	struct openppe_flow *flow;
	u32 pkts, hit, ts_now;
	u64 bytes;
	int ret = 0;

	atomic64_inc(&ppe->cnt.stats_calls);
	flow = openppe_flow_get(ppe, cls->cookie);
	if (!flow) {
		ret = -ENOENT;
		atomic64_inc(&ppe->cnt.stats_unknown);
		goto out;
	}

	openppe_flow_lock(ppe, flow);
	if (flow->unlinked) {
		ret = -ENOENT;
		atomic64_inc(&ppe->cnt.stats_unknown);
		goto out_unlock;
	}
	c = &ppe->counters[flow->cnt_idx];
	pkts = le32_to_cpu(READ_ONCE(c->packets));
	bytes = openppe_read_le64(&c->bytes);
	hit = le32_to_cpu(READ_ONCE(c->last_hit));
	openppe_stats_delta(flow->last_packets, flow->last_bytes, pkts, bytes,
			    &dpkts, &dbytes);
	if (dpkts || hit != flow->last_hit) {
		ret = regmap_read(ppe->regmap, OPENPPE_TS_NOW, &ts_now);
		if (ret)
			goto out_unlock;
		lastused = openppe_lastused(get_jiffies_64(), ts_now, hit,
					    ppe->ts_rate);
	}
	flow->last_packets = pkts;
	flow->last_bytes = bytes;
	flow->last_hit = hit;
	flow_stats_update(&cls->stats, dbytes, dpkts, 0, lastused,
			  FLOW_ACTION_HW_STATS_DELAYED);
out_unlock:
	openppe_flow_unlock(ppe, flow);
	openppe_flow_put(flow);
out:
	trace_openppe_stats(ppe, cls->cookie, dpkts, dbytes, lastused, ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flow_stats);
