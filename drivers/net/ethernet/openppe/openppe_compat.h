/* SPDX-License-Identifier: GPL-2.0 */
/* openppe compat: one spelling for interfaces that differ between kernels
 *
 * The driver's .c files read the same on every kernel it builds for (6.1 to
 * the newest); where an interface changed, they use the helper here. Which
 * form a kernel has is not guessed from its version: the Makefile probes the
 * kernel being built (openppe_compat_probes.c) and defines OPENPPE_HAVE_<name>,
 * because stable and vendor kernels carry backported interfaces.
 */

#ifndef _OPENPPE_COMPAT_H
#define _OPENPPE_COMPAT_H

#ifndef OPENPPE_COMPAT_PROBED
#error "openppe_compat.h: build through the openppe Makefile, which probes the kernel"
#endif

#include <linux/if_bridge.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/devlink.h>
#include <net/dsa.h>

/* 6.12: <asm/unaligned.h> became <linux/unaligned.h> */
#ifdef OPENPPE_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/**
 * openppe_assign_str() - __assign_str() in a tracepoint's TP_fast_assign
 * @dst: the __string() field
 * @src: the same source as __string() names
 *
 * Since 6.10 __assign_str(dst) copies the source that __string(dst, src)
 * recorded, and takes no source; before, it took the source again. Where it
 * takes none, @src is evaluated and discarded.
 */
#ifdef OPENPPE_HAVE_ASSIGN_STR_ONE_ARG
#define openppe_assign_str(dst, src)	\
	do { (void)(src); __assign_str(dst); } while (0)
#else
#define openppe_assign_str(dst, src)	__assign_str(dst, src)
#endif

/**
 * OPENPPE_IMPORT_NS() - MODULE_IMPORT_NS() with the namespace as a string
 * @ns: the namespace, a string literal
 *
 * Since 6.13 MODULE_IMPORT_NS() takes a string literal; before, it
 * stringified an identifier. Both record the same "import_ns=" modinfo.
 */
#ifdef OPENPPE_HAVE_IMPORT_NS_IDENT
#define OPENPPE_IMPORT_NS(ns)		MODULE_INFO(import_ns, ns)
#else
#define OPENPPE_IMPORT_NS(ns)		MODULE_IMPORT_NS(ns)
#endif

/**
 * kzalloc_obj() - allocate one zeroed object of an expression's type
 * @p: the expression (``*ptr``) whose type is allocated
 * @gfp: allocation flags
 *
 * Since 7.0 the slab allocator has it (its @gfp is optional there); before,
 * this is the kzalloc() of sizeof(@p) that it replaces.
 */
#ifndef OPENPPE_HAVE_KZALLOC_OBJ
#define kzalloc_obj(p, gfp)		kzalloc(sizeof(p), gfp)
#endif

/**
 * openppe_devlink_info_driver_name_put() - name the driver in devlink info
 * @req: the info request
 * @name: the driver's name
 *
 * Since 6.2 the devlink core puts the bound driver's name itself and
 * devlink_info_driver_name_put() is gone; before, the driver had to.
 *
 * Return: 0 or a negative errno.
 */
#ifdef OPENPPE_HAVE_DEVLINK_CORE_DRIVER_NAME
static inline int
openppe_devlink_info_driver_name_put(struct devlink_info_req *req,
				     const char *name)
{
	return 0;
}
#else
#define openppe_devlink_info_driver_name_put(req, name)	\
	devlink_info_driver_name_put(req, name)
#endif

/**
 * openppe_fmsg() - one devlink_fmsg_*() call, as an error code
 * @call: the call
 *
 * Since 6.7 the devlink_fmsg_*() functions return void: the message keeps
 * its first error, which the core checks, so a call is 0 here. Before, each
 * returned its error, which the caller must pass on.
 */
#ifdef OPENPPE_HAVE_DEVLINK_FMSG_VOID
#define openppe_fmsg(call)		({ call; 0; })
#else
#define openppe_fmsg(call)		(call)
#endif

/**
 * openppe_health_reporter_create() - devlink_health_reporter_create()
 * @devlink: the devlink instance (its lock not held)
 * @ops: the reporter's ops; a graceful period of 0 (not set in @ops)
 * @priv: the reporter's private data
 *
 * After 6.12 the graceful period is a field of the ops and the function no
 * longer takes it; before, it was an argument. The driver uses 0 either way.
 *
 * Return: the reporter or an ERR_PTR().
 */
#ifdef OPENPPE_HAVE_HEALTH_OPS_GRACEFUL_PERIOD
#define openppe_health_reporter_create(devlink, ops, priv)	\
	devlink_health_reporter_create(devlink, ops, priv)
#else
#define openppe_health_reporter_create(devlink, ops, priv)	\
	devlink_health_reporter_create(devlink, ops, 0, priv)
#endif

/* 6.8 (or so): DSA's "master"/"slave" became "conduit"/"user" */
#ifdef OPENPPE_HAVE_DSA_USER_DEV_CHECK
#define openppe_dsa_user_dev_check(dev)		dsa_user_dev_check(dev)
#else
#define openppe_dsa_user_dev_check(dev)		dsa_slave_dev_check(dev)
#endif

#ifdef OPENPPE_HAVE_DSA_PORT_TO_CONDUIT
#define openppe_dsa_port_to_conduit(dp)		dsa_port_to_conduit(dp)
#else
#define openppe_dsa_port_to_conduit(dp)		dsa_port_to_master(dp)
#endif

/**
 * openppe_dsa_user_port() - the conduit and switch port of a DSA user port
 * @dev: any netdev (RTNL or RCU held, so that it stays what it is)
 * @conduit: set to the MAC (DSA conduit) the user port's frames go through
 * @swport: set to the user port's number on its switch
 *
 * Return: 0; -ENODEV if @dev is not a DSA user port (or the kernel has no
 * DSA); -EXDEV if its switch is not the one whose CPU port the conduit is
 * wired to (a cascaded switch: the tag on the conduit names another port).
 */
static inline int openppe_dsa_user_port(struct net_device *dev,
					struct net_device **conduit,
					unsigned int *swport)
{
	struct dsa_port *dp;

	if (!IS_ENABLED(CONFIG_NET_DSA) || !openppe_dsa_user_dev_check(dev))
		return -ENODEV;
	dp = dsa_port_from_netdev(dev);
	if (IS_ERR(dp))
		return -ENODEV;
	if (dp->cpu_dp->ds != dp->ds)
		return -EXDEV;
	*conduit = openppe_dsa_port_to_conduit(dp);
	*swport = dp->index;
	return 0;
}

/**
 * openppe_dsa_vlan_tagged() - a switch sends a user port's frames VLAN-tagged
 * @dev: a DSA user port (RTNL or RCU held)
 *
 * A switch that filters VLANs for the bridge the port is in (the bridge is
 * VLAN-aware and its VLANs are offloaded to the switch through switchdev)
 * classifies every frame of the port into a VLAN, and its CPU port, a
 * tagged member of every VLAN, sends it on with that VLAN's 802.1Q tag,
 * also when it came untagged (docs/hardware.md 8.4).
 *
 * Return: true if so.
 */
static inline bool openppe_dsa_vlan_tagged(struct net_device *dev)
{
	struct net_device *br;
	struct dsa_port *dp;

	if (!IS_ENABLED(CONFIG_NET_DSA) || !openppe_dsa_user_dev_check(dev))
		return false;
	dp = dsa_port_from_netdev(dev);
	if (IS_ERR(dp))
		return false;
	br = dsa_port_bridge_dev_get(dp);
	return br && br_vlan_enabled(br) && dsa_port_is_vlan_filtering(dp);
}

/**
 * openppe_dsa_conduit_proto() - the DSA tag protocol of a conduit
 * @dev: any netdev
 *
 * Return: the &enum dsa_tag_protocol of the switch whose conduit @dev is,
 * or -1 if it is none.
 */
static inline int openppe_dsa_conduit_proto(const struct net_device *dev)
{
#if IS_ENABLED(CONFIG_NET_DSA)
	if (netdev_uses_dsa(dev) && dev->dsa_ptr->tag_ops)
		return dev->dsa_ptr->tag_ops->proto;
#endif
	return -1;
}

#endif /* _OPENPPE_COMPAT_H */
