/* SPDX-License-Identifier: GPL-2.0 */
/* openppe_sim compat: one spelling for interfaces that differ between kernels
 *
 * The emulator's .c files read the same on every kernel it builds for (6.1
 * to the newest); where an interface changed, they use the helper here. Which
 * form a kernel has is not guessed from its version: the Makefile probes the
 * kernel being built (ppesim_compat_probes.c) and defines PPESIM_HAVE_<name>,
 * because stable and vendor kernels carry backported interfaces.
 */

#ifndef _PPESIM_COMPAT_H
#define _PPESIM_COMPAT_H

#ifndef PPESIM_COMPAT_PROBED
#error "ppesim_compat.h: build through the openppe_sim Makefile, which probes the kernel"
#endif

#include <linux/device.h>
#include <linux/ethtool.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

/* 6.12: <asm/unaligned.h> became <linux/unaligned.h> */
#ifdef PPESIM_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/**
 * PPESIM_IMPORT_NS() - MODULE_IMPORT_NS() with the namespace as a string
 * @ns: the namespace, a string literal
 *
 * Since 6.13 MODULE_IMPORT_NS() takes a string literal; before, it
 * stringified an identifier. Both record the same "import_ns=" modinfo.
 */
#ifdef PPESIM_HAVE_IMPORT_NS_IDENT
#define PPESIM_IMPORT_NS(ns)		MODULE_INFO(import_ns, ns)
#else
#define PPESIM_IMPORT_NS(ns)		MODULE_IMPORT_NS(ns)
#endif

/* PPESIM_BUS_CONST: the qualifier of the bus in bus_attribute callbacks;
 * since 6.4 a bus attribute's show/store take a const struct bus_type *
 */
#ifdef PPESIM_HAVE_BUS_ATTR_CONST
#define PPESIM_BUS_CONST		const
#else
#define PPESIM_BUS_CONST
#endif

/**
 * ppesim_dev_set_dma_coherent() - mark a device DMA-coherent, as
 * "dma-coherent" in its DT node would
 * @dev: the device, before it is added
 *
 * After 6.12 the flag is set through dev_set_dma_coherent(); before, it is a
 * bit of struct device that exists only where the architecture syncs DMA
 * for the device or CPU (elsewhere every device is coherent).
 */
static inline void ppesim_dev_set_dma_coherent(struct device *dev)
{
#if defined(PPESIM_HAVE_DEV_SET_DMA_COHERENT)
	dev_set_dma_coherent(dev);
#elif IS_ENABLED(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	IS_ENABLED(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	IS_ENABLED(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
	dev->dma_coherent = true;
#endif
}

/**
 * ppesim_pdev_set_fwnode() - give a platform_device_alloc() device its node
 * @pdev: the device, not yet added
 * @fwnode: its firmware node; the caller keeps its own reference
 *
 * Since 7.x the platform device holds a reference on its node, taken here
 * and dropped at its release (for a software node: one swnode reference);
 * before, the device borrowed the caller's and its release left the node
 * alone. Either way the caller removes the node after the device is gone.
 */
static inline void ppesim_pdev_set_fwnode(struct platform_device *pdev,
					  struct fwnode_handle *fwnode)
{
#ifdef PPESIM_HAVE_PLATFORM_SET_FWNODE
	platform_device_set_fwnode(pdev, fwnode);
#else
	device_set_node(&pdev->dev, fwnode);
#endif
}

/**
 * ppesim_netdev_set_lltx() - the device transmits without the tx lock
 * @dev: the net device, before it is registered
 *
 * Since 6.12 a net_device bit (lltx); before, the feature NETIF_F_LLTX.
 */
static inline void ppesim_netdev_set_lltx(struct net_device *dev)
{
#ifdef PPESIM_HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/**
 * ppesim_ethtool_puts() - copy one ethtool string, as ethtool_puts() does
 * @data: the ethtool strings buffer; advanced by ETH_GSTRING_LEN
 * @str: the string
 *
 * ethtool_puts() exists since 6.8; before, the same two steps here.
 */
static inline void ppesim_ethtool_puts(u8 **data, const char *str)
{
#ifdef PPESIM_HAVE_ETHTOOL_PUTS
	ethtool_puts(data, str);
#else
	strscpy(*data, str, ETH_GSTRING_LEN);
	*data += ETH_GSTRING_LEN;
#endif
}

/**
 * kzalloc_obj() - allocate one zeroed object of an expression's type
 * @p: the expression (``*ptr``) whose type is allocated
 * @gfp: allocation flags
 *
 * Since 7.0 the slab allocator has it (its @gfp is optional there); before,
 * this is the kzalloc() of sizeof(@p) that it replaces.
 */
#ifndef PPESIM_HAVE_KZALLOC_OBJ
#define kzalloc_obj(p, gfp)		kzalloc(sizeof(p), gfp)
#endif

/* PPESIM_BUS_TYPE: the type of our bus, as struct device points to one. The
 * driver core took buses read-only in 6.4 to 6.6 (bus_register(), struct
 * device's and struct device_driver's bus), so there it is const and lives
 * in .rodata; before, bus_register() writes into it and it must not be.
 */
#define PPESIM_BUS_TYPE			typeof(*((struct device *)NULL)->bus)

#endif /* _PPESIM_COMPAT_H */
