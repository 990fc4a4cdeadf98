// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: instance life cycle, the DT platform driver and module init */

#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>

#include "ppesim.h"
#include "ppesim_compat.h"

static void ppesim_engine_release(void *data)
{
	ppesim_engine_fini(data);
}

/**
 * ppesim_create() - build an instance: engine, regmap, interrupt domain,
 *	debugfs, ports
 * @dev: the instance's device; the regmap and the instance memory are
 *	device-managed on it, so they outlive everything that can use them
 * @cfg: what to build
 *
 * The caller creates the PPE child device afterwards, as a child of @dev.
 *
 * Return: the instance or an ERR_PTR().
 */
struct ppesim *ppesim_create(struct device *dev, const struct ppesim_cfg *cfg)
{
	struct ppesim *sim;
	int err;

	sim = devm_kzalloc(dev, sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return ERR_PTR(-ENOMEM);
	sim->dev = dev;
	sim->cfg = *cfg;

	err = ppesim_engine_init(&sim->eng, dev, cfg->nports, cfg->max_log2);
	if (err)
		return ERR_PTR(err);
	/* devres runs in reverse: the regmap goes first, then the engine */
	err = devm_add_action_or_reset(dev, ppesim_engine_release, &sim->eng);
	if (err)
		return ERR_PTR(err);
	err = ppesim_regs_init(sim);
	if (err)
		return ERR_PTR(dev_err_probe(dev, err, "cannot register regmap\n"));
	err = ppesim_irq_init(sim);
	if (err)
		return ERR_PTR(dev_err_probe(dev, err,
					     "cannot create the interrupt domain\n"));

	ppesim_debugfs_create(sim);
	err = ppesim_ports_create(sim);
	if (err) {
		ppesim_debugfs_destroy(sim);
		return ERR_PTR(err);
	}
	return sim;
}

/**
 * ppesim_destroy() - tear an instance down
 * @sim: the instance; its PPE child device must already be unregistered
 *
 * Ports go first (their unregistration waits for frames in flight), then
 * debugfs; the engine and the regmap are released by devres afterwards.
 */
void ppesim_destroy(struct ppesim *sim)
{
	ppesim_ports_destroy(sim);
	ppesim_debugfs_destroy(sim);
}

/**
 * ppesim_check_entries() - validate a maximum table size
 * @entries: requested number of entries
 * @log2: set to log2(@entries) when valid
 *
 * Return: 0 or -EINVAL.
 */
int ppesim_check_entries(u32 entries, unsigned int *log2)
{
	if (!is_power_of_2(entries) || entries < BIT(PPESIM_MIN_LOG2) ||
	    entries > BIT(PPESIM_MAX_LOG2))
		return -EINVAL;
	*log2 = ilog2(entries);
	return 0;
}

/* drop the firmware node references a DT configuration holds */
static void ppesim_cfg_put(struct ppesim_cfg *cfg)
{
	unsigned int p;

	for (p = 0; p < PORT_MAX; p++)
		fwnode_handle_put(cfg->port_fwnode[p]);
	fwnode_handle_put(cfg->ppe_fwnode);
}

/* DT instance: ports from the "ports" subnode, the PPE from the "ppe" node */
static int ppesim_of_parse(struct device *dev, struct ppesim_cfg *cfg)
{
	struct fwnode_handle *ports, *child;
	u32 entries = BIT(PPESIM_DT_LOG2);
	const char *label;
	int err;
	u32 reg;

	cfg->id = -1;
	device_property_read_u32(dev, "openppe,max-entries", &entries);
	err = ppesim_check_entries(entries, &cfg->max_log2);
	if (err)
		return dev_err_probe(dev, err,
				     "openppe,max-entries must be a power of 2 in [%lu, %lu], not %u\n",
				     BIT(PPESIM_MIN_LOG2), BIT(PPESIM_MAX_LOG2),
				     entries);

	ports = device_get_named_child_node(dev, "ports");
	if (!ports)
		return dev_err_probe(dev, -EINVAL, "no ports node\n");
	fwnode_for_each_available_child_node(ports, child) {
		err = fwnode_property_read_u32(child, "reg", &reg);
		if (!err && reg >= PORT_MAX)
			err = -ERANGE;
		if (!err && (cfg->present & BIT(reg)))
			err = -EEXIST;
		if (!err)
			err = fwnode_property_read_string(child, "label",
							  &label);
		if (!err && strlen(label) > PPESIM_PORT_NAME_MAX)
			err = -ENAMETOOLONG;
		if (err) {
			dev_err(dev, "bad port node %pfwP: %d\n", child, err);
			fwnode_handle_put(child);
			fwnode_handle_put(ports);
			return err;
		}
		strscpy(cfg->names[reg], label, IFNAMSIZ);
		cfg->present |= BIT(reg);
		if (fwnode_property_read_bool(child, "openppe,conduit"))
			cfg->conduit |= BIT(reg);
		cfg->port_fwnode[reg] = fwnode_handle_get(child);
		cfg->nports = max(cfg->nports, reg + 1);
	}
	fwnode_handle_put(ports);
	if (!cfg->nports)
		return dev_err_probe(dev, -EINVAL, "no ports\n");

	cfg->ppe_fwnode = device_get_named_child_node(dev, "ppe");
	if (!cfg->ppe_fwnode)
		return dev_err_probe(dev, -EINVAL, "no ppe node\n");
	return 0;
}

/* Unbind: what a .remove callback would do, as a device-managed action (the
 * last one probe adds, so it runs first). .remove changed its return type in
 * 6.11; an action reads the same on every kernel.
 */
static void ppesim_pdev_teardown(void *data)
{
	struct ppesim *sim = data;

	/* the PPE driver unbinds (resets the engine) before the ports go */
	of_platform_depopulate(sim->dev);
	ppesim_destroy(sim);
	ppesim_cfg_put(&sim->cfg);
}

static int ppesim_pdev_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct ppesim_cfg *cfg;
	struct ppesim *sim;
	int err;

	cfg = kzalloc_obj(*cfg, GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	err = ppesim_of_parse(dev, cfg);
	if (err)
		goto err_put_ppe;

	sim = ppesim_create(dev, cfg);
	if (IS_ERR(sim)) {
		err = PTR_ERR(sim);
		goto err_put_ppe;
	}
	platform_set_drvdata(pdev, sim);

	/* the PPE child: a platform device for the "ppe" node, parent = us */
	err = of_platform_populate(dev->of_node, NULL, NULL, dev);
	if (err) {
		dev_err_probe(dev, err, "cannot create the PPE device\n");
		goto err_destroy;
	}
	kfree(cfg);
	return devm_add_action_or_reset(dev, ppesim_pdev_teardown, sim);

err_destroy:
	of_platform_depopulate(dev);
	ppesim_destroy(sim);
err_put_ppe:
	ppesim_cfg_put(cfg);
	kfree(cfg);
	return err;
}

static const struct of_device_id ppesim_of_match[] = {
	{ .compatible = "openppe,sim" },
	{ }
};
MODULE_DEVICE_TABLE(of, ppesim_of_match);

static struct platform_driver ppesim_pdrv = {
	.probe = ppesim_pdev_probe,
	.driver = {
		.name = PPESIM_DRV_NAME,
		.of_match_table = ppesim_of_match,
	},
};

static int __init ppesim_init(void)
{
	int err;

	err = ppesim_debugfs_init();
	if (err)
		return err;
	err = ppesim_bus_init();
	if (err)
		goto err_debugfs_exit;
	if (IS_ENABLED(CONFIG_NET_DSA)) {
		err = ppesim_switch_driver_register();
		if (err)
			goto err_bus_exit;
	}
	err = platform_driver_register(&ppesim_pdrv);
	if (err)
		goto err_switch_unregister;
	return 0;

err_switch_unregister:
	if (IS_ENABLED(CONFIG_NET_DSA))
		ppesim_switch_driver_unregister();
err_bus_exit:
	ppesim_bus_exit();
err_debugfs_exit:
	ppesim_debugfs_exit();
	return err;
}
module_init(ppesim_init);

static void __exit ppesim_exit(void)
{
	platform_driver_unregister(&ppesim_pdrv);
	if (IS_ENABLED(CONFIG_NET_DSA))
		ppesim_switch_driver_unregister();
	ppesim_bus_exit();
	ppesim_debugfs_exit();
}
module_exit(ppesim_exit);

MODULE_DESCRIPTION("openppe packet processing engine and switch emulator");
MODULE_LICENSE("GPL");
