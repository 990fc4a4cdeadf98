// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of the openppe driver: hash, flow_rule -> entry, table, STATS */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/fs.h>
#include <linux/ipv6.h>
#include <linux/kthread.h>
#include <linux/uio.h>
#include <linux/platform_device.h>
#include <linux/regmap.h>
#include <linux/seq_file.h>
#include <linux/tc_act/tc_csum.h>

#include "openppe.h"
#include "openppe_compat.h"

OPENPPE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/* ---- hash: docs/hardware.md section 4 test vectors ---- */

struct openppe_hash_vector {
	const char *name;
	u32 key[OPENPPE_KEY_WORDS];
	u32 seed0, seed1, hash0, hash1, nbuckets, b0, b1;
};

static const struct openppe_hash_vector openppe_hash_vectors[] = {
	{ "ipv4-tcp",
	  { 0x00000601, 0x00000000, 0x00509c40, 0xc0a8010a, 0, 0, 0,
	    0xcb007107, 0, 0, 0 },
	  0x00000000, 0x9e3779b9, 0xbd65b718, 0x01660b23, 256, 24, 35 },
	{ "ipv4-udp-vlan",
	  { 0x00001110, 0x00000064, 0x003514e9, 0xc6336402, 0, 0, 0,
	    0x0a000001, 0, 0, 0 },
	  0x12345678, 0x87654321, 0x59c85e22, 0x733d2754, 1024, 546, 852 },
	{ "ipv4-tcp-qinq",
	  { 0x00000622, 0x0014000a, 0xffff0001, 0x0a010203, 0, 0, 0,
	    0x0a030201, 0, 0, 0 },
	  0xdeadbeef, 0x0badf00d, 0xb146ce38, 0x9e6de91d, 4, 0, 1 },
	{ "ipv6-tcp",
	  { 0x00000641, 0x00000000, 0x01bbc738, 0x20010db8, 0x00000000,
	    0x00000000, 0x00000010, 0x20010db8, 0x00010000, 0x00000000,
	    0x00000007 },
	  0x00000001, 0x00000002, 0x7da5dc11, 0x3f405280, 16384, 7185, 4736 },
	{ "ipv6-udp",
	  { 0x00001140, 0x00000000, 0x11941194, 0xfd000000, 0x00000000,
	    0x00000000, 0x00000001, 0xfd000000, 0x00000001, 0x00000000,
	    0x00000002 },
	  0xffffffff, 0x00000000, 0x1cf08596, 0x9a19b629, 2, 0, 1 },
	{ "ipv4-udp-collide",
	  { 0x00001103, 0x00000000, 0x007b3039, 0xac100001, 0, 0, 0,
	    0xac100002, 0, 0, 0 },
	  0x00005eed, 0x00000004, 0xb208473e, 0xd9bc9196, 8, 6, 7 },
};

static void openppe_hash_desc(const struct openppe_hash_vector *v,
			      char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(openppe_hash, openppe_hash_vectors, openppe_hash_desc);

static void openppe_test_hash(struct kunit *test)
{
	const struct openppe_hash_vector *v = test->param_value;
	u32 b0, b1;

	KUNIT_EXPECT_EQ(test, openppe_hash(v->key, v->seed0), v->hash0);
	KUNIT_EXPECT_EQ(test, openppe_hash(v->key, v->seed1), v->hash1);
	openppe_buckets(v->key, v->seed0, v->seed1, v->nbuckets, &b0, &b1);
	KUNIT_EXPECT_EQ(test, b0, v->b0);
	KUNIT_EXPECT_EQ(test, b1, v->b1);
}

/* ---- fixture: a PPE with a fake register file and four ports ---- */

#define T_PORTS		4
#define T_LOG2		4	/* 16 entries, 4 buckets of 4 ways */
#define T_WAYS		4
#define T_SLOTS		4	/* command slots the fake registers have */

struct openppe_test_ctx {
	struct platform_device *pdev;
	struct device *dev;
	struct regmap *map;
	struct openppe *ppe;
	struct net_device *port[T_PORTS];
	struct net_device *foreign;
	/* fake registers */
	u32 ctrl;
	u32 ts_now;
	u32 ppe_id;
	u32 ppe_rev;
	unsigned int writes;
	/* entry cache (hardware.md 2.5), T_SLOTS command slots, slot 0 at
	 * CACHE_CMD/CACHE_STATUS: a command written while its slot is BUSY is
	 * ignored, an INV_ALL while another slot is BUSY rejected; with
	 * cache_stuck (every slot) or bit s of stuck_mask a command stays
	 * BUSY, and completes at the first STATUS read after that is cleared
	 */
	bool cache_stuck;
	unsigned long stuck_mask;
	bool slot_busy[T_SLOTS];
	bool slot_err[T_SLOTS];
	bool cache_err;		/* commands are rejected (CACHE_STATUS.ERR) */
	unsigned int cache_cmds;	/* commands the engine accepted */
	unsigned int slot_cmds[T_SLOTS];	/* the same, by slot */
	unsigned int cache_ignored;	/* commands written while BUSY */
	unsigned int inv_all_rejected;	/* INV_ALL while another slot BUSY */
	u32 last_cache_cmd;		/* the last one accepted */
	/* router MAC table writes, in order */
	struct { u32 reg, val; } rmac_log[64];
	unsigned int rmac_writes;
	u32 rmac_regs[OPENPPE_RMAC_MAX][3];
};

/* STATUS of command slot @slot, completing its command unless stuck */
static u32 openppe_test_slot_status(struct openppe_test_ctx *ctx,
				    unsigned int slot)
{
	if (ctx->slot_busy[slot] && !ctx->cache_stuck &&
	    !test_bit(slot, &ctx->stuck_mask))
		ctx->slot_busy[slot] = false;
	return (ctx->slot_busy[slot] ? OPENPPE_CACHE_STATUS_BUSY : 0) |
	       (ctx->slot_err[slot] ? OPENPPE_CACHE_STATUS_ERR : 0);
}

/* a command written to slot @slot's CMD */
static void openppe_test_slot_cmd(struct openppe_test_ctx *ctx,
				  unsigned int slot, u32 val)
{
	unsigned int s;

	if (ctx->slot_busy[slot]) {
		ctx->cache_ignored++;
		return;
	}
	if (FIELD_GET(OPENPPE_CACHE_CMD_OP, val) == OPENPPE_CACHE_OP_INV_ALL) {
		for (s = 0; s < T_SLOTS; s++) {
			if (s != slot && openppe_test_slot_status(ctx, s) &
					 OPENPPE_CACHE_STATUS_BUSY) {
				ctx->inv_all_rejected++;
				ctx->slot_err[slot] = true;
				return;
			}
		}
	}
	ctx->cache_cmds++;
	ctx->slot_cmds[slot]++;
	ctx->last_cache_cmd = val;
	ctx->slot_busy[slot] = ctx->cache_stuck ||
			       test_bit(slot, &ctx->stuck_mask);
	ctx->slot_err[slot] = ctx->cache_err;
}

static int openppe_test_reg_read(void *context, unsigned int reg,
				 unsigned int *val)
{
	struct openppe_test_ctx *ctx = context;

	switch (reg) {
	case OPENPPE_CACHE_STATUS:
		*val = openppe_test_slot_status(ctx, 0);
		break;
	case OPENPPE_CACHE_SLOT_STATUS(1) ... OPENPPE_CACHE_SLOT_STATUS(T_SLOTS - 1):
		if (reg % 8 == 4)
			*val = openppe_test_slot_status(ctx, (reg - OPENPPE_CACHE_SLOT_CMD(0)) / 8);
		else
			*val = 0;
		break;
	case OPENPPE_PPE_ID:
		*val = ctx->ppe_id;
		break;
	case OPENPPE_PPE_REV:
		*val = ctx->ppe_rev;
		break;
	case OPENPPE_PPE_CAPS:
		*val = FIELD_PREP(OPENPPE_PPE_CAPS_PORTS, T_PORTS);
		break;
	case OPENPPE_PPE_CTRL:
		*val = ctx->ctrl;
		break;
	case OPENPPE_TS_NOW:
		*val = ctx->ts_now;
		break;
	default:
		*val = 0;
	}
	return 0;
}

static int openppe_test_reg_write(void *context, unsigned int reg,
				  unsigned int val)
{
	struct openppe_test_ctx *ctx = context;

	ctx->writes++;
	switch (reg) {
	case OPENPPE_CACHE_CMD:
		openppe_test_slot_cmd(ctx, 0, val);
		break;
	case OPENPPE_CACHE_SLOT_CMD(1) ... OPENPPE_CACHE_SLOT_STATUS(T_SLOTS - 1):
		if (reg % 8 == 0)
			openppe_test_slot_cmd(ctx, (reg - OPENPPE_CACHE_SLOT_CMD(0)) / 8, val);
		break;
	case OPENPPE_PPE_CTRL:
		ctx->ctrl = val;
		break;
	case OPENPPE_RMAC_BASE(0) ... OPENPPE_RMAC_BASE(OPENPPE_RMAC_MAX) - 4:
		if (ctx->rmac_writes < ARRAY_SIZE(ctx->rmac_log)) {
			ctx->rmac_log[ctx->rmac_writes].reg = reg;
			ctx->rmac_log[ctx->rmac_writes].val = val;
		}
		ctx->rmac_writes++;
		reg -= OPENPPE_RMAC_BASE(0);
		if (reg % 16 < 12)
			ctx->rmac_regs[reg / 16][reg % 16 / 4] = val;
		break;
	}
	return 0;
}

static const struct regmap_config openppe_test_regmap = {
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = OPENPPE_REG_LAST + 4,
	.reg_read = openppe_test_reg_read,
	.reg_write = openppe_test_reg_write,
};

static int openppe_test_init(struct kunit *test)
{
	struct openppe_test_ctx *ctx;
	struct openppe *ppe;
	int p;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;

	ctx->pdev = platform_device_register_simple("openppe_kunit",
						    PLATFORM_DEVID_AUTO, NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ctx->pdev));
	ctx->dev = &ctx->pdev->dev;
	ctx->map = regmap_init(ctx->dev, NULL, ctx, &openppe_test_regmap);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ctx->map));
	ppe = openppe_create(ctx->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ppe));
	ctx->ppe = ppe;

	ppe->regmap = ctx->map;
	ppe->nports = T_PORTS;
	ppe->fw_features = OPENPPE_FEAT_ALL;
	ppe->ts_rate = 1000;
	ppe->seed[0] = 0x12345678;
	ppe->seed[1] = 0x9abcdef0;
	ppe->table = kunit_kzalloc(test, OPENPPE_ENTRY_SIZE << T_LOG2,
				   GFP_KERNEL);
	ppe->counters = kunit_kzalloc(test, OPENPPE_CNT_SIZE << T_LOG2,
				      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ppe->table);
	KUNIT_ASSERT_NOT_NULL(test, ppe->counters);
	KUNIT_ASSERT_EQ(test, openppe_table_init(ppe, T_LOG2, T_WAYS), 0);
	ctx->ctrl = OPENPPE_PPE_CTRL_EN;

	for (p = 0; p < T_PORTS; p++) {
		ctx->port[p] = alloc_etherdev(0);
		KUNIT_ASSERT_NOT_NULL(test, ctx->port[p]);
		ctx->port[p]->ifindex = 10 + p;
		rcu_assign_pointer(ppe->ports[p].netdev, ctx->port[p]);
	}
	ctx->foreign = alloc_etherdev(0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->foreign);
	ctx->foreign->ifindex = 99;
	return 0;
}

static void openppe_test_exit(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	int p;

	if (ctx->ppe) {
		ctx->cache_stuck = false;
		ctx->stuck_mask = 0;
		ctx->cache_err = false;
		openppe_flows_flush(ctx->ppe, NULL, -1);
		cancel_delayed_work_sync(&ctx->ppe->recover_work);
		for (p = 0; p < T_PORTS; p++)
			RCU_INIT_POINTER(ctx->ppe->ports[p].netdev, NULL);
		openppe_put(ctx->ppe);
	}
	for (p = 0; p < T_PORTS; p++)
		if (ctx->port[p])
			free_netdev(ctx->port[p]);
	if (ctx->foreign)
		free_netdev(ctx->foreign);
	if (!IS_ERR_OR_NULL(ctx->map))
		regmap_exit(ctx->map);
	if (!IS_ERR_OR_NULL(ctx->pdev))
		platform_device_unregister(ctx->pdev);
}

/* ---- flow_rule construction, the way nf_flow_table_offload.c does it ---- */

struct openppe_test_key {
	struct flow_dissector_key_meta meta;
	struct flow_dissector_key_control control;
	struct flow_dissector_key_basic basic;
	struct flow_dissector_key_vlan vlan;
	struct flow_dissector_key_vlan cvlan;
	struct flow_dissector_key_ipv4_addrs ipv4;
	struct flow_dissector_key_ipv6_addrs ipv6;
	struct flow_dissector_key_tcp tcp;
	struct flow_dissector_key_ports tp;
	struct flow_dissector_key_keyid enc_key_id;
};

struct openppe_test_match {
	struct flow_dissector dissector;
	struct openppe_test_key key;
	struct openppe_test_key mask;
};

/* one flow direction, in the terms of nf_flow_table */
struct openppe_test_flow {
	const char *name;
	bool ipv6;
	u8 proto;
	int iport;		/* ingress port, -1: a foreign device */
	int eport;		/* REDIRECT port, -1: a foreign device */
	u32 sip, dip;		/* IPv4, or last word of 2001:db8::/96 */
	u16 sport, dport;
	u32 new_sip, new_dip;	/* 0: not translated */
	u16 new_sport, new_dport;
	int nvlan;		/* ingress tags, outermost first */
	u16 vin[2];
	int npop;		/* VLAN_POP actions, -1: as many as tags */
	int npush;		/* VLAN_PUSH actions, outermost first */
	u16 vpush[3];
	__be16 push_proto;	/* 0: 802.1Q */
	bool pppoe;		/* PPPOE_PUSH (innermost) */
	bool pppoe_outside;	/* PPPOE_PUSH after the VLAN pushes */
	bool pppoe_twice;	/* and before them too */
	u16 sid;
	bool no_mac;
	bool tunnel;
	bool last_key;		/* the kernel's highest dissector key */
	bool drop_action;
	bool tcp_flag_match;
	bool vlan_used_keys;	/* flag VLAN keys in used_keys, as tc does */
	u32 fw_features;	/* 0: all */
	/* expectations */
	int ret;
	enum openppe_refusal why;
	u32 type;
	u32 key_vid0, key_vid1, eg_vid0, eg_vid1;
};

static const u8 openppe_test_dmac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const u8 openppe_test_smac[ETH_ALEN] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

static void openppe_test_ip6(u32 last, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr32[0] = htonl(0x20010db8);
	a->s6_addr32[3] = htonl(last);
}

static struct flow_action_entry *
openppe_test_act(struct flow_rule *rule, enum flow_action_id id)
{
	struct flow_action_entry *act;

	act = &rule->action.entries[rule->action.num_entries++];
	act->id = id;
	return act;
}

static void openppe_test_mangle(struct flow_rule *rule,
				enum flow_action_mangle_base htype, u32 offset,
				u32 val, u32 mask)
{
	struct flow_action_entry *act = openppe_test_act(rule,
							 FLOW_ACTION_MANGLE);

	act->mangle.htype = htype;
	act->mangle.offset = offset;
	act->mangle.val = val;
	act->mangle.mask = mask;
}

/* flow_offload_eth_src() / flow_offload_eth_dst() encodings */
static void openppe_test_eth(struct flow_rule *rule)
{
	u16 val16;
	u32 val;

	memcpy(&val16, openppe_test_smac, 2);
	val = val16 << 16;
	openppe_test_mangle(rule, FLOW_ACT_MANGLE_HDR_TYPE_ETH, 4, val,
			    ~0xffff0000);
	memcpy(&val, openppe_test_smac + 2, 4);
	openppe_test_mangle(rule, FLOW_ACT_MANGLE_HDR_TYPE_ETH, 8, val, 0);
	memcpy(&val, openppe_test_dmac, 4);
	openppe_test_mangle(rule, FLOW_ACT_MANGLE_HDR_TYPE_ETH, 0, val, 0);
	memcpy(&val16, openppe_test_dmac + 4, 2);
	val = val16;
	openppe_test_mangle(rule, FLOW_ACT_MANGLE_HDR_TYPE_ETH, 4, val,
			    ~0x0000ffff);
}

static void openppe_test_nat(struct flow_rule *rule,
			     const struct openppe_test_flow *f)
{
	enum flow_action_mangle_base l4 = f->proto == IPPROTO_TCP ?
		FLOW_ACT_MANGLE_HDR_TYPE_TCP : FLOW_ACT_MANGLE_HDR_TYPE_UDP;
	struct in6_addr a;
	int i;

	if (f->new_sip) {
		if (f->ipv6) {
			openppe_test_ip6(f->new_sip, &a);
			for (i = 0; i < 4; i++)
				openppe_test_mangle(rule,
						    FLOW_ACT_MANGLE_HDR_TYPE_IP6,
						    offsetof(struct ipv6hdr, saddr) + 4 * i,
						    (__force u32)a.s6_addr32[i], 0);
		} else {
			openppe_test_mangle(rule, FLOW_ACT_MANGLE_HDR_TYPE_IP4,
					    offsetof(struct iphdr, saddr),
					    (__force u32)htonl(f->new_sip), 0);
		}
	}
	if (f->new_dip) {
		if (f->ipv6) {
			openppe_test_ip6(f->new_dip, &a);
			for (i = 0; i < 4; i++)
				openppe_test_mangle(rule,
						    FLOW_ACT_MANGLE_HDR_TYPE_IP6,
						    offsetof(struct ipv6hdr, daddr) + 4 * i,
						    (__force u32)a.s6_addr32[i], 0);
		} else {
			openppe_test_mangle(rule, FLOW_ACT_MANGLE_HDR_TYPE_IP4,
					    offsetof(struct iphdr, daddr),
					    (__force u32)htonl(f->new_dip), 0);
		}
	}
	/* flow_offload_port_snat() / _dnat() */
	if (f->new_sport)
		openppe_test_mangle(rule, l4, 0,
				    (__force u32)htonl(f->new_sport << 16),
				    (__force u32)~htonl(0xffff0000));
	if (f->new_dport)
		openppe_test_mangle(rule, l4, 0,
				    (__force u32)htonl(f->new_dport),
				    (__force u32)~htonl(0xffff));
	if (!f->ipv6 && (f->new_sip || f->new_dip)) {
		struct flow_action_entry *act;

		act = openppe_test_act(rule, FLOW_ACTION_CSUM);
		act->csum_flags = TCA_CSUM_UPDATE_FLAG_IPV4HDR |
				  (f->proto == IPPROTO_TCP ?
				   TCA_CSUM_UPDATE_FLAG_TCP :
				   TCA_CSUM_UPDATE_FLAG_UDP);
	}
}

static void openppe_test_use(struct openppe_test_match *m,
			     enum flow_dissector_key_id k, size_t offset)
{
	m->dissector.offset[k] = offset;
	m->dissector.used_keys |= BIT_ULL(k);
}

#define OPENPPE_TEST_USE(m, k, field) \
	openppe_test_use(m, k, offsetof(struct openppe_test_key, field))

static struct flow_rule *openppe_test_rule(struct kunit *test,
					   const struct openppe_test_flow *f)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_match *m;
	struct flow_action_entry *act;
	struct openppe_test_key *k;
	struct flow_rule *rule;
	int i, npop;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	rule = flow_rule_alloc(24);
	KUNIT_ASSERT_NOT_NULL(test, rule);
	rule->action.num_entries = 0;
	rule->match.dissector = &m->dissector;
	rule->match.key = &m->key;
	rule->match.mask = &m->mask;
	k = &m->key;

	OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_META, meta);
	OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_CONTROL, control);
	OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_BASIC, basic);
	OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_PORTS, tp);
	k->meta.ingress_ifindex = f->iport >= 0 ?
				  ctx->port[f->iport]->ifindex : 99;
	m->mask.meta.ingress_ifindex = 0xffffffff;

	/* like nf_flow_rule_match(): VLAN keys get an offset, no used_keys bit */
	if (f->nvlan >= 1) {
		m->dissector.offset[FLOW_DISSECTOR_KEY_VLAN] =
			offsetof(struct openppe_test_key, vlan);
		k->vlan.vlan_id = f->vin[0];
		k->vlan.vlan_tpid = htons(ETH_P_8021Q);
		m->mask.vlan.vlan_id = VLAN_VID_MASK;
		m->mask.vlan.vlan_tpid = htons(0xffff);
	}
	if (f->nvlan >= 2) {
		m->dissector.offset[FLOW_DISSECTOR_KEY_CVLAN] =
			offsetof(struct openppe_test_key, cvlan);
		k->cvlan.vlan_id = f->vin[1];
		k->cvlan.vlan_tpid = htons(ETH_P_8021Q);
		m->mask.cvlan.vlan_id = VLAN_VID_MASK;
		m->mask.cvlan.vlan_tpid = htons(0xffff);
	}
	if (f->ipv6) {
		OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_IPV6_ADDRS, ipv6);
		k->control.addr_type = FLOW_DISSECTOR_KEY_IPV6_ADDRS;
		k->basic.n_proto = htons(ETH_P_IPV6);
		openppe_test_ip6(f->sip, &k->ipv6.src);
		openppe_test_ip6(f->dip, &k->ipv6.dst);
		memset(&m->mask.ipv6, 0xff, sizeof(m->mask.ipv6));
	} else {
		OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_IPV4_ADDRS, ipv4);
		k->control.addr_type = FLOW_DISSECTOR_KEY_IPV4_ADDRS;
		k->basic.n_proto = htons(ETH_P_IP);
		k->ipv4.src = htonl(f->sip);
		k->ipv4.dst = htonl(f->dip);
		m->mask.ipv4.src = htonl(0xffffffff);
		m->mask.ipv4.dst = htonl(0xffffffff);
	}
	m->mask.control.addr_type = 0xffff;
	m->mask.basic.n_proto = htons(0xffff);
	k->basic.ip_proto = f->proto;
	m->mask.basic.ip_proto = 0xff;
	if (f->vlan_used_keys && f->nvlan >= 1)
		OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_VLAN, vlan);
	if (f->vlan_used_keys && f->nvlan >= 2)
		OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_CVLAN, cvlan);
	if (f->proto == IPPROTO_TCP) {
		OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_TCP, tcp);
		k->tcp.flags = f->tcp_flag_match ? htons(0x0001) : 0;
		m->mask.tcp.flags = htons(0x0005);	/* FIN | RST */
	}
	k->tp.src = htons(f->sport);
	k->tp.dst = htons(f->dport);
	m->mask.tp.src = htons(0xffff);
	m->mask.tp.dst = htons(0xffff);
	if (f->tunnel) {
		OPENPPE_TEST_USE(m, FLOW_DISSECTOR_KEY_ENC_KEYID, enc_key_id);
		k->enc_key_id.keyid = htonl(42);
		m->mask.enc_key_id.keyid = htonl(0xffffffff);
	}
	/* bit 31 before 6.6, above 31 since (used_keys became 64-bit): no
	 * key data, the flag alone must be refused
	 */
	if (f->last_key)
		m->dissector.used_keys |= BIT_ULL(FLOW_DISSECTOR_KEY_MAX - 1);

	/* nf_flow_rule_route_common(), then NAT, then redirect */
	if (!f->no_mac)
		openppe_test_eth(rule);
	npop = f->npop < 0 ? f->nvlan : f->npop;
	for (i = 0; i < npop; i++)
		openppe_test_act(rule, FLOW_ACTION_VLAN_POP);
	if (f->pppoe && (!f->pppoe_outside || f->pppoe_twice)) {
		act = openppe_test_act(rule, FLOW_ACTION_PPPOE_PUSH);
		act->pppoe.sid = f->sid;
	}
	for (i = 0; i < f->npush; i++) {
		act = openppe_test_act(rule, FLOW_ACTION_VLAN_PUSH);
		act->vlan.vid = f->vpush[i];
		act->vlan.proto = f->push_proto ?: htons(ETH_P_8021Q);
	}
	if (f->pppoe && f->pppoe_outside) {
		act = openppe_test_act(rule, FLOW_ACTION_PPPOE_PUSH);
		act->pppoe.sid = f->sid;
	}
	openppe_test_nat(rule, f);
	if (f->drop_action)
		openppe_test_act(rule, FLOW_ACTION_DROP);
	act = openppe_test_act(rule, FLOW_ACTION_REDIRECT);
	act->dev = f->eport >= 0 ? ctx->port[f->eport] : ctx->foreign;
	return rule;
}

/* ---- flow_rule -> entry ---- */

#define T_SIP	0xc0a8010a	/* 192.168.1.10 */
#define T_DIP	0xcb007107	/* 203.0.113.7 */
#define T_NAT	0x64400001	/* 100.64.0.1 */

static const struct openppe_test_flow openppe_parse_cases[] = {
	{ .name = "ipv4-route-tcp", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 40000,
	  .dport = 80, .npop = -1, .type = OPENPPE_TYPE_IPV4_ROUTE },
	{ .name = "ipv4-route-udp", .proto = IPPROTO_UDP, .iport = 2,
	  .eport = 3, .sip = T_SIP, .dip = T_DIP, .sport = 5353,
	  .dport = 53, .npop = -1, .type = OPENPPE_TYPE_IPV4_ROUTE },
	{ .name = "ipv4-snat-masquerade", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 40000,
	  .dport = 80, .new_sip = T_NAT, .new_sport = 61000, .npop = -1,
	  .type = OPENPPE_TYPE_IPV4_NAPT },
	{ .name = "ipv4-dnat-reply", .proto = IPPROTO_UDP, .iport = 0,
	  .eport = 1, .sip = T_DIP, .dip = T_NAT, .sport = 53,
	  .dport = 61000, .new_dip = T_SIP, .new_dport = 40000, .npop = -1,
	  .type = OPENPPE_TYPE_IPV4_NAPT },
	{ .name = "ipv4-snat-dnat", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 40000,
	  .dport = 8080, .new_sip = T_NAT, .new_dip = 0x0a000005,
	  .new_sport = 61000, .new_dport = 80, .npop = -1,
	  .type = OPENPPE_TYPE_IPV4_NAPT },
	{ .name = "ipv6-route-udp", .ipv6 = true, .proto = IPPROTO_UDP,
	  .iport = 1, .eport = 0, .sip = 0x10, .dip = 0x7, .sport = 4500,
	  .dport = 4500, .npop = -1, .type = OPENPPE_TYPE_IPV6_ROUTE },
	{ .name = "ipv6-nat-tcp", .ipv6 = true, .proto = IPPROTO_TCP,
	  .iport = 1, .eport = 0, .sip = 0x10, .dip = 0x7, .sport = 50000,
	  .dport = 443, .new_sip = 0xffff, .new_sport = 1024, .npop = -1,
	  .type = OPENPPE_TYPE_IPV6_NAPT },
	{ .name = "vlan-pop-push", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 1, .dport = 2,
	  .nvlan = 1, .vin = { 100 }, .npop = -1, .npush = 1,
	  .vpush = { 200 }, .type = OPENPPE_TYPE_IPV4_ROUTE,
	  .key_vid0 = 100, .eg_vid0 = 200 },
	{ .name = "vlan-in-used-keys", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 1, .dport = 2,
	  .nvlan = 1, .vin = { 100 }, .npop = -1, .vlan_used_keys = true,
	  .type = OPENPPE_TYPE_IPV4_ROUTE, .key_vid0 = 100 },
	{ .name = "qinq-pop-push", .proto = IPPROTO_UDP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 1, .dport = 2,
	  .nvlan = 2, .vin = { 10, 20 }, .npop = -1, .npush = 2,
	  .vpush = { 400, 300 }, .type = OPENPPE_TYPE_IPV4_ROUTE,
	  .key_vid0 = 10, .key_vid1 = 20, .eg_vid0 = 400, .eg_vid1 = 300 },
	{ .name = "pppoe-push", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 40000,
	  .dport = 80, .new_sip = T_NAT, .new_sport = 61000, .npop = -1,
	  .pppoe = true, .sid = 0x1234, .type = OPENPPE_TYPE_IPV4_NAPT },
	{ .name = "pppoe-over-vlan-push", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .sport = 40000,
	  .dport = 80, .npop = -1, .pppoe = true, .sid = 7, .npush = 1,
	  .vpush = { 35 }, .type = OPENPPE_TYPE_IPV4_ROUTE, .eg_vid0 = 35 },
	{ .name = "pppoe-over-vlan-ingress", .proto = IPPROTO_TCP,
	  .iport = 0, .eport = 1, .sip = T_DIP, .dip = T_SIP, .sport = 80,
	  .dport = 40000, .nvlan = 1, .vin = { 35 }, .npop = -1,
	  .type = OPENPPE_TYPE_IPV4_ROUTE, .key_vid0 = 35 },
	{ .name = "hairpin-same-port", .proto = IPPROTO_UDP, .iport = 2,
	  .eport = 2, .sip = T_SIP, .dip = T_DIP, .sport = 1, .dport = 2,
	  .npop = -1, .type = OPENPPE_TYPE_IPV4_ROUTE },
	/* refusals */
	{ .name = "foreign-ingress", .proto = IPPROTO_TCP, .iport = -1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1,
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_FOREIGN_PORT },
	{ .name = "foreign-egress", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = -1, .sip = T_SIP, .dip = T_DIP, .npop = -1,
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_FOREIGN_PORT },
	{ .name = "gre", .proto = IPPROTO_GRE, .iport = 1, .eport = 0,
	  .sip = T_SIP, .dip = T_DIP, .npop = -1, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "tunnel-match", .proto = IPPROTO_UDP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1,
	  .tunnel = true, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "highest-dissector-key", .proto = IPPROTO_UDP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1,
	  .last_key = true, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "unknown-action", .proto = IPPROTO_UDP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1,
	  .drop_action = true, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "no-mac-rewrite", .proto = IPPROTO_UDP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1,
	  .no_mac = true, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "tcp-flags-match", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1,
	  .tcp_flag_match = true, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "vlan-not-popped", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .nvlan = 1,
	  .vin = { 5 }, .npop = 0, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "pop-without-vlan-match", .proto = IPPROTO_TCP,
	  .iport = 1, .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = 1,
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "three-vlan-pushes", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1, .npush = 3,
	  .vpush = { 1, 2, 3 }, .ret = -EOPNOTSUPP,
	  .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "8021ad-push", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1, .npush = 1,
	  .vpush = { 9 }, .push_proto = htons(ETH_P_8021AD),
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "pppoe-after-vlan-push", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1, .npush = 1,
	  .vpush = { 9 }, .pppoe = true, .pppoe_outside = true, .sid = 3,
	  .type = OPENPPE_TYPE_IPV4_ROUTE, .eg_vid0 = 9 },
	{ .name = "two-pppoe-pushes", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1, .pppoe = true,
	  .pppoe_outside = true, .pppoe_twice = true, .sid = 3,
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_UNSUPPORTED },
	{ .name = "fw-without-ipv6", .ipv6 = true, .proto = IPPROTO_UDP,
	  .iport = 1, .eport = 0, .sip = 1, .dip = 2, .npop = -1,
	  .fw_features = OPENPPE_FEAT_ALL & ~(OPENPPE_FEAT_IPV6_ROUTE |
					      OPENPPE_FEAT_IPV6_NAPT),
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_NO_FW_FEATURE },
	{ .name = "fw-without-pppoe", .proto = IPPROTO_UDP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .npop = -1, .pppoe = true,
	  .sid = 1, .fw_features = OPENPPE_FEAT_ALL & ~OPENPPE_FEAT_PPPOE,
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_NO_FW_FEATURE },
	{ .name = "fw-without-qinq", .proto = IPPROTO_UDP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .nvlan = 2,
	  .vin = { 1, 2 }, .npop = -1,
	  .fw_features = OPENPPE_FEAT_ALL & ~OPENPPE_FEAT_QINQ,
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_NO_FW_FEATURE },
	{ .name = "fw-without-napt", .proto = IPPROTO_TCP, .iport = 1,
	  .eport = 0, .sip = T_SIP, .dip = T_DIP, .new_sip = T_NAT,
	  .npop = -1, .fw_features = OPENPPE_FEAT_IPV4_ROUTE,
	  .ret = -EOPNOTSUPP, .why = OPENPPE_REFUSE_NO_FW_FEATURE },
};

static void openppe_parse_desc(const struct openppe_test_flow *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(openppe_parse, openppe_parse_cases, openppe_parse_desc);

static void openppe_expect_addr(struct kunit *test,
				const struct openppe_hw_entry *e,
				unsigned int w, bool ipv6, u32 val)
{
	if (ipv6) {
		KUNIT_EXPECT_EQ(test, openppe_w(e, w), 0x20010db8U);
		KUNIT_EXPECT_EQ(test, openppe_w(e, w + 1), 0U);
		KUNIT_EXPECT_EQ(test, openppe_w(e, w + 2), 0U);
		KUNIT_EXPECT_EQ(test, openppe_w(e, w + 3), val);
	} else {
		KUNIT_EXPECT_EQ(test, openppe_w(e, w), val);
		KUNIT_EXPECT_EQ(test, openppe_w(e, w + 1), 0U);
	}
}

static void openppe_test_parse(struct kunit *test)
{
	const struct openppe_test_flow *f = test->param_value;
	struct openppe_test_ctx *ctx = test->priv;
	enum openppe_refusal why = OPENPPE_REFUSE_MAX;
	struct openppe_hw_entry e;
	struct flow_rule *rule;
	u32 meta, egress;
	bool nat;
	int ret;

	if (f->fw_features)
		ctx->ppe->fw_features = f->fw_features;
	rule = openppe_test_rule(test, f);
	ret = openppe_flow_parse(ctx->ppe, rule, &e, &why, NULL);
	kfree(rule);
	KUNIT_ASSERT_EQ(test, ret, f->ret);
	if (ret) {
		KUNIT_EXPECT_EQ(test, why, f->why);
		return;
	}

	nat = f->new_sip || f->new_dip || f->new_sport || f->new_dport;
	meta = openppe_w(&e, OPENPPE_W_KEY_META);
	egress = openppe_w(&e, OPENPPE_W_EGRESS);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_INFO],
					    OPENPPE_INFO_STATE),
			(u32)OPENPPE_STATE_BOUND);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_INFO],
					    OPENPPE_INFO_TYPE), f->type);
	KUNIT_EXPECT_EQ(test, FIELD_GET(OPENPPE_KEY_META_IPORT, meta),
			(unsigned long)f->iport);
	KUNIT_EXPECT_EQ(test, FIELD_GET(OPENPPE_KEY_META_VLAN_CNT, meta),
			(unsigned long)f->nvlan);
	KUNIT_EXPECT_EQ(test, FIELD_GET(OPENPPE_KEY_META_IPV6, meta),
			(unsigned long)f->ipv6);
	KUNIT_EXPECT_EQ(test, FIELD_GET(OPENPPE_KEY_META_PROTO, meta),
			(unsigned long)f->proto);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_KEY_VLAN],
					    OPENPPE_VLAN_VID0), f->key_vid0);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_KEY_VLAN],
					    OPENPPE_VLAN_VID1), f->key_vid1);
	KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_KEY_PORTS),
			(u32)f->dport << 16 | f->sport);
	openppe_expect_addr(test, &e, OPENPPE_W_KEY_SIP, f->ipv6, f->sip);
	openppe_expect_addr(test, &e, OPENPPE_W_KEY_DIP, f->ipv6, f->dip);
	if (nat) {
		openppe_expect_addr(test, &e, OPENPPE_W_NEW_SIP, f->ipv6,
				    f->new_sip ?: f->sip);
		openppe_expect_addr(test, &e, OPENPPE_W_NEW_DIP, f->ipv6,
				    f->new_dip ?: f->dip);
		KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_NEW_PORTS),
				(u32)(f->new_dport ?: f->dport) << 16 |
				(f->new_sport ?: f->sport));
	} else {
		KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_NEW_SIP), 0U);
		KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_NEW_PORTS), 0U);
	}
	KUNIT_EXPECT_EQ(test, FIELD_GET(OPENPPE_EGRESS_EPORT, egress),
			(unsigned long)f->eport);
	KUNIT_EXPECT_EQ(test, FIELD_GET(OPENPPE_EGRESS_VLAN_CNT, egress),
			(unsigned long)f->npush);
	KUNIT_EXPECT_EQ(test, FIELD_GET(OPENPPE_EGRESS_PPPOE, egress),
			(unsigned long)f->pppoe);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_EG_VLAN],
					    OPENPPE_VLAN_VID0), f->eg_vid0);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_EG_VLAN],
					    OPENPPE_VLAN_VID1), f->eg_vid1);
	KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_EG_PPPOE), (u32)f->sid);
	KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_DMAC_HI), 0x0211U);
	KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_DMAC_LO), 0x22334455U);
	KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_SMAC_HI), 0x02aaU);
	KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_SMAC_LO), 0xbbccddeeU);
	KUNIT_EXPECT_EQ(test, openppe_w(&e, OPENPPE_W_COUNTER), 0U);
}

/* ---- table: placement, relocation, full table, removal ---- */

/* a flow for the table tests, with the entry its REPLACE would have */
struct openppe_test_tflow {
	struct openppe_flow flow;
	struct openppe_hw_entry e;
};

static struct openppe_hw_entry *openppe_test_entry(struct openppe_flow *flow)
{
	return &container_of(flow, struct openppe_test_tflow, flow)->e;
}

/* Flow number @n: its own key, and rewrite words that differ from any other
 * flow's, so an entry moved or rewritten from the wrong place shows.
 */
static struct openppe_flow *openppe_test_flow_new(struct kunit *test, u32 n)
{
	struct openppe_test_tflow *t;
	struct openppe_hw_entry *e;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	refcount_set(&t->flow.ref, 1);
	t->flow.cookie = 0x1000 + n;
	t->flow.cnt_idx = n;
	e = &t->e;
	e->w[OPENPPE_W_INFO] =
		le32_encode_bits(OPENPPE_STATE_BOUND, OPENPPE_INFO_STATE);
	e->w[OPENPPE_W_KEY_META] = cpu_to_le32(0x1101);
	e->w[OPENPPE_W_KEY_PORTS] = cpu_to_le32(0x00350000 | n);
	e->w[OPENPPE_W_KEY_SIP] = cpu_to_le32(T_SIP);
	e->w[OPENPPE_W_KEY_DIP] = cpu_to_le32(T_DIP);
	e->w[OPENPPE_W_NEW_SIP] = cpu_to_le32(T_NAT + n);
	e->w[OPENPPE_W_NEW_PORTS] = cpu_to_le32(0x10000 * n + 61000);
	e->w[OPENPPE_W_DMAC_HI] = cpu_to_le32(0x0200);
	e->w[OPENPPE_W_DMAC_LO] = cpu_to_le32(0x5e000000 + n);
	e->w[OPENPPE_W_COUNTER] = cpu_to_le32(n);
	return &t->flow;
}

/* the two buckets of @flow's key */
static void openppe_test_buckets(struct openppe *ppe, struct openppe_flow *flow,
				 u32 *b0, u32 *b1)
{
	u32 key[OPENPPE_KEY_WORDS];

	openppe_entry_key(openppe_test_entry(flow), key);
	openppe_buckets(key, ppe->seed[0], ppe->seed[1], ppe->nbuckets, b0, b1);
}

/* @flow is in its slot, in one of its buckets, its whole entry there */
static void openppe_expect_placed(struct kunit *test, struct openppe *ppe,
				  struct openppe_flow *flow)
{
	const struct openppe_hw_entry *slot = &ppe->table[flow->index];
	u32 bucket = flow->index / ppe->ways, b0, b1;

	openppe_test_buckets(ppe, flow, &b0, &b1);
	KUNIT_EXPECT_TRUE(test, bucket == b0 || bucket == b1);
	KUNIT_EXPECT_EQ(test, flow->buckets, b0 ^ b1);
	KUNIT_EXPECT_PTR_EQ(test, ppe->slots[flow->index], flow);
	KUNIT_EXPECT_EQ(test, memcmp(slot, openppe_test_entry(flow),
				     sizeof(*slot)), 0);
}

static int openppe_test_insert(struct openppe *ppe, struct openppe_flow *f)
{
	int ret;

	openppe_flow_lock(ppe, f);
	ret = openppe_table_insert(ppe, f, openppe_test_entry(f));
	openppe_flow_unlock(ppe, f);
	return ret;
}

static void openppe_test_table_fill(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *flows[65];
	int n, i, ret = 0, placed = 0, last_fail = -1;

	for (n = 0; n < ARRAY_SIZE(flows) - 1 && placed < ppe->entries; n++) {
		flows[n] = openppe_test_flow_new(test, n);
		openppe_flow_lock(ppe, flows[n]);
		ret = openppe_table_insert(ppe, flows[n], openppe_test_entry(flows[n]));
		openppe_flow_unlock(ppe, flows[n]);
		if (ret) {
			KUNIT_EXPECT_EQ(test, ret, -ENOSPC);
			flows[n] = NULL;
			last_fail = n;
			continue;
		}
		placed++;
	}
	/* relocation must have let the 4-bucket table fill completely */
	KUNIT_EXPECT_EQ(test, placed, (int)ppe->entries);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), placed);
	KUNIT_EXPECT_GT(test, atomic64_read(&ppe->cnt.relocations), 0);
	kunit_info(test, "%d flows placed, %lld relocations, last refusal #%d",
		   placed, atomic64_read(&ppe->cnt.relocations), last_fail);

	for (i = 0; i < n; i++)
		if (flows[i])
			openppe_expect_placed(test, ppe, flows[i]);

	/* a full table refuses at once */
	flows[n] = openppe_test_flow_new(test, 1000);
	KUNIT_EXPECT_EQ(test, openppe_test_insert(ppe, flows[n]), -ENOSPC);

	/* removal invalidates the slot, entry and cache */
	for (i = 0; i < n; i++) {
		if (!flows[i])
			continue;
		ctx->last_cache_cmd = 0;
		openppe_flow_lock(ppe, flows[i]);
		KUNIT_EXPECT_EQ(test, openppe_table_remove(ppe, flows[i], NULL), 0);
		openppe_flow_unlock(ppe, flows[i]);
		KUNIT_EXPECT_NULL(test, ppe->slots[flows[i]->index]);
		KUNIT_EXPECT_EQ(test, le32_get_bits(ppe->table[flows[i]->index].w[0],
						    OPENPPE_INFO_STATE),
				(u32)OPENPPE_STATE_INVALID);
		KUNIT_EXPECT_EQ(test, ctx->last_cache_cmd,
				(u32)(FIELD_PREP(OPENPPE_CACHE_CMD_OP,
						 OPENPPE_CACHE_OP_INV_ENTRY) |
				      flows[i]->index));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 0);
}

/* Relocation moves an entry with no gap: copy bound before the original goes */
static void openppe_test_relocate_keeps_counter(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *f, *all[64];
	int n, placed = 0;

	for (n = 0; n < ARRAY_SIZE(all) && placed < ppe->entries; n++) {
		f = openppe_test_flow_new(test, n);
		openppe_flow_lock(ppe, f);
		all[placed] = f;
		if (!openppe_table_insert(ppe, f, openppe_test_entry(f)))
			placed++;
		openppe_flow_unlock(ppe, f);
	}
	/* every entry still counts into the record it was given */
	for (n = 0; n < placed; n++)
		KUNIT_EXPECT_EQ(test,
				le32_get_bits(ppe->table[all[n]->index].w[OPENPPE_W_COUNTER],
					      OPENPPE_COUNTER_IDX),
				all[n]->cnt_idx);
	for (n = 0; n < placed; n++) {
		openppe_flow_lock(ppe, all[n]);
		openppe_table_remove(ppe, all[n], NULL);
		openppe_flow_unlock(ppe, all[n]);
	}
}

/* Cache command timeout: fail safe (engine off), then recover. */
static void openppe_test_cache_timeout(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *f = openppe_test_flow_new(test, 1);

	ctx->cache_stuck = true;
	KUNIT_EXPECT_EQ(test, openppe_test_insert(ppe, f), 0);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.cache_timeouts), 1);

	/* commands are skipped while degraded: the engine is off anyway */
	ctx->cache_cmds = 0;
	openppe_flow_lock(ppe, f);
	KUNIT_EXPECT_EQ(test, openppe_table_remove(ppe, f, NULL), 0);
	openppe_flow_unlock(ppe, f);
	KUNIT_EXPECT_EQ(test, ctx->cache_cmds, 0U);

	/* still stuck: recovery must not write INV_ALL into a BUSY engine */
	cancel_delayed_work_sync(&ppe->recover_work);
	openppe_recover_work(&ppe->recover_work.work);
	cancel_delayed_work_sync(&ppe->recover_work);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);
	KUNIT_EXPECT_EQ(test, ctx->cache_ignored, 0U);

	/* the held command completes while recovery polls: INV_ALL must still
	 * be executed, after it, before the engine is enabled again
	 */
	ctx->cache_stuck = false;
	openppe_recover_work(&ppe->recover_work.work);
	KUNIT_EXPECT_FALSE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN,
			(u32)OPENPPE_PPE_CTRL_EN);
	KUNIT_EXPECT_EQ(test, ctx->cache_ignored, 0U);
	KUNIT_EXPECT_EQ(test, ctx->cache_cmds, 1U);
	KUNIT_EXPECT_EQ(test, ctx->last_cache_cmd,
			(u32)FIELD_PREP(OPENPPE_CACHE_CMD_OP,
					OPENPPE_CACHE_OP_INV_ALL));
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.recoveries), 1);
}

/* The devlink health recover op's path: one try, no retry of its own, each
 * degradation counted once for the health reporter, nothing queued for it
 * while no devlink instance is registered.
 */
static void openppe_test_cache_recover_now(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *f = openppe_test_flow_new(test, 1);

	/* not degraded: nothing to do, no cache command */
	ctx->cache_cmds = 0;
	KUNIT_EXPECT_EQ(test, openppe_cache_recover(ppe), 0);
	KUNIT_EXPECT_EQ(test, ctx->cache_cmds, 0U);
	KUNIT_EXPECT_EQ(test, ppe->degradations, 0ULL);

	ctx->cache_stuck = true;
	openppe_flow_lock(ppe, f);
	KUNIT_EXPECT_EQ(test, openppe_table_insert(ppe, f, openppe_test_entry(f)), 0);
	KUNIT_EXPECT_EQ(test, openppe_table_remove(ppe, f, NULL), 0);
	openppe_flow_unlock(ppe, f);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ppe->degradations, 1ULL);
	KUNIT_EXPECT_EQ(test, ppe->cache_err, -ETIMEDOUT);
	KUNIT_EXPECT_FALSE(test, work_pending(&ppe->health_work));
	cancel_delayed_work_sync(&ppe->recover_work);

	/* still stuck: the try fails with the timeout, the engine stays off */
	KUNIT_EXPECT_EQ(test, openppe_cache_recover(ppe), -ETIMEDOUT);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ppe->recover_work));

	ctx->cache_stuck = false;
	KUNIT_EXPECT_EQ(test, openppe_cache_recover(ppe), 0);
	KUNIT_EXPECT_FALSE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN,
			(u32)OPENPPE_PPE_CTRL_EN);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.recoveries), 1);
	KUNIT_EXPECT_EQ(test, ppe->degradations, 1ULL);
	KUNIT_EXPECT_FALSE(test, work_pending(&ppe->health_work));
}

/* a command of its own: takes a slot the way openppe_cache_inv() does */
struct openppe_test_slot_waiter {
	struct openppe *ppe;
	struct completion got;
	unsigned int slot;
};

static int openppe_test_slot_thread(void *data)
{
	struct openppe_test_slot_waiter *w = data;

	down_read(&w->ppe->cmd_sem);
	w->slot = openppe_cmd_slot_get(w->ppe);
	complete(&w->got);
	openppe_cmd_slot_put(w->ppe, w->slot);
	up_read(&w->ppe->cmd_sem);
	return 0;
}

/* Command slots: each caller gets a slot no other caller holds; with every
 * slot taken a caller waits, and gets the first one given back.
 */
static void openppe_test_cmd_slots(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_slot_waiter w = { .ppe = ctx->ppe };
	struct openppe *ppe = ctx->ppe;
	struct task_struct *t;
	unsigned int s[3];

	ppe->cmd_slots = 3;
	init_completion(&w.got);
	down_read(&ppe->cmd_sem);
	s[0] = openppe_cmd_slot_get(ppe);
	s[1] = openppe_cmd_slot_get(ppe);
	s[2] = openppe_cmd_slot_get(ppe);
	KUNIT_EXPECT_EQ(test, BIT(s[0]) | BIT(s[1]) | BIT(s[2]), 7UL);

	t = kthread_run(openppe_test_slot_thread, &w, "openppe-kunit-slot");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* every slot is taken: the fourth caller waits */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&w.got,
							  msecs_to_jiffies(50)),
			0UL);
	openppe_cmd_slot_put(ppe, s[1]);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&w.got, 5 * HZ), 0UL);
	KUNIT_EXPECT_EQ(test, w.slot, s[1]);
	openppe_cmd_slot_put(ppe, s[0]);
	openppe_cmd_slot_put(ppe, s[2]);
	up_read(&ppe->cmd_sem);
	/* the thread gives its slot back before it ends */
	while (READ_ONCE(ppe->cmd_busy))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, ppe->cmd_busy, 0UL);

	/* a command goes to a free slot: with slot 0 held, to slot 1 */
	set_bit(0, &ppe->cmd_busy);
	KUNIT_EXPECT_EQ(test, openppe_cache_inv(ppe, OPENPPE_CACHE_OP_INV_ENTRY,
						3), 0);
	KUNIT_EXPECT_EQ(test, ctx->slot_cmds[0], 0U);
	KUNIT_EXPECT_EQ(test, ctx->slot_cmds[1], 1U);
	clear_bit(0, &ppe->cmd_busy);
}

/* The fail-safe with several slots: a command timed out in one slot stops
 * the engine; the recovery's INV_ALL waits until no slot is BUSY (the engine
 * would reject it), then re-enables the engine.
 */
static void openppe_test_cmd_slots_failsafe(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *f = openppe_test_flow_new(test, 1);

	ppe->cmd_slots = 3;
	/* another caller holds slot 0: the commit's command goes to slot 1,
	 * which never completes
	 */
	set_bit(0, &ppe->cmd_busy);
	set_bit(1, &ctx->stuck_mask);
	KUNIT_EXPECT_EQ(test, openppe_test_insert(ppe, f), 0);
	KUNIT_EXPECT_EQ(test, ctx->slot_cmds[1], 1U);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.cache_timeouts), 1);
	clear_bit(0, &ppe->cmd_busy);

	/* slot 1 still BUSY: no INV_ALL yet, the engine stays off */
	cancel_delayed_work_sync(&ppe->recover_work);
	KUNIT_EXPECT_EQ(test, openppe_cache_recover(ppe), -ETIMEDOUT);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);
	KUNIT_EXPECT_EQ(test, ctx->inv_all_rejected, 0U);
	KUNIT_EXPECT_EQ(test, ctx->slot_cmds[0], 0U);

	/* slot 1 completes: INV_ALL in slot 0, engine on */
	clear_bit(1, &ctx->stuck_mask);
	KUNIT_EXPECT_EQ(test, openppe_cache_recover(ppe), 0);
	KUNIT_EXPECT_FALSE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN,
			(u32)OPENPPE_PPE_CTRL_EN);
	KUNIT_EXPECT_EQ(test, ctx->inv_all_rejected, 0U);
	KUNIT_EXPECT_EQ(test, ctx->slot_cmds[0], 1U);
	KUNIT_EXPECT_EQ(test, ctx->last_cache_cmd,
			(u32)FIELD_PREP(OPENPPE_CACHE_CMD_OP,
					OPENPPE_CACHE_OP_INV_ALL));
	KUNIT_EXPECT_EQ(test, ctx->cache_ignored, 0U);
}

/* No slot the driver considers free may hold a bound entry in memory. */
static void openppe_expect_free_slots_invalid(struct kunit *test,
					      struct openppe *ppe)
{
	u32 i, bad = 0;

	for (i = 0; i < ppe->entries; i++)
		if (!ppe->slots[i] &&
		    le32_get_bits(ppe->table[i].w[OPENPPE_W_INFO],
				  OPENPPE_INFO_STATE) != OPENPPE_STATE_INVALID)
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

/* A commit whose invalidate fails leaves no bound entry behind, and the
 * engine, whose cache state is then unknown, stops until an INV_ALL.
 */
static void openppe_test_commit_failure(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *f = openppe_test_flow_new(test, 1);
	struct openppe_flow *g = openppe_test_flow_new(test, 2);

	ctx->cache_err = true;
	KUNIT_EXPECT_NE(test, openppe_test_insert(ppe, f), 0);
	KUNIT_EXPECT_FALSE(test, f->placed);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 0);
	openppe_expect_free_slots_invalid(test, ppe);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);

	/* recovery: INV_ALL, engine on */
	ctx->cache_err = false;
	cancel_delayed_work_sync(&ppe->recover_work);
	openppe_recover_work(&ppe->recover_work.work);
	KUNIT_EXPECT_FALSE(test, ppe->degraded);

	/* removal whose invalidate fails: the old copy may still be cached */
	openppe_flow_lock(ppe, g);
	KUNIT_EXPECT_EQ(test, openppe_table_insert(ppe, g, openppe_test_entry(g)), 0);
	ctx->cache_err = true;
	openppe_table_remove(ppe, g, NULL);
	openppe_flow_unlock(ppe, g);
	openppe_expect_free_slots_invalid(test, ppe);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);
	ctx->cache_err = false;
	cancel_delayed_work_sync(&ppe->recover_work);
}

/* the first test flow (openppe_test_flow_new() number) from @n on whose
 * buckets are @b0 then @b1
 */
static u32 openppe_test_find(struct kunit *test, u32 n, u32 b0, u32 b1)
{
	struct openppe *ppe = ((struct openppe_test_ctx *)test->priv)->ppe;
	u32 h0, h1;
	struct openppe_flow *f;

	for (; n < 100000; n++) {
		f = openppe_test_flow_new(test, n);
		openppe_test_buckets(ppe, f, &h0, &h1);
		kunit_kfree(test, container_of(f, struct openppe_test_tflow,
					       flow));
		if (h0 == b0 && h1 == b1)
			return n;
	}
	KUNIT_FAIL(test, "no test flow for buckets %u/%u", b0, b1);
	return 0;
}

/* Buckets 0 and 1 full, the first flow placed (returned) in bucket 0 and
 * able to move to bucket 2; *@n: the next flow number to try.
 */
static struct openppe_flow *openppe_test_fill01(struct kunit *test, u32 *n)
{
	struct openppe *ppe = ((struct openppe_test_ctx *)test->priv)->ppe;
	struct openppe_flow *first, *f;
	int i;

	*n = openppe_test_find(test, 0, 0, 2);
	first = openppe_test_flow_new(test, (*n)++);
	KUNIT_ASSERT_EQ(test, openppe_test_insert(ppe, first), 0);
	/* seven more that can only be in buckets 0 and 1 */
	for (i = 0; i < 2 * T_WAYS - 1; i++) {
		*n = openppe_test_find(test, *n, i % 2, !(i % 2));
		f = openppe_test_flow_new(test, (*n)++);
		KUNIT_ASSERT_EQ(test, openppe_test_insert(ppe, f), 0);
	}
	KUNIT_ASSERT_EQ(test, first->index / T_WAYS, 0U);
	KUNIT_ASSERT_EQ(test, atomic64_read(&ppe->cnt.relocations), 0);
	KUNIT_ASSERT_EQ(test, atomic_read(&ppe->entries_used), 2 * T_WAYS);
	return first;
}

/* A relocation whose first move fails to commit its copy: the copy's slot
 * must not stay bound (it would be an orphan the engine keeps forwarding
 * after the flow's DESTROY), and the engine stops until an INV_ALL.
 */
static void openppe_test_move_failure(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *f;
	u32 n;

	openppe_test_fill01(test, &n);

	/* one more for buckets 0/1: the first flow has to move, and its
	 * copy's invalidate fails
	 */
	n = openppe_test_find(test, n, 0, 1);
	f = openppe_test_flow_new(test, n);
	ctx->cache_err = true;
	KUNIT_EXPECT_NE(test, openppe_test_insert(ppe, f), 0);
	openppe_expect_free_slots_invalid(test, ppe);
	KUNIT_EXPECT_TRUE(test, ppe->degraded);
	KUNIT_EXPECT_EQ(test, ctx->ctrl & OPENPPE_PPE_CTRL_EN, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 2 * T_WAYS);
	ctx->cache_err = false;
	cancel_delayed_work_sync(&ppe->recover_work);
}

/* ---- REPLACE / DESTROY / STATS through the flow_cls_offload interface ---- */

static const struct openppe_test_flow openppe_test_snat = {
	.name = "snat", .proto = IPPROTO_TCP, .iport = 1, .eport = 0,
	.sip = T_SIP, .dip = T_DIP, .sport = 40000, .dport = 80,
	.new_sip = T_NAT, .new_sport = 61000, .npop = -1,
};

static int openppe_test_cls(struct kunit *test, enum flow_cls_command cmd,
			    unsigned long cookie,
			    const struct openppe_test_flow *f,
			    struct flow_stats *stats)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct flow_cls_offload cls = {
		.command = cmd,
		.cookie = cookie,
	};
	int ret;

	if (f)
		cls.rule = openppe_test_rule(test, f);
	switch (cmd) {
	case FLOW_CLS_REPLACE:
		ret = openppe_flow_replace(ctx->ppe, NULL, &cls);
		break;
	case FLOW_CLS_DESTROY:
		ret = openppe_flow_destroy(ctx->ppe, &cls);
		break;
	default:
		ret = openppe_flow_stats(ctx->ppe, &cls);
		if (stats)
			*stats = cls.stats;
	}
	kfree(cls.rule);
	return ret;
}

/* the snat flow installed under @cookie, with a reference */
static struct openppe_flow *openppe_test_install(struct kunit *test,
						 unsigned long cookie)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_flow *flow;

	KUNIT_ASSERT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, cookie,
					       &openppe_test_snat, NULL), 0);
	flow = openppe_flow_get(ctx->ppe, cookie);
	KUNIT_ASSERT_NOT_NULL(test, flow);
	return flow;
}

static void openppe_test_replace_idempotent(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_flow changed = openppe_test_snat;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *flow;
	u32 index, cnt_idx;

	flow = openppe_test_install(test, 0xabc);
	index = flow->index;
	cnt_idx = flow->cnt_idx;

	/* re-sent every second: nothing changes */
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0xabc,
					       &openppe_test_snat, NULL), 0);
	KUNIT_EXPECT_EQ(test, flow->index, index);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.installs), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.updates), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);

	/* new NAT port: rewritten in place, same counter record */
	changed.new_sport = 62000;
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0xabc,
					       &changed, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.updates), 1);
	KUNIT_EXPECT_EQ(test, flow->index, index);
	KUNIT_EXPECT_EQ(test, flow->cnt_idx, cnt_idx);
	KUNIT_EXPECT_EQ(test, le32_get_bits(ppe->table[index].w[OPENPPE_W_NEW_PORTS],
					    OPENPPE_PORTS_SPORT), 62000U);
	openppe_flow_put(flow);

	/* now refused (foreign egress): the stale entry goes */
	changed.eport = -1;
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0xabc,
					       &changed, NULL), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.refused[OPENPPE_REFUSE_FOREIGN_PORT]),
			1);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_DESTROY, 0xabc,
					       NULL, NULL), -ENOENT);
}

static void openppe_test_destroy(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_flow *flow;
	u32 index;

	flow = openppe_test_install(test, 0x55);
	index = flow->index;
	openppe_flow_put(flow);

	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_DESTROY, 0x55,
					       NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, le32_get_bits(ctx->ppe->table[index].w[0],
					    OPENPPE_INFO_STATE),
			(u32)OPENPPE_STATE_INVALID);
	KUNIT_EXPECT_EQ(test, ctx->last_cache_cmd,
			(u32)(FIELD_PREP(OPENPPE_CACHE_CMD_OP,
					 OPENPPE_CACHE_OP_INV_ENTRY) | index));
	KUNIT_EXPECT_NULL(test, openppe_flow_get(ctx->ppe, 0x55));
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_DESTROY, 0x55,
					       NULL, NULL), -ENOENT);
}

/* A flush by port takes exactly that port's flows, in one call, and a full
 * flush the rest: the walk resumes across batches and repeats until clean.
 */
static void openppe_test_flush(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_flow f = openppe_test_snat;
	struct openppe *ppe = ctx->ppe;
	int i, n = 12;

	for (i = 0; i < n; i++) {
		f.sport = 40000 + i;
		f.iport = i % 2 ? 2 : 1;
		f.eport = i % 2 ? 3 : 0;
		KUNIT_ASSERT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE,
						       0x1000 + i, &f, NULL), 0);
	}
	KUNIT_ASSERT_EQ(test, atomic_read(&ppe->entries_used), n);

	openppe_flows_flush(ppe, NULL, 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), n / 2);
	for (i = 0; i < n; i++) {
		struct openppe_flow *flow = openppe_flow_get(ppe, 0x1000 + i);

		if (i % 2) {
			KUNIT_EXPECT_NULL(test, flow);
		} else {
			KUNIT_EXPECT_NOT_NULL(test, flow);
			if (flow)
				openppe_flow_put(flow);
		}
	}

	openppe_flows_flush(ppe, NULL, -1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 0);
	KUNIT_EXPECT_NULL(test, openppe_flow_get(ppe, 0x1000));
}

/* a next hop's new address: the entry rewritten in place, same slot and
 * counter record; the same address again: nothing to do
 */
static void openppe_test_nexthop_moved(struct kunit *test)
{
	static const u8 ha[ETH_ALEN] = { 0x02, 0x5e, 0x10, 0x00, 0x00, 0x01 };
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_hw_entry before, now;
	struct openppe_flow *flow;
	u32 index, cnt_idx;
	bool moved;

	flow = openppe_test_install(test, 0x2000);
	index = flow->index;
	cnt_idx = flow->cnt_idx;
	before = ppe->table[index];

	openppe_flow_lock(ppe, flow);
	moved = openppe_flow_nexthop_moved(ppe, flow, openppe_test_dmac);
	openppe_flow_unlock(ppe, flow);
	KUNIT_EXPECT_FALSE(test, moved);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.nexthop_updates), 0);

	openppe_flow_lock(ppe, flow);
	moved = openppe_flow_nexthop_moved(ppe, flow, ha);
	openppe_flow_unlock(ppe, flow);
	KUNIT_EXPECT_TRUE(test, moved);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.nexthop_updates), 1);
	KUNIT_EXPECT_EQ(test, flow->index, index);
	KUNIT_EXPECT_EQ(test, flow->cnt_idx, cnt_idx);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(ppe->table[index].w[OPENPPE_W_DMAC_HI]),
			openppe_mac_hi(ha));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(ppe->table[index].w[OPENPPE_W_DMAC_LO]),
			openppe_mac_lo(ha));
	/* the entry was read back from its slot: all but the DMAC kept */
	now = ppe->table[index];
	now.w[OPENPPE_W_DMAC_HI] = before.w[OPENPPE_W_DMAC_HI];
	now.w[OPENPPE_W_DMAC_LO] = before.w[OPENPPE_W_DMAC_LO];
	KUNIT_EXPECT_EQ(test, memcmp(&now, &before, sizeof(now)), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);
	openppe_flow_put(flow);

	/* not a REPLACE: not counted as one */
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.updates), 0);
}

/* A relocation copies the moved entry from its slot, the only copy there
 * is: key, rewrite and counter record arrive whole in the other bucket.
 */
static void openppe_test_relocate_reads_slot(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_flow *first, *f;
	struct openppe_hw_entry e;
	u32 n, from;

	first = openppe_test_fill01(test, &n);
	from = first->index;
	/* one more for buckets 0/1: the first flow moves to bucket 2 */
	n = openppe_test_find(test, n, 0, 1);
	f = openppe_test_flow_new(test, n);
	KUNIT_EXPECT_EQ(test, openppe_test_insert(ppe, f), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.relocations), 1);
	KUNIT_EXPECT_EQ(test, first->index / T_WAYS, 2U);
	openppe_expect_placed(test, ppe, first);
	openppe_expect_placed(test, ppe, f);
	KUNIT_EXPECT_EQ(test, f->index, from);
	openppe_expect_free_slots_invalid(test, ppe);

	/* and it is what the flow reads back */
	openppe_flow_lock(ppe, first);
	KUNIT_EXPECT_EQ(test, openppe_table_read(ppe, first, &e), 0);
	openppe_flow_unlock(ppe, first);
	KUNIT_EXPECT_EQ(test, memcmp(&e, openppe_test_entry(first), sizeof(e)), 0);
}

/* Until it is placed a flow's entry is its REPLACE's: a REPLACE with a new
 * key leaves the old slot, and the new entry, built by that REPLACE, is
 * the one placed, with the flow's counter record. A flow out of the table
 * has nothing to read back.
 */
static void openppe_test_rekey(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_flow moved = openppe_test_snat;
	struct openppe *ppe = ctx->ppe;
	struct openppe_hw_entry e, last;
	struct openppe_flow *flow;
	u32 cnt_idx, old;

	flow = openppe_test_install(test, 0xabd);
	cnt_idx = flow->cnt_idx;
	old = flow->index;

	moved.sport = 40001;
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0xabd,
					       &moved, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.updates), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->nflows), 1);
	KUNIT_EXPECT_EQ(test, flow->cnt_idx, cnt_idx);
	KUNIT_EXPECT_PTR_EQ(test, ppe->slots[flow->index], flow);
	if (flow->index != old)
		KUNIT_EXPECT_NULL(test, ppe->slots[old]);
	openppe_expect_free_slots_invalid(test, ppe);

	openppe_flow_lock(ppe, flow);
	KUNIT_EXPECT_EQ(test, openppe_table_read(ppe, flow, &e), 0);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_KEY_PORTS],
					    OPENPPE_PORTS_SPORT), 40001U);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_COUNTER],
					    OPENPPE_COUNTER_IDX), cnt_idx);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_INFO],
					    OPENPPE_INFO_STATE),
			(u32)OPENPPE_STATE_BOUND);
	/* removal hands back what the slot held, then there is nothing */
	KUNIT_EXPECT_EQ(test, openppe_table_remove(ppe, flow, &last), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&last, &e, sizeof(e)), 0);
	KUNIT_EXPECT_EQ(test, openppe_table_read(ppe, flow, &e), -ENOENT);
	openppe_flow_unlock(ppe, flow);
	openppe_flow_put(flow);
}

/* Cookies that share a chain of the cookie table (and a flow lock): each
 * found, and the others still after one leaves from the middle.
 */
static void openppe_test_cookie_chain(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_flow f = openppe_test_snat;
	struct openppe *ppe = ctx->ppe;
	unsigned long cookie[3], c;
	struct openppe_flow *flow;
	int i, n = 0;

	for (c = 1; n < ARRAY_SIZE(cookie) && c < 100000; c++)
		if (openppe_cookie_chain(ppe, c) == openppe_cookie_chain(ppe, 1))
			cookie[n++] = c;
	KUNIT_ASSERT_EQ(test, n, (int)ARRAY_SIZE(cookie));
	for (i = 0; i < n; i++) {
		f.sport = 40000 + i;
		KUNIT_ASSERT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE,
						       cookie[i], &f, NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->nflows), n);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_DESTROY,
					       cookie[1], NULL, NULL), 0);
	KUNIT_EXPECT_NULL(test, openppe_flow_get(ppe, cookie[1]));
	for (i = 0; i < n; i += 2) {
		flow = openppe_flow_get(ppe, cookie[i]);
		KUNIT_EXPECT_NOT_NULL(test, flow);
		if (!flow)
			continue;
		KUNIT_EXPECT_EQ(test, flow->cookie, cookie[i]);
		openppe_flow_put(flow);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->nflows), n - 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), n - 1);
}

static void openppe_test_stats(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_hw_counter *c;
	struct openppe_flow *flow;
	struct flow_stats st;
	u64 before, after;

	flow = openppe_test_install(test, 0x77);
	c = &ctx->ppe->counters[flow->cnt_idx];
	openppe_flow_put(flow);

	/* no hits yet: no traffic, lastused untouched */
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_STATS, 0x77,
					       NULL, &st), 0);
	KUNIT_EXPECT_EQ(test, st.pkts, 0ULL);
	KUNIT_EXPECT_EQ(test, st.lastused, 0ULL);

	/* 10 packets, the last 500 ticks (0.5 s) ago */
	c->packets = cpu_to_le32(10);
	c->bytes = cpu_to_le64(15000);
	c->last_hit = cpu_to_le32(1500);
	ctx->ts_now = 2000;
	before = get_jiffies_64();
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_STATS, 0x77,
					       NULL, &st), 0);
	after = get_jiffies_64();
	KUNIT_EXPECT_EQ(test, st.pkts, 10ULL);
	KUNIT_EXPECT_EQ(test, st.bytes, 15000ULL);
	KUNIT_EXPECT_GE(test, st.lastused, before - HZ / 2);
	KUNIT_EXPECT_LE(test, st.lastused, after - HZ / 2);
	KUNIT_EXPECT_TRUE(test, st.used_hw_stats_valid);
	KUNIT_EXPECT_EQ(test, st.used_hw_stats,
			(u8)FLOW_ACTION_HW_STATS_DELAYED);

	/* deltas, not totals: nothing new */
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_STATS, 0x77,
					       NULL, &st), 0);
	KUNIT_EXPECT_EQ(test, st.pkts, 0ULL);
	KUNIT_EXPECT_EQ(test, st.bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, st.lastused, 0ULL);

	/* a cookie not installed: answered, counted apart */
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->ppe->cnt.stats_unknown), 0);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_STATS, 0x999,
					       NULL, &st), -ENOENT);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->ppe->cnt.stats_unknown), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->ppe->cnt.stats_calls), 4);
}

/* ---- flowtable binding: one callback per PPE and flowtable, lifetimes ---- */

static int openppe_test_bind(struct kunit *test, struct flow_block *block,
			     struct net_device *dev,
			     enum flow_block_command cmd)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct flow_block_offload bo = {
		.command = cmd,
		.binder_type = FLOW_BLOCK_BINDER_TYPE_CLSACT_INGRESS,
		.block = block,
		.cb_list_head = &block->cb_list,
	};
	struct flow_block_cb *block_cb, *next;
	int ret;

	INIT_LIST_HEAD(&bo.cb_list);
	ret = openppe_block_setup(ctx->ppe, dev, &bo);
	/* what nf_flow_table_block_setup() does with the result */
	if (cmd == FLOW_BLOCK_BIND) {
		list_splice(&bo.cb_list, &block->cb_list);
	} else {
		list_for_each_entry_safe(block_cb, next, &bo.cb_list, list) {
			list_del(&block_cb->list);
			flow_block_cb_free(block_cb);
		}
	}
	return ret;
}

static void openppe_test_block_lifetime(struct kunit *test)
{
	struct openppe_test_flow f = openppe_test_snat;
	struct openppe_test_ctx *ctx = test->priv;
	struct flow_cls_offload cls = { .cookie = 0x42 };
	struct openppe *ppe = ctx->ppe;
	struct flow_block_cb *block_cb;
	struct flow_block block;

	flow_block_init(&block);
	KUNIT_ASSERT_EQ(test, openppe_test_bind(test, &block, ctx->port[0],
						FLOW_BLOCK_BIND), 0);
	KUNIT_ASSERT_EQ(test, openppe_test_bind(test, &block, ctx->port[1],
						FLOW_BLOCK_BIND), 0);
	/* two ports of one PPE in one flowtable: one callback */
	KUNIT_EXPECT_TRUE(test, list_is_singular(&block.cb_list));
	KUNIT_EXPECT_EQ(test, kref_read(&ppe->ref), 2U);
	/* a device that is not a port of this PPE */
	KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block, ctx->foreign,
						FLOW_BLOCK_BIND), -EOPNOTSUPP);

	/* a flow through the callback, as nf_flow_table sends it; between
	 * two ports outside the flowtable, so that no unbind but the last
	 * one concerns it
	 */
	block_cb = list_first_entry(&block.cb_list, struct flow_block_cb, list);
	cls.command = FLOW_CLS_REPLACE;
	f.iport = 2;
	f.eport = 3;
	cls.rule = openppe_test_rule(test, &f);
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), 0);
	kfree(cls.rule);
	cls.rule = NULL;
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_BLOCK, &cls,
					   block_cb->cb_priv), -EOPNOTSUPP);

	/* the first unbind keeps the callback, the last one flushes */
	KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block, ctx->port[0],
						FLOW_BLOCK_UNBIND), 0);
	KUNIT_EXPECT_FALSE(test, list_empty(&block.cb_list));
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);
	KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block, ctx->port[1],
						FLOW_BLOCK_UNBIND), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&block.cb_list));
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&ppe->ref), 1U);
	KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block, ctx->port[1],
						FLOW_BLOCK_UNBIND), -ENOENT);
}

/* Callbacks kept by a flowtable after the driver was unbound are harmless. */
static void openppe_test_dead_callbacks(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct flow_cls_offload cls = { .cookie = 0x43 };
	struct openppe *ppe = ctx->ppe;
	struct flow_block_cb *block_cb;
	struct flow_block block;

	flow_block_init(&block);
	KUNIT_ASSERT_EQ(test, openppe_test_bind(test, &block, ctx->port[2],
						FLOW_BLOCK_BIND), 0);
	block_cb = list_first_entry(&block.cb_list, struct flow_block_cb, list);

	ppe->dead = true;
	KUNIT_EXPECT_FALSE(test, openppe_alive(ppe));
	cls.command = FLOW_CLS_REPLACE;
	cls.rule = openppe_test_rule(test, &openppe_test_snat);
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), -EOPNOTSUPP);
	kfree(cls.rule);
	cls.rule = NULL;
	cls.command = FLOW_CLS_STATS;
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), -EOPNOTSUPP);
	cls.command = FLOW_CLS_DESTROY;
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 0);
	/* no new binding on a dead PPE, but the old one can be released */
	KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block, ctx->port[3],
						FLOW_BLOCK_BIND), -ENODEV);
	KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block, ctx->port[2],
						FLOW_BLOCK_UNBIND), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&block.cb_list));
	KUNIT_EXPECT_EQ(test, kref_read(&ppe->ref), 1U);
	ppe->dead = false;
}

/* ---- review findings (issue 12) ---- */

/* Two bound entries never carry one key (hardware.md 3): a second cookie
 * with the key of an installed flow (a re-added UDP flow racing the old
 * one's DESTROY) is refused until the first is gone.
 */
static void openppe_test_duplicate_key(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	u32 i, bound = 0;

	KUNIT_ASSERT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0xa1,
					       &openppe_test_snat, NULL), 0);
	KUNIT_EXPECT_NE(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0xa2,
					       &openppe_test_snat, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);
	for (i = 0; i < ppe->entries; i++)
		if (le32_get_bits(ppe->table[i].w[OPENPPE_W_INFO],
				  OPENPPE_INFO_STATE) == OPENPPE_STATE_BOUND)
			bound++;
	KUNIT_EXPECT_EQ(test, bound, 1U);

	/* once the old flow is destroyed the new one goes in */
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_DESTROY, 0xa1,
					       NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0xa2,
					       &openppe_test_snat, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);
}

/* ifindexes are per network namespace: a port in another namespace with
 * the flow's ingress ifindex is not the flow's ingress port.
 */
static void openppe_test_ingress_netns(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_flow f = openppe_test_snat;
	struct openppe_hw_entry e;
	enum openppe_refusal why;
	struct flow_rule *rule;
	struct net *other;
	int ret;

	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	/* port 2 lives in another namespace with port 3's ifindex */
	dev_net_set(ctx->port[2], other);
	ctx->port[2]->ifindex = ctx->port[3]->ifindex;

	f.iport = 3;
	rule = openppe_test_rule(test, &f);
	ret = openppe_flow_parse(ctx->ppe, rule, &e, &why, NULL);
	kfree(rule);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, le32_get_bits(e.w[OPENPPE_W_KEY_META],
					    OPENPPE_KEY_META_IPORT), 3U);

	/* an ingress device only found in another namespace is foreign */
	ctx->port[2]->ifindex = 12;
	f.iport = 2;
	rule = openppe_test_rule(test, &f);
	ret = openppe_flow_parse(ctx->ppe, rule, &e, &why, NULL);
	kfree(rule);
	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, why, OPENPPE_REFUSE_FOREIGN_PORT);
	dev_net_set(ctx->port[2], &init_net);
}

/* DSA user ports (hardware.md section 8): which ones the engine can address
 * on a conduit port, how an entry names them, and that the conduit itself is
 * no flow's device once it is in tag mode.
 */
static void openppe_test_dsa_ports(struct kunit *test)
{
	static const struct {
		int port;
		unsigned int swport;
		bool egress;
		int ret;
	} cases[] = {
		{ 1, 4, true, 0 },
		{ 1, 5, true, 0 },
		{ 1, 6, true, -ERANGE },	/* the tx bitmap is ports 0..5 */
		{ 1, 7, false, 0 },		/* the rx field has 3 bits */
		{ 1, 8, false, -ERANGE },
		{ 2, 1, false, -EPROTONOSUPPORT },	/* not in tag mode */
		{ 2, 1, true, -EPROTONOSUPPORT },
	};
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_flow f = openppe_test_snat;
	struct openppe_pref in, eg, ref;
	struct openppe_hw_entry e = {};
	enum openppe_refusal why;
	struct flow_rule *rule;
	unsigned int i;
	int ret;

	WRITE_ONCE(ctx->ppe->ports[1].tag, OPENPPE_TAG_MTK);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&ref, 0, sizeof(ref));
		ret = openppe_dsa_pref(ctx->ppe, cases[i].port, cases[i].swport,
				       cases[i].egress, &ref);
		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "case %u", i);
		if (ret)
			continue;
		KUNIT_EXPECT_EQ(test, ref.port, cases[i].port);
		KUNIT_EXPECT_TRUE(test, ref.tagged);
		KUNIT_EXPECT_EQ(test, ref.swport, cases[i].swport);
	}

	/* lan1 (user port 1) -> wan (user port 4), both behind port 1 */
	e.w[OPENPPE_W_KEY_META] = le32_encode_bits(1, OPENPPE_KEY_META_VLAN_CNT) |
				  le32_encode_bits(IPPROTO_TCP,
						   OPENPPE_KEY_META_PROTO);
	e.w[OPENPPE_W_EGRESS] = le32_encode_bits(1, OPENPPE_EGRESS_VLAN_CNT);
	KUNIT_ASSERT_EQ(test, openppe_dsa_pref(ctx->ppe, 1, 1, false, &in), 0);
	KUNIT_ASSERT_EQ(test, openppe_dsa_pref(ctx->ppe, 1, 4, true, &eg), 0);
	openppe_entry_set_ports(&e, &in, &eg);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(e.w[OPENPPE_W_KEY_META]),
			0x1U | 0x10U | 0x80U | IPPROTO_TCP << 8 | 0x1U << 16);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(e.w[OPENPPE_W_EGRESS]),
			0x1U | 0x10U | 0x80U | 0x4U << 8);
	KUNIT_EXPECT_TRUE(test, openppe_entry_features(&e) &
				OPENPPE_FEAT_DSA_MTK);

	/* and back to a plain port: the switch fields are cleared */
	eg = (struct openppe_pref){ .port = 3 };
	openppe_entry_set_ports(&e, &in, &eg);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(e.w[OPENPPE_W_EGRESS]), 0x3U | 0x10U);

	/* the conduit (port 1, in tag mode) is no flow's ingress or egress */
	f.iport = 1;
	rule = openppe_test_rule(test, &f);
	ret = openppe_flow_parse(ctx->ppe, rule, &e, &why, NULL);
	kfree(rule);
	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, why, OPENPPE_REFUSE_DSA_PORT);
	f = openppe_test_snat;
	f.iport = 2;
	f.eport = 1;
	rule = openppe_test_rule(test, &f);
	ret = openppe_flow_parse(ctx->ppe, rule, &e, &why, NULL);
	kfree(rule);
	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, why, OPENPPE_REFUSE_DSA_PORT);
	WRITE_ONCE(ctx->ppe->ports[1].tag, OPENPPE_TAG_NONE);
}

/* hardware.md 8.4: a flow entering through a user port whose switch tags its
 * frames (a VLAN-filtering switch's bridge port) gets KEY_META.SW_VTAG when
 * it has no VLAN key; one with a VLAN key (frames tagged on the cable), a
 * plain port's or an untagging switch's does not
 */
static void openppe_test_dsa_swvtag(struct kunit *test)
{
	static const struct {
		bool swvtag;
		unsigned int nvlan;
		bool set;
	} cases[] = {
		{ true, 0, true },
		{ true, 1, false },
		{ false, 0, false },
	};
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_pref in, eg, plain = { .port = 2, .swvtag = true };
	struct openppe_hw_entry e = {};
	unsigned int i;
	u32 meta;

	WRITE_ONCE(ctx->ppe->ports[1].tag, OPENPPE_TAG_MTK);
	KUNIT_ASSERT_EQ(test, openppe_dsa_pref(ctx->ppe, 1, 1, false, &in), 0);
	KUNIT_EXPECT_FALSE(test, in.swvtag);
	KUNIT_ASSERT_EQ(test, openppe_dsa_pref(ctx->ppe, 1, 4, true, &eg), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		in.swvtag = cases[i].swvtag;
		e.w[OPENPPE_W_KEY_META] =
			le32_encode_bits(cases[i].nvlan, OPENPPE_KEY_META_VLAN_CNT) |
			cpu_to_le32(OPENPPE_KEY_META_SW_VTAG);
		openppe_entry_set_ports(&e, &in, &eg);
		meta = le32_to_cpu(e.w[OPENPPE_W_KEY_META]);
		KUNIT_EXPECT_EQ_MSG(test, !!(meta & OPENPPE_KEY_META_SW_VTAG),
				    cases[i].set, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, meta & ~OPENPPE_KEY_META_SW_VTAG,
				    0x1U | cases[i].nvlan << 4 | 0x80U | 0x1U << 16,
				    "case %u", i);
	}
	/* a plain port has no switch to add a tag */
	e.w[OPENPPE_W_KEY_META] = 0;
	openppe_entry_set_ports(&e, &plain, &eg);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(e.w[OPENPPE_W_KEY_META]), 0x2U);
	WRITE_ONCE(ctx->ppe->ports[1].tag, OPENPPE_TAG_NONE);
}

/* A port leaving a flowtable that other ports keep: the flows through it
 * leave the engine (nothing refreshes them any more), the others stay.
 */
static void openppe_test_port_leaves_flowtable(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_test_flow b = openppe_test_snat;
	struct flow_cls_offload cls = { };
	struct openppe *ppe = ctx->ppe;
	struct flow_block_cb *block_cb;
	struct flow_block block;
	int p;

	flow_block_init(&block);
	for (p = 0; p < T_PORTS; p++)
		KUNIT_ASSERT_EQ(test, openppe_test_bind(test, &block,
							ctx->port[p],
							FLOW_BLOCK_BIND), 0);
	block_cb = list_first_entry(&block.cb_list, struct flow_block_cb, list);
	b.iport = 2;
	b.eport = 3;
	cls.command = FLOW_CLS_REPLACE;
	cls.cookie = 0xa;
	cls.rule = openppe_test_rule(test, &openppe_test_snat);	/* 1 -> 0 */
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), 0);
	kfree(cls.rule);
	cls.cookie = 0xb;
	cls.rule = openppe_test_rule(test, &b);			/* 2 -> 3 */
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), 0);
	kfree(cls.rule);
	cls.rule = NULL;
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 2);

	KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block, ctx->port[0],
						FLOW_BLOCK_UNBIND), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 1);
	cls.command = FLOW_CLS_STATS;
	cls.cookie = 0xa;
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), -ENOENT);
	cls.cookie = 0xb;
	KUNIT_EXPECT_EQ(test, block_cb->cb(TC_SETUP_CLSFLOWER, &cls,
					   block_cb->cb_priv), 0);

	for (p = 1; p < T_PORTS; p++)
		KUNIT_EXPECT_EQ(test, openppe_test_bind(test, &block,
							ctx->port[p],
							FLOW_BLOCK_UNBIND), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ppe->entries_used), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&block.cb_list));
}

/* the n-th variant of the snat flow whose two buckets are 0 and 1 */
static void openppe_test_flow_in_01(struct kunit *test, int n,
				    struct openppe_test_flow *f)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	u32 key[OPENPPE_KEY_WORDS], b0, b1;
	struct openppe_hw_entry e;
	enum openppe_refusal why;
	struct flow_rule *rule;
	u16 sport;

	*f = openppe_test_snat;
	for (sport = 1000; sport < 60000; sport++) {
		f->sport = sport;
		rule = openppe_test_rule(test, f);
		KUNIT_ASSERT_EQ(test, openppe_flow_parse(ppe, rule, &e, &why,
							 NULL), 0);
		kfree(rule);
		for (b0 = 0; b0 < OPENPPE_KEY_WORDS; b0++)
			key[b0] = openppe_w(&e, OPENPPE_KEY_FIRST + b0);
		openppe_buckets(key, ppe->seed[0], ppe->seed[1], ppe->nbuckets,
				&b0, &b1);
		if (min(b0, b1) == 0 && max(b0, b1) == 1 && n-- == 0)
			return;
	}
	KUNIT_FAIL(test, "no flow found for buckets 0 and 1");
}

/* A table that cannot take a flow (here half full: its two buckets are)
 * refuses the flow's re-sent REPLACEs from a back-off cache, without
 * allocating or searching the table again; a DESTROY of the cookie ends it.
 */
static void openppe_test_refusal_backoff(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_test_flow f;
	int i;

	for (i = 0; i < 2 * T_WAYS; i++) {
		openppe_test_flow_in_01(test, i, &f);
		KUNIT_ASSERT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE,
						       0x100 + i, &f, NULL), 0);
	}
	KUNIT_ASSERT_EQ(test, atomic_read(&ppe->entries_used), 2 * T_WAYS);
	openppe_test_flow_in_01(test, 2 * T_WAYS, &f);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0x200,
					       &f, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.backoff_refusals), 0);
	/* re-sent a second later: refused at once, counted */
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0x200,
					       &f, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.backoff_refusals), 1);
	KUNIT_EXPECT_EQ(test,
			atomic64_read(&ppe->cnt.refused[OPENPPE_REFUSE_TABLE_FULL]),
			2);
	/* other cookies are not held back */
	openppe_test_flow_in_01(test, 2 * T_WAYS + 1, &f);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0x201,
					       &f, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.backoff_refusals), 1);
	/* the cookie's DESTROY forgets it: the next REPLACE does the work */
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_DESTROY, 0x100,
					       NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_DESTROY, 0x201,
					       NULL, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, openppe_test_cls(test, FLOW_CLS_REPLACE, 0x201,
					       &f, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ppe->cnt.backoff_refusals), 1);
}

/* Probe checks PPE_ID before it writes anything: a parent regmap that is
 * not an openppe engine must not be reset.
 */
static void openppe_test_identify(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;

	ctx->ppe_id = 0x12345678;
	ctx->ppe_rev = FIELD_PREP(OPENPPE_PPE_REV_HW_ID, 1);
	ctx->writes = 0;
	KUNIT_EXPECT_EQ(test, openppe_hw_identify(ppe), -ENODEV);
	KUNIT_EXPECT_EQ(test, ctx->writes, 0U);

	ctx->ppe_id = OPENPPE_PPE_ID_VALUE;
	ctx->ppe_rev = FIELD_PREP(OPENPPE_PPE_REV_HW_ID, 2);
	KUNIT_EXPECT_EQ(test, openppe_hw_identify(ppe), -ENODEV);
	KUNIT_EXPECT_EQ(test, ctx->writes, 0U);

	ctx->ppe_rev = FIELD_PREP(OPENPPE_PPE_REV_HW_ID, 1);
	KUNIT_EXPECT_EQ(test, openppe_hw_identify(ppe), 0);
	KUNIT_EXPECT_EQ(test, ctx->writes, 1U);		/* PPE_CTRL.RESET */
	KUNIT_EXPECT_EQ(test, ppe->nports, (u32)T_PORTS);
}

/* The table is a sane size unless the device tree asks for more. */
static void openppe_test_table_size(struct kunit *test)
{
	/* the engine could do 1M entries: nobody asked, 16K */
	KUNIT_EXPECT_EQ(test, openppe_table_log2(20, 4, 0), 14);
	KUNIT_EXPECT_EQ(test, openppe_table_log2(24, 4, 0), 14);
	/* a small engine: all of it */
	KUNIT_EXPECT_EQ(test, openppe_table_log2(10, 4, 0), 10);
	/* asked for: that many (rounded down), at most what the engine has */
	KUNIT_EXPECT_EQ(test, openppe_table_log2(20, 4, 1 << 18), 18);
	KUNIT_EXPECT_EQ(test, openppe_table_log2(20, 4, 300), 8);
	KUNIT_EXPECT_EQ(test, openppe_table_log2(16, 4, 1 << 20), 16);
	KUNIT_EXPECT_EQ(test, openppe_table_log2(24, 4, 1 << 24), 20);
	KUNIT_EXPECT_EQ(test, openppe_table_log2(20, 4, 4), -EINVAL);
}

/* read a seq_file: debugfs files have no read_iter for kernel_read() */
static ssize_t openppe_test_seq_read(struct file *file, char *buf, size_t len,
				     loff_t *pos)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = *pos;
	iov_iter_kvec(&iter, READ, &kv, 1, len);
	ret = seq_read_iter(&kiocb, &iter);
	*pos = kiocb.ki_pos;
	return ret;
}

/* an anonymous file for the table's seq_file: from 7.0 on a kernel thread
 * has no root to look up /sys/kernel/debug in, so no path is opened
 */
static const struct file_operations openppe_test_anon_fops = {
	.owner = THIS_MODULE,
};

/* debugfs "table" renders a page at a time, not the whole table at once
 * under life_lock.
 */
static void openppe_test_debugfs_table(struct kunit *test)
{
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe *ppe = ctx->ppe;
	struct openppe_hw_entry *table, *saved = ppe->table;
	u32 saved_entries = ppe->entries, n = 1 << 12, i, lines = 0;
	struct seq_file *seq;
	struct file *file;
	loff_t pos = 0;
	ssize_t len;
	char *buf;
	int ret;

	table = kunit_kzalloc(test, sizeof(*table) * n, GFP_KERNEL);
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, table);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < n; i++) {
		table[i].w[OPENPPE_W_INFO] =
			le32_encode_bits(OPENPPE_STATE_BOUND,
					 OPENPPE_INFO_STATE);
		table[i].w[OPENPPE_W_KEY_PORTS] = cpu_to_le32(i);
		table[i].w[OPENPPE_W_COUNTER] = cpu_to_le32(i % 16);
	}
	file = anon_inode_getfile("[openppe_table]", &openppe_test_anon_fops,
				  NULL, O_RDONLY);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	ret = openppe_table_seq_open(file, ppe);
	if (ret) {
		fput(file);
		KUNIT_FAIL(test, "openppe_table_seq_open: %d", ret);
		return;
	}
	ppe->table = table;
	ppe->entries = n;

	len = openppe_test_seq_read(file, buf, 100, &pos);
	KUNIT_EXPECT_EQ(test, len, 100);
	seq = file->private_data;
	KUNIT_EXPECT_LE(test, seq->size, 2 * PAGE_SIZE);
	/* and every entry is there, the header line first */
	pos = 0;
	while ((len = openppe_test_seq_read(file, buf, PAGE_SIZE, &pos)) > 0)
		for (i = 0; i < len; i++)
			lines += buf[i] == '\n';
	KUNIT_EXPECT_EQ(test, lines, n + 1);
	seq_release_private(file_inode(file), file);
	fput(file);
	/* the last reference goes in a work item: gone before the module */
	flush_delayed_fput();
	ppe->table = saved;
	ppe->entries = saved_entries;
}

/* 6.1's flow_offload_eth_src()/_dst() build the 4-byte values of the
 * half-words at offset 4 as host integers (val16, val16 << 16, masks
 * ~0xffff0000 / ~0x0000ffff): the bytes in memory differ on a big-endian
 * host. Build them as each host would and decode them on both.
 */
static void openppe_test_eth_mangle_endian(struct kunit *test)
{
	static const u8 d[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const u8 s[ETH_ALEN] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	int be;

	for (be = 0; be < 2; be++) {
		u8 eth[2 * ETH_ALEN] = { };
		u32 set = 0, v16_d, v16_s;
		u8 m[4];
		u32 val, mask;

		/* memcpy(&val16, addr, 2) on that host, as a number */
		v16_d = be ? d[4] << 8 | d[5] : d[5] << 8 | d[4];
		v16_s = be ? s[0] << 8 | s[1] : s[1] << 8 | s[0];

#define OPENPPE_HOST32(x) ({						\
	u32 __x = (x);							\
	if (be)								\
		put_unaligned_be32(__x, m);				\
	else								\
		put_unaligned_le32(__x, m);				\
	get_unaligned((u32 *)m);					\
})
		/* eth_src: offset 4 (val16 << 16, mask ~0xffff0000), 8 */
		val = OPENPPE_HOST32(v16_s << 16);
		mask = OPENPPE_HOST32(~0xffff0000);
		KUNIT_EXPECT_EQ(test, openppe_eth_mangle(eth, &set, 4, val,
							 mask, be), 0);
		memcpy(&val, s + 2, 4);
		KUNIT_EXPECT_EQ(test, openppe_eth_mangle(eth, &set, 8, val, 0,
							 be), 0);
		/* eth_dst: offset 0, offset 4 (val16, mask ~0x0000ffff) */
		memcpy(&val, d, 4);
		KUNIT_EXPECT_EQ(test, openppe_eth_mangle(eth, &set, 0, val, 0,
							 be), 0);
		val = OPENPPE_HOST32(v16_d);
		mask = OPENPPE_HOST32(~0x0000ffff);
		KUNIT_EXPECT_EQ(test, openppe_eth_mangle(eth, &set, 4, val,
							 mask, be), 0);
#undef OPENPPE_HOST32
		KUNIT_EXPECT_EQ(test, set, (u32)GENMASK(11, 0));
		KUNIT_EXPECT_TRUE_MSG(test, ether_addr_equal(eth, d),
				      "destination MAC %pM, big-endian %d",
				      eth, be);
		KUNIT_EXPECT_TRUE_MSG(test, ether_addr_equal(eth + ETH_ALEN, s),
				      "source MAC %pM, big-endian %d",
				      eth + ETH_ALEN, be);
	}
}

struct openppe_tear_ctx {
	union {
		__le64 word;
		atomic64_t store;	/* the writer's view of @word */
	};
	unsigned long writes;
};

/* a step that carries into the high word every other store and changes
 * the low word every time: a value made of two stores' halves is not a
 * multiple of it
 */
#define OPENPPE_TEAR_STEP	0x80000001ULL

static int openppe_tear_writer(void *data)
{
	struct openppe_tear_ctx *t = data;
	u64 v = 0;

	/* What the engine does: a counter that only grows, stored whole. Not
	 * WRITE_ONCE(): a 32-bit CPU may store a u64 as two halves (QEMU 7.2
	 * emulates ARMv7's STRD so, LPAE or not), and a torn store is not
	 * what the reader is up against. atomic64_xchg() stores all 64 bits
	 * at once on every architecture (LDREXD/STREXD on ARMv7).
	 */
	while (!kthread_should_stop()) {
		v += OPENPPE_TEAR_STEP;
		atomic64_xchg(&t->store, (__force s64)cpu_to_le64(v));
		t->writes++;
		if (!(t->writes & 0xfff))
			cond_resched();
	}
	return 0;
}

/* A 64-bit counter read as two 32-bit halves (a 32-bit CPU) while the
 * engine carries into the high word never comes out torn.
 */
static void openppe_test_read_le64(struct kunit *test)
{
	unsigned long reads = 0, torn = 0;
	struct openppe_tear_ctx *t;
	struct task_struct *writer;
	unsigned int rcpu, wcpu;
	unsigned long end;
	u64 v, rem;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs for a concurrent writer");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	/* reader and writer on two CPUs, so that they really overlap */
	rcpu = cpumask_first(cpu_online_mask);
	wcpu = cpumask_next(rcpu, cpu_online_mask);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(rcpu)),
			0);
	writer = kthread_create(openppe_tear_writer, t, "openppe_tear");
	KUNIT_ASSERT_FALSE(test, IS_ERR(writer));
	kthread_bind(writer, wcpu);
	wake_up_process(writer);
	/* under a second: KUnit calls longer cases slow */
	end = jiffies + HZ * 9 / 10;
	while (time_before(jiffies, end)) {
		v = openppe_read_le64_split(&t->word);
		div64_u64_rem(v, OPENPPE_TEAR_STEP, &rem);
		torn += rem != 0;
		if (!(++reads & 0xfff))
			cond_resched();
	}
	kthread_stop(writer);
	kunit_info(test, "%lu reads, %lu torn, %lu writer rounds", reads, torn,
		   t->writes);
	KUNIT_EXPECT_GT(test, t->writes, 0UL);
	KUNIT_EXPECT_EQ(test, torn, 0UL);
}

struct openppe_delta_case {
	const char *name;
	u32 prev_pkts, now_pkts;
	u64 prev_bytes, now_bytes;
	u64 dpkts, dbytes;
};

static const struct openppe_delta_case openppe_delta_cases[] = {
	{ "first", 0, 5, 0, 700, 5, 700 },
	{ "steady", 100, 150, 10000, 17000, 50, 7000 },
	{ "none", 42, 42, 4200, 4200, 0, 0 },
	{ "u32-packet-wrap", 0xfffffff0, 0x10, 1ULL << 40,
	  (1ULL << 40) + 3200, 0x20, 3200 },
	{ "u64-byte-wrap", 7, 9, ~0ULL - 99, 100, 2, 200 },
};

static void openppe_delta_desc(const struct openppe_delta_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(openppe_delta, openppe_delta_cases, openppe_delta_desc);

static void openppe_test_delta(struct kunit *test)
{
	const struct openppe_delta_case *c = test->param_value;
	u64 dpkts, dbytes;

	openppe_stats_delta(c->prev_pkts, c->prev_bytes, c->now_pkts,
			    c->now_bytes, &dpkts, &dbytes);
	KUNIT_EXPECT_EQ(test, dpkts, c->dpkts);
	KUNIT_EXPECT_EQ(test, dbytes, c->dbytes);
}

static void openppe_test_lastused(struct kunit *test)
{
	u64 now = 1000000;

	/* 1 s at 1000 ticks/s */
	KUNIT_EXPECT_EQ(test, openppe_lastused(now, 5000, 4000, 1000),
			now - HZ);
	/* TS_NOW wrapped since the hit: 32 ticks */
	KUNIT_EXPECT_EQ(test, openppe_lastused(now, 0x10, 0xfffffff0, 1000),
			now - div_u64(32ULL * HZ, 1000));
	/* hit this very tick */
	KUNIT_EXPECT_EQ(test, openppe_lastused(now, 77, 77, 1000), now);
	/* other tick rates; 0 means the ppe-v1 default */
	KUNIT_EXPECT_EQ(test, openppe_lastused(now, 200, 100, 100), now - HZ);
	KUNIT_EXPECT_EQ(test, openppe_lastused(now, 2000, 1000, 0), now - HZ);
	/* a hit stamped after TS_NOW was read is a hit now, not 49 days ago */
	KUNIT_EXPECT_EQ(test, openppe_lastused(now, 4000, 4001, 1000), now);
}

static void openppe_test_ts_age(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, openppe_ts_age(5000, 4000), 1000U);
	KUNIT_EXPECT_EQ(test, openppe_ts_age(0x10, 0xfffffff0), 0x20U);
	KUNIT_EXPECT_EQ(test, openppe_ts_age(77, 77), 0U);
	/* the hit came after TS_NOW was read */
	KUNIT_EXPECT_EQ(test, openppe_ts_age(4000, 4001), 0U);
	KUNIT_EXPECT_EQ(test, openppe_ts_age(0xfffffff0, 0x10), 0U);
	/* the oldest age told apart from a racing hit */
	KUNIT_EXPECT_EQ(test, openppe_ts_age(0x7fffffff, 0), 0x7fffffffU);
	KUNIT_EXPECT_EQ(test, openppe_ts_age(0x80000000, 0), 0U);
}

/* ---- firmware image validation ---- */

static u8 *openppe_test_fw(struct kunit *test, size_t payload, size_t *size)
{
	u8 *img;

	*size = 64 + payload + 4;
	img = kunit_kzalloc(test, *size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, img);
	put_unaligned_le32(0x5746504f, img);
	put_unaligned_le16(1, img + 4);
	put_unaligned_le16(64, img + 6);
	put_unaligned_le32(1, img + 8);
	put_unaligned_le32(0x01000000, img + 12);
	put_unaligned_le32(0x7f, img + 16);
	put_unaligned_le32(payload, img + 20);
	memset(img + 64, 0xa5, payload);
	put_unaligned_le32(~crc32_le(~0U, img, *size - 4), img + *size - 4);
	return img;
}

static void openppe_test_fw_validate(struct kunit *test)
{
	const char *why = NULL;
	size_t size;
	u8 *img;

	img = openppe_test_fw(test, 10, &size);
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, size, 1, 65536, &why), 0);
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, size, 2, 65536, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "built for another hardware id");
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, size, 1, 32, &why),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, size - 1, 1, 65536, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "length does not match the header");
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, 20, 1, 65536, &why),
			-EINVAL);
	img[70] ^= 1;
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, size, 1, 65536, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "CRC mismatch (corrupt image)");
	img[4] = 2;
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, size, 1, 65536, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "unknown image format");
	img[0] = 'X';
	KUNIT_EXPECT_EQ(test, openppe_fw_validate(img, size, 1, 65536, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "bad magic (not an openppe image)");
}

/* the router MAC table entry @i as the fake registers hold it */
static void t_rmac_expect(struct kunit *test, unsigned int i, const u8 *mac,
			  u16 ports)
{
	struct openppe_test_ctx *ctx = test->priv;
	u32 *r = ctx->rmac_regs[i];

	if (!ports) {
		KUNIT_EXPECT_EQ_MSG(test, r[0], 0, "RMAC %u should be invalid", i);
		return;
	}
	KUNIT_EXPECT_EQ_MSG(test, r[0], OPENPPE_RMAC_CTRL_VALID | ports,
			    "RMAC %u CTRL", i);
	KUNIT_EXPECT_EQ_MSG(test, r[1], openppe_mac_hi(mac), "RMAC %u HI", i);
	KUNIT_EXPECT_EQ_MSG(test, r[2], openppe_mac_lo(mac), "RMAC %u LO", i);
}

/* The router MAC table follows the wanted set: a MAC that stays keeps its
 * entry (one CTRL write for new ports, none when nothing changed), a MAC
 * that goes is invalidated, a new MAC is written into an invalid entry:
 * CTRL cleared before HI/LO, VALID last (docs/hardware.md 2.10).
 */
static void openppe_test_router_macs(struct kunit *test)
{
	static const u8 a[ETH_ALEN] = { 0x02, 0x0b, 0x0b, 0x0b, 0x0b, 0x01 };
	static const u8 b[ETH_ALEN] = { 0x02, 0x0b, 0x0b, 0x0b, 0x0b, 0x02 };
	static const u8 c[ETH_ALEN] = { 0x02, 0x0c, 0x00, 0x00, 0x00, 0x03 };
	struct openppe_test_ctx *ctx = test->priv;
	struct openppe_rmac want[OPENPPE_RMAC_MAX];
	struct openppe *ppe = ctx->ppe;
	unsigned int n, i;

	ppe->nrmacs = 2;
	mutex_lock(&ppe->port_lock);

	/* a bridge's MAC over ports 1 and 2 */
	n = 0;
	KUNIT_EXPECT_TRUE(test, openppe_rmac_want(want, &n, 2, a, 1));
	KUNIT_EXPECT_TRUE(test, openppe_rmac_want(want, &n, 2, a, 2));
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, openppe_rmacs_apply(ppe, want, n), 0);
	t_rmac_expect(test, 0, a, 0x6);
	t_rmac_expect(test, 1, NULL, 0);
	KUNIT_EXPECT_EQ(test, ctx->rmac_writes, 3);
	KUNIT_EXPECT_EQ(test, ctx->rmac_log[2].reg, OPENPPE_RMAC_CTRL(0));

	/* the same again: no register write */
	ctx->rmac_writes = 0;
	KUNIT_EXPECT_EQ(test, openppe_rmacs_apply(ppe, want, n), 0);
	KUNIT_EXPECT_EQ(test, ctx->rmac_writes, 0);

	/* port 2 leaves, a VLAN device's MAC b on port 3 comes */
	n = 0;
	openppe_rmac_want(want, &n, 2, b, 3);
	openppe_rmac_want(want, &n, 2, a, 1);
	ctx->rmac_writes = 0;
	KUNIT_EXPECT_EQ(test, openppe_rmacs_apply(ppe, want, n), 0);
	t_rmac_expect(test, 0, a, 0x2);
	t_rmac_expect(test, 1, b, 0x8);
	/* a: one CTRL write; b: HI, LO, CTRL */
	KUNIT_EXPECT_EQ(test, ctx->rmac_writes, 4);

	/* the table is full: a third MAC finds no room */
	KUNIT_EXPECT_FALSE(test, openppe_rmac_want(want, &n, 2, c, 1));
	KUNIT_EXPECT_TRUE(test, openppe_rmac_want(want, &n, 2, b, 1));
	KUNIT_EXPECT_EQ(test, n, 2);

	/* the bridge's MAC changes from a to c: entry 0 changes MAC */
	n = 0;
	openppe_rmac_want(want, &n, 2, b, 3);
	openppe_rmac_want(want, &n, 2, c, 1);
	ctx->rmac_writes = 0;
	KUNIT_EXPECT_EQ(test, openppe_rmacs_apply(ppe, want, n), 0);
	t_rmac_expect(test, 0, c, 0x2);
	t_rmac_expect(test, 1, b, 0x8);
	KUNIT_ASSERT_EQ(test, ctx->rmac_writes, 4);
	KUNIT_EXPECT_EQ(test, ctx->rmac_log[0].reg, OPENPPE_RMAC_CTRL(0));
	KUNIT_EXPECT_EQ(test, ctx->rmac_log[0].val, 0);
	KUNIT_EXPECT_EQ(test, ctx->rmac_log[3].reg, OPENPPE_RMAC_CTRL(0));
	KUNIT_EXPECT_EQ(test, ctx->rmac_log[3].val, OPENPPE_RMAC_CTRL_VALID | 0x2);
	for (i = 1; i < 3; i++)
		KUNIT_EXPECT_NE(test, ctx->rmac_log[i].reg, OPENPPE_RMAC_CTRL(0));

	/* everything goes */
	KUNIT_EXPECT_EQ(test, openppe_rmacs_apply(ppe, want, 0), 0);
	t_rmac_expect(test, 0, NULL, 0);
	t_rmac_expect(test, 1, NULL, 0);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, ppe->rmac[i].ports, 0);
	mutex_unlock(&ppe->port_lock);
}

static struct kunit_case openppe_hash_cases[] = {
	KUNIT_CASE_PARAM(openppe_test_hash, openppe_hash_gen_params),
	KUNIT_CASE_PARAM(openppe_test_delta, openppe_delta_gen_params),
	KUNIT_CASE(openppe_test_lastused),
	KUNIT_CASE(openppe_test_ts_age),
	KUNIT_CASE(openppe_test_fw_validate),
	KUNIT_CASE(openppe_test_table_size),
	KUNIT_CASE(openppe_test_eth_mangle_endian),
	{}
};

static struct kunit_suite openppe_hash_suite = {
	.name = "openppe_hash_stats_fw",
	.test_cases = openppe_hash_cases,
};

static struct kunit_case openppe_engine_cases[] = {
	KUNIT_CASE_PARAM(openppe_test_parse, openppe_parse_gen_params),
	KUNIT_CASE(openppe_test_table_fill),
	KUNIT_CASE(openppe_test_relocate_keeps_counter),
	KUNIT_CASE(openppe_test_cache_timeout),
	KUNIT_CASE(openppe_test_cache_recover_now),
	KUNIT_CASE(openppe_test_cmd_slots),
	KUNIT_CASE(openppe_test_cmd_slots_failsafe),
	KUNIT_CASE(openppe_test_replace_idempotent),
	KUNIT_CASE(openppe_test_destroy),
	KUNIT_CASE(openppe_test_flush),
	KUNIT_CASE(openppe_test_nexthop_moved),
	KUNIT_CASE(openppe_test_stats),
	KUNIT_CASE(openppe_test_block_lifetime),
	KUNIT_CASE(openppe_test_dead_callbacks),
	KUNIT_CASE(openppe_test_router_macs),
	KUNIT_CASE(openppe_test_commit_failure),
	KUNIT_CASE(openppe_test_move_failure),
	KUNIT_CASE(openppe_test_relocate_reads_slot),
	KUNIT_CASE(openppe_test_rekey),
	KUNIT_CASE(openppe_test_cookie_chain),
	KUNIT_CASE(openppe_test_duplicate_key),
	KUNIT_CASE(openppe_test_ingress_netns),
	KUNIT_CASE(openppe_test_dsa_ports),
	KUNIT_CASE(openppe_test_dsa_swvtag),
	KUNIT_CASE(openppe_test_port_leaves_flowtable),
	KUNIT_CASE(openppe_test_refusal_backoff),
	KUNIT_CASE(openppe_test_identify),
	KUNIT_CASE(openppe_test_debugfs_table),
	KUNIT_CASE(openppe_test_read_le64),
	{}
};

static struct kunit_suite openppe_engine_suite = {
	.name = "openppe_offload",
	.init = openppe_test_init,
	.exit = openppe_test_exit,
	.test_cases = openppe_engine_cases,
};

kunit_test_suites(&openppe_hash_suite, &openppe_engine_suite);

MODULE_DESCRIPTION("KUnit tests of the openppe driver");
MODULE_LICENSE("GPL");
