// SPDX-License-Identifier: GPL-2.0
/* openppe_bench: test-only control-plane benchmark through a flow block callback */

/* Drives a PPE the way nf_flow_table does: binds a flow block on two of its
 * ports through ndo_setup_tc(TC_SETUP_FT) and calls the driver's flow block
 * callback with synthetic IPv4 UDP flow_rules (REPLACE, STATS, DESTROY).
 * Nothing here knows the driver's internals. Commands are written to
 * /sys/kernel/debug/openppe_bench/run, results read from .../results
 * ("name value" lines, appended; cleared by "clear"):
 *
 *   bind IN OUT      bind on netdevs IN (flows enter) and OUT (flows leave)
 *   install N        REPLACE new random flows until N are installed
 *   rules KIND       the rules REPLACE installs from now on: "route" (MAC
 *                    rewrite, redirect) or "napt" (the same plus source
 *                    address and port translation, as nf_flow_table's SNAT)
 *   cost TAG SAMPLES time SAMPLES x (REPLACE of a new flow, STATS of a random
 *                    installed flow, DESTROY of the new flow); report
 *                    TAG.<op>.p50_ns / .p99_ns / .mean_ns
 *   mt TAG THREADS N THREADS kernel threads at once (as nf_flow_table's
 *                    offload workqueues) REPLACE N new flows each; report
 *                    TAG.replaces, TAG.ns (first start to last end) and
 *                    TAG.per_sec; the flows are DESTROYed after, untimed
 *   fill TAG WAYS    REPLACE new random flows until the first refusal; report
 *                    TAG.installed, and for the same keys two modelled
 *                    policies with WAYS entries per bucket: TAG.single
 *                    (one hash, one bucket) and TAG.twochoice (two buckets,
 *                    no relocation), each at its first refusal
 *   flush            DESTROY every installed flow
 *   unbind           unbind (the driver flushes what is left)
 *   clear            empty the results
 *
 * While bound, the bench holds a reference on both netdevs. When one of
 * them is unregistered (its openppe_sim instance deleted, or moved to
 * another namespace) the bench unbinds, as a flowtable does: otherwise
 * unregister_netdevice() would wait for those references forever. A
 * command in progress then stops at its next flow and fails with -ENODEV.
 *
 * This is test code built out of tree (tests/bench/kmod/Kbuild): it calls
 * nothing of the driver but what nf_flow_table calls, so it needs no
 * exported symbol and no private header of the driver.
 */

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/jhash.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/tc_act/tc_csum.h>
#include <net/flow_offload.h>
#include <net/pkt_cls.h>

#define OPENPPE_BENCH_RESULTS	8192	/* timing samples per operation */
#define OPENPPE_BENCH_RESULTS_SIZE	(64 * 1024)
#define OPENPPE_BENCH_MAX_FLOWS	(1024 * 1024)
#define OPENPPE_BENCH_ROUTE_ACTIONS	4	/* 3 x MAC mangle, redirect */
/* + source address, source port, checksum */
#define OPENPPE_BENCH_ACTIONS	(OPENPPE_BENCH_ROUTE_ACTIONS + 3)
#define OPENPPE_BENCH_THREADS	8

/**
 * struct openppe_bench_match - the match part of a synthetic flow_rule
 * @dissector: offsets of the keys below
 * @key: values
 * @mask: masks (all exact)
 */
struct openppe_bench_match {
	struct flow_dissector dissector;
	struct openppe_bench_keys {
		struct flow_dissector_key_meta meta;
		struct flow_dissector_key_control control;
		struct flow_dissector_key_basic basic;
		struct flow_dissector_key_ipv4_addrs ipv4;
		struct flow_dissector_key_ports ports;
	} key, mask;
};

/**
 * struct openppe_bench_rule - a flow_rule the bench fills for each call
 * @rule: the rule
 * @match: its match
 */
struct openppe_bench_rule {
	struct flow_rule *rule;
	struct openppe_bench_match match;
};

/**
 * struct openppe_bench_flow - what the bench remembers of an installed flow
 * @saddr: source address (host order)
 * @daddr: destination address
 * @sport: source port
 * @dport: destination port
 */
struct openppe_bench_flow {
	u32 saddr;
	u32 daddr;
	u16 sport;
	u16 dport;
};

/**
 * struct openppe_bench - the one bench context (test module, one user)
 * @lock: serialises commands and unbinding; protects everything below but
 *	@abort and @nb. Taken under RTNL (the netdevice notifier), so a
 *	command must never take RTNL.
 * @abort: a bound port is being unregistered: running commands stop
 * @nb: netdevice notifier, unbinds when a bound port is unregistered
 * @in: ingress netdev (reference held while bound; written under @lock,
 *	read without it by the notifier)
 * @out: egress netdev (same)
 * @in_tracker: reference tracker of @in
 * @out_tracker: reference tracker of @out
 * @block: the flow block nf_flow_table would own
 * @cb: the driver's callback, once bound
 * @rule: one flow_rule, refilled for every call (no allocation per call)
 * @napt: REPLACE installs NAPT rules, not route rules
 * @flows: installed flows, cookie = index + 1; the first @nflows are in use
 * @nflows: installed flows
 * @samples: timing buffer
 * @results: text of the results file
 * @results_len: its length
 * @dir: debugfs directory
 */
struct openppe_bench {
	struct mutex lock;	/* see above */
	bool abort;
	struct notifier_block nb;
	struct net_device *in;
	struct net_device *out;
	netdevice_tracker in_tracker;
	netdevice_tracker out_tracker;
	struct flow_block block;
	struct flow_block_cb *cb;
	struct openppe_bench_rule rule;
	bool napt;
	struct openppe_bench_flow *flows;
	u32 nflows;
	u64 *samples;
	char *results;
	size_t results_len;
	struct dentry *dir;
};

static struct openppe_bench bench;

static __printf(1, 2) void openppe_bench_out(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	bench.results_len += vscnprintf(bench.results + bench.results_len,
					OPENPPE_BENCH_RESULTS_SIZE -
					bench.results_len, fmt, args);
	va_end(args);
}

/* A bound port is going away (openppe_bench_netdev_event()): stop. */
static bool openppe_bench_aborted(void)
{
	return READ_ONCE(bench.abort);
}

static void openppe_bench_match_init(struct openppe_bench_match *m)
{
	struct flow_dissector *d = &m->dissector;

	memset(m, 0, sizeof(*m));
	d->used_keys = BIT_ULL(FLOW_DISSECTOR_KEY_META) |
		       BIT_ULL(FLOW_DISSECTOR_KEY_CONTROL) |
		       BIT_ULL(FLOW_DISSECTOR_KEY_BASIC) |
		       BIT_ULL(FLOW_DISSECTOR_KEY_IPV4_ADDRS) |
		       BIT_ULL(FLOW_DISSECTOR_KEY_PORTS);
	d->offset[FLOW_DISSECTOR_KEY_META] =
		offsetof(struct openppe_bench_keys, meta);
	d->offset[FLOW_DISSECTOR_KEY_CONTROL] =
		offsetof(struct openppe_bench_keys, control);
	d->offset[FLOW_DISSECTOR_KEY_BASIC] =
		offsetof(struct openppe_bench_keys, basic);
	d->offset[FLOW_DISSECTOR_KEY_IPV4_ADDRS] =
		offsetof(struct openppe_bench_keys, ipv4);
	d->offset[FLOW_DISSECTOR_KEY_PORTS] =
		offsetof(struct openppe_bench_keys, ports);

	m->mask.meta.ingress_ifindex = 0xffffffff;
	m->mask.control.addr_type = 0xffff;
	m->mask.basic.n_proto = htons(0xffff);
	m->mask.basic.ip_proto = 0xff;
	m->mask.ipv4.src = htonl(0xffffffff);
	m->mask.ipv4.dst = htonl(0xffffffff);
	m->mask.ports.src = htons(0xffff);
	m->mask.ports.dst = htons(0xffff);
}

static int openppe_bench_rule_alloc(struct openppe_bench_rule *r)
{
	openppe_bench_match_init(&r->match);
	r->rule = flow_rule_alloc(OPENPPE_BENCH_ACTIONS);
	if (!r->rule)
		return -ENOMEM;
	r->rule->match.dissector = &r->match.dissector;
	r->rule->match.key = &r->match.key;
	r->rule->match.mask = &r->match.mask;
	return 0;
}

/* Fill @r with @f from bench.in to bench.out, as nf_flow_table would: a
 * route, or with bench.napt a NAPT (source address and port translated).
 */
static void openppe_bench_rule(struct openppe_bench_rule *r,
			       const struct openppe_bench_flow *f)
{
	static const u8 dmac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	struct openppe_bench_keys *k = &r->match.key;
	struct flow_action_entry *act = r->rule->action.entries;
	u8 eth[2 * ETH_ALEN];
	int i;

	k->meta.ingress_ifindex = bench.in->ifindex;
	k->control.addr_type = FLOW_DISSECTOR_KEY_IPV4_ADDRS;
	k->basic.n_proto = htons(ETH_P_IP);
	k->basic.ip_proto = IPPROTO_UDP;
	k->ipv4.src = htonl(f->saddr);
	k->ipv4.dst = htonl(f->daddr);
	k->ports.src = htons(f->sport);
	k->ports.dst = htons(f->dport);

	/* new destination MAC (next hop), new source MAC (egress port) */
	ether_addr_copy(eth, dmac);
	ether_addr_copy(eth + ETH_ALEN, bench.out->dev_addr);
	for (i = 0; i < 3; i++) {
		act[i].id = FLOW_ACTION_MANGLE;
		act[i].mangle.htype = FLOW_ACT_MANGLE_HDR_TYPE_ETH;
		act[i].mangle.offset = 4 * i;
		act[i].mangle.mask = 0;
		memcpy(&act[i].mangle.val, eth + 4 * i, 4);
	}
	r->rule->action.num_entries = OPENPPE_BENCH_ROUTE_ACTIONS;
	if (READ_ONCE(bench.napt)) {
		/* to 198.51.100.1, a port derived from the flow's */
		act[3].id = FLOW_ACTION_MANGLE;
		act[3].mangle.htype = FLOW_ACT_MANGLE_HDR_TYPE_IP4;
		act[3].mangle.offset = offsetof(struct iphdr, saddr);
		act[3].mangle.mask = 0;
		act[3].mangle.val = (__force u32)htonl(0xc6336401);
		act[4].id = FLOW_ACTION_MANGLE;
		act[4].mangle.htype = FLOW_ACT_MANGLE_HDR_TYPE_UDP;
		act[4].mangle.offset = 0;
		act[4].mangle.mask = (__force u32)~htonl(0xffff0000);
		act[4].mangle.val = (__force u32)htonl((u32)(f->sport ^ 0x8000) << 16);
		act[5].id = FLOW_ACTION_CSUM;
		act[5].csum_flags = TCA_CSUM_UPDATE_FLAG_IPV4HDR |
				    TCA_CSUM_UPDATE_FLAG_UDP;
		i = 6;
		r->rule->action.num_entries = OPENPPE_BENCH_ACTIONS;
	} else {
		i = 3;
	}
	act[i].id = FLOW_ACTION_REDIRECT;
	act[i].dev = bench.out;
}

static void openppe_bench_random_flow(struct openppe_bench_flow *f)
{
	f->saddr = 0x0a000000 | (get_random_u32() & 0x00ffffff);
	f->daddr = 0xc6120000 | (get_random_u32() & 0x0001ffff);
	f->sport = 1024 + get_random_u32_below(64512);
	f->dport = 1 + get_random_u32_below(65535);
}

/* One call of the driver's flow block callback with rule @r; returns its
 * result.
 */
static int openppe_bench_call_rule(struct openppe_bench_rule *r,
				   enum flow_cls_command cmd, u32 idx, u64 *ns)
{
	struct flow_cls_offload cls = {
		.command = cmd,
		.cookie = (unsigned long)idx + 1,
		.rule = r->rule,
	};
	u64 t0;
	int ret;

	if (cmd == FLOW_CLS_REPLACE)
		openppe_bench_rule(r, &bench.flows[idx]);
	t0 = ktime_get_ns();
	ret = bench.cb->cb(TC_SETUP_CLSFLOWER, &cls, bench.cb->cb_priv);
	if (ns)
		*ns = ktime_get_ns() - t0;
	return ret;
}

static int openppe_bench_call(enum flow_cls_command cmd, u32 idx, u64 *ns)
{
	return openppe_bench_call_rule(&bench.rule, cmd, idx, ns);
}

static int openppe_bench_setup_ft(struct net_device *dev,
				  enum flow_block_command cmd,
				  struct list_head *cb_list)
{
	struct flow_block_offload bo = {
		.command = cmd,
		.binder_type = FLOW_BLOCK_BINDER_TYPE_CLSACT_INGRESS,
		.block = &bench.block,
		.net = dev_net(dev),
	};
	int ret;

	INIT_LIST_HEAD(&bo.cb_list);
	if (!dev->netdev_ops->ndo_setup_tc)
		return -EOPNOTSUPP;
	ret = dev->netdev_ops->ndo_setup_tc(dev, TC_SETUP_FT, &bo);
	list_splice(&bo.cb_list, cb_list);
	return ret;
}

static void openppe_bench_release_cbs(struct list_head *cb_list)
{
	struct flow_block_cb *cb, *next;

	list_for_each_entry_safe(cb, next, cb_list, list) {
		list_del(&cb->list);
		flow_block_cb_free(cb);
	}
}

static int openppe_bench_unbind(void)
{
	LIST_HEAD(gone);

	if (!bench.cb)
		return -ENOTCONN;
	openppe_bench_setup_ft(bench.out, FLOW_BLOCK_UNBIND, &gone);
	openppe_bench_setup_ft(bench.in, FLOW_BLOCK_UNBIND, &gone);
	/* the driver moves its callback off the block at the last unbind */
	list_splice_init(&bench.block.cb_list, &gone);
	openppe_bench_release_cbs(&gone);
	bench.cb = NULL;
	bench.nflows = 0;
	netdev_put(bench.out, &bench.out_tracker);
	netdev_put(bench.in, &bench.in_tracker);
	WRITE_ONCE(bench.in, NULL);
	WRITE_ONCE(bench.out, NULL);
	return 0;
}

static int openppe_bench_bind(const char *in, const char *out)
{
	LIST_HEAD(cbs);
	int ret;

	if (bench.cb)
		return -EBUSY;
	WRITE_ONCE(bench.in, dev_get_by_name(&init_net, in));
	if (!bench.in)
		return -ENODEV;
	netdev_tracker_alloc(bench.in, &bench.in_tracker, GFP_KERNEL);
	WRITE_ONCE(bench.out, dev_get_by_name(&init_net, out));
	if (!bench.out) {
		ret = -ENODEV;
		goto err_put_in;
	}
	netdev_tracker_alloc(bench.out, &bench.out_tracker, GFP_KERNEL);
	flow_block_init(&bench.block);
	ret = openppe_bench_setup_ft(bench.in, FLOW_BLOCK_BIND, &cbs);
	if (ret)
		goto err_release;
	list_splice_init(&cbs, &bench.block.cb_list);
	ret = openppe_bench_setup_ft(bench.out, FLOW_BLOCK_BIND, &cbs);
	if (ret || !list_empty(&cbs) || list_empty(&bench.block.cb_list)) {
		/* both ports must share the one callback of their PPE */
		ret = ret ?: -EXDEV;
		goto err_unbind_in;
	}
	bench.cb = list_first_entry(&bench.block.cb_list, struct flow_block_cb,
				    list);
	bench.nflows = 0;
	return 0;

err_unbind_in:
	openppe_bench_setup_ft(bench.in, FLOW_BLOCK_UNBIND, &cbs);
	list_splice_init(&bench.block.cb_list, &cbs);
err_release:
	openppe_bench_release_cbs(&cbs);
	netdev_put(bench.out, &bench.out_tracker);
err_put_in:
	netdev_put(bench.in, &bench.in_tracker);
	WRITE_ONCE(bench.in, NULL);
	WRITE_ONCE(bench.out, NULL);
	return ret;
}

/* REPLACE flows until @n are installed. Return: refusals on the way. */
static int openppe_bench_install(u32 n, u32 *refused)
{
	int ret;

	*refused = 0;
	if (n > OPENPPE_BENCH_MAX_FLOWS)
		return -EINVAL;
	while (bench.nflows < n) {
		if (openppe_bench_aborted())
			return -ENODEV;
		openppe_bench_random_flow(&bench.flows[bench.nflows]);
		ret = openppe_bench_call(FLOW_CLS_REPLACE, bench.nflows, NULL);
		if (!ret)
			bench.nflows++;
		else if (++*refused > 64)
			return ret;
		cond_resched();
	}
	return 0;
}

static int openppe_bench_flush(void)
{
	while (bench.nflows) {
		/* what is left goes with the unbind */
		if (openppe_bench_aborted())
			return -ENODEV;
		bench.nflows--;
		openppe_bench_call(FLOW_CLS_DESTROY, bench.nflows, NULL);
		cond_resched();
	}
	return 0;
}

static int openppe_bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void openppe_bench_report(const char *tag, const char *op, u64 *s,
				 u32 n)
{
	u64 sum = 0;
	u32 i;

	sort(s, n, sizeof(*s), openppe_bench_cmp_u64, NULL);
	for (i = 0; i < n; i++)
		sum += s[i];
	openppe_bench_out("%s.%s.p50_ns %llu\n", tag, op, s[n / 2]);
	openppe_bench_out("%s.%s.p99_ns %llu\n", tag, op, s[n * 99 / 100]);
	openppe_bench_out("%s.%s.mean_ns %llu\n", tag, op, div_u64(sum, n));
}

/* At the current number of installed flows L, SAMPLES times: REPLACE a new
 * flow (L + 1 installed), STATS of a random installed flow, DESTROY the new
 * flow (back to L). Each operation's times go to their own third of the
 * sample buffer.
 */
static int openppe_bench_cost(const char *tag, u32 samples)
{
	u64 *rep, *sta, *des;
	u32 i, idx = bench.nflows;
	int ret;

	if (!samples || samples > OPENPPE_BENCH_RESULTS ||
	    idx >= OPENPPE_BENCH_MAX_FLOWS || !idx)
		return -EINVAL;
	rep = bench.samples;
	sta = rep + samples;
	des = sta + samples;
	for (i = 0; i < samples; i++) {
		if (openppe_bench_aborted())
			return -ENODEV;
		openppe_bench_random_flow(&bench.flows[idx]);
		ret = openppe_bench_call(FLOW_CLS_REPLACE, idx, &rep[i]);
		if (ret)
			return ret;
		ret = openppe_bench_call(FLOW_CLS_STATS,
					 get_random_u32_below(idx), &sta[i]);
		if (ret)
			return ret;
		ret = openppe_bench_call(FLOW_CLS_DESTROY, idx, &des[i]);
		if (ret)
			return ret;
		cond_resched();
	}
	openppe_bench_out("%s.installed %u\n", tag, idx);
	openppe_bench_report(tag, "replace", rep, samples);
	openppe_bench_report(tag, "stats", sta, samples);
	openppe_bench_report(tag, "destroy", des, samples);
	return 0;
}

/* Fill the table (@entries entries, @ways per bucket) with random flows until
 * the driver refuses one. On the same keys, model two simpler placement
 * policies with the same geometry: one hash (only its own bucket, the
 * MediaTek-style baseline) and two hashes without relocation, each until its
 * own first refusal. The model hashes with jhash2(); any uniform hash gives
 * the same statistics.
 */
static int openppe_bench_fill(const char *tag, u32 ways, u32 entries)
{
	u32 nb, b0, b1, single = 0, two = 0, key[4];
	bool single_full = false, two_full = false;
	struct openppe_bench_flow *f;
	u8 *fill;
	int ret;

	if (!ways || !entries || entries % ways ||
	    !is_power_of_2(entries / ways) || entries >= OPENPPE_BENCH_MAX_FLOWS)
		return -EINVAL;
	nb = entries / ways;
	fill = kvcalloc(nb, 2, GFP_KERNEL);
	if (!fill)
		return -ENOMEM;

	for (;;) {
		if (openppe_bench_aborted()) {
			kvfree(fill);
			return -ENODEV;
		}
		f = &bench.flows[bench.nflows];
		openppe_bench_random_flow(f);
		key[0] = f->saddr;
		key[1] = f->daddr;
		key[2] = f->sport << 16 | f->dport;
		key[3] = IPPROTO_UDP;
		b0 = jhash2(key, ARRAY_SIZE(key), 0x5eed0000) & (nb - 1);
		b1 = jhash2(key, ARRAY_SIZE(key), 0x5eed0001) & (nb - 1);
		if (b1 == b0)
			b1 ^= 1;
		/* fill[2b] = single-hash model, fill[2b + 1] = two-choice */
		if (!single_full) {
			if (fill[2 * b0] < ways) {
				fill[2 * b0]++;
				single++;
			} else {
				single_full = true;
			}
		}
		if (!two_full) {
			if (fill[2 * b0 + 1] < ways)
				fill[2 * b0 + 1]++;
			else if (fill[2 * b1 + 1] < ways)
				fill[2 * b1 + 1]++;
			else
				two_full = true;
			if (!two_full)
				two++;
		}
		ret = openppe_bench_call(FLOW_CLS_REPLACE, bench.nflows, NULL);
		if (ret)
			break;
		bench.nflows++;
		if (bench.nflows >= entries) {
			ret = 0;
			break;
		}
		cond_resched();
	}
	kvfree(fill);
	openppe_bench_out("%s.entries %u\n", tag, entries);
	openppe_bench_out("%s.ways %u\n", tag, ways);
	openppe_bench_out("%s.installed %u\n", tag, bench.nflows);
	openppe_bench_out("%s.refusal_errno %d\n", tag, ret);
	openppe_bench_out("%s.single %u\n", tag, single);
	openppe_bench_out("%s.twochoice %u\n", tag, two);
	return 0;
}

/**
 * struct openppe_bench_worker - one concurrent caller of the mt command
 * @rule: its own rule
 * @first: index of its first flow
 * @n: flows it REPLACEs
 * @go: all workers start at once
 * @done: completed when it ends
 * @end_ns: when it ended
 * @ret: 0, or the first failed REPLACE's errno
 */
struct openppe_bench_worker {
	struct openppe_bench_rule rule;
	u32 first;
	u32 n;
	struct completion *go;
	struct completion done;
	u64 end_ns;
	int ret;
};

static int openppe_bench_worker_fn(void *data)
{
	struct openppe_bench_worker *w = data;
	u32 i;

	wait_for_completion(w->go);
	for (i = w->first; i < w->first + w->n; i++) {
		if (openppe_bench_aborted()) {
			w->ret = -ENODEV;
			break;
		}
		openppe_bench_random_flow(&bench.flows[i]);
		w->ret = openppe_bench_call_rule(&w->rule, FLOW_CLS_REPLACE, i,
						 NULL);
		if (w->ret)
			break;
		cond_resched();
	}
	w->end_ns = ktime_get_ns();
	kthread_complete_and_exit(&w->done, 0);
}

/* @threads callers at once, @n REPLACEs each of new flows; then every flow
 * they installed is DESTROYed (not timed). The throughput counts from the
 * common start to the last caller's end.
 */
static int openppe_bench_mt(const char *tag, u32 threads, u32 n)
{
	struct openppe_bench_worker *w;
	struct task_struct *task;
	u64 t0, end = 0;
	DECLARE_COMPLETION_ONSTACK(go);
	u32 t, i, base = bench.nflows;
	int ret = 0;

	if (!threads || threads > OPENPPE_BENCH_THREADS || !n ||
	    (u64)threads * n > OPENPPE_BENCH_MAX_FLOWS - base)
		return -EINVAL;
	w = kcalloc(threads, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	for (t = 0; t < threads; t++) {
		ret = openppe_bench_rule_alloc(&w[t].rule);
		if (ret)
			goto out_free;
		w[t].first = base + t * n;
		w[t].n = n;
		w[t].go = &go;
		init_completion(&w[t].done);
	}
	for (t = 0; t < threads; t++) {
		task = kthread_run(openppe_bench_worker_fn, &w[t],
				   "openppe_bench/%u", t);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			threads = t;
			break;
		}
	}
	t0 = ktime_get_ns();
	complete_all(&go);
	for (t = 0; t < threads; t++) {
		wait_for_completion(&w[t].done);
		end = max(end, w[t].end_ns);
		ret = ret ?: w[t].ret;
	}
	/* each worker's flows up to the first that failed are installed */
	for (t = 0; t < threads; t++)
		for (i = w[t].first; i < w[t].first + w[t].n; i++)
			openppe_bench_call(FLOW_CLS_DESTROY, i, NULL);
	if (!ret) {
		openppe_bench_out("%s.threads %u\n", tag, threads);
		openppe_bench_out("%s.replaces %u\n", tag, threads * n);
		openppe_bench_out("%s.ns %llu\n", tag, end - t0);
		openppe_bench_out("%s.per_sec %llu\n", tag,
				  div64_u64((u64)threads * n * NSEC_PER_SEC,
					    max_t(u64, end - t0, 1)));
	}
out_free:
	for (t = 0; t < threads; t++)
		kfree(w[t].rule.rule);
	kfree(w);
	return ret;
}

static int openppe_bench_exec(char *cmd)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], tag[32];
	u32 n, m, refused;
	int ret;

	if (sscanf(cmd, "bind %15s %15s", a, b) == 2)
		return openppe_bench_bind(a, b);
	if (!strcmp(cmd, "rules route") || !strcmp(cmd, "rules napt")) {
		WRITE_ONCE(bench.napt, !strcmp(cmd, "rules napt"));
		return 0;
	}
	if (!strcmp(cmd, "clear")) {
		bench.results_len = 0;
		return 0;
	}
	if (!bench.cb)
		return -ENOTCONN;
	if (!strcmp(cmd, "unbind"))
		return openppe_bench_unbind();
	if (!strcmp(cmd, "flush"))
		return openppe_bench_flush();
	if (sscanf(cmd, "install %u", &n) == 1) {
		ret = openppe_bench_install(n, &refused);
		openppe_bench_out("install.refused %u\n", refused);
		return ret;
	}
	if (sscanf(cmd, "cost %31s %u", tag, &n) == 2)
		return openppe_bench_cost(tag, n);
	if (sscanf(cmd, "mt %31s %u %u", tag, &n, &m) == 3)
		return openppe_bench_mt(tag, n, m);
	if (sscanf(cmd, "fill %31s %u %u", tag, &n, &m) == 3)
		return openppe_bench_fill(tag, n, m);
	return -EINVAL;
}

/* A bound port is being unregistered (its device deleted, or moved to
 * another namespace): let go of both ports, as nf_flow_table lets go of a
 * flowtable's device, or unregister_netdevice() waits for our references
 * forever. Called under RTNL; no command takes RTNL, so waiting here for
 * bench.lock is safe, and @abort makes a running command stop at its next
 * flow rather than finish its loop first. The unlocked test can miss a
 * port that a bind is taking at this very moment; while references remain,
 * unregistration repeats NETDEV_UNREGISTER every second, and the next one
 * finds it.
 */
static int openppe_bench_netdev_event(struct notifier_block *nb,
				      unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event != NETDEV_UNREGISTER ||
	    (dev != READ_ONCE(bench.in) && dev != READ_ONCE(bench.out)))
		return NOTIFY_DONE;
	WRITE_ONCE(bench.abort, true);
	mutex_lock(&bench.lock);
	if (bench.cb && (dev == bench.in || dev == bench.out))
		openppe_bench_unbind();
	WRITE_ONCE(bench.abort, false);
	mutex_unlock(&bench.lock);
	return NOTIFY_OK;
}

static ssize_t openppe_bench_run_write(struct file *file,
				       const char __user *ubuf, size_t len,
				       loff_t *ppos)
{
	char *cmd;
	int ret;

	if (len > 128)
		return -EINVAL;
	cmd = memdup_user_nul(ubuf, len);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	strim(cmd);
	mutex_lock(&bench.lock);
	ret = openppe_bench_exec(cmd);
	mutex_unlock(&bench.lock);
	kfree(cmd);
	return ret ?: len;
}

static const struct file_operations openppe_bench_run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = openppe_bench_run_write,
	.llseek = noop_llseek,
};

static int openppe_bench_results_show(struct seq_file *s, void *unused)
{
	mutex_lock(&bench.lock);
	seq_write(s, bench.results, bench.results_len);
	mutex_unlock(&bench.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(openppe_bench_results);

static int __init openppe_bench_init(void)
{
	int ret = -ENOMEM;

	mutex_init(&bench.lock);
	if (openppe_bench_rule_alloc(&bench.rule))
		return -ENOMEM;
	bench.flows = kvcalloc(OPENPPE_BENCH_MAX_FLOWS, sizeof(*bench.flows),
			       GFP_KERNEL);
	bench.samples = kvcalloc(3 * OPENPPE_BENCH_RESULTS,
				 sizeof(*bench.samples), GFP_KERNEL);
	bench.results = kvzalloc(OPENPPE_BENCH_RESULTS_SIZE, GFP_KERNEL);
	if (!bench.flows || !bench.samples || !bench.results)
		goto err_free;
	/* before the first bind can come */
	bench.nb.notifier_call = openppe_bench_netdev_event;
	ret = register_netdevice_notifier(&bench.nb);
	if (ret)
		goto err_free;

	bench.dir = debugfs_create_dir("openppe_bench", NULL);
	debugfs_create_file("run", 0200, bench.dir, NULL,
			    &openppe_bench_run_fops);
	debugfs_create_file("results", 0400, bench.dir, NULL,
			    &openppe_bench_results_fops);
	return 0;

err_free:
	kvfree(bench.results);
	kvfree(bench.samples);
	kvfree(bench.flows);
	kfree(bench.rule.rule);
	return ret;
}

static void __exit openppe_bench_exit(void)
{
	debugfs_remove(bench.dir);
	/* replays NETDEV_UNREGISTER of every netdev to us: that unbinds */
	unregister_netdevice_notifier(&bench.nb);
	mutex_lock(&bench.lock);
	if (bench.cb)
		openppe_bench_unbind();
	mutex_unlock(&bench.lock);
	kvfree(bench.results);
	kvfree(bench.samples);
	kvfree(bench.flows);
	kfree(bench.rule.rule);
}

module_init(openppe_bench_init);
module_exit(openppe_bench_exit);

MODULE_DESCRIPTION("openppe control-plane benchmark (test only)");
MODULE_LICENSE("GPL");
