// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: an Ethernet switch behind a conduit port, registered with DSA */

#include <linux/bitfield.h>
#include <linux/etherdevice.h>
#include <linux/if_bridge.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/of.h>
#include <linux/of_net.h>
#include <linux/phylink.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <net/dsa.h>

#include "ppesim.h"
#include "ppesim_compat.h"

/* The MediaTek tag (docs/hardware.md 8.1, 8.2) names ports 0..5 on transmit
 * and 0..7 on receive; a CPU port may be 6 as on MT7530.
 */
#define PPESIM_SW_PORTS		7
#define PPESIM_SW_NAME		"openppe_sim_switch"

/* transmit tag byte 0: how the tag relates to an 802.1Q tag (8.2) */
#define PPESIM_SW_TX_UNTAGGED	0
#define PPESIM_SW_TX_TPID_8100	1
#define PPESIM_SW_TX_TPID_88A8	2

/* the switch's address table: a direct-mapped table of learnt (MAC, VID) */
#define PPESIM_SW_FDB_BITS	6

/* ethtool -S of a user port: frames from its wire that the engine forwarded,
 * frames the engine forwarded to it (bytes as on the user port's cable),
 * frames from its wire that the engine dropped, frames from its wire that
 * its VLAN table dropped (hardware.md 8.4)
 */
enum ppesim_sw_stat {
	PPESIM_SW_FWD_RX_PACKETS,
	PPESIM_SW_FWD_RX_BYTES,
	PPESIM_SW_FWD_TX_PACKETS,
	PPESIM_SW_FWD_TX_BYTES,
	PPESIM_SW_FWD_DROPS,
	PPESIM_SW_VLAN_DROPS,
	PPESIM_SW_NSTATS,
};

static const char ppesim_sw_stat_names[PPESIM_SW_NSTATS][ETH_GSTRING_LEN] = {
	"fwd_rx_packets", "fwd_rx_bytes", "fwd_tx_packets", "fwd_tx_bytes",
	"fwd_drops", "vlan_drops",
};

/**
 * struct ppesim_swport - a user port of the switch and the far end of its cable
 * @sw: the switch
 * @index: switch port number (the number in the tag)
 * @wire: wire peer (<label>-wire), NULL for ports without a user netdev
 * @mtu: the port's MTU (DSA's port_change_mtu): the largest frame it sends
 *	to its wire, counted without the Ethernet header and 802.1Q/802.1ad
 *	tags; larger frames are dropped, as a switch drops frames over its
 *	maximum frame length
 * @cnt: the port's MIB counters of engine-forwarded frames (ethtool -S of
 *	the user port), by &enum ppesim_sw_stat
 * @punts: frames that came in on this port and that the engine handed to
 *	the CPU, by &enum ppesim_punt: the engine's per-port punt counters,
 *	split by the source port of the tag (ethtool -S of the user port, as
 *	on a port of the engine itself)
 * @bridge: the bridge the port forwards for in hardware (DSA's
 *	port_bridge_join), an identity only, never dereferenced; NULL when
 *	standalone. Written under RTNL, read with READ_ONCE() by the datapath
 * @vlan: the port's VLAN table (written under RTNL by the DSA ops)
 */
struct ppesim_swport {
	struct ppesim_switch *sw;
	unsigned int index;
	struct net_device *wire;
	unsigned int mtu;
	atomic64_t cnt[PPESIM_SW_NSTATS];
	atomic64_t punts[PUNT_NUM];
	const struct net_device *bridge;
	struct ppesim_sw_vlan vlan;
};

/**
 * struct ppesim_sw_fdb - a learnt address of the switch
 * @addr: the source MAC address of a frame
 * @vid: its VLAN (0 on a port that does not filter)
 * @port: the switch port it came in on (the CPU port: from the CPU/engine)
 * @valid: the slot holds an address
 */
struct ppesim_sw_fdb {
	u8 addr[ETH_ALEN];
	u16 vid;
	u8 port;
	bool valid;
};

/**
 * struct ppesim_switch - the switch model
 * @ds: the switch as DSA knows it (ds.priv points back here)
 * @dev: the switch's platform device (child of the emulator instance)
 * @conduit: the engine port wired to the switch's CPU port
 * @cpu: the CPU port's number
 * @ports: switch ports by number
 * @fdb_lock: protects @fdb (taken in the datapath, BHs off)
 * @fdb: the address table, by a hash of MAC and VID
 *
 * Frames from a user port's wire get the receive tag naming that port and
 * enter the engine on @conduit; frames the engine (or the CPU through the
 * conduit netdev) sends to the switch carry the transmit tag naming the user
 * port they leave on. The datapath finds the switch through
 * &ppesim_port.sw of @conduit (RCU), which is set only while @ports' wires
 * exist.
 */
struct ppesim_switch {
	struct dsa_switch ds;
	struct device *dev;
	struct ppesim_port *conduit;
	unsigned int cpu;
	struct ppesim_swport ports[PPESIM_SW_PORTS];
	spinlock_t fdb_lock;	/* protects @fdb */
	struct ppesim_sw_fdb fdb[1 << PPESIM_SW_FDB_BITS];
};

static struct ppesim_swport *ppesim_sw_wire_port(struct net_device *dev)
{
	return *(struct ppesim_swport **)netdev_priv(dev);
}

/* bytes of @skb after its Ethernet header and any 802.1Q/802.1ad tags */
static unsigned int ppesim_sw_l2_payload(const struct sk_buff *skb)
{
	unsigned int off = 2 * ETH_ALEN;
	__be16 proto;

	while (off + 2 <= skb->len) {
		proto = *(__be16 *)(skb->data + off);
		if (!eth_type_vlan(proto))
			return skb->len - off - 2;
		off += VLAN_HLEN;
	}
	return 0;
}

static struct ppesim_sw_fdb *ppesim_sw_fdb_slot(struct ppesim_switch *sw,
						const u8 *addr, u16 vid)
{
	u32 h = get_unaligned_be32(addr + 2) ^ (addr[1] << 16) ^ vid;

	return &sw->fdb[hash_32(h, PPESIM_SW_FDB_BITS)];
}

/* learn that @addr (a frame's source) in VLAN @vid is behind @port */
static void ppesim_sw_learn(struct ppesim_switch *sw, const u8 *addr, u16 vid,
			    unsigned int port)
{
	struct ppesim_sw_fdb *f;

	if (!is_valid_ether_addr(addr))
		return;
	spin_lock_bh(&sw->fdb_lock);
	f = ppesim_sw_fdb_slot(sw, addr, vid);
	ether_addr_copy(f->addr, addr);
	f->vid = vid;
	f->port = port;
	f->valid = true;
	spin_unlock_bh(&sw->fdb_lock);
}

/* the port behind @addr in VLAN @vid, or -1 when unknown (or multicast) */
static int ppesim_sw_fdb_port(struct ppesim_switch *sw, const u8 *addr,
			      u16 vid)
{
	struct ppesim_sw_fdb *f;
	int port = -1;

	if (!is_unicast_ether_addr(addr))
		return -1;
	spin_lock_bh(&sw->fdb_lock);
	f = ppesim_sw_fdb_slot(sw, addr, vid);
	if (f->valid && f->vid == vid && ether_addr_equal(f->addr, addr))
		port = f->port;
	spin_unlock_bh(&sw->fdb_lock);
	return port;
}

/* forget what was learnt on @port (it leaves its bridge) */
static void ppesim_sw_fdb_flush(struct ppesim_switch *sw, unsigned int port)
{
	unsigned int i;

	spin_lock_bh(&sw->fdb_lock);
	for (i = 0; i < ARRAY_SIZE(sw->fdb); i++)
		if (sw->fdb[i].port == port)
			sw->fdb[i].valid = false;
	spin_unlock_bh(&sw->fdb_lock);
}

/* insert an 802.1Q tag with @vid after the MACs (headroom checked) */
static void ppesim_sw_push_vlan(struct sk_buff *skb, u16 vid)
{
	skb_push(skb, VLAN_HLEN);
	memmove(skb->data, skb->data + VLAN_HLEN, 2 * ETH_ALEN);
	put_unaligned_be16(ETH_P_8021Q, skb->data + 2 * ETH_ALEN);
	put_unaligned_be16(vid, skb->data + ETH_HLEN);
}

/**
 * ppesim_sw_out() - a user port sends a frame to its cable
 * @sp: the port
 * @skb: the frame, from the destination MAC (no switch tag); consumed
 * @vid: set to the frame's VLAN (for learning)
 *
 * Applies the port's VLAN egress rules (hardware.md 8.4) and its MTU.
 *
 * Return: the length of the frame sent, 0 if it was dropped.
 */
static unsigned int ppesim_sw_out(struct ppesim_swport *sp,
				  struct sk_buff *skb, u16 *vid)
{
	unsigned int len;

	switch (ppesim_sw_vlan_out(&sp->vlan, skb->data, skb->len, vid)) {
	case PPESIM_SW_KEEP:
		break;
	case PPESIM_SW_POP:
		memmove(skb->data + VLAN_HLEN, skb->data, 2 * ETH_ALEN);
		skb_pull(skb, VLAN_HLEN);
		break;
	default:
		kfree_skb(skb);
		return 0;
	}
	if (ppesim_sw_l2_payload(skb) > READ_ONCE(sp->mtu)) {
		kfree_skb(skb);
		return 0;
	}
	len = skb->len;
	ppesim_deliver(sp->wire, skb);
	return len;
}

/* @q can take a frame @sp's bridge forwards in hardware */
static bool ppesim_sw_same_bridge(const struct ppesim_swport *sp,
				  const struct ppesim_swport *q)
{
	const struct net_device *br = READ_ONCE(sp->bridge);

	return q != sp && q->wire && br && READ_ONCE(q->bridge) == br;
}

/**
 * ppesim_sw_bridge_fwd() - hardware bridging of a frame from a user port
 * @sp: the port the frame came in on (a port of a bridge)
 * @skb: the frame, from the destination MAC, classified into @vid
 * @vid: its VLAN (0 when @sp does not filter)
 *
 * A destination learnt on another port of the bridge gets the frame alone;
 * an unknown or multicast one gets a copy on every other port of the
 * bridge. DSA marks the frames the CPU gets as forwarded already.
 *
 * Return: true if the frame goes on to the CPU port; false if it was
 * consumed.
 */
static bool ppesim_sw_bridge_fwd(struct ppesim_swport *sp, struct sk_buff *skb,
				 u16 vid)
{
	struct ppesim_switch *sw = sp->sw;
	struct sk_buff *copy;
	unsigned int p;
	u16 evid;
	int to;

	to = ppesim_sw_fdb_port(sw, skb->data, vid);
	if (to == sp->index) {
		kfree_skb(skb);	/* it is on the cable it came from */
		return false;
	}
	if (to >= 0 && to != sw->cpu &&
	    ppesim_sw_same_bridge(sp, &sw->ports[to])) {
		ppesim_sw_out(&sw->ports[to], skb, &evid);
		return false;
	}
	if (to < 0) {
		for (p = 0; p < PPESIM_SW_PORTS; p++) {
			if (!ppesim_sw_same_bridge(sp, &sw->ports[p]))
				continue;
			copy = skb_copy(skb, GFP_ATOMIC);
			if (copy)
				ppesim_sw_out(&sw->ports[p], copy, &evid);
		}
	}
	return true;
}

/**
 * ppesim_switch_from_cpu() - a frame from the engine enters the CPU port
 * @sw: the switch
 * @skb: the frame with the transmit tag after the source MAC; consumed
 * @fwd: the engine forwarded it (else the CPU sent it through the conduit)
 *
 * The switch strips the tag (or turns a combined tag back into the 802.1Q
 * header it stands for) and sends the frame out of the user port the tag
 * names. Runs with BHs off under RCU.
 */
void ppesim_switch_from_cpu(struct ppesim_switch *sw, struct sk_buff *skb,
			    bool fwd)
{
	struct ppesim_swport *sp = NULL;
	u8 *tag, src[ETH_ALEN];
	unsigned int p, len;
	u16 vid;

	if (skb->len < ETH_HLEN + MTK_TAG_LEN ||
	    skb_ensure_writable(skb, ETH_HLEN + MTK_TAG_LEN))
		goto drop;
	tag = skb->data + 2 * ETH_ALEN;
	for (p = 0; p <= MTK_TAG_PORT_MAX; p++) {
		if (tag[1] == BIT(p) && sw->ports[p].wire) {
			sp = &sw->ports[p];
			break;
		}
	}
	if (!sp)
		goto drop;

	switch (tag[0]) {
	case PPESIM_SW_TX_UNTAGGED:
		memmove(skb->data + MTK_TAG_LEN, skb->data, 2 * ETH_ALEN);
		skb_pull(skb, MTK_TAG_LEN);
		break;
	case PPESIM_SW_TX_TPID_8100:
		/* bytes 2..3 are the TCI: the tag is the 802.1Q header */
		put_unaligned_be16(ETH_P_8021Q, tag);
		break;
	case PPESIM_SW_TX_TPID_88A8:
		put_unaligned_be16(ETH_P_8021AD, tag);
		break;
	default:
		goto drop;
	}
	/* the CPU's addresses, for the hardware bridge (ppesim_sw_bridge_fwd) */
	ether_addr_copy(src, skb->data + ETH_ALEN);
	len = ppesim_sw_out(sp, skb, &vid);
	if (!len) {
		dev_core_stats_tx_dropped_inc(sw->conduit->cpu);
		return;
	}
	ppesim_sw_learn(sw, src, vid, sw->cpu);
	if (fwd) {
		atomic64_inc(&sp->cnt[PPESIM_SW_FWD_TX_PACKETS]);
		atomic64_add(len, &sp->cnt[PPESIM_SW_FWD_TX_BYTES]);
	}
	return;
drop:
	dev_core_stats_tx_dropped_inc(sw->conduit->cpu);
	kfree_skb(skb);
}

/* The far end sent a frame into a user port: the port classifies it into a
 * VLAN (when it filters), the hardware bridge forwards it (when the port is
 * in one), and tagged it goes to the engine.
 */
static netdev_tx_t ppesim_sw_wire_xmit(struct sk_buff *skb,
				       struct net_device *dev)
{
	struct ppesim_swport *sp = ppesim_sw_wire_port(dev);
	enum ppesim_sw_vact act;
	enum ppesim_punt punt;
	unsigned int len;
	u16 vid;
	u8 *tag;

	skb = ppesim_flatten(skb);
	if (!skb || skb->len < ETH_HLEN ||
	    skb_cow_head(skb, MTK_TAG_LEN + VLAN_HLEN)) {
		kfree_skb(skb);
		dev_core_stats_tx_dropped_inc(dev);
		return NETDEV_TX_OK;
	}
	dev_sw_netstats_tx_add(dev, 1, skb->len);
	len = skb->len;
	act = ppesim_sw_vlan_in(&sp->vlan, skb->data, skb->len, &vid);
	if (act == PPESIM_SW_DROP) {
		atomic64_inc(&sp->cnt[PPESIM_SW_VLAN_DROPS]);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	if (act == PPESIM_SW_PUSH)
		ppesim_sw_push_vlan(skb, vid);
	ppesim_sw_learn(sp->sw, skb->data + ETH_ALEN, vid, sp->index);
	if (READ_ONCE(sp->bridge) && !ppesim_sw_bridge_fwd(sp, skb, vid))
		return NETDEV_TX_OK;
	/* 8.1: the receive tag goes where the EtherType was */
	skb_push(skb, MTK_TAG_LEN);
	memmove(skb->data, skb->data + MTK_TAG_LEN, 2 * ETH_ALEN);
	tag = skb->data + 2 * ETH_ALEN;
	put_unaligned_be16(FIELD_PREP(MTK_TAG_RX_SRC_PORT, sp->index), tag);
	tag[2] = 0;
	tag[3] = 0;
	switch (ppesim_port_input(sp->sw->conduit, skb, &punt)) {
	case PPESIM_FORWARD:
		atomic64_inc(&sp->cnt[PPESIM_SW_FWD_RX_PACKETS]);
		atomic64_add(len, &sp->cnt[PPESIM_SW_FWD_RX_BYTES]);
		break;
	case PPESIM_TO_CPU:
		if (punt != PUNT_NONE)
			atomic64_inc(&sp->punts[punt]);
		break;
	case PPESIM_DROP:
		atomic64_inc(&sp->cnt[PPESIM_SW_FWD_DROPS]);
		break;
	}
	return NETDEV_TX_OK;
}

/* the user port's side of the cable is a fixed link: always there */
static int ppesim_sw_wire_open(struct net_device *dev)
{
	netif_carrier_on(dev);
	return 0;
}

static int ppesim_sw_wire_stop(struct net_device *dev)
{
	netif_carrier_off(dev);
	return 0;
}

static const struct net_device_ops ppesim_sw_wire_ops = {
	.ndo_init		= ppesim_ndo_init,
	.ndo_open		= ppesim_sw_wire_open,
	.ndo_stop		= ppesim_sw_wire_stop,
	.ndo_start_xmit		= ppesim_sw_wire_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static enum dsa_tag_protocol
ppesim_sw_get_tag_protocol(struct dsa_switch *ds, int port,
			   enum dsa_tag_protocol mprot)
{
	return DSA_TAG_PROTO_MTK;
}

static int ppesim_sw_setup(struct dsa_switch *ds)
{
	/* The CPU port is a tagged member of every VLAN: frames of a
	 * VLAN-aware bridge's port reach the CPU tagged, untagged ones with
	 * the port's PVID, and the tag stays on for the bridge to take
	 * (untag_vlan_aware_bridge_pvid is left clear where DSA has it):
	 * nf_flow_table keys such a flow's software path on that tag
	 * (DEV_PATH_BR_VLAN_UNTAG_HW), docs/design.md.
	 */
	return 0;
}

/* The port forwards for @bridge in hardware (ppesim_sw_bridge_fwd()). */
static int ppesim_sw_port_bridge_join(struct dsa_switch *ds, int port,
				      struct dsa_bridge bridge,
				      bool *tx_fwd_offload,
				      struct netlink_ext_ack *extack)
{
	struct ppesim_switch *sw = ds->priv;

	WRITE_ONCE(sw->ports[port].bridge, bridge.dev);
	return 0;
}

static void ppesim_sw_port_bridge_leave(struct dsa_switch *ds, int port,
					struct dsa_bridge bridge)
{
	struct ppesim_switch *sw = ds->priv;

	WRITE_ONCE(sw->ports[port].bridge, NULL);
	ppesim_sw_fdb_flush(sw, port);
}

static int ppesim_sw_port_vlan_filtering(struct dsa_switch *ds, int port,
					 bool vlan_filtering,
					 struct netlink_ext_ack *extack)
{
	struct ppesim_switch *sw = ds->priv;

	WRITE_ONCE(sw->ports[port].vlan.filtering, vlan_filtering);
	return 0;
}

/* The CPU port is a tagged member of every VLAN: only user ports keep a
 * table (hardware.md 8.4).
 */
static int ppesim_sw_port_vlan_add(struct dsa_switch *ds, int port,
				   const struct switchdev_obj_port_vlan *vlan,
				   struct netlink_ext_ack *extack)
{
	struct ppesim_sw_vlan *v = &((struct ppesim_switch *)ds->priv)->ports[port].vlan;

	if (!dsa_is_user_port(ds, port))
		return 0;
	if (vlan->flags & BRIDGE_VLAN_INFO_UNTAGGED)
		set_bit(vlan->vid, v->untagged);
	else
		clear_bit(vlan->vid, v->untagged);
	set_bit(vlan->vid, v->member);
	if (vlan->flags & BRIDGE_VLAN_INFO_PVID)
		WRITE_ONCE(v->pvid, vlan->vid);
	else if (READ_ONCE(v->pvid) == vlan->vid)
		WRITE_ONCE(v->pvid, 0);
	return 0;
}

static int ppesim_sw_port_vlan_del(struct dsa_switch *ds, int port,
				   const struct switchdev_obj_port_vlan *vlan)
{
	struct ppesim_sw_vlan *v = &((struct ppesim_switch *)ds->priv)->ports[port].vlan;

	if (!dsa_is_user_port(ds, port))
		return 0;
	clear_bit(vlan->vid, v->member);
	clear_bit(vlan->vid, v->untagged);
	if (READ_ONCE(v->pvid) == vlan->vid)
		WRITE_ONCE(v->pvid, 0);
	return 0;
}

/* DSA sets a user port's MTU and, to the largest of them, the CPU port's */
static int ppesim_sw_port_change_mtu(struct dsa_switch *ds, int port,
				     int new_mtu)
{
	struct ppesim_switch *sw = ds->priv;

	WRITE_ONCE(sw->ports[port].mtu, new_mtu);
	return 0;
}

/* the wires are standard Ethernet: frames of up to 1500 bytes of payload */
static int ppesim_sw_port_max_mtu(struct dsa_switch *ds, int port)
{
	return ETH_DATA_LEN;
}

static void ppesim_sw_phylink_get_caps(struct dsa_switch *ds, int port,
				       struct phylink_config *config)
{
	__set_bit(PHY_INTERFACE_MODE_INTERNAL, config->supported_interfaces);
	config->mac_capabilities = MAC_10 | MAC_100 | MAC_1000FD;
}

static int ppesim_sw_get_sset_count(struct dsa_switch *ds, int port, int sset)
{
	struct ppesim_switch *sw = ds->priv;

	if (sset != ETH_SS_STATS || !sw->ports[port].wire)
		return 0;
	return ARRAY_SIZE(ppesim_sw_stat_names) + PUNT_NUM - 1;
}

static void ppesim_sw_get_strings(struct dsa_switch *ds, int port,
				  u32 stringset, u8 *data)
{
	unsigned int i;

	if (ppesim_sw_get_sset_count(ds, port, stringset) <= 0)
		return;
	for (i = 0; i < ARRAY_SIZE(ppesim_sw_stat_names); i++)
		ppesim_ethtool_puts(&data, ppesim_sw_stat_names[i]);
	for (i = 1; i < PUNT_NUM; i++)
		ethtool_sprintf(&data, "punt_%s", ppesim_punt_name(i));
}

static void ppesim_sw_get_ethtool_stats(struct dsa_switch *ds, int port,
					u64 *data)
{
	struct ppesim_switch *sw = ds->priv;
	unsigned int i;

	if (ppesim_sw_get_sset_count(ds, port, ETH_SS_STATS) <= 0)
		return;
	for (i = 0; i < ARRAY_SIZE(ppesim_sw_stat_names); i++)
		*data++ = atomic64_read(&sw->ports[port].cnt[i]);
	for (i = 1; i < PUNT_NUM; i++)
		*data++ = atomic64_read(&sw->ports[port].punts[i]);
}

static const struct dsa_switch_ops ppesim_sw_ops = {
	.get_tag_protocol	= ppesim_sw_get_tag_protocol,
	.setup			= ppesim_sw_setup,
	.phylink_get_caps	= ppesim_sw_phylink_get_caps,
	.port_change_mtu	= ppesim_sw_port_change_mtu,
	.port_max_mtu		= ppesim_sw_port_max_mtu,
	.port_bridge_join	= ppesim_sw_port_bridge_join,
	.port_bridge_leave	= ppesim_sw_port_bridge_leave,
	.port_vlan_filtering	= ppesim_sw_port_vlan_filtering,
	.port_vlan_add		= ppesim_sw_port_vlan_add,
	.port_vlan_del		= ppesim_sw_port_vlan_del,
	.get_sset_count		= ppesim_sw_get_sset_count,
	.get_strings		= ppesim_sw_get_strings,
	.get_ethtool_stats	= ppesim_sw_get_ethtool_stats,
};

/**
 * ppesim_switch_vlans_show() - debugfs switch_vlans of the switch
 * @sw: the switch (caller in an RCU read-side section, @sw from the conduit)
 * @m: where to print: per user port, VLAN filtering, PVID and the VLANs it
 *	is a member of ("u": sent untagged)
 */
void ppesim_switch_vlans_show(struct ppesim_switch *sw, struct seq_file *m)
{
	struct ppesim_sw_vlan *v;
	unsigned int p, vid;

	for (p = 0; p < PPESIM_SW_PORTS; p++) {
		if (!sw->ports[p].wire)
			continue;
		v = &sw->ports[p].vlan;
		seq_printf(m, "%s filtering %d pvid %u vlans",
			   sw->ports[p].wire->name, READ_ONCE(v->filtering),
			   READ_ONCE(v->pvid));
		for_each_set_bit(vid, v->member, VLAN_N_VID)
			seq_printf(m, " %u%s", vid,
				   test_bit(vid, v->untagged) ? "u" : "");
		seq_putc(m, '\n');
	}
}

/* the engine port whose CPU-side netdev is the conduit @np names */
static struct ppesim_port *ppesim_sw_find_conduit(struct ppesim *sim,
						  struct fwnode_handle *np)
{
	unsigned int p;

	for (p = 0; p < PORT_MAX; p++)
		if (sim->ports[p] && !sim->ports[p]->wire &&
		    sim->cfg.port_fwnode[p] == np)
			return sim->ports[p];
	return NULL;
}

static struct net_device *ppesim_sw_wire_alloc(struct ppesim_swport *sp,
					       const char *label)
{
	char name[IFNAMSIZ];
	struct net_device *dev;

	if (snprintf(name, sizeof(name), "%s-wire", label) >= sizeof(name))
		return ERR_PTR(-ENAMETOOLONG);
	dev = alloc_netdev(sizeof(sp), name, NET_NAME_USER, ether_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	*(struct ppesim_swport **)netdev_priv(dev) = sp;
	dev->netdev_ops = &ppesim_sw_wire_ops;
	ppesim_ndev_setup(dev, sp->sw->dev, sp->index, ETH_DATA_LEN);
	return dev;
}

/* Unregister and free the wire peers (none may be in use any more). */
static void ppesim_sw_wires_destroy(struct ppesim_switch *sw)
{
	struct ppesim_swport *sp;
	LIST_HEAD(kill);
	unsigned int p;

	rtnl_lock();
	for (p = 0; p < PPESIM_SW_PORTS; p++) {
		sp = &sw->ports[p];
		if (sp->wire && sp->wire->reg_state == NETREG_REGISTERED)
			unregister_netdevice_queue(sp->wire, &kill);
	}
	unregister_netdevice_many(&kill);
	rtnl_unlock();
	for (p = 0; p < PPESIM_SW_PORTS; p++) {
		sp = &sw->ports[p];
		if (sp->wire)
			free_netdev(sp->wire);
		sp->wire = NULL;
	}
}

/* The "ethernet-ports" node: wires for the user ports, the conduit. */
static int ppesim_sw_parse(struct ppesim_switch *sw, struct ppesim *sim)
{
	struct fwnode_handle *ports, *child, *eth;
	struct device *dev = sw->dev;
	struct net_device *wire;
	const char *label;
	int err = 0;
	u32 reg;

	ports = device_get_named_child_node(dev, "ethernet-ports");
	if (!ports)
		return dev_err_probe(dev, -EINVAL, "no ethernet-ports node\n");
	fwnode_for_each_available_child_node(ports, child) {
		err = fwnode_property_read_u32(child, "reg", &reg);
		if (!err && reg >= PPESIM_SW_PORTS)
			err = -ERANGE;
		if (err)
			break;
		eth = fwnode_find_reference(child, "ethernet", 0);
		if (!IS_ERR(eth)) {
			/* the CPU port: its conduit must be an engine port */
			sw->cpu = reg;
			sw->conduit = ppesim_sw_find_conduit(sim, eth);
			fwnode_handle_put(eth);
			if (!sw->conduit) {
				err = -ENODEV;
				break;
			}
			continue;
		}
		if (fwnode_property_read_string(child, "label", &label))
			continue;
		if (reg > MTK_TAG_PORT_MAX) {
			err = -ERANGE;
			break;
		}
		sw->ports[reg].sw = sw;
		sw->ports[reg].index = reg;
		sw->ports[reg].mtu = ETH_DATA_LEN;
		wire = ppesim_sw_wire_alloc(&sw->ports[reg], label);
		if (IS_ERR(wire)) {
			err = PTR_ERR(wire);
			break;
		}
		sw->ports[reg].wire = wire;
	}
	if (err) {
		dev_err(dev, "bad switch port node %pfwP: %d\n", child, err);
		fwnode_handle_put(child);
	}
	fwnode_handle_put(ports);
	if (!err && !sw->conduit)
		err = dev_err_probe(dev, -EINVAL,
				    "no CPU port wired to an engine port\n");
	return err;
}

static int ppesim_sw_wires_register(struct ppesim_switch *sw)
{
	unsigned int p;
	int err = 0;

	rtnl_lock();
	for (p = 0; p < PPESIM_SW_PORTS && !err; p++)
		if (sw->ports[p].wire)
			err = register_netdevice(sw->ports[p].wire);
	rtnl_unlock();
	return err;
}

/* Unbind, as a device-managed action added last in probe: DSA lets go of
 * its user ports first, then the datapath lets go of the switch, then the
 * wires go.
 */
static void ppesim_sw_teardown(void *data)
{
	struct ppesim_switch *sw = data;

	dsa_unregister_switch(&sw->ds);
	rcu_assign_pointer(sw->conduit->sw, NULL);
	synchronize_net();
	ppesim_sw_wires_destroy(sw);
}

static int ppesim_sw_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct ppesim_switch *sw;
	struct ppesim *sim;
	int err;

	/* the emulator instance populates us after it has made its ports */
	sim = dev->parent ? dev_get_drvdata(dev->parent) : NULL;
	if (!sim)
		return dev_err_probe(dev, -ENODEV,
				     "not a child of an openppe_sim instance\n");
	sw = devm_kzalloc(dev, sizeof(*sw), GFP_KERNEL);
	if (!sw)
		return -ENOMEM;
	sw->dev = dev;
	spin_lock_init(&sw->fdb_lock);
	err = ppesim_sw_parse(sw, sim);
	if (err)
		goto err_free_wires;
	err = ppesim_sw_wires_register(sw);
	if (err) {
		dev_err_probe(dev, err, "cannot register the wire peers\n");
		goto err_free_wires;
	}
	if (rcu_access_pointer(sw->conduit->sw)) {
		err = dev_err_probe(dev, -EBUSY, "conduit has a switch already\n");
		goto err_free_wires;
	}
	rcu_assign_pointer(sw->conduit->sw, sw);

	sw->ds.dev = dev;
	sw->ds.num_ports = PPESIM_SW_PORTS;
	sw->ds.ops = &ppesim_sw_ops;
	sw->ds.priv = sw;
	err = dsa_register_switch(&sw->ds);
	if (err) {
		dev_err_probe(dev, err, "cannot register the switch with DSA\n");
		goto err_unpublish;
	}
	return devm_add_action_or_reset(dev, ppesim_sw_teardown, sw);

err_unpublish:
	rcu_assign_pointer(sw->conduit->sw, NULL);
	synchronize_net();
err_free_wires:
	ppesim_sw_wires_destroy(sw);
	return err;
}

static const struct of_device_id ppesim_sw_of_match[] = {
	{ .compatible = "openppe,sim-switch" },
	{ }
};
MODULE_DEVICE_TABLE(of, ppesim_sw_of_match);

static struct platform_driver ppesim_sw_pdrv = {
	.probe = ppesim_sw_probe,
	.driver = {
		.name = PPESIM_SW_NAME,
		.of_match_table = ppesim_sw_of_match,
	},
};

/**
 * ppesim_switch_driver_register() - register the switch's platform driver
 *
 * Return: 0 or a negative errno.
 */
int ppesim_switch_driver_register(void)
{
	return platform_driver_register(&ppesim_sw_pdrv);
}

/**
 * ppesim_switch_driver_unregister() - unregister the switch's platform driver
 */
void ppesim_switch_driver_unregister(void)
{
	platform_driver_unregister(&ppesim_sw_pdrv);
}
