// SPDX-License-Identifier: GPL-2.0
/* openppe offload: flow block binding, flow_rule -> entry, REPLACE and DESTROY */

#include <kunit/visibility.h>
#include <linux/error-injection.h>
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rcupdate.h>
#include <net/arp.h>
#include <net/ndisc.h>
#include <net/netevent.h>
#include <linux/slab.h>
#include <linux/tc_act/tc_csum.h>

#include "openppe.h"
#include "openppe_compat.h"
#include "openppe_trace.h"

/* u64: flow_dissector.used_keys is unsigned int up to 6.5 and 64 bits wide
 * (keys past 31) from 6.6; BIT() would be 32 bits wide on 32-bit CPUs and
 * let every key past 31 through the ~mask below.
 */
#define OPENPPE_ALLOWED_KEYS	(BIT_ULL(FLOW_DISSECTOR_KEY_META) |	\
				 BIT_ULL(FLOW_DISSECTOR_KEY_CONTROL) |	\
				 BIT_ULL(FLOW_DISSECTOR_KEY_BASIC) |	\
				 BIT_ULL(FLOW_DISSECTOR_KEY_IPV4_ADDRS) | \
				 BIT_ULL(FLOW_DISSECTOR_KEY_IPV6_ADDRS) | \
				 BIT_ULL(FLOW_DISSECTOR_KEY_TCP) |	\
				 BIT_ULL(FLOW_DISSECTOR_KEY_PORTS) |	\
				 BIT_ULL(FLOW_DISSECTOR_KEY_VLAN) |	\
				 BIT_ULL(FLOW_DISSECTOR_KEY_CVLAN))
static_assert(sizeof(OPENPPE_ALLOWED_KEYS) >=
	      sizeof(((struct flow_dissector *)NULL)->used_keys));

/**
 * struct openppe_parse - state while translating one flow_rule
 * @ppe: the PPE
 * @extack: where a refusal is explained
 * @why: refusal class
 * @ipv6: the flow is IPv6
 * @proto: L4 protocol
 * @eth: destination and source MAC as rewritten by MANGLE actions
 * @eth_set: bit per byte of @eth written
 * @ip: source and destination address, as header bytes, after rewrite
 * @ip_set: bit per byte of @ip written
 * @l4: source and destination port, as header bytes, after rewrite
 * @l4_set: bit per byte of @l4 written
 * @l4_tcp: a TCP header rewrite was seen
 * @l4_udp: a UDP header rewrite was seen
 * @npop: VLAN_POP actions
 * @npush: VLAN_PUSH actions
 * @push_vid: pushed VIDs, outermost first
 * @pppoe: a PPPoE session header is pushed
 * @pppoe_sid: its session id
 * @eport: egress hardware port, -1 before REDIRECT
 * @eg: where the flow leaves: @eport, and the DSA user port behind it
 */
struct openppe_parse {
	struct openppe *ppe;
	struct netlink_ext_ack *extack;
	enum openppe_refusal why;
	bool ipv6;
	u8 proto;
	u8 eth[2 * ETH_ALEN];
	u32 eth_set;
	u8 ip[32];
	u32 ip_set;
	u8 l4[4];
	u32 l4_set;
	bool l4_tcp;
	bool l4_udp;
	int npop;
	int npush;
	u16 push_vid[2];
	bool pppoe;
	u16 pppoe_sid;
	int eport;
	struct openppe_pref eg;
};

static int openppe_refused(struct openppe_parse *ps,
			   enum openppe_refusal reason, const char *msg)
{
	ps->why = reason;
	/* NL_SET_ERR_MSG_MOD() for a message built by openppe_refuse() */
	do_trace_netlink_extack(msg);
	if (ps->extack)
		ps->extack->_msg = msg;
	dev_dbg(ps->ppe->dev, "flow refused: %s\n", msg);
	return -EOPNOTSUPP;
}

/* Refuse a flow: the reason goes to the caller (counter), to extack (nft
 * users) and to dynamic debug. @msg must be a string literal.
 */
#define openppe_refuse(ps, reason, msg) ({				\
	static const char __openppe_msg[] = KBUILD_MODNAME ": " msg;	\
	openppe_refused(ps, OPENPPE_REFUSE_##reason, __openppe_msg);	\
})

/* Apply one pedit-style MANGLE (new = (old & mask) ^ val, on the 4 header
 * bytes at offset) to the bytes [base, base + len) of a header. Only whole
 * bytes are supported.
 */
static int openppe_mangle(const struct flow_action_entry *act, u8 *buf,
			  unsigned int base, unsigned int len, u32 *set)
{
	const u8 *val = (const u8 *)&act->mangle.val;
	const u8 *mask = (const u8 *)&act->mangle.mask;
	unsigned int i, pos;

	for (i = 0; i < 4; i++) {
		if (mask[i] == 0xff && !val[i])
			continue;
		if (mask[i])
			return -EOPNOTSUPP;
		pos = act->mangle.offset + i;
		if (pos < base || pos >= base + len)
			return -EOPNOTSUPP;
		buf[pos - base] = val[i];
		*set |= BIT(pos - base);
	}
	return 0;
}

/**
 * openppe_eth_mangle() - apply one Ethernet MANGLE of nf_flow_table
 * @eth: destination and source MAC being built (12 header bytes)
 * @set: bit per byte of @eth written
 * @offset: &flow_action_entry.mangle.offset
 * @val: &flow_action_entry.mangle.val, as stored
 * @mask: &flow_action_entry.mangle.mask, as stored
 * @big_endian: the host that built @val and @mask is big-endian
 *
 * flow_offload_eth_src() and flow_offload_eth_dst() (6.1 to 7.3) memcpy()
 * the words at offsets 0 and 8, so their bytes are header bytes on any host;
 * but they build the word at offset 4 from a host-order u16 as numbers:
 * val16 under mask ~0x0000ffff (destination bytes 4-5) and val16 << 16
 * under mask ~0xffff0000 (source bytes 0-1). Read as header bytes, that is
 * right on a little-endian host only; a big-endian host stores the two
 * halves the other way round. So a half-word mask is decoded as numbers:
 * the low half of the value holds header bytes offset..offset+1, the high
 * half offset+2..offset+3, each in the byte order memcpy() gave the u16.
 *
 * Return: 0, or -EOPNOTSUPP for a rewrite that is not whole bytes of @eth.
 */
int openppe_eth_mangle(u8 *eth, u32 *set, u32 offset, u32 val, u32 mask,
		       bool big_endian)
{
	struct flow_action_entry act = {
		.mangle.offset = offset,
		.mangle.val = val,
		.mangle.mask = mask,
	};
	u32 nval, nmask;
	unsigned int pos;
	u16 half;

	nval = big_endian ? get_unaligned_be32(&val) : get_unaligned_le32(&val);
	nmask = big_endian ? get_unaligned_be32(&mask) :
			     get_unaligned_le32(&mask);
	if (nmask != 0xffff0000 && nmask != 0x0000ffff)
		return openppe_mangle(&act, eth, 0, 2 * ETH_ALEN, set);

	/* mask 0xffff0000 keeps the high half: the low half is written */
	half = nmask == 0xffff0000 ? nval & 0xffff : nval >> 16;
	pos = offset + (nmask == 0xffff0000 ? 0 : 2);
	if (offset % 4 || pos + 2 > 2 * ETH_ALEN)
		return -EOPNOTSUPP;
	if (big_endian)
		put_unaligned_be16(half, eth + pos);
	else
		put_unaligned_le16(half, eth + pos);
	*set |= 3U << pos;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_eth_mangle);

/* An ifindex names a device within one network namespace: @net's. */
static int openppe_port_by_ifindex(struct openppe *ppe, const struct net *net,
				   int ifindex)
{
	struct net_device *dev;
	int p, ret = -ENOENT;

	rcu_read_lock();
	for (p = 0; p < ppe->nports; p++) {
		dev = rcu_dereference(ppe->ports[p].netdev);
		if (dev && dev->ifindex == ifindex &&
		    net_eq(dev_net(dev), net)) {
			ret = p;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

static int openppe_port_by_dev(struct openppe *ppe,
			       const struct net_device *netdev)
{
	int p;

	for (p = 0; p < ppe->nports; p++)
		if (rcu_access_pointer(ppe->ports[p].netdev) == netdev)
			return p;
	return -ENOENT;
}

/**
 * openppe_dsa_pref() - a DSA user port as the engine can address it
 * @ppe: the PPE
 * @port: engine port attached with the user port's conduit
 * @swport: the user port's number on its switch
 * @egress: the flow leaves through the user port (else enters)
 * @ref: filled when the engine can address the user port
 *
 * The engine keys on the source user port and names the destination one in
 * the switch tag (docs/hardware.md section 8), which it handles only on a
 * conduit port in tag mode, and for the port numbers the tag can carry.
 *
 * Return: 0; -EPROTONOSUPPORT when @port is not in tag mode (the switch
 * uses another tag, or the firmware lacks DSA_MTK); -ERANGE when the tag
 * cannot name @swport.
 */
VISIBLE_IF_KUNIT int openppe_dsa_pref(struct openppe *ppe, int port,
				      unsigned int swport, bool egress,
				      struct openppe_pref *ref)
{
	if (READ_ONCE(ppe->ports[port].tag) != OPENPPE_TAG_MTK)
		return -EPROTONOSUPPORT;
	if (swport > (egress ? OPENPPE_MTK_TX_PORT_MAX : OPENPPE_MTK_RX_PORT_MAX))
		return -ERANGE;
	ref->port = port;
	ref->tagged = true;
	ref->swport = swport;
	ref->swvtag = false;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_dsa_pref);

/* An attached port: on a conduit in tag mode every frame names a user port,
 * so the conduit itself is no flow's device.
 */
static int openppe_pref_attached(struct openppe *ppe, int port,
				 struct openppe_pref *ref)
{
	if (READ_ONCE(ppe->ports[port].tag) != OPENPPE_TAG_NONE)
		return -EPROTONOSUPPORT;
	ref->port = port;
	ref->tagged = false;
	ref->swport = 0;
	ref->swvtag = false;
	return 0;
}

/* @dev is an attached port, or a DSA user port whose conduit is attached
 * (caller in an RCU read-side section). Return: 0, -ENOENT (not this
 * engine's) or why the engine cannot address the DSA port.
 */
static int openppe_port_resolve(struct openppe *ppe, struct net_device *dev,
				bool egress, struct openppe_pref *ref)
{
	struct net_device *conduit;
	unsigned int swport;
	int p, ret;

	p = openppe_port_by_dev(ppe, dev);
	if (p >= 0)
		return openppe_pref_attached(ppe, p, ref);
	switch (openppe_dsa_user_port(dev, &conduit, &swport)) {
	case 0:
		break;
	case -EXDEV:
		return -EXDEV;	/* behind a cascaded switch */
	default:
		return -ENOENT;
	}
	p = openppe_port_by_dev(ppe, conduit);
	if (p < 0)
		return -ENOENT;
	ret = openppe_dsa_pref(ppe, p, swport, egress, ref);
	if (!ret && !egress)
		ref->swvtag = openppe_dsa_vlan_tagged(dev);
	return ret;
}

/* the ingress device, by ifindex in @net (the flowtable's namespace) */
static int openppe_ingress_resolve(struct openppe *ppe, struct net *net,
				   int ifindex, struct openppe_pref *ref)
{
	struct net_device *dev;
	int p, ret;

	p = openppe_port_by_ifindex(ppe, net, ifindex);
	if (p >= 0)
		return openppe_pref_attached(ppe, p, ref);
	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, ifindex);
	ret = dev ? openppe_port_resolve(ppe, dev, false, ref) : -ENOENT;
	rcu_read_unlock();
	return ret;
}

/**
 * openppe_entry_set_ports() - the ingress and egress fields of an entry
 * @e: the entry
 * @in: where the flow enters
 * @eg: where it leaves
 *
 * Sets KEY_META.IPORT/SW_TAGGED/SW_PORT/SW_VTAG and
 * EGRESS.EPORT/SW_TAG/SW_PORT, leaving the other fields of both words as
 * they are. KEY_META.VLAN_CNT must be set: SW_VTAG goes on an entry whose
 * frames the switch tags (@in->swvtag) only if the flow has no VLAN key of
 * its own (docs/hardware.md 8.4): a flow with one is one whose frames are
 * tagged on the cable, and the switch passes that tag on.
 */
void openppe_entry_set_ports(struct openppe_hw_entry *e,
			     const struct openppe_pref *in,
			     const struct openppe_pref *eg)
{
	bool swvtag = in->tagged && in->swvtag &&
		      !le32_get_bits(e->w[OPENPPE_W_KEY_META],
				     OPENPPE_KEY_META_VLAN_CNT);

	e->w[OPENPPE_W_KEY_META] &=
		~cpu_to_le32(OPENPPE_KEY_META_IPORT | OPENPPE_KEY_META_SW_TAGGED |
			     OPENPPE_KEY_META_SW_PORT | OPENPPE_KEY_META_SW_VTAG);
	e->w[OPENPPE_W_KEY_META] |=
		le32_encode_bits(in->port, OPENPPE_KEY_META_IPORT) |
		le32_encode_bits(in->tagged, OPENPPE_KEY_META_SW_TAGGED) |
		le32_encode_bits(in->tagged ? in->swport : 0,
				 OPENPPE_KEY_META_SW_PORT) |
		le32_encode_bits(swvtag, OPENPPE_KEY_META_SW_VTAG);
	e->w[OPENPPE_W_EGRESS] &=
		~cpu_to_le32(OPENPPE_EGRESS_EPORT | OPENPPE_EGRESS_SW_TAG |
			     OPENPPE_EGRESS_SW_PORT);
	e->w[OPENPPE_W_EGRESS] |=
		le32_encode_bits(eg->port, OPENPPE_EGRESS_EPORT) |
		le32_encode_bits(eg->tagged, OPENPPE_EGRESS_SW_TAG) |
		le32_encode_bits(eg->tagged ? eg->swport : 0,
				 OPENPPE_EGRESS_SW_PORT);
}
EXPORT_SYMBOL_IF_KUNIT(openppe_entry_set_ports);

/* a MAC address as the _HI/_LO register and entry word pairs hold it */
u32 openppe_mac_hi(const u8 *mac)
{
	return mac[0] << 8 | mac[1];
}
EXPORT_SYMBOL_IF_KUNIT(openppe_mac_hi);

u32 openppe_mac_lo(const u8 *mac)
{
	return get_unaligned_be32(mac + 2);
}
EXPORT_SYMBOL_IF_KUNIT(openppe_mac_lo);

/**
 * openppe_entry_features() - firmware features an entry needs
 * @e: the entry
 *
 * Return: FW_FEATURES bits (docs/hardware.md 5.2) the entry depends on.
 */
u32 openppe_entry_features(const struct openppe_hw_entry *e)
{
	static const u32 type_feat[] = {
		[OPENPPE_TYPE_IPV4_ROUTE] = OPENPPE_FEAT_IPV4_ROUTE,
		[OPENPPE_TYPE_IPV4_NAPT] = OPENPPE_FEAT_IPV4_NAPT,
		[OPENPPE_TYPE_IPV6_ROUTE] = OPENPPE_FEAT_IPV6_ROUTE,
		[OPENPPE_TYPE_IPV6_NAPT] = OPENPPE_FEAT_IPV6_NAPT,
	};
	u32 type = le32_get_bits(e->w[OPENPPE_W_INFO], OPENPPE_INFO_TYPE);
	u32 ivlan = le32_get_bits(e->w[OPENPPE_W_KEY_META],
				  OPENPPE_KEY_META_VLAN_CNT);
	u32 evlan = le32_get_bits(e->w[OPENPPE_W_EGRESS],
				  OPENPPE_EGRESS_VLAN_CNT);
	u32 feat = 0;

	if (type < ARRAY_SIZE(type_feat))
		feat |= type_feat[type];
	if (ivlan == 1 || evlan == 1)
		feat |= OPENPPE_FEAT_VLAN;
	if (ivlan == 2 || evlan == 2)
		feat |= OPENPPE_FEAT_QINQ;
	if (le32_get_bits(e->w[OPENPPE_W_EGRESS], OPENPPE_EGRESS_PPPOE))
		feat |= OPENPPE_FEAT_PPPOE;
	if (le32_get_bits(e->w[OPENPPE_W_EGRESS], OPENPPE_EGRESS_SW_TAG) ||
	    le32_get_bits(e->w[OPENPPE_W_KEY_META], OPENPPE_KEY_META_SW_TAGGED))
		feat |= OPENPPE_FEAT_DSA_MTK;
	return feat;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_entry_features);

static void openppe_put_addr(struct openppe_hw_entry *e, unsigned int w,
			     const u8 *addr, bool ipv6)
{
	int i;

	for (i = 0; i < (ipv6 ? 4 : 1); i++)
		e->w[w + i] = cpu_to_le32(get_unaligned_be32(addr + 4 * i));
}

static int openppe_parse_mangle(struct openppe_parse *ps,
				const struct flow_action_entry *act)
{
	switch (act->mangle.htype) {
	case FLOW_ACT_MANGLE_HDR_TYPE_ETH:
		return openppe_eth_mangle(ps->eth, &ps->eth_set,
					  act->mangle.offset, act->mangle.val,
					  act->mangle.mask,
					  IS_ENABLED(CONFIG_CPU_BIG_ENDIAN));
	case FLOW_ACT_MANGLE_HDR_TYPE_IP4:
		if (ps->ipv6)
			return -EOPNOTSUPP;
		return openppe_mangle(act, ps->ip, offsetof(struct iphdr, saddr),
				      8, &ps->ip_set);
	case FLOW_ACT_MANGLE_HDR_TYPE_IP6:
		if (!ps->ipv6)
			return -EOPNOTSUPP;
		return openppe_mangle(act, ps->ip,
				      offsetof(struct ipv6hdr, saddr), 32,
				      &ps->ip_set);
	case FLOW_ACT_MANGLE_HDR_TYPE_TCP:
		ps->l4_tcp = true;
		return openppe_mangle(act, ps->l4, 0, 4, &ps->l4_set);
	case FLOW_ACT_MANGLE_HDR_TYPE_UDP:
		ps->l4_udp = true;
		return openppe_mangle(act, ps->l4, 0, 4, &ps->l4_set);
	default:
		return -EOPNOTSUPP;
	}
}

static int openppe_parse_action(struct openppe_parse *ps,
				const struct flow_action_entry *act)
{
	int ret;

	switch (act->id) {
	case FLOW_ACTION_MANGLE:
		if (openppe_parse_mangle(ps, act))
			return openppe_refuse(ps, UNSUPPORTED,
					      "header rewrite the engine cannot do");
		return 0;
	case FLOW_ACTION_CSUM:
		/* the engine always updates the checksums it affects */
		if (act->csum_flags & ~(TCA_CSUM_UPDATE_FLAG_IPV4HDR |
					TCA_CSUM_UPDATE_FLAG_TCP |
					TCA_CSUM_UPDATE_FLAG_UDP))
			return openppe_refuse(ps, UNSUPPORTED,
					      "checksum update not supported");
		return 0;
	case FLOW_ACTION_VLAN_POP:
		ps->npop++;
		return 0;
	case FLOW_ACTION_VLAN_PUSH:
		/* pushes come outermost first */
		if (act->vlan.proto != htons(ETH_P_8021Q) || act->vlan.prio ||
		    ps->npush >= 2)
			return openppe_refuse(ps, UNSUPPORTED,
					      "only up to two 802.1Q tags can be pushed");
		ps->push_vid[ps->npush++] = act->vlan.vid;
		return 0;
	case FLOW_ACTION_PPPOE_PUSH:
		/* A PPPoE session carries PPP, never Ethernet, so its header
		 * is always inside every 802.1Q tag, whatever place the push
		 * has in the list: for PPPoE over a VLAN device 6.1 lists the
		 * tag first. The engine puts PPPoE inside the tags it pushes.
		 */
		if (ps->pppoe)
			return openppe_refuse(ps, UNSUPPORTED,
					      "more than one PPPoE session header");
		ps->pppoe = true;
		ps->pppoe_sid = act->pppoe.sid;
		return 0;
	case FLOW_ACTION_REDIRECT:
		if (ps->eport >= 0)
			return openppe_refuse(ps, UNSUPPORTED,
					      "more than one egress device");
		rcu_read_lock();
		ret = openppe_port_resolve(ps->ppe, act->dev, true, &ps->eg);
		rcu_read_unlock();
		if (ret == -ENOENT)
			return openppe_refuse(ps, FOREIGN_PORT,
					      "egress device is not a port of this engine");
		if (ret)
			return openppe_refuse(ps, DSA_PORT,
					      "egress DSA port the engine cannot address (conduit not in tag mode, or port beyond the tag's range)");
		ps->eport = ps->eg.port;
		return 0;
	default:
		return openppe_refuse(ps, UNSUPPORTED, "action not supported");
	}
}

static int openppe_parse_addrs(struct openppe_parse *ps,
			       const struct flow_rule *rule)
{
	struct flow_match_control ctrl;
	struct flow_match_basic basic;

	flow_rule_match_control(rule, &ctrl);
	flow_rule_match_basic(rule, &basic);
	if (ctrl.key->addr_type == FLOW_DISSECTOR_KEY_IPV4_ADDRS &&
	    basic.key->n_proto == htons(ETH_P_IP)) {
		struct flow_match_ipv4_addrs a;

		flow_rule_match_ipv4_addrs(rule, &a);
		if (a.mask->src != htonl(0xffffffff) ||
		    a.mask->dst != htonl(0xffffffff))
			return openppe_refuse(ps, UNSUPPORTED,
					      "IPv4 addresses must be matched exactly");
		memcpy(ps->ip, &a.key->src, 4);
		memcpy(ps->ip + 4, &a.key->dst, 4);
	} else if (ctrl.key->addr_type == FLOW_DISSECTOR_KEY_IPV6_ADDRS &&
		   basic.key->n_proto == htons(ETH_P_IPV6)) {
		struct flow_match_ipv6_addrs a;

		ps->ipv6 = true;
		flow_rule_match_ipv6_addrs(rule, &a);
		if (memchr_inv(&a.mask->src, 0xff, sizeof(a.mask->src)) ||
		    memchr_inv(&a.mask->dst, 0xff, sizeof(a.mask->dst)))
			return openppe_refuse(ps, UNSUPPORTED,
					      "IPv6 addresses must be matched exactly");
		memcpy(ps->ip, &a.key->src, 16);
		memcpy(ps->ip + 16, &a.key->dst, 16);
	} else {
		return openppe_refuse(ps, UNSUPPORTED,
				      "network protocol is not IPv4 or IPv6");
	}

	ps->proto = basic.key->ip_proto;
	if (basic.mask->ip_proto != 0xff ||
	    (ps->proto != IPPROTO_TCP && ps->proto != IPPROTO_UDP))
		return openppe_refuse(ps, UNSUPPORTED,
				      "L4 protocol is not TCP or UDP");
	return 0;
}

/* nf_flow_table (6.1) fills the VLAN and CVLAN keys and sets their dissector
 * offsets but does not flag them in used_keys; accept either sign.
 */
static bool openppe_rule_has_key(const struct flow_rule *rule,
				 enum flow_dissector_key_id key)
{
	return flow_rule_match_key(rule, key) ||
	       rule->match.dissector->offset[key];
}

static int openppe_parse_vlan(struct openppe_parse *ps,
			      const struct flow_rule *rule, u32 *vid0, u32 *vid1)
{
	struct flow_match_vlan v;
	int nvlan = 0;

	/* nf_flow_table lists a flow's encapsulations outermost first (it
	 * reverses the device path, which runs from the IP layer outwards):
	 * VLAN holds the outer tag on the wire, CVLAN the one inside it,
	 * as the engine's VID0 and VID1 do.
	 */
	if (openppe_rule_has_key(rule, FLOW_DISSECTOR_KEY_VLAN)) {
		flow_rule_match_vlan(rule, &v);
		if (v.key->vlan_tpid != htons(ETH_P_8021Q) ||
		    v.mask->vlan_id != VLAN_VID_MASK || v.mask->vlan_priority)
			return openppe_refuse(ps, UNSUPPORTED,
					      "only exact 802.1Q VLAN id matches are supported");
		*vid0 = v.key->vlan_id;
		nvlan = 1;
	}
	if (openppe_rule_has_key(rule, FLOW_DISSECTOR_KEY_CVLAN)) {
		flow_rule_match_cvlan(rule, &v);
		if (!nvlan || v.key->vlan_tpid != htons(ETH_P_8021Q) ||
		    v.mask->vlan_id != VLAN_VID_MASK || v.mask->vlan_priority)
			return openppe_refuse(ps, UNSUPPORTED,
					      "only exact 802.1Q VLAN id matches are supported");
		*vid1 = v.key->vlan_id;
		nvlan = 2;
	}
	return nvlan;
}

/**
 * openppe_flow_parse() - translate an nf_flow_table flow_rule into an entry
 * @ppe: the PPE (attach table and firmware features)
 * @rule: match and actions of one flow direction
 * @e: the entry, STATE = BOUND, COUNTER.IDX left 0
 * @why: the refusal class when the flow is refused
 * @extack: where the reason for a refusal is reported
 *
 * Return: 0, or -EOPNOTSUPP when the engine cannot forward the flow.
 */
int openppe_flow_parse(struct openppe *ppe, const struct flow_rule *rule,
		       struct openppe_hw_entry *e, enum openppe_refusal *why,
		       struct netlink_ext_ack *extack)
{
	struct openppe_parse ps = { .ppe = ppe, .extack = extack, .eport = -1 };
	const struct flow_dissector *d = rule->match.dissector;
	const struct flow_action_entry *act;
	const struct net_device *out;
	u8 key_ip[32], key_l4[4];
	struct flow_match_ports ports;
	struct flow_match_meta meta;
	u32 vid0 = 0, vid1 = 0, type;
	struct openppe_pref in;
	int nvlan, i, ret;
	bool nat;

	memset(e, 0, sizeof(*e));
	ret = -EOPNOTSUPP;

	if ((u64)d->used_keys & ~OPENPPE_ALLOWED_KEYS) {
		openppe_refuse(&ps, UNSUPPORTED, "match key not supported (tunnel?)");
		goto out;
	}
	if (!flow_rule_match_key(rule, FLOW_DISSECTOR_KEY_META) ||
	    !flow_rule_match_key(rule, FLOW_DISSECTOR_KEY_CONTROL) ||
	    !flow_rule_match_key(rule, FLOW_DISSECTOR_KEY_BASIC) ||
	    !flow_rule_match_key(rule, FLOW_DISSECTOR_KEY_PORTS)) {
		openppe_refuse(&ps, UNSUPPORTED,
			       "match lacks ingress port, protocol or L4 ports");
		goto out;
	}

	flow_rule_match_meta(rule, &meta);
	if (meta.mask->ingress_ifindex != -1) {
		openppe_refuse(&ps, UNSUPPORTED,
			       "ingress device must be matched exactly");
		goto out;
	}
	/* meta.ingress_ifindex is in the flowtable's namespace, which is the
	 * one of the devices it redirects to
	 */
	out = NULL;
	flow_action_for_each(i, act, &rule->action) {
		if (act->id == FLOW_ACTION_REDIRECT) {
			out = act->dev;
			break;
		}
	}
	if (!out) {
		openppe_refuse(&ps, UNSUPPORTED, "no egress device");
		goto out;
	}
	ret = openppe_ingress_resolve(ppe, dev_net(out),
				      meta.key->ingress_ifindex, &in);
	if (ret == -ENOENT) {
		ret = openppe_refuse(&ps, FOREIGN_PORT,
				     "ingress device is not a port of this engine");
		goto out;
	}
	if (ret) {
		ret = openppe_refuse(&ps, DSA_PORT,
				     "ingress DSA port the engine cannot address (conduit not in tag mode, or port beyond the tag's range)");
		goto out;
	}

	ret = openppe_parse_addrs(&ps, rule);
	if (ret)
		goto out;
	memcpy(key_ip, ps.ip, sizeof(key_ip));

	ret = -EOPNOTSUPP;
	flow_rule_match_ports(rule, &ports);
	if (ports.mask->src != htons(0xffff) ||
	    ports.mask->dst != htons(0xffff)) {
		openppe_refuse(&ps, UNSUPPORTED, "L4 ports must be matched exactly");
		goto out;
	}
	memcpy(key_l4, &ports.key->src, 2);
	memcpy(key_l4 + 2, &ports.key->dst, 2);
	memcpy(ps.l4, key_l4, sizeof(ps.l4));

	if (flow_rule_match_key(rule, FLOW_DISSECTOR_KEY_TCP)) {
		struct flow_match_tcp tcp;

		/* the engine punts FIN/RST/SYN itself; nothing else allowed */
		flow_rule_match_tcp(rule, &tcp);
		if (ps.proto != IPPROTO_TCP ||
		    (tcp.key->flags & tcp.mask->flags)) {
			openppe_refuse(&ps, UNSUPPORTED,
				       "TCP flags match other than 'no FIN/RST'");
			goto out;
		}
	}

	nvlan = openppe_parse_vlan(&ps, rule, &vid0, &vid1);
	if (nvlan < 0) {
		ret = nvlan;
		goto out;
	}

	flow_action_for_each(i, act, &rule->action) {
		ret = openppe_parse_action(&ps, act);
		if (ret)
			goto out;
	}

	ret = -EOPNOTSUPP;
	if (ps.eport < 0) {
		openppe_refuse(&ps, UNSUPPORTED, "no egress device");
		goto out;
	}
	if (ps.eth_set != GENMASK(2 * ETH_ALEN - 1, 0)) {
		openppe_refuse(&ps, UNSUPPORTED,
			       "both MAC addresses must be rewritten");
		goto out;
	}
	if (ps.npop != nvlan) {
		openppe_refuse(&ps, UNSUPPORTED,
			       "VLAN tags matched but not popped");
		goto out;
	}
	if ((ps.l4_tcp && ps.proto != IPPROTO_TCP) ||
	    (ps.l4_udp && ps.proto != IPPROTO_UDP)) {
		openppe_refuse(&ps, UNSUPPORTED,
			       "L4 rewrite for another protocol");
		goto out;
	}

	nat = ps.ip_set || ps.l4_set;
	if (ps.ipv6)
		type = nat ? OPENPPE_TYPE_IPV6_NAPT : OPENPPE_TYPE_IPV6_ROUTE;
	else
		type = nat ? OPENPPE_TYPE_IPV4_NAPT : OPENPPE_TYPE_IPV4_ROUTE;

	e->w[OPENPPE_W_INFO] =
		le32_encode_bits(OPENPPE_STATE_BOUND, OPENPPE_INFO_STATE) |
		le32_encode_bits(type, OPENPPE_INFO_TYPE);
	e->w[OPENPPE_W_KEY_META] =
		le32_encode_bits(nvlan, OPENPPE_KEY_META_VLAN_CNT) |
		le32_encode_bits(ps.ipv6, OPENPPE_KEY_META_IPV6) |
		le32_encode_bits(ps.proto, OPENPPE_KEY_META_PROTO);
	e->w[OPENPPE_W_KEY_VLAN] =
		le32_encode_bits(vid0, OPENPPE_VLAN_VID0) |
		le32_encode_bits(vid1, OPENPPE_VLAN_VID1);
	e->w[OPENPPE_W_KEY_PORTS] =
		le32_encode_bits(get_unaligned_be16(key_l4),
				 OPENPPE_PORTS_SPORT) |
		le32_encode_bits(get_unaligned_be16(key_l4 + 2),
				 OPENPPE_PORTS_DPORT);
	openppe_put_addr(e, OPENPPE_W_KEY_SIP, key_ip, ps.ipv6);
	openppe_put_addr(e, OPENPPE_W_KEY_DIP, key_ip + (ps.ipv6 ? 16 : 4),
			 ps.ipv6);
	if (nat) {
		openppe_put_addr(e, OPENPPE_W_NEW_SIP, ps.ip, ps.ipv6);
		openppe_put_addr(e, OPENPPE_W_NEW_DIP,
				 ps.ip + (ps.ipv6 ? 16 : 4), ps.ipv6);
		e->w[OPENPPE_W_NEW_PORTS] =
			le32_encode_bits(get_unaligned_be16(ps.l4),
					 OPENPPE_PORTS_SPORT) |
			le32_encode_bits(get_unaligned_be16(ps.l4 + 2),
					 OPENPPE_PORTS_DPORT);
	}
	e->w[OPENPPE_W_EGRESS] =
		le32_encode_bits(ps.npush, OPENPPE_EGRESS_VLAN_CNT) |
		le32_encode_bits(ps.pppoe, OPENPPE_EGRESS_PPPOE);
	openppe_entry_set_ports(e, &in, &ps.eg);
	/* the first push is the outer tag, VID0 */
	e->w[OPENPPE_W_EG_VLAN] =
		le32_encode_bits(ps.push_vid[0], OPENPPE_VLAN_VID0) |
		le32_encode_bits(ps.push_vid[1], OPENPPE_VLAN_VID1);
	e->w[OPENPPE_W_EG_PPPOE] = le32_encode_bits(ps.pppoe_sid,
						    OPENPPE_EG_PPPOE_SID);
	e->w[OPENPPE_W_DMAC_HI] = cpu_to_le32(openppe_mac_hi(ps.eth));
	e->w[OPENPPE_W_DMAC_LO] = cpu_to_le32(openppe_mac_lo(ps.eth));
	e->w[OPENPPE_W_SMAC_HI] = cpu_to_le32(openppe_mac_hi(ps.eth + ETH_ALEN));
	e->w[OPENPPE_W_SMAC_LO] = cpu_to_le32(openppe_mac_lo(ps.eth + ETH_ALEN));

	ret = 0;
	if (openppe_entry_features(e) & ~ppe->fw_features)
		ret = openppe_refuse(&ps, NO_FW_FEATURE,
				     "engine firmware lacks a feature this flow needs");
out:
	*why = ps.why;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flow_parse);

/**
 * openppe_flow_get() - the installed flow of a cookie
 * @ppe: the PPE
 * @cookie: the cookie
 *
 * Return: the flow with a reference (openppe_flow_put()), or NULL.
 */
struct openppe_flow *openppe_flow_get(struct openppe *ppe, unsigned long cookie)
{
	struct openppe_flow *flow;

	rcu_read_lock();
	flow = rcu_dereference(ppe->cookies[openppe_cookie_chain(ppe, cookie)]);
	for (; flow; flow = rcu_dereference(flow->next))
		if (flow->cookie == cookie && refcount_inc_not_zero(&flow->ref))
			break;
	rcu_read_unlock();
	return flow;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flow_get);

/* Flows come from a cache of their own, objects of exactly their size
 * (docs/design.md, "Objects and lifetimes"): a kmalloc() size class would
 * round them up.
 */
static struct kmem_cache *openppe_flow_cache;

int openppe_flow_cache_init(void)
{
	openppe_flow_cache = KMEM_CACHE(openppe_flow, 0);
	return openppe_flow_cache ? 0 : -ENOMEM;
}

void openppe_flow_cache_exit(void)
{
	/* the call_rcu() frees of the last flows run first */
	rcu_barrier();
	kmem_cache_destroy(openppe_flow_cache);
}

static void openppe_flow_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(openppe_flow_cache,
			container_of(rcu, struct openppe_flow, rcu));
}

void openppe_flow_put(struct openppe_flow *flow)
{
	/* cookie-table lookups may still be looking at it: RCU-deferred */
	if (refcount_dec_and_test(&flow->ref))
		call_rcu(&flow->rcu, openppe_flow_free_rcu);
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flow_put);

static void openppe_flow_nexthop_note(struct openppe *ppe,
				      struct openppe_flow *flow,
				      const struct openppe_hw_entry *e);

/* The cookie table's chains are written under the flow lock their flows
 * share; lookups walk them under RCU, and a flow taken out keeps its @next
 * for the lookups still on it until it is freed.
 */
#define openppe_chain_deref(ppe, flow, p)				\
	rcu_dereference_protected(p,					\
		lockdep_is_held(openppe_flow_mutex(ppe, flow)))

/* Put @flow in the cookie table, unless a flow with its cookie is there. */
static int openppe_cookie_link(struct openppe *ppe, struct openppe_flow *flow)
{
	struct openppe_flow __rcu **head =
		&ppe->cookies[openppe_cookie_chain(ppe, flow->cookie)];
	struct openppe_flow *f;

	for (f = openppe_chain_deref(ppe, flow, *head); f;
	     f = openppe_chain_deref(ppe, flow, f->next))
		if (f->cookie == flow->cookie)
			return -EEXIST;
	RCU_INIT_POINTER(flow->next, openppe_chain_deref(ppe, flow, *head));
	rcu_assign_pointer(*head, flow);
	atomic_inc(&ppe->nflows);
	return 0;
}

static void openppe_cookie_unlink(struct openppe *ppe,
				  struct openppe_flow *flow)
{
	struct openppe_flow __rcu **pp =
		&ppe->cookies[openppe_cookie_chain(ppe, flow->cookie)];
	struct openppe_flow *f;

	while ((f = openppe_chain_deref(ppe, flow, *pp)) != flow) {
		if (WARN_ON_ONCE(!f))
			return;
		pp = &f->next;
	}
	/* what @flow links to is published already */
	RCU_INIT_POINTER(*pp, openppe_chain_deref(ppe, flow, flow->next));
	atomic_dec(&ppe->nflows);
}

/* Where @e enters and leaves, for the flushes (struct openppe_flow). */
static void openppe_flow_set_ports(struct openppe_flow *flow,
				   const struct openppe_hw_entry *e)
{
	__le32 meta = e->w[OPENPPE_W_KEY_META], eg = e->w[OPENPPE_W_EGRESS];

	WRITE_ONCE(flow->in_port, le32_get_bits(meta, OPENPPE_KEY_META_IPORT));
	WRITE_ONCE(flow->in_sw,
		   le32_get_bits(meta, OPENPPE_KEY_META_SW_TAGGED) ?
		   le32_get_bits(meta, OPENPPE_KEY_META_SW_PORT) :
		   OPENPPE_SW_NONE);
	WRITE_ONCE(flow->out_port, le32_get_bits(eg, OPENPPE_EGRESS_EPORT));
	WRITE_ONCE(flow->out_sw,
		   le32_get_bits(eg, OPENPPE_EGRESS_SW_TAG) ?
		   le32_get_bits(eg, OPENPPE_EGRESS_SW_PORT) : OPENPPE_SW_NONE);
}

/**
 * struct openppe_flow_end - a flow as it left the engine (DESTROY's trace)
 * @e: its entry, read from the slot just before the slot was cleared
 * @packets: PACKETS of its counter record then
 * @bytes: BYTES then
 */
struct openppe_flow_end {
	struct openppe_hw_entry e;
	u32 packets;
	u64 bytes;
};

/* Remove an installed flow from the engine and from the cookie table; with
 * @end, say what it was.
 */
static int openppe_flow_unlink(struct openppe *ppe, struct openppe_flow *flow,
			       struct openppe_flow_end *end)
{
	const struct openppe_hw_counter *c = &ppe->counters[flow->cnt_idx];
	int ret;

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	if (flow->unlinked)
		return 0;
	openppe_cookie_unlink(ppe, flow);
	ret = openppe_table_remove(ppe, flow, end ? &end->e : NULL);
	/* the engine no longer counts into the record, and nobody else can
	 * have it before ida_free(): its final values
	 */
	if (end) {
		end->packets = le32_to_cpu(READ_ONCE(c->packets));
		end->bytes = openppe_read_le64(&c->bytes);
	}
	ida_free(&ppe->cnt_ida, flow->cnt_idx);
	flow->unlinked = true;
	openppe_flow_put(flow);		/* the table's reference */
	return ret;
}

/* REPLACE of a cookie already installed: no-op, rewrite or move. The entry
 * it has is read back from its slot.
 */
static int openppe_flow_update(struct openppe *ppe, struct openppe_flow *flow,
			       struct openppe_hw_entry *e)
{
	struct openppe_hw_entry old;
	int ret;

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	e->w[OPENPPE_W_COUNTER] = le32_encode_bits(flow->cnt_idx,
						   OPENPPE_COUNTER_IDX);
	/* installed and not unlinked: placed */
	ret = openppe_table_read(ppe, flow, &old);
	if (WARN_ON_ONCE(ret))
		return ret;
	if (!memcmp(e, &old, sizeof(*e)))
		return 0;

	atomic64_inc(&ppe->cnt.updates);
	if (openppe_entry_key_equal(e, &old)) {
		ret = openppe_table_rewrite(ppe, flow, e);
	} else {
		/* new key, new buckets: same counter record, new slot */
		ret = openppe_table_remove(ppe, flow, NULL);
		if (ret)
			return ret;
		ret = openppe_table_insert(ppe, flow, e);
	}
	if (!ret) {
		openppe_flow_set_ports(flow, e);
		openppe_flow_nexthop_note(ppe, flow, e);
	}
	return ret;
}

/* the refusal class of a failed openppe_table_insert() */
static enum openppe_refusal openppe_insert_why(int err)
{
	switch (err) {
	case -ENOSPC:
		return OPENPPE_REFUSE_TABLE_FULL;
	case -EEXIST:
		return OPENPPE_REFUSE_DUPLICATE;
	default:
		return OPENPPE_REFUSE_ENGINE_ERROR;
	}
}

static bool openppe_entry_ports_attached(struct openppe *ppe,
					 const struct openppe_hw_entry *e)
{
	u32 ip = le32_get_bits(e->w[OPENPPE_W_KEY_META], OPENPPE_KEY_META_IPORT);
	u32 ep = le32_get_bits(e->w[OPENPPE_W_EGRESS], OPENPPE_EGRESS_EPORT);

	return rcu_access_pointer(ppe->ports[ip].netdev) &&
	       rcu_access_pointer(ppe->ports[ep].netdev);
}

/* A flow's memory, in a function of its own that fail_function may make
 * fail (ALLOW_ERROR_INJECTION): REPLACE's refusal for want of memory is
 * tested end to end (e2e_paths no_memory).
 */
static noinline struct openppe_flow *openppe_flow_alloc(void)
{
	return kmem_cache_zalloc(openppe_flow_cache, GFP_KERNEL);
}

ALLOW_ERROR_INJECTION(openppe_flow_alloc, NULL);

static int openppe_flow_add(struct openppe *ppe, struct openppe_block *block,
			    unsigned long cookie, struct openppe_hw_entry *e,
			    enum openppe_refusal *why)
{
	struct openppe_flow *flow;
	int ret;

	flow = openppe_flow_alloc();
	if (!flow) {
		*why = OPENPPE_REFUSE_NO_MEMORY;
		return -ENOMEM;
	}
	ret = ida_alloc_max(&ppe->cnt_ida, ppe->entries - 1, GFP_KERNEL);
	if (ret < 0) {
		*why = ret == -ENOSPC ? OPENPPE_REFUSE_TABLE_FULL :
					OPENPPE_REFUSE_NO_MEMORY;
		goto err_free_flow;
	}
	flow->cnt_idx = ret;
	flow->cookie = cookie;
	flow->block = block;
	refcount_set(&flow->ref, 2);	/* the cookie table's and ours */
	e->w[OPENPPE_W_COUNTER] = le32_encode_bits(flow->cnt_idx,
						   OPENPPE_COUNTER_IDX);
	openppe_flow_set_ports(flow, e);
	/* a recycled record starts from zero; published by the entry's commit */
	memset(&ppe->counters[flow->cnt_idx], 0, sizeof(ppe->counters[0]));

	/* Until it is placed, the flow's entry is @e, ours: the lock, held
	 * from before the flow can be found, keeps everyone else from wanting
	 * it meanwhile.
	 */
	openppe_flow_lock(ppe, flow);
	ret = openppe_cookie_link(ppe, flow);
	if (ret) {
		/* same cookie being added concurrently: nf_flow_table never does */
		*why = OPENPPE_REFUSE_ENGINE_ERROR;
		goto err_unlock;
	}
	ret = openppe_table_insert(ppe, flow, e);
	if (ret) {
		*why = openppe_insert_why(ret);
		openppe_cookie_unlink(ppe, flow);
		goto err_unlock;
	}
	openppe_flow_nexthop_note(ppe, flow, e);
	/* openppe_port_detach() clears the port, then flushes what it finds
	 * in the cookie table: pair with it so that either it sees this flow
	 * or this flow sees the port gone.
	 */
	smp_mb();
	if (!openppe_entry_ports_attached(ppe, e)) {
		openppe_flow_unlink(ppe, flow, NULL);
		openppe_flow_unlock(ppe, flow);
		openppe_flow_put(flow);
		*why = OPENPPE_REFUSE_FOREIGN_PORT;
		return -EOPNOTSUPP;
	}
	openppe_flow_unlock(ppe, flow);
	openppe_flow_put(flow);
	atomic64_inc(&ppe->cnt.installs);
	return 0;

err_unlock:
	/* it may have been seen by a flush: let the last reference free it */
	flow->unlinked = true;
	openppe_flow_unlock(ppe, flow);
	ida_free(&ppe->cnt_ida, flow->cnt_idx);
	openppe_flow_put(flow);
	openppe_flow_put(flow);
	return ret;
err_free_flow:
	kmem_cache_free(openppe_flow_cache, flow);
	return ret;
}

static struct openppe_backoff *openppe_backoff_slot(struct openppe *ppe,
						    unsigned long cookie)
{
	return &ppe->backoff[hash_long(cookie, OPENPPE_BACKOFF_BITS)];
}

/* @cookie found no room in the table less than its back-off ago */
static bool openppe_backoff_check(struct openppe *ppe, unsigned long cookie)
{
	struct openppe_backoff *b = openppe_backoff_slot(ppe, cookie);
	bool hit;

	spin_lock(&ppe->backoff_lock);
	hit = cookie && b->cookie == cookie && time_before(jiffies, b->until);
	spin_unlock(&ppe->backoff_lock);
	return hit;
}

/* After an insert of @cookie: a refusal for lack of room starts (or doubles)
 * its back-off, a success ends it. One slot per hash: a colliding cookie
 * takes the slot over, which only costs the other one a retry with work.
 */
static void openppe_backoff_note(struct openppe *ppe, unsigned long cookie,
				 int err)
{
	struct openppe_backoff *b = openppe_backoff_slot(ppe, cookie);

	spin_lock(&ppe->backoff_lock);
	if (err == -ENOSPC) {
		if (b->cookie == cookie)
			b->shift = min(b->shift + 1, OPENPPE_BACKOFF_MAX_SHIFT);
		else
			b->shift = 0;
		b->cookie = cookie;
		b->until = jiffies + (OPENPPE_BACKOFF_MIN << b->shift);
	} else if (b->cookie == cookie) {
		b->cookie = 0;
	}
	spin_unlock(&ppe->backoff_lock);
}

/**
 * openppe_flow_replace() - FLOW_CLS_REPLACE for one flow direction
 * @ppe: the PPE, life_lock read-held and alive
 * @block: the binding the request came through
 * @cls: the request
 *
 * Idempotent: nf_flow_table re-sends REPLACE for installed flows whose
 * packets still reach the CPU. An identical entry is a no-op, a changed one
 * is rewritten in place, keeping its counter record.
 *
 * Return: 0, -EOPNOTSUPP (refused, reason in extack), -ENOSPC (table full)
 * or another negative errno.
 */
int openppe_flow_replace(struct openppe *ppe, struct openppe_block *block,
			 struct flow_cls_offload *cls)
{
	struct netlink_ext_ack *extack = cls->common.extack;
	enum openppe_refusal why = OPENPPE_REFUSE_UNSUPPORTED;
	struct openppe_flow *flow;
	struct openppe_hw_entry e;
	int ret, parsed;

	atomic64_inc(&ppe->cnt.replace_calls);
	parsed = openppe_flow_parse(ppe, flow_cls_offload_flow_rule(cls), &e,
				    &why, extack);

	flow = openppe_flow_get(ppe, cls->cookie);
	if (flow) {
		openppe_flow_lock(ppe, flow);
		if (flow->unlinked) {
			ret = -EAGAIN;
		} else if (parsed) {
			/* no longer offloadable: the old entry is stale */
			openppe_flow_unlink(ppe, flow, NULL);
			ret = parsed;
		} else {
			ret = openppe_flow_update(ppe, flow, &e);
			if (ret) {
				why = openppe_insert_why(ret);
				openppe_flow_unlink(ppe, flow, NULL);
			}
		}
		openppe_flow_unlock(ppe, flow);
		openppe_flow_put(flow);
		if (ret != -EAGAIN)
			goto out;
	}

	if (parsed) {
		ret = parsed;
	} else if (openppe_backoff_check(ppe, cls->cookie)) {
		/* no room for it a moment ago: answer without any work */
		atomic64_inc(&ppe->cnt.backoff_refusals);
		why = OPENPPE_REFUSE_TABLE_FULL;
		ret = -ENOSPC;
	} else {
		ret = openppe_flow_add(ppe, block, cls->cookie, &e, &why);
		openppe_backoff_note(ppe, cls->cookie, ret);
	}
out:
	if (ret) {
		openppe_refuse_count(ppe, why);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(extack, "flow table full");
	}
	trace_openppe_replace(ppe, cls->cookie, ret ? NULL : &e, ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flow_replace);

/**
 * openppe_entry_tuple() - an entry's key as protocol, addresses and ports
 * @e: the entry, or NULL for all zeroes
 * @proto: IP protocol
 * @src: 16 bytes: the source address; IPv4 as an IPv4-mapped IPv6 address
 * @dst: 16 bytes: the destination address, likewise
 * @sport: source port
 * @dport: destination port
 */
void openppe_entry_tuple(const struct openppe_hw_entry *e, u8 *proto,
			 u8 *src, u8 *dst, u16 *sport, u16 *dport)
{
	u32 meta;
	int i;

	memset(src, 0, 16);
	memset(dst, 0, 16);
	*proto = 0;
	*sport = 0;
	*dport = 0;
	if (!e)
		return;
	meta = openppe_w(e, OPENPPE_W_KEY_META);
	*proto = FIELD_GET(OPENPPE_KEY_META_PROTO, meta);
	*sport = le32_get_bits(e->w[OPENPPE_W_KEY_PORTS], OPENPPE_PORTS_SPORT);
	*dport = le32_get_bits(e->w[OPENPPE_W_KEY_PORTS], OPENPPE_PORTS_DPORT);
	if (FIELD_GET(OPENPPE_KEY_META_IPV6, meta)) {
		for (i = 0; i < 4; i++) {
			put_unaligned_be32(openppe_w(e, OPENPPE_W_KEY_SIP + i),
					   src + 4 * i);
			put_unaligned_be32(openppe_w(e, OPENPPE_W_KEY_DIP + i),
					   dst + 4 * i);
		}
		return;
	}
	src[10] = 0xff;
	src[11] = 0xff;
	dst[10] = 0xff;
	dst[11] = 0xff;
	put_unaligned_be32(openppe_w(e, OPENPPE_W_KEY_SIP), src + 12);
	put_unaligned_be32(openppe_w(e, OPENPPE_W_KEY_DIP), dst + 12);
}

/**
 * openppe_flow_destroy() - FLOW_CLS_DESTROY for one flow direction
 * @ppe: the PPE, life_lock read-held and alive
 * @cls: the request
 *
 * When this returns, the engine no longer forwards the flow.
 *
 * Return: 0, or -ENOENT for a cookie that is not installed.
 */
int openppe_flow_destroy(struct openppe *ppe, struct flow_cls_offload *cls)
{
	/* what the trace reports is read only while it is on */
	bool traced = trace_openppe_destroy_enabled();
	struct openppe_flow_end end;
	struct openppe_flow *flow;
	int ret;

	atomic64_inc(&ppe->cnt.destroy_calls);
	/* the cookie's flow is gone: its address may name a new one soon */
	openppe_backoff_note(ppe, cls->cookie, 0);
	flow = openppe_flow_get(ppe, cls->cookie);
	if (!flow) {
		ret = -ENOENT;
		trace_openppe_destroy(ppe, cls->cookie, NULL, 0, 0, 0, ret);
		return ret;
	}
	openppe_flow_lock(ppe, flow);
	if (flow->unlinked) {
		ret = -ENOENT;
		trace_openppe_destroy(ppe, cls->cookie, NULL, 0, 0, 0, ret);
	} else {
		ret = openppe_flow_unlink(ppe, flow, traced ? &end : NULL);
		if (traced)
			trace_openppe_destroy(ppe, cls->cookie, &end.e,
					      end.packets, end.bytes,
					      end.packets - flow->last_packets,
					      ret);
	}
	openppe_flow_unlock(ppe, flow);
	openppe_flow_put(flow);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flow_destroy);

/* the flows openppe_flows_flush*() remove */
struct openppe_flow_sel {
	const struct openppe_block *block;	/* bound through it, or NULL */
	int hw_port;		/* entering or leaving this port, or -1 */
	int swport;		/* through this DSA user port of @hw_port, or -1 */
};

/* @swport: only flows through this DSA user port of @hw_port, or -1 */
static bool openppe_flow_match(const struct openppe_flow *flow,
			       const struct openppe_block *block, int hw_port,
			       int swport)
{
	bool in_match, eg_match;

	if (block && flow->block != block)
		return false;
	if (hw_port < 0)
		return true;
	in_match = READ_ONCE(flow->in_port) == hw_port;
	eg_match = READ_ONCE(flow->out_port) == hw_port;
	/* an untagged side has OPENPPE_SW_NONE, no user port's number */
	if (swport >= 0) {
		in_match = in_match && READ_ONCE(flow->in_sw) == swport;
		eg_match = eg_match && READ_ONCE(flow->out_sw) == swport;
	}
	return in_match || eg_match;
}

#define OPENPPE_FLUSH_BATCH	64
/* chain positions (flows and chain ends) looked at per RCU section */
#define OPENPPE_FLUSH_SCAN	1024

static bool openppe_flow_selected(const struct openppe_flow *flow,
				  const void *arg)
{
	const struct openppe_flow_sel *sel = arg;

	return openppe_flow_match(flow, sel->block, sel->hw_port, sel->swport);
}

static bool openppe_flow_unlink_act(struct openppe *ppe,
				    struct openppe_flow *flow)
{
	openppe_flow_unlink(ppe, flow, NULL);
	return true;
}

/* a walk's callbacks: which flows, and what to do with each, under its
 * lock, unless it is unlinked (true: it did something)
 */
struct openppe_walk {
	bool (*select)(const struct openppe_flow *flow, const void *arg);
	bool (*act)(struct openppe *ppe, struct openppe_flow *flow);
	const void *arg;
};

/* One pass over the cookie table, resumed after each batch (the walk may
 * sleep between its RCU sections) at the position it had in its chain, so
 * a chain changed meanwhile may have a flow skipped. Return: flows acted
 * on.
 */
static unsigned int openppe_flows_walk_pass(struct openppe *ppe,
					    const struct openppe_walk *w)
{
	u32 chain = 0, pos = 0, nchains = 1U << ppe->cookie_bits;
	struct openppe_flow *batch[OPENPPE_FLUSH_BATCH];
	unsigned int scanned, done_n = 0, k;
	struct openppe_flow *flow;
	int n, i;

	while (chain < nchains) {
		n = 0;
		scanned = 0;
		rcu_read_lock();
		while (chain < nchains && n < OPENPPE_FLUSH_BATCH &&
		       scanned++ < OPENPPE_FLUSH_SCAN) {
			/* the flow after the first @pos of the chain */
			flow = rcu_dereference(ppe->cookies[chain]);
			for (k = 0; flow && k < pos; k++)
				flow = rcu_dereference(flow->next);
			if (!flow) {
				chain++;
				pos = 0;
				continue;
			}
			pos++;
			if (w->select(flow, w->arg) &&
			    refcount_inc_not_zero(&flow->ref))
				batch[n++] = flow;
		}
		rcu_read_unlock();

		for (i = 0; i < n; i++) {
			openppe_flow_lock(ppe, batch[i]);
			if (!batch[i]->unlinked && w->act(ppe, batch[i]))
				done_n++;
			openppe_flow_unlock(ppe, batch[i]);
			openppe_flow_put(batch[i]);
		}
		cond_resched();
	}
	return done_n;
}

/**
 * openppe_flows_flush() - remove flows from the engine
 * @ppe: the PPE, life_lock read-held (or dead set by the caller itself)
 * @block: only flows bound through this binding, or NULL for all
 * @hw_port: only flows entering or leaving this port, or -1 for all
 *
 * A resumed walk can miss entries of a bucket changed while it slept, so
 * passes repeat until one removes nothing: O(flows) work in all, the CPU
 * yielded between batches (a flowtable of 64K flows goes in one pass plus a
 * check, not in flows / batch walks from the start).
 */
void openppe_flows_flush(struct openppe *ppe, struct openppe_block *block,
			 int hw_port)
{
	struct openppe_flow_sel sel = {
		.block = block, .hw_port = hw_port, .swport = -1,
	};
	struct openppe_walk w = {
		.select = openppe_flow_selected, .act = openppe_flow_unlink_act,
		.arg = &sel,
	};

	while (openppe_flows_walk_pass(ppe, &w))
		;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flows_flush);

/**
 * openppe_flows_flush_swport() - remove the flows of one DSA user port
 * @ppe: the PPE, life_lock read-held
 * @hw_port: the engine port of the user port's conduit
 * @swport: the user port's number on its switch
 *
 * Removes every flow entering or leaving through that user port (the
 * port is going away), as openppe_flows_flush() does for a whole port.
 */
void openppe_flows_flush_swport(struct openppe *ppe, int hw_port,
				unsigned int swport)
{
	struct openppe_flow_sel sel = { .hw_port = hw_port, .swport = swport };
	struct openppe_walk w = {
		.select = openppe_flow_selected, .act = openppe_flow_unlink_act,
		.arg = &sel,
	};

	while (openppe_flows_walk_pass(ppe, &w))
		;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flows_flush_swport);

/* Next hops. nf_flow_table (6.1 to 7.3) writes a flow's destination MAC
 * address into the rule it offers once, from the neighbour entry of the
 * moment, and offers a bound flow again only when its packets reach the CPU,
 * which they no longer do. When that neighbour's address changes (a host or
 * gateway replaced, a failover), nf_flow_table's software path sends to the
 * new address (neigh_xmit()), while the engine would go on sending to the
 * old one for as long as the flow lives. So the driver notes, when it
 * writes an entry, which neighbour has the entry's destination address
 * (openppe_flow_nexthop_note()), and after every neighbour update rewrites
 * the entries whose neighbour now has a different valid address.
 */

struct openppe_nh_find {
	struct net *net;
	const u8 *mac;
	struct openppe_nexthop *nh;
};

/* neigh_for_each() callback, its table's lock held: the first valid
 * neighbour in the flow's namespace with the flow's destination address
 */
static void openppe_nh_find_one(struct neighbour *n, void *arg)
{
	struct openppe_nh_find *f = arg;
	u8 ha[ETH_ALEN];

	if (f->nh->ifindex || !net_eq(dev_net(n->dev), f->net) ||
	    n->dev->addr_len != ETH_ALEN ||
	    !(READ_ONCE(n->nud_state) & NUD_VALID))
		return;
	neigh_ha_snapshot(ha, n, n->dev);
	if (!ether_addr_equal(ha, f->mac))
		return;
	write_pnet(&f->nh->net, f->net);
	f->nh->ifindex = n->dev->ifindex;
	memcpy(f->nh->key, n->primary_key, n->tbl->key_len);
}

static void openppe_entry_dmac(const struct openppe_hw_entry *e, u8 *mac)
{
	put_unaligned_be16(openppe_w(e, OPENPPE_W_DMAC_HI), mac);
	put_unaligned_be32(openppe_w(e, OPENPPE_W_DMAC_LO), mac + 2);
}

/* Note @flow's next hop: the neighbour whose address its entry @e sends
 * to. A PPPoE entry sends to the session's peer, no neighbour.
 */
static void openppe_flow_nexthop_note(struct openppe *ppe,
				      struct openppe_flow *flow,
				      const struct openppe_hw_entry *e)
{
	struct openppe_nh_find f = { .nh = &flow->nh };
	struct net_device *dev;
	u8 mac[ETH_ALEN];
	u32 ep;

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	memset(&flow->nh, 0, sizeof(flow->nh));
	if (le32_get_bits(e->w[OPENPPE_W_EGRESS], OPENPPE_EGRESS_PPPOE))
		return;
	ep = le32_get_bits(e->w[OPENPPE_W_EGRESS], OPENPPE_EGRESS_EPORT);
	rcu_read_lock();
	dev = rcu_dereference(ppe->ports[ep].netdev);
	f.net = dev ? dev_net(dev) : NULL;
	rcu_read_unlock();
	if (!f.net)
		return;
	openppe_entry_dmac(e, mac);
	f.mac = mac;
	flow->nh.ipv6 = le32_get_bits(e->w[OPENPPE_W_KEY_META],
				      OPENPPE_KEY_META_IPV6);
#if IS_REACHABLE(CONFIG_IPV6)
	if (flow->nh.ipv6) {
		neigh_for_each(&nd_tbl, openppe_nh_find_one, &f);
		return;
	}
#endif
	if (!flow->nh.ipv6)
		neigh_for_each(&arp_tbl, openppe_nh_find_one, &f);
}

/**
 * openppe_flow_nexthop_moved() - follow a new address of a flow's next hop
 * @ppe: the PPE
 * @flow: an installed flow, its lock held
 * @ha: the next hop's address now
 *
 * Rewrites the entry, read back from its slot, in place (same slot, same
 * counter record) if its destination address is not @ha.
 *
 * Return: whether it was rewritten.
 */
VISIBLE_IF_KUNIT bool openppe_flow_nexthop_moved(struct openppe *ppe,
						 struct openppe_flow *flow,
						 const u8 *ha)
{
	struct openppe_hw_entry e;
	u8 mac[ETH_ALEN];

	lockdep_assert_held(openppe_flow_mutex(ppe, flow));

	if (openppe_table_read(ppe, flow, &e))
		return false;
	openppe_entry_dmac(&e, mac);
	if (ether_addr_equal(mac, ha))
		return false;
	e.w[OPENPPE_W_DMAC_HI] = cpu_to_le32(openppe_mac_hi(ha));
	e.w[OPENPPE_W_DMAC_LO] = cpu_to_le32(openppe_mac_lo(ha));
	if (openppe_table_rewrite(ppe, flow, &e)) {
		/* the cache's state is unknown: the engine is off until the
		 * recovery; the entry in memory is the new one
		 */
		return false;
	}
	atomic64_inc(&ppe->cnt.nexthop_updates);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_flow_nexthop_moved);

static bool openppe_flow_has_nexthop(const struct openppe_flow *flow,
				     const void *arg)
{
	return READ_ONCE(flow->nh.ifindex);
}

/* the flow's neighbour now: rewrite its entry if the address changed */
static bool openppe_flow_nexthop_check(struct openppe *ppe,
				       struct openppe_flow *flow)
{
	struct neigh_table *tbl = &arp_tbl;
	struct net_device *dev;
	struct neighbour *n;
	u8 ha[ETH_ALEN];
	bool valid;

#if IS_REACHABLE(CONFIG_IPV6)
	if (flow->nh.ipv6)
		tbl = &nd_tbl;
#endif
	if (!flow->nh.ifindex || (flow->nh.ipv6 && tbl == &arp_tbl))
		return false;
	dev = dev_get_by_index(read_pnet(&flow->nh.net), flow->nh.ifindex);
	if (!dev)
		return false;
	n = neigh_lookup(tbl, flow->nh.key, dev);
	dev_put(dev);
	if (!n)
		return false;
	valid = READ_ONCE(n->nud_state) & NUD_VALID;
	if (valid)
		neigh_ha_snapshot(ha, n, n->dev);
	neigh_release(n);
	/* gone or unresolved: the old address may come back; keep it */
	return valid && openppe_flow_nexthop_moved(ppe, flow, ha);
}

static void openppe_nexthops_work(struct work_struct *work)
{
	struct openppe *ppe = container_of(work, struct openppe, neigh_work);
	struct openppe_walk w = {
		.select = openppe_flow_has_nexthop,
		.act = openppe_flow_nexthop_check,
	};

	down_read(&ppe->life_lock);
	if (!ppe->dead)
		openppe_flows_walk_pass(ppe, &w);
	up_read(&ppe->life_lock);
}

/* atomic context (neigh_update()): the check runs from a work item. Only
 * a neighbour with a valid address can give an entry a new one.
 */
static int openppe_netevent(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct openppe *ppe = container_of(nb, struct openppe, netevent_nb);
	struct neighbour *n = ptr;

	if (event == NETEVENT_NEIGH_UPDATE &&
	    (READ_ONCE(n->nud_state) & NUD_VALID) &&
	    atomic_read(&ppe->entries_used))
		schedule_work(&ppe->neigh_work);
	return NOTIFY_DONE;
}

/**
 * openppe_nexthops_watch() - follow neighbour updates
 * @ppe: the PPE being probed
 *
 * Return: 0 or a negative errno.
 */
int openppe_nexthops_watch(struct openppe *ppe)
{
	INIT_WORK(&ppe->neigh_work, openppe_nexthops_work);
	ppe->netevent_nb.notifier_call = openppe_netevent;
	return register_netevent_notifier(&ppe->netevent_nb);
}

/**
 * openppe_nexthops_unwatch() - undo openppe_nexthops_watch()
 * @ppe: the PPE; on return no check runs or is queued
 */
void openppe_nexthops_unwatch(struct openppe *ppe)
{
	unregister_netevent_notifier(&ppe->netevent_nb);
	cancel_work_sync(&ppe->neigh_work);
}

static int openppe_block_cb(enum tc_setup_type type, void *type_data,
			    void *cb_priv)
{
	struct openppe_block *block = cb_priv;
	struct flow_cls_offload *cls = type_data;
	struct openppe *ppe = block->ppe;
	int ret;

	if (type != TC_SETUP_CLSFLOWER)
		return -EOPNOTSUPP;

	down_read(&ppe->life_lock);
	if (ppe->dead) {
		ret = cls->command == FLOW_CLS_DESTROY ? 0 : -EOPNOTSUPP;
		goto out_unlock;
	}
	switch (cls->command) {
	case FLOW_CLS_REPLACE:
		ret = openppe_flow_replace(ppe, block, cls);
		break;
	case FLOW_CLS_DESTROY:
		ret = openppe_flow_destroy(ppe, cls);
		break;
	case FLOW_CLS_STATS:
		ret = openppe_flow_stats(ppe, cls);
		break;
	default:
		ret = -EOPNOTSUPP;
	}
out_unlock:
	up_read(&ppe->life_lock);
	return ret;
}

/* The flowtable dropped its last port of this PPE: its flows go too. */
static void openppe_block_release(void *cb_priv)
{
	struct openppe_block *block = cb_priv;
	struct openppe *ppe = block->ppe;

	down_read(&ppe->life_lock);
	if (!ppe->dead)
		openppe_flows_flush(ppe, block, -1);
	up_read(&ppe->life_lock);
	kfree(block);
	openppe_put(ppe);
}

/**
 * openppe_block_setup() - FLOW_BLOCK_BIND/UNBIND of a flowtable on a port
 * @ppe: the PPE
 * @dev: the port's netdev
 * @bo: the request
 *
 * All ports of one PPE in one flowtable share a single flow_block_cb, so each
 * flow is offered to the PPE once. The binding holds a reference on @ppe; its
 * flows are flushed when the last port unbinds.
 *
 * Return: 0 or a negative errno.
 */
int openppe_block_setup(struct openppe *ppe, struct net_device *dev,
			struct flow_block_offload *bo)
{
	struct flow_block_cb *block_cb;
	struct openppe_block *block;
	int ret = 0;

	if (bo->binder_type != FLOW_BLOCK_BINDER_TYPE_CLSACT_INGRESS)
		return -EOPNOTSUPP;

	switch (bo->command) {
	case FLOW_BLOCK_BIND:
		down_read(&ppe->life_lock);
		if (ppe->dead) {
			ret = -ENODEV;
			goto out_unlock;
		}
		ret = openppe_port_by_dev(ppe, dev);
		if (ret < 0) {
			NL_SET_ERR_MSG_MOD(bo->extack,
					   "device is not attached to this engine");
			ret = -EOPNOTSUPP;
			goto out_unlock;
		}
		ret = 0;
		block_cb = flow_block_cb_lookup(bo->block, openppe_block_cb,
						ppe);
		if (block_cb) {
			flow_block_cb_incref(block_cb);
			goto out_unlock;
		}
		block = kzalloc(sizeof(*block), GFP_KERNEL);
		if (!block) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		block->ppe = ppe;
		kref_get(&ppe->ref);
		block_cb = flow_block_cb_alloc(openppe_block_cb, ppe, block,
					       openppe_block_release);
		if (IS_ERR(block_cb)) {
			ret = PTR_ERR(block_cb);
			kfree(block);
			openppe_put(ppe);
			goto out_unlock;
		}
		flow_block_cb_incref(block_cb);
		flow_block_cb_add(block_cb, bo);
out_unlock:
		up_read(&ppe->life_lock);
		return ret;
	case FLOW_BLOCK_UNBIND:
		/* allowed on a dead PPE: it drops the binding's reference */
		block_cb = flow_block_cb_lookup(bo->block, openppe_block_cb, ppe);
		if (!block_cb)
			return -ENOENT;
		if (!flow_block_cb_decref(block_cb)) {
			/* the last port: the release callback flushes */
			flow_block_cb_remove(block_cb, bo);
			return 0;
		}
		/* The flowtable keeps other ports but no longer sees this
		 * one's packets: nothing would refresh or tear down the flows
		 * through it, while STATS of their engine hits kept them
		 * alive. They leave the engine now.
		 */
		block = flow_block_cb_priv(block_cb);
		down_read(&ppe->life_lock);
		ret = ppe->dead ? -ENODEV : openppe_port_by_dev(ppe, dev);
		if (ret >= 0)
			openppe_flows_flush(ppe, block, ret);
		up_read(&ppe->life_lock);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
EXPORT_SYMBOL_IF_KUNIT(openppe_block_setup);
