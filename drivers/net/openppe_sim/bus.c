// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: the sim bus: run-time instances through new_device/del_device */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>

#include "ppesim.h"
#include "ppesim_compat.h"

/**
 * struct ppesim_bus_dev - a run-time instance on the sim bus
 * @dev: the bus device; owns the regmap, parent of the PPE device
 * @nports: ports requested
 * @max_log2: log2 of the table entries requested
 * @ppe_max_entries: the run-time PPE node's "openppe,max-entries", 0: none
 * @list: entry in ppesim_bus_devs
 * @sim: the instance, while bound
 * @ppe: the PPE child platform device, while bound
 * @ppe_fwnode: its software node
 * @probe_err: why the last probe failed, for new_device's return value
 */
struct ppesim_bus_dev {
	struct device dev;
	unsigned int nports;
	unsigned int max_log2;
	u32 ppe_max_entries;
	struct list_head list;
	struct ppesim *sim;
	struct platform_device *ppe;
	struct fwnode_handle *ppe_fwnode;
	int probe_err;
};

static DEFINE_IDA(ppesim_bus_ids);
/* protects ppesim_bus_devs and ppesim_bus_enabled */
static DEFINE_MUTEX(ppesim_bus_lock);
static LIST_HEAD(ppesim_bus_devs);
static bool ppesim_bus_enabled;

/* what the DT "ppe" node carries, for a PPE made at run time */
static struct fwnode_handle *ppesim_ppe_fwnode(struct ppesim_bus_dev *bdev)
{
	struct property_entry props[4] = {
		PROPERTY_ENTRY_STRING("compatible", "openppe,ppe-v1"),
		PROPERTY_ENTRY_BOOL("dma-coherent"),
	};

	if (bdev->ppe_max_entries)
		props[2] = PROPERTY_ENTRY_U32("openppe,max-entries",
					      bdev->ppe_max_entries);
	/* the properties are copied */
	return fwnode_create_software_node(props, NULL);
}

static struct ppesim_bus_dev *to_ppesim_bus_dev(struct device *dev)
{
	return container_of(dev, struct ppesim_bus_dev, dev);
}

static void ppesim_bus_dev_release(struct device *dev)
{
	kfree(to_ppesim_bus_dev(dev));
}

static const struct device_type ppesim_bus_dev_type = {
	.release = ppesim_bus_dev_release,
};

static PPESIM_BUS_TYPE ppesim_bus;

static ssize_t
new_device_store(PPESIM_BUS_CONST struct bus_type *bus, const char *buf,
		 size_t count)
{
	unsigned int id, nports, entries = BIT(PPESIM_BUS_LOG2), log2;
	struct ppesim_bus_dev *bdev;
	u32 ppe_max = 0;
	int n, err;

	n = sscanf(buf, "%u %u %u %u", &id, &nports, &entries, &ppe_max);
	if (n < 2) {
		pr_err("openppe_sim: format is \"ID PORTS [TABLE_ENTRIES [PPE_MAX_ENTRIES]]\"\n");
		return -EINVAL;
	}
	if (id > INT_MAX || nports < 1 || nports > PORT_MAX) {
		pr_err("openppe_sim: ID must be <= INT_MAX and PORTS in [1, %u]\n",
		       PORT_MAX);
		return -EINVAL;
	}
	if (ppesim_check_entries(entries, &log2)) {
		pr_err("openppe_sim: TABLE_ENTRIES must be a power of 2 in [%lu, %lu]\n",
		       BIT(PPESIM_MIN_LOG2), BIT(PPESIM_MAX_LOG2));
		return -EINVAL;
	}

	bdev = kzalloc(sizeof(*bdev), GFP_KERNEL);
	if (!bdev)
		return -ENOMEM;
	bdev->nports = nports;
	bdev->max_log2 = log2;
	bdev->ppe_max_entries = ppe_max;
	bdev->dev.bus = &ppesim_bus;
	bdev->dev.type = &ppesim_bus_dev_type;

	mutex_lock(&ppesim_bus_lock);
	if (!ppesim_bus_enabled) {
		err = -EBUSY;
		goto err_unlock;
	}
	err = ida_alloc_range(&ppesim_bus_ids, id, id, GFP_KERNEL);
	if (err < 0) {
		if (err == -ENOSPC)
			err = -EEXIST;
		goto err_unlock;
	}
	bdev->dev.id = id;
	err = device_register(&bdev->dev);
	if (err) {
		ida_free(&ppesim_bus_ids, id);
		put_device(&bdev->dev);
		mutex_unlock(&ppesim_bus_lock);
		return err;
	}
	if (!bdev->sim) {
		/* probe failed: the reason is in the log */
		err = bdev->probe_err ?: -ENODEV;
		device_unregister(&bdev->dev);
		ida_free(&ppesim_bus_ids, id);
		mutex_unlock(&ppesim_bus_lock);
		return err;
	}
	list_add_tail(&bdev->list, &ppesim_bus_devs);
	mutex_unlock(&ppesim_bus_lock);
	return count;

err_unlock:
	mutex_unlock(&ppesim_bus_lock);
	kfree(bdev);
	return err;
}
static BUS_ATTR_WO(new_device);

static void ppesim_bus_dev_del(struct ppesim_bus_dev *bdev)
{
	unsigned int id = bdev->dev.id;

	lockdep_assert_held(&ppesim_bus_lock);
	list_del(&bdev->list);
	device_unregister(&bdev->dev);
	ida_free(&ppesim_bus_ids, id);
}

static ssize_t
del_device_store(PPESIM_BUS_CONST struct bus_type *bus, const char *buf,
		 size_t count)
{
	struct ppesim_bus_dev *bdev;
	int err = -ENOENT;
	unsigned int id;

	if (kstrtouint(strim((char *)buf), 10, &id)) {
		pr_err("openppe_sim: format is \"ID\"\n");
		return -EINVAL;
	}
	mutex_lock(&ppesim_bus_lock);
	if (!ppesim_bus_enabled) {
		err = -EBUSY;
		goto out;
	}
	list_for_each_entry(bdev, &ppesim_bus_devs, list) {
		if (bdev->dev.id == id) {
			ppesim_bus_dev_del(bdev);
			err = 0;
			break;
		}
	}
out:
	mutex_unlock(&ppesim_bus_lock);
	return err ? err : count;
}
static BUS_ATTR_WO(del_device);

static struct attribute *ppesim_bus_attrs[] = {
	&bus_attr_new_device.attr,
	&bus_attr_del_device.attr,
	NULL
};
ATTRIBUTE_GROUPS(ppesim_bus);

/* The PPE child at run time: a platform device "openppe" with a swnode. */
static int ppesim_bus_add_ppe(struct ppesim_bus_dev *bdev)
{
	struct platform_device *pdev;
	int err;

	pdev = platform_device_alloc("openppe", PLATFORM_DEVID_AUTO);
	if (!pdev)
		return -ENOMEM;
	pdev->dev.parent = &bdev->dev;
	ppesim_pdev_set_fwnode(pdev, bdev->ppe_fwnode);
	err = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		goto err_put_pdev;
	/* as "dma-coherent" in DT: the engine sees CPU writes directly */
	ppesim_dev_set_dma_coherent(&pdev->dev);
	err = platform_device_add(pdev);
	if (err)
		goto err_put_pdev;
	bdev->ppe = pdev;
	return 0;

err_put_pdev:
	platform_device_put(pdev);
	return err;
}

static int ppesim_bus_probe(struct device *dev)
{
	struct ppesim_bus_dev *bdev = to_ppesim_bus_dev(dev);
	struct fwnode_handle *fwnode;
	struct ppesim_cfg *cfg;
	struct ppesim *sim;
	unsigned int p;
	int len, err;

	cfg = kzalloc_obj(*cfg, GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	cfg->id = dev->id;
	cfg->nports = bdev->nports;
	cfg->max_log2 = bdev->max_log2;
	cfg->present = GENMASK(bdev->nports - 1, 0);
	for (p = 0; p < bdev->nports; p++) {
		len = snprintf(cfg->names[p], IFNAMSIZ, "psim%dp%u", dev->id, p);
		if (len >= IFNAMSIZ) {
			err = -ENAMETOOLONG;
			goto err_free_cfg;
		}
	}

	/* the PPE's node exists first: the ports look the PPE up by it */
	fwnode = ppesim_ppe_fwnode(bdev);
	if (IS_ERR(fwnode)) {
		err = PTR_ERR(fwnode);
		goto err_free_cfg;
	}
	bdev->ppe_fwnode = fwnode;
	cfg->ppe_fwnode = fwnode;

	sim = ppesim_create(dev, cfg);
	if (IS_ERR(sim)) {
		err = PTR_ERR(sim);
		goto err_remove_swnode;
	}
	/* the PPE device last, once the regmap it will look for exists */
	err = ppesim_bus_add_ppe(bdev);
	if (err)
		goto err_destroy;
	bdev->sim = sim;
	kfree(cfg);
	return 0;

err_destroy:
	ppesim_destroy(sim);
err_remove_swnode:
	fwnode_remove_software_node(fwnode);
	bdev->ppe_fwnode = NULL;
err_free_cfg:
	kfree(cfg);
	bdev->probe_err = err;
	return err;
}

static void ppesim_bus_remove(struct device *dev)
{
	struct ppesim_bus_dev *bdev = to_ppesim_bus_dev(dev);

	/* the PPE driver unbinds (resets the engine) before the ports go */
	platform_device_unregister(bdev->ppe);
	bdev->ppe = NULL;
	ppesim_destroy(bdev->sim);
	bdev->sim = NULL;
	fwnode_remove_software_node(bdev->ppe_fwnode);
	bdev->ppe_fwnode = NULL;
}

static PPESIM_BUS_TYPE ppesim_bus = {
	.name		= PPESIM_DRV_NAME,
	.dev_name	= PPESIM_DRV_NAME,
	.bus_groups	= ppesim_bus_groups,
	.probe		= ppesim_bus_probe,
	.remove		= ppesim_bus_remove,
};

static struct device_driver ppesim_bus_drv = {
	.name		= PPESIM_DRV_NAME,
	.bus		= &ppesim_bus,
	.owner		= THIS_MODULE,
};

/**
 * ppesim_bus_init() - register the sim bus and its driver
 *
 * Return: 0 or a negative errno.
 */
int ppesim_bus_init(void)
{
	int err;

	err = bus_register(&ppesim_bus);
	if (err)
		return err;
	err = driver_register(&ppesim_bus_drv);
	if (err) {
		bus_unregister(&ppesim_bus);
		return err;
	}
	mutex_lock(&ppesim_bus_lock);
	ppesim_bus_enabled = true;
	mutex_unlock(&ppesim_bus_lock);
	return 0;
}

/**
 * ppesim_bus_exit() - delete every run-time instance, unregister the bus
 */
void ppesim_bus_exit(void)
{
	struct ppesim_bus_dev *bdev, *tmp;

	mutex_lock(&ppesim_bus_lock);
	ppesim_bus_enabled = false;
	list_for_each_entry_safe(bdev, tmp, &ppesim_bus_devs, list)
		ppesim_bus_dev_del(bdev);
	mutex_unlock(&ppesim_bus_lock);

	driver_unregister(&ppesim_bus_drv);
	bus_unregister(&ppesim_bus);
}
