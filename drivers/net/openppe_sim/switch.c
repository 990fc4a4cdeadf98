// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: an Ethernet switch behind a conduit port, registered with DSA */

#include <linux/bitfield.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/of.h>
#include <linux/of_net.h>
#include <linux/phylink.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/rtnetlink.h>
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

/* ethtool -S of a user port: frames from its wire that the engine forwarded,
 * frames the engine forwarded to it (bytes as on the user port's cable),
 * frames from its wire that the engine dropped
 */
enum ppesim_sw_stat {
	PPESIM_SW_FWD_RX_PACKETS,
	PPESIM_SW_FWD_RX_BYTES,
	PPESIM_SW_FWD_TX_PACKETS,
	PPESIM_SW_FWD_TX_BYTES,
	PPESIM_SW_FWD_DROPS,
	PPESIM_SW_NSTATS,
};

static const char ppesim_sw_stat_names[PPESIM_SW_NSTATS][ETH_GSTRING_LEN] = {
	"fwd_rx_packets", "fwd_rx_bytes", "fwd_tx_packets", "fwd_tx_bytes",
	"fwd_drops",
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
 */
struct ppesim_swport {
	struct ppesim_switch *sw;
	unsigned int index;
	struct net_device *wire;
	unsigned int mtu;
	atomic64_t cnt[PPESIM_SW_NSTATS];
	atomic64_t punts[PUNT_NUM];
};

/**
 * struct ppesim_switch - the switch model
 * @ds: the switch as DSA knows it (ds.priv points back here)
 * @dev: the switch's platform device (child of the emulator instance)
 * @conduit: the engine port wired to the switch's CPU port
 * @ports: switch ports by number
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
	struct ppesim_swport ports[PPESIM_SW_PORTS];
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
	unsigned int p;
	u8 *tag;

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
	if (ppesim_sw_l2_payload(skb) > READ_ONCE(sp->mtu))
		goto drop;
	if (fwd) {
		atomic64_inc(&sp->cnt[PPESIM_SW_FWD_TX_PACKETS]);
		atomic64_add(skb->len, &sp->cnt[PPESIM_SW_FWD_TX_BYTES]);
	}
	ppesim_deliver(sp->wire, skb);
	return;
drop:
	dev_core_stats_tx_dropped_inc(sw->conduit->cpu);
	kfree_skb(skb);
}

/* The far end sent a frame into a user port: tagged, it goes to the engine. */
static netdev_tx_t ppesim_sw_wire_xmit(struct sk_buff *skb,
				       struct net_device *dev)
{
	struct ppesim_swport *sp = ppesim_sw_wire_port(dev);
	enum ppesim_punt punt;
	unsigned int len;
	u8 *tag;

	skb = ppesim_flatten(skb);
	if (!skb || skb->len < ETH_HLEN || skb_cow_head(skb, MTK_TAG_LEN)) {
		kfree_skb(skb);
		dev_core_stats_tx_dropped_inc(dev);
		return NETDEV_TX_OK;
	}
	dev_sw_netstats_tx_add(dev, 1, skb->len);
	len = skb->len;
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
	.get_sset_count		= ppesim_sw_get_sset_count,
	.get_strings		= ppesim_sw_get_strings,
	.get_ethtool_stats	= ppesim_sw_get_ethtool_stats,
};

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
