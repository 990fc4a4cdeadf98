// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: switch ports: CPU-side netdevs, their wire peers, the plugin API */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/openppe.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/flow_offload.h>

#include "ppesim.h"
#include "ppesim_compat.h"

#define PPESIM_MAX_MTU		9000

/**
 * struct ppesim_ndev - private area of both netdevs of a port
 * @port: the port
 * @wire: this is the wire peer (else the CPU-side netdev)
 */
struct ppesim_ndev {
	struct ppesim_port *port;
	bool wire;
};

static struct ppesim_port *ppesim_ndev_port(struct net_device *dev)
{
	return ((struct ppesim_ndev *)netdev_priv(dev))->port;
}

static struct net_device *ppesim_peer(struct net_device *dev)
{
	struct ppesim_ndev *nd = netdev_priv(dev);

	return nd->wire ? nd->port->cpu : nd->port->wire;
}

/**
 * ppesim_port_link_ok() - may the engine send on a port
 * @sim: the instance
 * @port: hardware port
 *
 * Return: true when the port has netdevs and its cable is up (both ends).
 */
bool ppesim_port_link_ok(struct ppesim *sim, unsigned int port)
{
	struct ppesim_port *p = port < PORT_MAX ? sim->ports[port] : NULL;

	if (!p)
		return false;
	/* a conduit's cable is the switch's CPU port: up while the MAC is */
	return netif_carrier_ok(p->wire ?: p->cpu);
}

/**
 * ppesim_deliver() - hand a frame to a netdev's receive path
 * @to: the netdev that receives, like a MAC that got the frame on its cable
 * @skb: the frame, from the destination MAC; consumed
 */
void ppesim_deliver(struct net_device *to, struct sk_buff *skb)
{
	unsigned int len = skb->len;

	if (unlikely(!netif_running(to))) {
		dev_core_stats_rx_dropped_inc(to);
		kfree_skb(skb);
		return;
	}
	skb_orphan(skb);
	skb_scrub_packet(skb, !net_eq(dev_net(skb->dev), dev_net(to)));
	skb->priority = 0;
	skb->protocol = eth_type_trans(skb, to);
	dev_sw_netstats_rx_add(to, len);
	netif_rx(skb);
}

/**
 * ppesim_flatten() - make a frame from the stack look like one on a cable
 * @skb: the frame; consumed on failure
 *
 * Return: the frame with its VLAN tag in the payload, its checksum done and
 * linear, or NULL (dropped).
 */
struct sk_buff *ppesim_flatten(struct sk_buff *skb)
{
	if (skb_vlan_tag_present(skb)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb)
			return NULL;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop;
	if (skb_linearize(skb))
		goto drop;
	return skb;
drop:
	kfree_skb(skb);
	return NULL;
}

/* A frame leaves the engine on @port (@fwd: forwarded by the engine, else
 * sent by the CPU): into its cable, or into the switch behind a conduit.
 */
static void ppesim_port_output(struct ppesim_port *port, struct sk_buff *skb,
			       bool fwd)
{
	struct ppesim_switch *sw;

	if (port->wire) {
		ppesim_deliver(port->wire, skb);
		return;
	}
	rcu_read_lock();
	sw = rcu_dereference(port->sw);
	/* only switch.c sets port->sw, and it is built with NET_DSA only */
	if (IS_ENABLED(CONFIG_NET_DSA) && sw) {
		ppesim_switch_from_cpu(sw, skb, fwd);
	} else {
		dev_core_stats_tx_dropped_inc(port->cpu);
		kfree_skb(skb);
	}
	rcu_read_unlock();
}

/* A bound hit: rewrite the frame and send it out of the egress port. */
static void ppesim_forward(struct ppesim *sim, struct ppesim_port *in,
			   struct sk_buff *skb, const struct ppesim_fwd *fwd)
{
	struct ppesim_port *out = sim->ports[fwd->eport];
	unsigned int l3off = fwd->f.l3off, l2len;

	dev_sw_netstats_rx_add(in->cpu, skb->len);
	if (skb_ensure_writable(skb, l3off + fwd->f.l3len) ||
	    pskb_trim(skb, l3off + fwd->f.l3len))
		goto drop;
	ppesim_rewrite_l3(skb->data + l3off, &fwd->f, fwd->e.w);
	skb_pull(skb, l3off);
	l2len = ppesim_l2_len(fwd->e.w);
	if (skb_cow_head(skb, l2len))
		goto drop;
	skb_push(skb, l2len);
	ppesim_build_l2(skb->data, fwd->e.w, &fwd->f);
	dev_sw_netstats_tx_add(out->cpu, 1, skb->len);
	ppesim_port_output(out, skb, true);
	return;
drop:
	dev_core_stats_tx_dropped_inc(out->cpu);
	kfree_skb(skb);
}

/**
 * ppesim_port_input() - a frame received on a port's cable enters the engine
 * @port: the port
 * @skb: the frame, linear, as on the cable; consumed
 * @punt: if not NULL, set to the punt reason of a frame handed to the CPU
 *	(PUNT_NONE otherwise)
 *
 * Forwarded, dropped or handed to the port's CPU-side netdev. Runs with BHs
 * off (a transmit path).
 *
 * Return: what the engine did with the frame.
 */
enum ppesim_verdict ppesim_port_input(struct ppesim_port *port,
				      struct sk_buff *skb,
				      enum ppesim_punt *punt)
{
	struct ppesim *sim = port->sim;
	enum ppesim_verdict v;
	struct ppesim_fwd fwd;

	v = ppesim_engine_rx(sim, port->hw_port, skb->data, skb->len, &fwd);
	if (punt)
		*punt = v == PPESIM_TO_CPU ? fwd.punt : PUNT_NONE;
	switch (v) {
	case PPESIM_FORWARD:
		ppesim_forward(sim, port, skb, &fwd);
		break;
	case PPESIM_DROP:
		dev_core_stats_rx_dropped_inc(port->cpu);
		kfree_skb(skb);
		break;
	default:
		ppesim_deliver(port->cpu, skb);
		break;
	}
	return v;
}

/* The far end sent a frame into the port's wire: it enters the engine. The
 * stack sent a frame on the CPU-side netdev: it leaves through the port.
 */
static netdev_tx_t ppesim_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct ppesim_ndev *nd = netdev_priv(dev);

	skb = ppesim_flatten(skb);
	if (!skb) {
		dev_core_stats_tx_dropped_inc(dev);
		return NETDEV_TX_OK;
	}
	dev_sw_netstats_tx_add(dev, 1, skb->len);
	if (nd->wire)
		ppesim_port_input(nd->port, skb, NULL);
	else
		ppesim_port_output(nd->port, skb, false);
	return NETDEV_TX_OK;
}

/* The cable is up when both of its ends are up, as with veth; a conduit's
 * link to the switch's CPU port is a fixed link, up while the MAC is.
 */
static int ppesim_open(struct net_device *dev)
{
	struct net_device *peer = ppesim_peer(dev);

	if (!ppesim_ndev_port(dev)->wire) {
		netif_carrier_on(dev);
		return 0;
	}
	if (peer && netif_running(peer)) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int ppesim_stop(struct net_device *dev)
{
	struct net_device *peer = ppesim_peer(dev);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	return 0;
}

/**
 * ppesim_ndo_init() - ndo_init of the emulator's netdevs: per-CPU stats
 * @dev: the netdev
 *
 * Return: 0 or -ENOMEM.
 */
int ppesim_ndo_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static void ppesim_ndev_destructor(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

/**
 * ppesim_ndev_setup() - what every netdev of the emulator shares
 * @dev: a netdev from alloc_netdev(..., ether_setup) with its netdev_ops set
 * @parent: the device it belongs to
 * @dev_port: the port number it stands for
 * @max_mtu: its largest MTU
 */
void ppesim_ndev_setup(struct net_device *dev, struct device *parent,
		       unsigned int dev_port, unsigned int max_mtu)
{
	dev->priv_destructor = ppesim_ndev_destructor;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_LIVE_ADDR_CHANGE;
	ppesim_netdev_set_lltx(dev);
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = max_mtu;
	dev->dev_port = dev_port;
	eth_hw_addr_random(dev);
	SET_NETDEV_DEV(dev, parent);
}

static int ppesim_get_iflink(const struct net_device *dev)
{
	struct net_device *peer = ppesim_peer((struct net_device *)dev);

	return peer ? peer->ifindex : 0;
}

static int ppesim_change_mtu(struct net_device *dev, int mtu)
{
	dev->mtu = mtu;
	return 0;
}

/* Release the plugin handle; caller holds port->ppe_lock. */
static void ppesim_port_release(struct ppesim_port *port)
{
	lockdep_assert_held(&port->ppe_lock);

	if (!port->ppe)
		return;
	openppe_port_detach(port->ppe, port->cpu);
	openppe_put(port->ppe);
	port->ppe = NULL;
}

/* Find the PPE and attach this port, or keep the live handle we have. */
static int ppesim_port_ppe(struct ppesim_port *port)
{
	struct openppe *ppe;
	int err;

	lockdep_assert_held(&port->ppe_lock);

	if (port->ppe && !openppe_alive(port->ppe))
		ppesim_port_release(port);
	if (port->ppe)
		return 0;
	if (port->dying)
		return -EOPNOTSUPP;
	ppe = openppe_get(port->sim->cfg.ppe_fwnode);
	if (IS_ERR_OR_NULL(ppe))
		return -EOPNOTSUPP;	/* no PPE driver bound: no offload */
	err = openppe_port_attach(ppe, port->cpu, port->hw_port);
	if (err) {
		openppe_put(ppe);
		return err;
	}
	port->ppe = ppe;
	return 0;
}

static bool ppesim_is_unbind(enum tc_setup_type type, void *type_data)
{
	struct flow_block_offload *f = type_data;

	return (type == TC_SETUP_FT || type == TC_SETUP_BLOCK) &&
	       f->command == FLOW_BLOCK_UNBIND;
}

static int ppesim_setup_tc(struct net_device *dev, enum tc_setup_type type,
			   void *type_data)
{
	struct ppesim_port *port = ppesim_ndev_port(dev);
	int err;

	mutex_lock(&port->ppe_lock);
	if (ppesim_is_unbind(type, type_data)) {
		/* An unbind goes to the handle the bind went to, even when
		 * its PPE is gone (the plugin API accepts it then), so that
		 * the flowtable can let go of the block; never look up anew.
		 */
		err = port->ppe ? openppe_setup_tc(port->ppe, dev, type,
						   type_data) : -EOPNOTSUPP;
	} else {
		err = ppesim_port_ppe(port);
		if (!err)
			err = openppe_setup_tc(port->ppe, dev, type, type_data);
	}
	mutex_unlock(&port->ppe_lock);
	return err;
}

/* Called by unregister_netdevice() after the NETDEV_UNREGISTER notifiers
 * (which unbind flow blocks through ndo_setup_tc) and before the wait for
 * references: detach from the PPE here, under RTNL.
 */
static void ppesim_cpu_uninit(struct net_device *dev)
{
	struct ppesim_port *port = ppesim_ndev_port(dev);

	mutex_lock(&port->ppe_lock);
	port->dying = true;
	ppesim_port_release(port);
	mutex_unlock(&port->ppe_lock);
}

static const struct net_device_ops ppesim_cpu_ops = {
	.ndo_init		= ppesim_ndo_init,
	.ndo_uninit		= ppesim_cpu_uninit,
	.ndo_open		= ppesim_open,
	.ndo_stop		= ppesim_stop,
	.ndo_start_xmit		= ppesim_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= ppesim_change_mtu,
	.ndo_get_iflink		= ppesim_get_iflink,
	.ndo_setup_tc		= ppesim_setup_tc,
};

static const struct net_device_ops ppesim_wire_ops = {
	.ndo_init		= ppesim_ndo_init,
	.ndo_open		= ppesim_open,
	.ndo_stop		= ppesim_stop,
	.ndo_start_xmit		= ppesim_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= ppesim_change_mtu,
	.ndo_get_iflink		= ppesim_get_iflink,
};

/* ethtool -S on a CPU-side port: the engine's counters for its hw port */
static const char ppesim_stat_names[][ETH_GSTRING_LEN] = {
	"fwd_rx_packets", "fwd_rx_bytes", "fwd_tx_packets", "fwd_tx_bytes",
	"fwd_drops",
};

#define PPESIM_NSTATS	(ARRAY_SIZE(ppesim_stat_names) + PUNT_NUM - 1)

static void ppesim_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	struct ppesim_port *port = ppesim_ndev_port(dev);

	strscpy(info->driver, PPESIM_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(port->sim->dev),
		sizeof(info->bus_info));
}

static int ppesim_get_sset_count(struct net_device *dev, int sset)
{
	struct ppesim_ndev *nd = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return nd->wire ? 0 : PPESIM_NSTATS;
}

static void ppesim_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS || ppesim_get_sset_count(dev, sset) <= 0)
		return;
	for (i = 0; i < ARRAY_SIZE(ppesim_stat_names); i++)
		ppesim_ethtool_puts(&data, ppesim_stat_names[i]);
	for (i = 1; i < PUNT_NUM; i++)
		ethtool_sprintf(&data, "punt_%s", ppesim_punt_name(i));
}

static void ppesim_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct ppesim_port *port = ppesim_ndev_port(dev);
	struct ppesim_engine *eng = &port->sim->eng;
	struct ppesim_port_cnt *c = &eng->pcnt[port->hw_port];
	unsigned int i;

	if (ppesim_get_sset_count(dev, ETH_SS_STATS) <= 0)
		return;
	spin_lock_bh(&eng->lock);
	*data++ = c->rx_pkts;
	*data++ = c->rx_bytes;
	*data++ = c->tx_pkts;
	*data++ = c->tx_bytes;
	*data++ = c->drops;
	for (i = 1; i < PUNT_NUM; i++)
		*data++ = c->punts[i];
	spin_unlock_bh(&eng->lock);
}

static const struct ethtool_ops ppesim_ethtool_ops = {
	.get_drvinfo		= ppesim_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= ppesim_get_sset_count,
	.get_strings		= ppesim_get_strings,
	.get_ethtool_stats	= ppesim_get_ethtool_stats,
};

static struct net_device *ppesim_ndev_alloc(struct ppesim_port *port,
					    const char *name, bool wire)
{
	struct ppesim_ndev *nd;
	struct net_device *dev;

	dev = alloc_netdev(sizeof(*nd), name, NET_NAME_USER, ether_setup);
	if (!dev)
		return NULL;
	nd = netdev_priv(dev);
	nd->port = port;
	nd->wire = wire;
	dev->netdev_ops = wire ? &ppesim_wire_ops : &ppesim_cpu_ops;
	dev->ethtool_ops = &ppesim_ethtool_ops;
	ppesim_ndev_setup(dev, port->sim->dev, port->hw_port, PPESIM_MAX_MTU);
	return dev;
}

static struct ppesim_port *ppesim_port_alloc(struct ppesim *sim,
					     unsigned int hw_port)
{
	const char *name = sim->cfg.names[hw_port];
	char wname[IFNAMSIZ];
	struct ppesim_port *port;

	if (snprintf(wname, sizeof(wname), "%s-wire", name) >= sizeof(wname))
		return ERR_PTR(-ENAMETOOLONG);
	port = kzalloc_obj(*port, GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->sim = sim;
	port->hw_port = hw_port;
	mutex_init(&port->ppe_lock);
	port->cpu = ppesim_ndev_alloc(port, name, false);
	if (!port->cpu)
		goto err_free_port;
	/* the DSA switch finds its conduit by this node (ethernet = <&...>) */
	device_set_node(&port->cpu->dev, sim->cfg.port_fwnode[hw_port]);
	if (sim->cfg.conduit & BIT(hw_port))
		return port;	/* its cable is the switch's CPU port */
	port->wire = ppesim_ndev_alloc(port, wname, true);
	if (!port->wire)
		goto err_free_cpu;
	return port;

err_free_cpu:
	free_netdev(port->cpu);
err_free_port:
	mutex_destroy(&port->ppe_lock);
	kfree(port);
	return ERR_PTR(-ENOMEM);
}

static void ppesim_port_free(struct ppesim_port *port)
{
	if (port->wire)
		free_netdev(port->wire);
	free_netdev(port->cpu);
	mutex_destroy(&port->ppe_lock);
	kfree(port);
}

static int ppesim_port_register(struct ppesim_port *port)
{
	int err;

	err = register_netdevice(port->cpu);
	if (err)
		return err;
	netif_carrier_off(port->cpu);
	if (!port->wire)
		return 0;
	err = register_netdevice(port->wire);
	if (err) {
		unregister_netdevice(port->cpu);
		return err;
	}
	netif_carrier_off(port->wire);
	return 0;
}

/**
 * ppesim_ports_destroy() - unregister and free every port of an instance
 * @sim: the instance
 *
 * Unregisters all netdevs in one batch (one synchronize_net()): afterwards
 * no transmit path runs on any port, so no frame is in the engine.
 */
void ppesim_ports_destroy(struct ppesim *sim)
{
	struct ppesim_port *port;
	LIST_HEAD(kill);
	unsigned int p;

	rtnl_lock();
	for (p = 0; p < PORT_MAX; p++) {
		port = sim->ports[p];
		if (!port || port->cpu->reg_state != NETREG_REGISTERED)
			continue;
		unregister_netdevice_queue(port->cpu, &kill);
		if (port->wire)
			unregister_netdevice_queue(port->wire, &kill);
	}
	unregister_netdevice_many(&kill);
	rtnl_unlock();

	for (p = 0; p < PORT_MAX; p++) {
		port = sim->ports[p];
		if (!port)
			continue;
		sim->ports[p] = NULL;
		ppesim_port_free(port);
	}
}

/**
 * ppesim_ports_create() - create the netdev pairs of an instance's ports
 * @sim: the instance, with @sim->cfg filled in
 *
 * Return: 0 or a negative errno (nothing left registered).
 */
int ppesim_ports_create(struct ppesim *sim)
{
	struct ppesim_port *port;
	unsigned int p;
	int err = 0;

	for_each_set_bit(p, &sim->cfg.present, sim->cfg.nports) {
		port = ppesim_port_alloc(sim, p);
		if (IS_ERR(port)) {
			err = PTR_ERR(port);
			goto err_destroy;
		}
		sim->ports[p] = port;
	}

	rtnl_lock();
	for_each_set_bit(p, &sim->cfg.present, sim->cfg.nports) {
		err = ppesim_port_register(sim->ports[p]);
		if (err)
			break;
	}
	rtnl_unlock();
	if (err) {
		dev_err(sim->dev, "cannot register netdevs of port %u (%s): %d\n",
			p, sim->cfg.names[p], err);
		goto err_destroy;
	}
	return 0;

err_destroy:
	ppesim_ports_destroy(sim);
	return err;
}
