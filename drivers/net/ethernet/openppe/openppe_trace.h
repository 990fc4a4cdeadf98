/* SPDX-License-Identifier: GPL-2.0 */
/* openppe tracepoints: flow offload requests and table changes */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM openppe

#if !defined(_OPENPPE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _OPENPPE_TRACE_H

#include <linux/tracepoint.h>

#include "openppe.h"
#include "openppe_compat.h"

TRACE_EVENT(openppe_replace,
	    TP_PROTO(const struct openppe *ppe, unsigned long cookie,
		     const struct openppe_hw_entry *e, int result),
	    TP_ARGS(ppe, cookie, e, result),
	    TP_STRUCT__entry(__string(dev, dev_name(ppe->dev))
			     __field(unsigned long, cookie)
			     __field(u32, info)
			     __field(u32, meta)
			     __field(u32, egress)
			     __field(u32, counter)
			     __field(int, result)),
	    TP_fast_assign(openppe_assign_str(dev, dev_name(ppe->dev));
			   __entry->cookie = cookie;
			   __entry->info = e ? openppe_w(e, OPENPPE_W_INFO) : 0;
			   __entry->meta = e ? openppe_w(e, OPENPPE_W_KEY_META) : 0;
			   __entry->egress = e ? openppe_w(e, OPENPPE_W_EGRESS) : 0;
			   __entry->counter = e ? openppe_w(e, OPENPPE_W_COUNTER) : 0;
			   __entry->result = result;),
	    TP_printk("%s cookie=%#lx info=%#x meta=%#x egress=%#x counter=%u result=%d",
		      __get_str(dev), __entry->cookie, __entry->info,
		      __entry->meta, __entry->egress, __entry->counter,
		      __entry->result)
);

/* A DESTROY: the flow direction's key and what the engine forwarded for it in
 * all (the counter record's final values), and how much of that no STATS
 * reported (nf_flow_table asks none once a flow is being torn down). IPv4
 * addresses are shown IPv4-mapped.
 */
TRACE_EVENT(openppe_destroy,
	    TP_PROTO(const struct openppe *ppe, unsigned long cookie,
		     const struct openppe_hw_entry *e, u64 pkts, u64 bytes,
		     u32 unreported, int result),
	    TP_ARGS(ppe, cookie, e, pkts, bytes, unreported, result),
	    TP_STRUCT__entry(__string(dev, dev_name(ppe->dev))
			     __field(unsigned long, cookie)
			     __field(u8, proto)
			     __array(u8, src, 16)
			     __array(u8, dst, 16)
			     __field(u16, sport)
			     __field(u16, dport)
			     __field(u64, pkts)
			     __field(u64, bytes)
			     __field(u64, unreported)
			     __field(int, result)),
	    TP_fast_assign(openppe_assign_str(dev, dev_name(ppe->dev));
			   __entry->cookie = cookie;
			   openppe_entry_tuple(e, &__entry->proto,
					       __entry->src, __entry->dst,
					       &__entry->sport,
					       &__entry->dport);
			   __entry->pkts = pkts;
			   __entry->bytes = bytes;
			   __entry->unreported = unreported;
			   __entry->result = result;),
	    TP_printk("%s cookie=%#lx proto=%u src=[%pI6c]:%u dst=[%pI6c]:%u pkts=%llu bytes=%llu unreported=%llu result=%d",
		      __get_str(dev), __entry->cookie, __entry->proto,
		      __entry->src, __entry->sport, __entry->dst,
		      __entry->dport, __entry->pkts, __entry->bytes,
		      __entry->unreported, __entry->result)
);

TRACE_EVENT(openppe_stats,
	    TP_PROTO(const struct openppe *ppe, unsigned long cookie, u64 pkts,
		     u64 bytes, u64 lastused, int result),
	    TP_ARGS(ppe, cookie, pkts, bytes, lastused, result),
	    TP_STRUCT__entry(__string(dev, dev_name(ppe->dev))
			     __field(unsigned long, cookie)
			     __field(u64, pkts)
			     __field(u64, bytes)
			     __field(u64, lastused)
			     __field(int, result)),
	    TP_fast_assign(openppe_assign_str(dev, dev_name(ppe->dev));
			   __entry->cookie = cookie;
			   __entry->pkts = pkts;
			   __entry->bytes = bytes;
			   __entry->lastused = lastused;
			   __entry->result = result;),
	    TP_printk("%s cookie=%#lx pkts=%llu bytes=%llu lastused=%llu result=%d",
		      __get_str(dev), __entry->cookie, __entry->pkts,
		      __entry->bytes, __entry->lastused, __entry->result)
);

TRACE_EVENT(openppe_relocate,
	    TP_PROTO(const struct openppe *ppe, unsigned long cookie, u32 from,
		     u32 to),
	    TP_ARGS(ppe, cookie, from, to),
	    TP_STRUCT__entry(__string(dev, dev_name(ppe->dev))
			     __field(unsigned long, cookie)
			     __field(u32, from)
			     __field(u32, to)),
	    TP_fast_assign(openppe_assign_str(dev, dev_name(ppe->dev));
			   __entry->cookie = cookie;
			   __entry->from = from;
			   __entry->to = to;),
	    TP_printk("%s cookie=%#lx from=%u to=%u",
		      __get_str(dev), __entry->cookie, __entry->from,
		      __entry->to)
);

#endif /* _OPENPPE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE openppe_trace
#include <trace/define_trace.h>
