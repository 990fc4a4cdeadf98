/* SPDX-License-Identifier: GPL-2.0 */
/* openppe plugin API: how a switch/Ethernet driver hands flows to its PPE */

#ifndef _LINUX_OPENPPE_H
#define _LINUX_OPENPPE_H

#include <linux/netdevice.h>
#include <linux/types.h>

struct fwnode_handle;
struct openppe;

/**
 * struct openppe_port_stats - traffic the engine forwarded for one port
 * @rx_packets: frames received on the port and forwarded by the engine
 * @rx_bytes: their bytes, as received
 * @tx_packets: frames the engine sent on the port
 * @tx_bytes: their bytes, as sent
 */
struct openppe_port_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
};

/*
 * Usage by a switch/Ethernet driver ("the host driver"):
 *
 *   ppe = openppe_get(fwnode);	   fwnode of the PPE node, e.g. from an
 *				   "openppe,ppe" phandle or a child node;
 *				   ERR_PTR(-EPROBE_DEFER) while no openppe
 *				   driver is bound to it
 *   openppe_port_attach(ppe, netdev, hw_port);
 *   ndo_setup_tc(netdev, type, data)
 *	   -> return openppe_setup_tc(ppe, netdev, type, data);
 *   openppe_port_detach(ppe, netdev);  before the netdev goes away
 *   openppe_put(ppe);
 *
 * Attaching programs the port's MAC address, MTU and enable bit into the
 * engine; they are re-synchronised whenever a flowtable binds on the port and
 * on every offloaded flow that uses it. Flows are offloaded only between
 * attached ports of the same PPE. Detaching removes every flow through the
 * port. All ports of one PPE listed in one nftables flowtable share a single
 * flow block callback.
 *
 * The handle stays valid until openppe_put(), even if the PPE's driver is
 * unbound meanwhile: every flow is then flushed from the engine, and the
 * calls above return -ENODEV (FLOW_BLOCK_BIND too), except that
 * openppe_port_detach() and FLOW_BLOCK_UNBIND keep working so the host and
 * the flowtables can let go. openppe_alive() tells a host driver when to
 * drop a stale handle and call openppe_get() again to find a re-bound PPE.
 * All functions may sleep; none takes RTNL, so they may be called with it
 * held.
 *
 * A host driver built in while openppe is a module cannot call it: the
 * stubs below then stand in (no offload). Such a host's Kconfig entry
 * should say "depends on OPENPPE || !OPENPPE" to rule that combination out.
 */
#if IS_REACHABLE(CONFIG_OPENPPE)
struct openppe *openppe_get(struct fwnode_handle *fwnode);
void openppe_put(struct openppe *ppe);
bool openppe_alive(struct openppe *ppe);
int openppe_port_attach(struct openppe *ppe, struct net_device *dev,
			unsigned int hw_port);
void openppe_port_detach(struct openppe *ppe, struct net_device *dev);
int openppe_setup_tc(struct openppe *ppe, struct net_device *dev,
		     enum tc_setup_type type, void *type_data);
int openppe_port_stats(struct openppe *ppe, unsigned int hw_port,
		       struct openppe_port_stats *stats);
#else
static inline struct openppe *openppe_get(struct fwnode_handle *fwnode)
{
	return ERR_PTR(-ENODEV);
}

static inline void openppe_put(struct openppe *ppe)
{
}

static inline bool openppe_alive(struct openppe *ppe)
{
	return false;
}

static inline int openppe_port_attach(struct openppe *ppe,
				      struct net_device *dev,
				      unsigned int hw_port)
{
	return -ENODEV;
}

static inline void openppe_port_detach(struct openppe *ppe,
				       struct net_device *dev)
{
}

static inline int openppe_setup_tc(struct openppe *ppe, struct net_device *dev,
				   enum tc_setup_type type, void *type_data)
{
	return -EOPNOTSUPP;
}

static inline int openppe_port_stats(struct openppe *ppe, unsigned int hw_port,
				     struct openppe_port_stats *stats)
{
	return -ENODEV;
}
#endif

#endif /* _LINUX_OPENPPE_H */
