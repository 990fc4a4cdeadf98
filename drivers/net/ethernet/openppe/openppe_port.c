// SPDX-License-Identifier: GPL-2.0
/* openppe ports: PORT_MAC/PORT_MTU and the router MAC table follow the netdevs */

#include <kunit/visibility.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/regmap.h>

#include "openppe.h"
#include "openppe_compat.h"

/* L3 devices stacked on one port that a walk of its uppers records */
#define OPENPPE_UPPERS_MAX	16

/**
 * struct openppe_uppers - what a walk of one port's upper devices found
 * @mac: distinct MAC addresses of the uppers, other than the port's own
 * @n: entries used in @mac
 * @dropped: uppers whose MAC did not fit in @mac
 * @port_mac: the port's own MAC (not recorded in @mac)
 * @mtu: smallest MTU of the uppers, or UINT_MAX without uppers
 */
struct openppe_uppers {
	u8 mac[OPENPPE_UPPERS_MAX][ETH_ALEN];
	unsigned int n;
	unsigned int dropped;
	const u8 *port_mac;
	unsigned int mtu;
};

static int openppe_upper_visit(struct net_device *upper,
			       struct netdev_nested_priv *priv)
{
	struct openppe_uppers *up = priv->data;
	unsigned int i;

	up->mtu = min(up->mtu, READ_ONCE(upper->mtu));
	if (upper->addr_len != ETH_ALEN ||
	    ether_addr_equal(upper->dev_addr, up->port_mac))
		return 0;
	for (i = 0; i < up->n; i++)
		if (ether_addr_equal(upper->dev_addr, up->mac[i]))
			return 0;
	if (up->n == OPENPPE_UPPERS_MAX) {
		up->dropped++;
		return 0;
	}
	ether_addr_copy(up->mac[up->n++], upper->dev_addr);
	return 0;
}

/* Every device stacked on @netdev (bridges, VLANs on it or on them, ...). */
static void openppe_uppers_walk(struct net_device *netdev,
				struct openppe_uppers *up)
{
	struct netdev_nested_priv priv = { .data = up };

	up->n = 0;
	up->dropped = 0;
	up->port_mac = netdev->dev_addr;
	up->mtu = UINT_MAX;
	rcu_read_lock();
	netdev_walk_all_upper_dev_rcu(netdev, openppe_upper_visit, &priv);
	rcu_read_unlock();
}

/* The tag mode a port's netdev asks for: the engine's MediaTek tag mode
 * on the conduit of a DSA switch using that tag, when the firmware has it.
 */
static u32 openppe_port_tag_mode(struct openppe *ppe, struct net_device *netdev)
{
	if (openppe_dsa_conduit_proto(netdev) == DSA_TAG_PROTO_MTK &&
	    (ppe->fw_features & OPENPPE_FEAT_DSA_MTK))
		return OPENPPE_TAG_MTK;
	return OPENPPE_TAG_NONE;
}

static int openppe_port_program(struct openppe *ppe, unsigned int p,
				const u8 *mac, u32 mtu, u32 tag)
{
	struct openppe_port *port = &ppe->ports[p];
	int ret = 0;

	lockdep_assert_held(&ppe->port_lock);

	/* hardware.md 8.3: the tag mode is set before PORT_CTRL.EN */
	if (!port->enabled || tag != port->tag) {
		ret = regmap_write(ppe->regmap, OPENPPE_PORT_TAG(p),
				   FIELD_PREP(OPENPPE_PORT_TAG_MODE, tag));
		if (ret)
			return ret;
		WRITE_ONCE(port->tag, tag);
	}

	if (!port->enabled || !ether_addr_equal(mac, port->mac)) {
		ret = regmap_write(ppe->regmap, OPENPPE_PORT_MAC_HI(p),
				   FIELD_PREP(OPENPPE_PORT_MAC_HI_BYTES01,
					      openppe_mac_hi(mac)));
		ret = ret ?: regmap_write(ppe->regmap, OPENPPE_PORT_MAC_LO(p),
					  openppe_mac_lo(mac));
		if (ret)
			return ret;
		ether_addr_copy(port->mac, mac);
	}
	if (!port->enabled || mtu != port->mtu) {
		ret = regmap_write(ppe->regmap, OPENPPE_PORT_MTU(p), mtu);
		if (ret)
			return ret;
		port->mtu = mtu;
	}
	if (!port->enabled) {
		ret = regmap_write(ppe->regmap, OPENPPE_PORT_CTRL(p),
				   OPENPPE_PORT_CTRL_EN);
		if (ret)
			return ret;
		port->enabled = true;
	}
	return 0;
}

/**
 * openppe_port_enable() - program and enable a port being attached
 * @ppe: the PPE, alive, with &openppe.port_lock held
 * @p: hardware port, not yet in &openppe.ports
 * @netdev: its netdev
 *
 * Return: 0 or a register error (the port then stays disabled).
 */
int openppe_port_enable(struct openppe *ppe, unsigned int p,
			struct net_device *netdev)
{
	struct openppe_uppers up;
	u8 mac[ETH_ALEN];

	lockdep_assert_held(&ppe->port_lock);

	openppe_uppers_walk(netdev, &up);
	ether_addr_copy(mac, netdev->dev_addr);
	ppe->ports[p].enabled = false;
	return openppe_port_program(ppe, p, mac,
				    min(READ_ONCE(netdev->mtu), up.mtu),
				    openppe_port_tag_mode(ppe, netdev));
}

/**
 * openppe_rmac_want() - add a router MAC for a port to a wanted table
 * @want: the wanted entries
 * @n: entries used in @want, updated
 * @max: room in @want
 * @mac: the address
 * @p: hardware port it belongs to
 *
 * Return: false if @mac is new and @want is full.
 */
VISIBLE_IF_KUNIT bool openppe_rmac_want(struct openppe_rmac *want,
					unsigned int *n, unsigned int max,
					const u8 *mac, unsigned int p)
{
	unsigned int i;

	for (i = 0; i < *n; i++) {
		if (ether_addr_equal(want[i].mac, mac)) {
			want[i].ports |= BIT(p);
			return true;
		}
	}
	if (*n == max)
		return false;
	ether_addr_copy(want[*n].mac, mac);
	want[*n].ports = BIT(p);
	(*n)++;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_rmac_want);

static int openppe_rmac_write(struct openppe *ppe, unsigned int i,
			      const struct openppe_rmac *new)
{
	struct openppe_rmac *cur = &ppe->rmac[i];
	bool same_mac = cur->ports && ether_addr_equal(cur->mac, new->mac);
	int ret = 0;

	lockdep_assert_held(&ppe->port_lock);

	if (cur->ports == new->ports && (same_mac || !new->ports))
		return 0;
	/* a new MAC is written while the entry is invalid (hardware.md 2.10) */
	if (cur->ports && !same_mac) {
		ret = regmap_write(ppe->regmap, OPENPPE_RMAC_CTRL(i), 0);
		if (ret)
			return ret;
		cur->ports = 0;
	}
	if (!new->ports)
		return 0;
	if (!same_mac) {
		ret = regmap_write(ppe->regmap, OPENPPE_RMAC_HI(i),
				   FIELD_PREP(OPENPPE_RMAC_HI_BYTES01,
					      openppe_mac_hi(new->mac)));
		ret = ret ?: regmap_write(ppe->regmap, OPENPPE_RMAC_LO(i),
					  openppe_mac_lo(new->mac));
		if (ret)
			return ret;
	}
	ret = regmap_write(ppe->regmap, OPENPPE_RMAC_CTRL(i),
			   OPENPPE_RMAC_CTRL_VALID |
			   FIELD_PREP(OPENPPE_RMAC_CTRL_PORTS, new->ports));
	if (ret)
		return ret;
	*cur = *new;
	return 0;
}

/**
 * openppe_rmacs_apply() - program the router MAC table
 * @ppe: the PPE, with &openppe.port_lock held
 * @want: the entries the table should hold
 * @n: how many, at most &openppe.nrmacs
 *
 * A MAC that stays keeps its entry, so frames to it are never refused in
 * between; entries that change MAC are invalidated first.
 *
 * Return: 0 or the first register error.
 */
VISIBLE_IF_KUNIT int openppe_rmacs_apply(struct openppe *ppe,
					 struct openppe_rmac *want,
					 unsigned int n)
{
	struct openppe_rmac next[OPENPPE_RMAC_MAX] = {};
	bool placed[OPENPPE_RMAC_MAX] = {};
	unsigned int i, j;
	int ret = 0;

	lockdep_assert_held(&ppe->port_lock);

	for (i = 0; i < ppe->nrmacs; i++) {
		if (!ppe->rmac[i].ports)
			continue;
		for (j = 0; j < n; j++) {
			if (!placed[j] &&
			    ether_addr_equal(want[j].mac, ppe->rmac[i].mac)) {
				next[i] = want[j];
				placed[j] = true;
				break;
			}
		}
	}
	for (i = 0, j = 0; j < n; j++) {
		if (placed[j])
			continue;
		while (next[i].ports)
			i++;	/* n <= nrmacs: a free entry is left */
		next[i] = want[j];
	}
	for (i = 0; i < ppe->nrmacs; i++)
		ret = openppe_rmac_write(ppe, i, &next[i]) ?: ret;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_rmacs_apply);

/**
 * openppe_ports_sync() - bring PORT_* and the router MAC table up to date
 * @ppe: the PPE, alive, with &openppe.port_lock held
 *
 * Walks the devices stacked on every attached port: PORT_MAC is the port's
 * own address, PORT_MTU the smallest MTU of the port and its uppers (a frame
 * an upper could not send is left to the CPU), and the router MAC table
 * holds the uppers' other addresses with the ports below them
 * (docs/hardware.md 2.10). Addresses beyond the table's room are counted in
 * router_macs_overflow; their frames keep reaching the CPU.
 *
 * Return: 0 or the first register error (what failed is retried at the
 * next sync).
 */
int openppe_ports_sync(struct openppe *ppe)
{
	struct openppe_rmac want[OPENPPE_RMAC_MAX];
	struct openppe_uppers up;
	unsigned int n = 0, i, lost = 0;
	struct net_device *netdev;
	u8 mac[ETH_ALEN];
	int p, ret = 0;
	u32 mtu;

	lockdep_assert_held(&ppe->port_lock);

	for (p = 0; p < ppe->nports; p++) {
		netdev = rcu_dereference_protected(ppe->ports[p].netdev,
						   lockdep_is_held(&ppe->port_lock));
		if (!netdev)
			continue;
		openppe_uppers_walk(netdev, &up);
		ether_addr_copy(mac, netdev->dev_addr);
		mtu = min(READ_ONCE(netdev->mtu), up.mtu);
		ret = openppe_port_program(ppe, p, mac, mtu,
					   openppe_port_tag_mode(ppe, netdev)) ?: ret;
		lost += up.dropped;
		for (i = 0; i < up.n; i++)
			if (!openppe_rmac_want(want, &n, ppe->nrmacs,
					       up.mac[i], p))
				lost++;
	}
	if (lost) {
		atomic64_add(lost, &ppe->cnt.router_macs_overflow);
		dev_warn_ratelimited(ppe->dev,
				     "router MAC table full: frames to %u upper device address(es) stay on the CPU path\n",
				     lost);
	}
	ret = openppe_rmacs_apply(ppe, want, n) ?: ret;
	if (ret)
		dev_warn_ratelimited(ppe->dev,
				     "cannot update port MAC/MTU registers: %d\n",
				     ret);
	return ret;
}

/**
 * openppe_port_disable() - stop the engine on a port being detached
 * @ppe: the PPE, alive, with &openppe.port_lock held
 * @p: hardware port, already cleared in &openppe.ports
 */
void openppe_port_disable(struct openppe *ppe, unsigned int p)
{
	lockdep_assert_held(&ppe->port_lock);

	regmap_write(ppe->regmap, OPENPPE_PORT_CTRL(p), 0);
	regmap_write(ppe->regmap, OPENPPE_PORT_TAG(p), 0);
	ppe->ports[p].enabled = false;
	WRITE_ONCE(ppe->ports[p].tag, OPENPPE_TAG_NONE);
	/* its bits leave the router MAC table */
	openppe_ports_sync(ppe);
}

/* @dev is an attached port or stacked on one */
static bool openppe_dev_is_ours(struct openppe *ppe, struct net_device *dev)
{
	struct net_device *netdev;
	bool ours = false;
	int p;

	rcu_read_lock();
	for (p = 0; p < ppe->nports && !ours; p++) {
		netdev = rcu_dereference(ppe->ports[p].netdev);
		ours = netdev && (netdev == dev ||
				  netdev_has_upper_dev_all_rcu(netdev, dev));
	}
	rcu_read_unlock();
	return ours;
}

/* A DSA user port of an attached conduit goes away: its flows leave the
 * engine (nf_flow_table tears them down too, but the engine must not go on
 * forwarding to a user port that is gone meanwhile).
 */
static void openppe_dsa_user_gone(struct openppe *ppe, struct net_device *dev)
{
	struct net_device *conduit;
	unsigned int swport;
	int p = -1;

	if (openppe_dsa_user_port(dev, &conduit, &swport))
		return;
	rcu_read_lock();
	for (p = ppe->nports - 1; p >= 0; p--)
		if (rcu_dereference(ppe->ports[p].netdev) == conduit)
			break;
	rcu_read_unlock();
	if (p < 0)
		return;
	down_read(&ppe->life_lock);
	if (!ppe->dead)
		openppe_flows_flush_swport(ppe, p, swport);
	up_read(&ppe->life_lock);
}

static int openppe_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct openppe *ppe = container_of(nb, struct openppe, netdev_nb);
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_UNREGISTER:
		openppe_dsa_user_gone(ppe, dev);
		return NOTIFY_DONE;
	case NETDEV_CHANGEUPPER:	/* dev is the lower: a port or an upper */
	case NETDEV_CHANGEADDR:
	case NETDEV_CHANGEMTU:
		break;
	default:
		return NOTIFY_DONE;
	}

	down_read(&ppe->life_lock);
	if (!ppe->dead && openppe_dev_is_ours(ppe, dev)) {
		mutex_lock(&ppe->port_lock);
		openppe_ports_sync(ppe);
		mutex_unlock(&ppe->port_lock);
	}
	up_read(&ppe->life_lock);
	return NOTIFY_DONE;
}

/**
 * openppe_ports_watch() - follow the ports' netdevs and their uppers
 * @ppe: the PPE being probed
 *
 * Registers a netdevice notifier: a change of address, MTU or upper device
 * of a port, or of any device stacked on one, re-synchronises the engine
 * (openppe_ports_sync()), for flows already offloaded too. And a netevent
 * notifier: a neighbour update looks for offloaded flows whose next hop's
 * address is stale (openppe_nexthops_watch()).
 *
 * Return: 0 or a negative errno.
 */
int openppe_ports_watch(struct openppe *ppe)
{
	int ret;

	ppe->netdev_nb.notifier_call = openppe_netdev_event;
	ret = register_netdevice_notifier(&ppe->netdev_nb);
	if (ret)
		return ret;
	ret = openppe_nexthops_watch(ppe);
	if (ret)
		unregister_netdevice_notifier(&ppe->netdev_nb);
	return ret;
}

/**
 * openppe_ports_unwatch() - undo openppe_ports_watch()
 * @ppe: the PPE; takes RTNL, so the caller must not hold it
 */
void openppe_ports_unwatch(struct openppe *ppe)
{
	openppe_nexthops_unwatch(ppe);
	unregister_netdevice_notifier(&ppe->netdev_nb);
}
