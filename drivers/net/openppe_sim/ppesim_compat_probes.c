// SPDX-License-Identifier: GPL-2.0
/* openppe_sim compat probes: what the kernel being built offers (ppesim_compat.h)
 *
 * Not a part of the module. The Makefile compiles this file once per name in
 * ppesim-probes, with -DPPESIM_PROBE_<name> and the kernel's own flags plus
 * -Werror; a section that compiles defines PPESIM_HAVE_<name> for every
 * object of the module. Each section is the smallest use of one interface,
 * named for what the kernel has, and says when that changed upstream (stable
 * and vendor kernels may carry it earlier: that is why this is probed).
 */

#if defined(PPESIM_PROBE_BASELINE)
/* must compile on every kernel: if not, the probe command itself is broken
 * (this uses what the other sections need besides the interface they probe)
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/stringify.h>

MODULE_INFO(ppesim_probe, __stringify(BASELINE));

#elif defined(PPESIM_PROBE_LINUX_UNALIGNED_H)
/* 6.12: <asm/unaligned.h> moved to <linux/unaligned.h> */
#include <linux/unaligned.h>

#elif defined(PPESIM_PROBE_IMPORT_NS_IDENT)
/* before 6.13: MODULE_IMPORT_NS() stringifies an identifier; since, it takes
 * a string literal and an identifier does not compile
 */
#include <linux/module.h>

MODULE_IMPORT_NS(PPESIM_PROBE_NS);

#elif defined(PPESIM_PROBE_BUS_ATTR_CONST)
/* 6.4: bus_attribute's show/store take a const struct bus_type */
#include <linux/device.h>

ssize_t ppesim_probe_store(const struct bus_type *bus, const char *buf,
			   size_t count);
const struct bus_attribute *ppesim_probe(void);
const struct bus_attribute *ppesim_probe(void)
{
	static const struct bus_attribute attr = {
		.store = ppesim_probe_store,
	};

	return &attr;
}

#elif defined(PPESIM_PROBE_DEV_SET_DMA_COHERENT)
/* 7.1: struct device's dma_coherent bit became a flag with accessors */
#include <linux/device.h>

void ppesim_probe(struct device *dev);
void ppesim_probe(struct device *dev)
{
	dev_set_dma_coherent(dev);
}

#elif defined(PPESIM_PROBE_NETDEV_LLTX)
/* 6.12: NETIF_F_LLTX became the net_device bit lltx */
#include <linux/netdevice.h>

void ppesim_probe(struct net_device *dev);
void ppesim_probe(struct net_device *dev)
{
	dev->lltx = true;
}

#elif defined(PPESIM_PROBE_ETHTOOL_PUTS)
/* 6.8: ethtool_puts() copies one ETH_GSTRING_LEN string */
#include <linux/ethtool.h>

void ppesim_probe(u8 **data);
void ppesim_probe(u8 **data)
{
	ethtool_puts(data, "probe");
}

#elif defined(PPESIM_PROBE_KZALLOC_OBJ)
/* 7.0: kzalloc_obj() allocates one zeroed object of an expression's type */
#include <linux/slab.h>

int *ppesim_probe(void);
int *ppesim_probe(void)
{
	int *p = kzalloc_obj(*p, GFP_KERNEL);

	return p;
}

#elif defined(PPESIM_PROBE_PLATFORM_SET_FWNODE)
/* 7.x: a platform device holds a reference on its firmware node, taken by
 * platform_device_set_fwnode() and dropped when the device is released
 */
#include <linux/platform_device.h>

void ppesim_probe(struct platform_device *pdev, struct fwnode_handle *fwnode);
void ppesim_probe(struct platform_device *pdev, struct fwnode_handle *fwnode)
{
	platform_device_set_fwnode(pdev, fwnode);
}

#else
#error "ppesim_compat_probes.c: no PPESIM_PROBE_<name> given"
#endif
