// SPDX-License-Identifier: GPL-2.0
/* openppe platform driver: probe, engine start/stop, lifetime and plugin API */

#include <kunit/visibility.h>
#include <linux/clk.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/random.h>
#include <linux/regmap.h>
#include <linux/reset.h>

#include "openppe.h"
#include "openppe_compat.h"

/* largest table the driver allocates: 1M entries, 128 MiB + 32 MiB */
#define OPENPPE_DRV_MAX_LOG2	20
/* table unless the device asks for another size: 16K entries, 2.5 MiB */
#define OPENPPE_DEFAULT_LOG2	14
#define OPENPPE_HW_ID_V1	0x0001

/* the only module-level object: debugfs "openppe/", parent of the devices */
static struct dentry *openppe_debugfs_root;

static struct platform_driver openppe_driver;

/**
 * openppe_create() - allocate a PPE object with its locks
 * @dev: the PPE device; a reference is held until the object is freed
 *
 * Return: the object with one reference, or an ERR_PTR().
 */
struct openppe *openppe_create(struct device *dev)
{
	struct openppe *ppe;
	int i;

	ppe = kzalloc_obj(*ppe, GFP_KERNEL);
	if (!ppe)
		return ERR_PTR(-ENOMEM);
	kref_init(&ppe->ref);
	init_rwsem(&ppe->life_lock);
	init_rwsem(&ppe->place_lock);
	for (i = 0; i < OPENPPE_STRIPES; i++)
		mutex_init(&ppe->stripe[i]);
	for (i = 0; i < ARRAY_SIZE(ppe->flow_lock); i++)
		mutex_init(&ppe->flow_lock[i]);
	ida_init(&ppe->cnt_ida);
	ppe->cmd_slots = 1;
	init_rwsem(&ppe->cmd_sem);
	init_waitqueue_head(&ppe->cmd_wq);
	mutex_init(&ppe->cache_lock);
	mutex_init(&ppe->cnt_lock);
	INIT_DELAYED_WORK(&ppe->recover_work, openppe_recover_work);
	INIT_WORK(&ppe->health_work, openppe_health_work);
	mutex_init(&ppe->port_lock);
	spin_lock_init(&ppe->backoff_lock);
	ppe->dev = get_device(dev);
	return ppe;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_create);

static void openppe_free(struct kref *ref)
{
	struct openppe *ppe = container_of(ref, struct openppe, ref);
	struct net_device *netdev;
	int p;

	for (p = 0; p < OPENPPE_PORTS_MAX; p++) {
		netdev = rcu_dereference_protected(ppe->ports[p].netdev, 1);
		if (WARN_ON_ONCE(netdev))
			netdev_put(netdev, &ppe->ports[p].tracker);
	}
	ida_destroy(&ppe->cnt_ida);
	openppe_table_fini(ppe);
	put_device(ppe->dev);
	kfree(ppe);
}

/**
 * openppe_put() - drop a reference taken by openppe_get()
 * @ppe: the PPE handle (NULL or an ERR_PTR() are ignored)
 */
void openppe_put(struct openppe *ppe)
{
	if (!IS_ERR_OR_NULL(ppe))
		kref_put(&ppe->ref, openppe_free);
}
EXPORT_SYMBOL_GPL(openppe_put);

/**
 * openppe_get() - find the bound PPE of a device-tree or software node
 * @fwnode: the PPE's node, e.g. from an "openppe,ppe" phandle
 *
 * Return: a reference to the PPE, to be dropped with openppe_put();
 * ERR_PTR(-EPROBE_DEFER) when no driver is bound to that node (yet), or
 * ERR_PTR(-EINVAL) for a NULL @fwnode.
 */
struct openppe *openppe_get(struct fwnode_handle *fwnode)
{
	struct openppe *ppe = ERR_PTR(-EPROBE_DEFER), *p;
	struct device *dev;

	if (!fwnode)
		return ERR_PTR(-EINVAL);
	dev = driver_find_device_by_fwnode(&openppe_driver.driver, fwnode);
	if (!dev)
		return ppe;

	/* device_lock() keeps the binding (and its drvdata) stable */
	device_lock(dev);
	p = dev_get_drvdata(dev);
	if (dev->driver == &openppe_driver.driver && p) {
		down_read(&p->life_lock);
		if (!p->dead) {
			kref_get(&p->ref);
			ppe = p;
		}
		up_read(&p->life_lock);
	}
	device_unlock(dev);
	put_device(dev);
	return ppe;
}
EXPORT_SYMBOL_GPL(openppe_get);

/**
 * openppe_alive() - whether the handle's PPE is still bound to its driver
 * @ppe: the PPE handle
 *
 * Return: false once the driver was unbound; the handle then only accepts
 * openppe_port_detach(), FLOW_BLOCK_UNBIND and openppe_put().
 */
bool openppe_alive(struct openppe *ppe)
{
	return !READ_ONCE(ppe->dead);
}
EXPORT_SYMBOL_GPL(openppe_alive);

/* latch-safe read of a 64-bit _LO/_HI counter pair */
int openppe_read_cnt64(struct openppe *ppe, unsigned int reg, u64 *val)
{
	u32 lo, hi;
	int ret;

	mutex_lock(&ppe->cnt_lock);
	ret = regmap_read(ppe->regmap, reg, &lo);
	if (!ret)
		ret = regmap_read(ppe->regmap, reg + 4, &hi);
	mutex_unlock(&ppe->cnt_lock);
	if (!ret)
		*val = (u64)hi << 32 | lo;
	return ret;
}

/**
 * openppe_port_attach() - declare a host netdev as a switch port of the PPE
 * @ppe: the PPE handle
 * @dev: the port's netdev; a reference is held until openppe_port_detach()
 * @hw_port: its hardware port number (0 .. PPE_CAPS.PORTS - 1)
 *
 * Programs the port's MAC and MTU into the engine, enables it and adds the
 * addresses of the devices stacked on it to the router MAC table; from then
 * on they follow the netdevs (openppe_ports_sync()). Flows are offloaded only
 * between attached ports.
 *
 * Return: 0; -ENODEV if the PPE is gone; -EINVAL for a bad port number;
 * -EBUSY if the port or the netdev is already attached; or a register error.
 */
int openppe_port_attach(struct openppe *ppe, struct net_device *dev,
			unsigned int hw_port)
{
	struct openppe_port *port;
	int p, ret;

	down_read(&ppe->life_lock);
	if (ppe->dead) {
		ret = -ENODEV;
		goto out_unlock_life;
	}
	if (hw_port >= ppe->nports) {
		ret = -EINVAL;
		goto out_unlock_life;
	}
	port = &ppe->ports[hw_port];
	mutex_lock(&ppe->port_lock);
	for (p = 0; p < ppe->nports; p++) {
		if (rcu_access_pointer(ppe->ports[p].netdev) == dev ||
		    (p == hw_port && rcu_access_pointer(port->netdev))) {
			ret = -EBUSY;
			goto out_unlock;
		}
	}
	ret = openppe_port_enable(ppe, hw_port, dev);
	if (ret)
		goto out_unlock;
	netdev_hold(dev, &port->tracker, GFP_KERNEL);
	rcu_assign_pointer(port->netdev, dev);
	/* the uppers' addresses; a failure here only costs offload */
	openppe_ports_sync(ppe);
	dev_dbg(ppe->dev, "port %u: attached %s\n", hw_port, netdev_name(dev));
out_unlock:
	mutex_unlock(&ppe->port_lock);
out_unlock_life:
	up_read(&ppe->life_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(openppe_port_attach);

/**
 * openppe_port_detach() - remove a host netdev from the PPE
 * @ppe: the PPE handle (also valid after the PPE was unbound)
 * @dev: a netdev attached with openppe_port_attach()
 *
 * Disables the port in the engine and removes every flow entering or leaving
 * it; on return the PPE holds no reference to @dev.
 */
void openppe_port_detach(struct openppe *ppe, struct net_device *dev)
{
	netdevice_tracker tracker;
	int p, found = -1;

	down_read(&ppe->life_lock);
	mutex_lock(&ppe->port_lock);
	for (p = 0; p < OPENPPE_PORTS_MAX; p++) {
		if (rcu_access_pointer(ppe->ports[p].netdev) == dev) {
			found = p;
			break;
		}
	}
	if (found >= 0) {
		RCU_INIT_POINTER(ppe->ports[found].netdev, NULL);
		/* the port can be attached again as soon as port_lock is
		 * dropped, and that fills its tracker: take ours along
		 */
		tracker = ppe->ports[found].tracker;
		memset(&ppe->ports[found].tracker, 0, sizeof(tracker));
		if (!ppe->dead)
			openppe_port_disable(ppe, found);
	}
	mutex_unlock(&ppe->port_lock);
	if (found < 0)
		goto out_unlock;

	/* no parser still sees the port; REPLACEs re-check after inserting */
	synchronize_rcu();
	if (!ppe->dead)
		openppe_flows_flush(ppe, NULL, found);
	netdev_put(dev, &tracker);
	dev_dbg(ppe->dev, "port %d: detached %s\n", found, netdev_name(dev));
out_unlock:
	up_read(&ppe->life_lock);
}
EXPORT_SYMBOL_GPL(openppe_port_detach);

/**
 * openppe_setup_tc() - ndo_setup_tc() of an attached port, forwarded
 * @ppe: the PPE handle
 * @dev: the attached netdev
 * @type: TC_SETUP_FT (nf_flow_table offload); others are not supported
 * @type_data: the &struct flow_block_offload
 *
 * Return: 0, -EOPNOTSUPP, or -ENODEV when binding to an unbound PPE.
 */
int openppe_setup_tc(struct openppe *ppe, struct net_device *dev,
		     enum tc_setup_type type, void *type_data)
{
	switch (type) {
	case TC_SETUP_FT:
		return openppe_block_setup(ppe, dev, type_data);
	default:
		return -EOPNOTSUPP;
	}
}
EXPORT_SYMBOL_GPL(openppe_setup_tc);

/**
 * openppe_port_stats() - traffic the engine forwarded for a port
 * @ppe: the PPE handle
 * @hw_port: hardware port number
 * @stats: filled from the engine's PORT_RX/TX counters
 *
 * Return: 0, -EINVAL for a bad port, -ENODEV when the PPE is gone.
 */
int openppe_port_stats(struct openppe *ppe, unsigned int hw_port,
		       struct openppe_port_stats *stats)
{
	int ret;

	down_read(&ppe->life_lock);
	if (ppe->dead) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (hw_port >= ppe->nports) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = openppe_read_cnt64(ppe, OPENPPE_PORT_RX_PKTS(hw_port),
				 &stats->rx_packets);
	if (!ret)
		ret = openppe_read_cnt64(ppe, OPENPPE_PORT_RX_BYTES(hw_port),
					 &stats->rx_bytes);
	if (!ret)
		ret = openppe_read_cnt64(ppe, OPENPPE_PORT_TX_PKTS(hw_port),
					 &stats->tx_packets);
	if (!ret)
		ret = openppe_read_cnt64(ppe, OPENPPE_PORT_TX_BYTES(hw_port),
					 &stats->tx_bytes);
out_unlock:
	up_read(&ppe->life_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(openppe_port_stats);

static irqreturn_t openppe_irq_thread(int irq, void *data)
{
	struct openppe *ppe = data;
	u32 status, fw;

	if (regmap_read(ppe->regmap, OPENPPE_IRQ_STATUS, &status) || !status)
		return IRQ_NONE;
	regmap_write(ppe->regmap, OPENPPE_IRQ_STATUS, status);
	if (status & OPENPPE_IRQ_TBL_ERR) {
		atomic64_inc(&ppe->cnt.table_errors);
		dev_warn_ratelimited(ppe->dev,
				     "engine met an unusable table entry, frame punted\n");
	}
	if ((status & OPENPPE_IRQ_FW) &&
	    !regmap_read(ppe->regmap, OPENPPE_FW_STATUS, &fw) &&
	    FIELD_GET(OPENPPE_FW_STATUS_STATE, fw) != OPENPPE_FW_STATE_RUNNING)
		dev_warn_ratelimited(ppe->dev,
				     "engine firmware stopped: %s\n",
				     openppe_fw_err_name(FIELD_GET(OPENPPE_FW_STATUS_ERR,
								   fw)));
	return IRQ_HANDLED;
}

static const struct regmap_config openppe_regmap_config = {
	.name = "openppe",
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = OPENPPE_REG_LAST + 4,
};

static void openppe_put_action(void *data)
{
	openppe_put(data);
}

static void openppe_clks_disable(void *data)
{
	struct openppe *ppe = data;

	clk_bulk_disable_unprepare(ppe->nclks, ppe->clks);
}

static void openppe_reset_assert(void *data)
{
	reset_control_assert(data);
}

static void openppe_unwatch_action(void *data)
{
	openppe_ports_unwatch(data);
}

static void openppe_debugfs_action(void *data)
{
	openppe_debugfs_exit(data);
}

static void openppe_devlink_action(void *data)
{
	openppe_devlink_fini(data);
}

/* Unbind: no new work, flows out, engine stopped before its memory goes. */
static void openppe_stop(void *data)
{
	struct openppe *ppe = data;

	down_write(&ppe->life_lock);
	WRITE_ONCE(ppe->dead, true);
	up_write(&ppe->life_lock);

	/* a running recovery sees dead and stops; none is scheduled again */
	cancel_delayed_work_sync(&ppe->recover_work);
	regmap_clear_bits(ppe->regmap, OPENPPE_PPE_CTRL, OPENPPE_PPE_CTRL_EN);
	openppe_flows_flush(ppe, NULL, -1);
	openppe_cache_inv(ppe, OPENPPE_CACHE_OP_INV_ALL, 0);
	regmap_write(ppe->regmap, OPENPPE_PPE_CTRL, OPENPPE_PPE_CTRL_RESET);
}

/**
 * openppe_hw_identify() - check that the registers are an openppe engine's
 * @ppe: the PPE, @ppe->regmap set
 *
 * Reads PPE_ID and PPE_REV before it writes anything, then resets the
 * engine (docs/hardware.md section 7, step 1).
 *
 * Return: 0 with @ppe->hw_rev, @ppe->nports, @ppe->nrmacs and
 * @ppe->cmd_slots set, or a negative errno.
 */
int openppe_hw_identify(struct openppe *ppe)
{
	struct device *dev = ppe->dev;
	u32 id, caps;
	int ret;

	/* nothing is written before PPE_ID says these are an engine's
	 * registers: a parent regmap may belong to anything
	 */
	ret = regmap_read(ppe->regmap, OPENPPE_PPE_ID, &id);
	if (!ret)
		ret = regmap_read(ppe->regmap, OPENPPE_PPE_REV, &ppe->hw_rev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot access engine registers\n");
	if (id != OPENPPE_PPE_ID_VALUE)
		return dev_err_probe(dev, -ENODEV,
				     "no engine: PPE_ID reads %#x\n", id);
	if (FIELD_GET(OPENPPE_PPE_REV_HW_ID, ppe->hw_rev) != OPENPPE_HW_ID_V1)
		return dev_err_probe(dev, -ENODEV,
				     "unsupported engine: hardware id %#lx\n",
				     FIELD_GET(OPENPPE_PPE_REV_HW_ID,
					       ppe->hw_rev));
	ret = regmap_write(ppe->regmap, OPENPPE_PPE_CTRL,
			   OPENPPE_PPE_CTRL_RESET);
	if (ret)
		return dev_err_probe(dev, ret, "cannot reset the engine\n");
	/* after the reset: an engine may take its capabilities then */
	ret = regmap_read(ppe->regmap, OPENPPE_PPE_CAPS, &caps);
	if (ret)
		return dev_err_probe(dev, ret, "cannot access engine registers\n");
	ppe->nports = min_t(u32, FIELD_GET(OPENPPE_PPE_CAPS_PORTS, caps),
			    OPENPPE_PORTS_MAX);
	ppe->nrmacs = min_t(u32, FIELD_GET(OPENPPE_PPE_CAPS_RMACS, caps),
			    OPENPPE_RMAC_MAX);
	/* 0: an engine with only CACHE_CMD/CACHE_STATUS, one slot */
	ppe->cmd_slots = clamp_t(u32, FIELD_GET(OPENPPE_PPE_CAPS_CMD_SLOTS, caps),
				 1, OPENPPE_CACHE_SLOTS_MAX);
	if (!ppe->nports)
		return dev_err_probe(dev, -ENODEV, "engine has no ports\n");
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_hw_identify);

/* Table and counter array of 1 << @log2 entries; false if either is missing.
 * Large tables need more contiguous memory than the platform may have, so
 * a failure is quiet and the caller retries with a smaller table.
 */
static bool openppe_table_dma_alloc(struct openppe *ppe, unsigned int log2)
{
	size_t tsize = (size_t)OPENPPE_ENTRY_SIZE << log2;
	size_t csize = (size_t)OPENPPE_CNT_SIZE << log2;
	struct device *dev = ppe->dev;

	ppe->table = dmam_alloc_coherent(dev, tsize, &ppe->table_dma,
					 GFP_KERNEL | __GFP_NOWARN);
	ppe->counters = dmam_alloc_coherent(dev, csize, &ppe->cnt_dma,
					    GFP_KERNEL | __GFP_NOWARN);
	if (ppe->table && ppe->counters)
		return true;
	if (ppe->table)
		dmam_free_coherent(dev, tsize, ppe->table, ppe->table_dma);
	if (ppe->counters)
		dmam_free_coherent(dev, csize, ppe->counters, ppe->cnt_dma);
	ppe->table = NULL;
	ppe->counters = NULL;
	return false;
}

/**
 * openppe_table_log2() - size of the flow table the driver allocates
 * @max_log2: TBL_CAPS.MAX_LOG2, the largest table the engine supports
 * @ways: TBL_CAPS.WAYS
 * @asked: entries the device asks for (openppe,max-entries), 0 if it does not
 *
 * The table is DMA memory of 160 bytes per entry; the engine's largest (up to
 * 1M entries, 160 MiB) would take most of a router's CMA pool. Unless asked,
 * the driver takes 16K entries, plenty for a home router (each offloaded
 * connection needs two); a device node asks for more, or less.
 *
 * Return: log2 of the number of entries, or -EINVAL when that would be
 * smaller than two buckets.
 */
int openppe_table_log2(u32 max_log2, u32 ways, u32 asked)
{
	u32 log2;

	log2 = asked ? ilog2(asked) : OPENPPE_DEFAULT_LOG2;
	log2 = min(log2, max_log2);
	if (log2 > OPENPPE_DRV_MAX_LOG2)
		log2 = OPENPPE_DRV_MAX_LOG2;
	if (log2 < ilog2(ways) + 1)
		return -EINVAL;
	return log2;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_table_log2);

static int openppe_table_alloc(struct openppe *ppe)
{
	unsigned int log2, ways, min_log2, want_log2;
	struct device *dev = ppe->dev;
	u32 caps, max_entries = 0;
	int ret;

	ret = regmap_read(ppe->regmap, OPENPPE_TBL_CAPS, &caps);
	if (ret)
		return dev_err_probe(dev, ret, "cannot read TBL_CAPS\n");
	ways = FIELD_GET(OPENPPE_TBL_CAPS_WAYS, caps);
	log2 = FIELD_GET(OPENPPE_TBL_CAPS_MAX_LOG2, caps);
	if (!ways || !is_power_of_2(ways) ||
	    FIELD_GET(OPENPPE_TBL_CAPS_ENTRY_SIZE, caps) != OPENPPE_ENTRY_SIZE ||
	    FIELD_GET(OPENPPE_TBL_CAPS_CNT_SIZE, caps) != OPENPPE_CNT_SIZE)
		return dev_err_probe(dev, -ENODEV,
				     "unsupported table geometry (TBL_CAPS %#x)\n",
				     caps);
	if (!device_property_read_u32(dev, "openppe,max-entries",
				      &max_entries) && !max_entries)
		return dev_err_probe(dev, -EINVAL,
				     "openppe,max-entries must not be 0\n");
	ret = openppe_table_log2(log2, ways, max_entries);
	if (ret < 0)
		return dev_err_probe(dev, ret,
				     "flow table smaller than two buckets (TBL_CAPS %#x, openppe,max-entries %u)\n",
				     caps, max_entries);
	log2 = ret;
	min_log2 = ilog2(ways) + 1;

	want_log2 = log2;
	while (!openppe_table_dma_alloc(ppe, log2)) {
		if (log2 == min_log2)
			return dev_err_probe(dev, -ENOMEM,
					     "cannot allocate a table of %u entries\n",
					     1U << log2);
		log2--;
	}
	if (log2 != want_log2)
		dev_info(dev, "no contiguous DMA memory for %u entries, using %u\n",
			 1U << want_log2, 1U << log2);
	return openppe_table_init(ppe, log2, ways);
}

/* docs/hardware.md section 7, step 3 */
static int openppe_table_program(struct openppe *ppe)
{
	struct regmap *map = ppe->regmap;
	int ret;

	ppe->seed[0] = get_random_u32();
	ppe->seed[1] = get_random_u32();
	ret = regmap_write(map, OPENPPE_TBL_CFG,
			   FIELD_PREP(OPENPPE_TBL_CFG_LOG2, ppe->log2));
	ret = ret ?: regmap_write(map, OPENPPE_TBL_BASE_LO,
				  lower_32_bits(ppe->table_dma));
	ret = ret ?: regmap_write(map, OPENPPE_TBL_BASE_HI,
				  upper_32_bits(ppe->table_dma));
	ret = ret ?: regmap_write(map, OPENPPE_CNT_BASE_LO,
				  lower_32_bits(ppe->cnt_dma));
	ret = ret ?: regmap_write(map, OPENPPE_CNT_BASE_HI,
				  upper_32_bits(ppe->cnt_dma));
	ret = ret ?: regmap_write(map, OPENPPE_HASH_SEED0, ppe->seed[0]);
	ret = ret ?: regmap_write(map, OPENPPE_HASH_SEED1, ppe->seed[1]);
	ret = ret ?: regmap_read(map, OPENPPE_TS_RATE, &ppe->ts_rate);
	ret = ret ?: openppe_cache_inv(ppe, OPENPPE_CACHE_OP_INV_ALL, 0);
	return ret;
}

/* Set PPE_CTRL.EN unless a cache command already timed out during start-up
 * (return 1): the recovery work then enables the engine once the cache
 * answers.
 */
static int openppe_engine_enable(struct openppe *ppe, u32 *status)
{
	int ret = 1;

	mutex_lock(&ppe->cache_lock);
	if (!ppe->degraded) {
		ret = regmap_set_bits(ppe->regmap, OPENPPE_PPE_CTRL,
				      OPENPPE_PPE_CTRL_EN);
		ret = ret ?: regmap_read(ppe->regmap, OPENPPE_PPE_STATUS,
					 status);
	}
	mutex_unlock(&ppe->cache_lock);
	return ret;
}

static int openppe_probe(struct platform_device *pdev)
{
	const char *fw_name = OPENPPE_FW_DEFAULT;
	struct device *dev = &pdev->dev;
	struct reset_control *rst;
	struct openppe *ppe;
	void __iomem *base;
	u32 status;
	int ret;

	ppe = openppe_create(dev);
	if (IS_ERR(ppe))
		return dev_err_probe(dev, PTR_ERR(ppe), "cannot allocate\n");
	ret = devm_add_action_or_reset(dev, openppe_put_action, ppe);
	if (ret)
		return ret;

	if (dev->parent)
		ppe->regmap = dev_get_regmap(dev->parent, NULL);
	/* a parent's regmap must at least be shaped like our register file;
	 * openppe_hw_identify() then checks PPE_ID before any write
	 */
	if (ppe->regmap &&
	    (regmap_get_val_bytes(ppe->regmap) != 4 ||
	     regmap_get_reg_stride(ppe->regmap) > 4 ||
	     regmap_get_max_register(ppe->regmap) < OPENPPE_REG_LAST))
		return dev_err_probe(dev, -ENODEV,
				     "parent regmap is not an openppe register file\n");
	if (!ppe->regmap) {
		base = devm_platform_ioremap_resource(pdev, 0);
		if (IS_ERR(base))
			return dev_err_probe(dev, PTR_ERR(base),
					     "no registers: no parent regmap and no usable reg\n");
		ppe->regmap = devm_regmap_init_mmio(dev, base,
						    &openppe_regmap_config);
		if (IS_ERR(ppe->regmap))
			return dev_err_probe(dev, PTR_ERR(ppe->regmap),
					     "cannot create the register map\n");
	}

	ret = devm_clk_bulk_get_all(dev, &ppe->clks);
	if (ret < 0)
		return dev_err_probe(dev, ret, "cannot get clocks\n");
	ppe->nclks = ret;
	ret = clk_bulk_prepare_enable(ppe->nclks, ppe->clks);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable clocks\n");
	ret = devm_add_action_or_reset(dev, openppe_clks_disable, ppe);
	if (ret)
		return ret;

	rst = devm_reset_control_get_optional_exclusive(dev, NULL);
	if (IS_ERR(rst))
		return dev_err_probe(dev, PTR_ERR(rst), "cannot get reset\n");
	ret = reset_control_deassert(rst);
	if (ret)
		return dev_err_probe(dev, ret, "cannot deassert reset\n");
	ret = devm_add_action_or_reset(dev, openppe_reset_assert, rst);
	if (ret)
		return ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");

	ret = openppe_hw_identify(ppe);
	if (ret)
		return ret;

	device_property_read_string(dev, "firmware-name", &fw_name);
	ret = openppe_fw_load(ppe, fw_name);
	if (ret)
		return ret;

	ret = openppe_table_alloc(ppe);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, openppe_stop, ppe);
	if (ret)
		return ret;
	ret = openppe_table_program(ppe);
	if (ret)
		return dev_err_probe(dev, ret, "cannot program the table\n");

	ppe->irq = platform_get_irq_optional(pdev, 0);
	if (ppe->irq == -EPROBE_DEFER)
		return ppe->irq;
	if (ppe->irq > 0) {
		ret = devm_request_threaded_irq(dev, ppe->irq, NULL,
						openppe_irq_thread, IRQF_ONESHOT,
						dev_name(dev), ppe);
		if (ret)
			return dev_err_probe(dev, ret, "cannot request irq\n");
		regmap_write(ppe->regmap, OPENPPE_IRQ_MASK,
			     OPENPPE_IRQ_TBL_ERR | OPENPPE_IRQ_FW);
	} else {
		ppe->irq = 0;
	}

	ret = openppe_engine_enable(ppe, &status);
	if (ret < 0)
		return dev_err_probe(dev, ret, "cannot enable the engine\n");
	if (!ret && !(status & OPENPPE_PPE_STATUS_RUNNING))
		return dev_err_probe(dev, -EIO,
				     "engine not running after enable (PPE_STATUS %#x)\n",
				     status);
	if (ret)
		dev_warn(dev, "entry cache not answering: engine stays disabled until it does\n");

	ret = openppe_ports_watch(ppe);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register a netdev notifier\n");
	ret = devm_add_action_or_reset(dev, openppe_unwatch_action, ppe);
	if (ret)
		return ret;

	openppe_debugfs_init(ppe, openppe_debugfs_root);
	ret = devm_add_action_or_reset(dev, openppe_debugfs_action, ppe);
	if (ret)
		return ret;

	/* last before the PPE is published: from here userspace reaches it
	 * through devlink, and unbind unregisters that first
	 */
	ret = openppe_devlink_init(ppe);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register with devlink\n");
	ret = devm_add_action_or_reset(dev, openppe_devlink_action, ppe);
	if (ret)
		return ret;

	platform_set_drvdata(pdev, ppe);
	dev_info(dev, "%u entries (%u-way), %u ports, firmware features %#x\n",
		 ppe->entries, ppe->ways, ppe->nports, ppe->fw_features);
	return 0;
}

static const struct of_device_id openppe_of_match[] = {
	{ .compatible = "openppe,ppe-v1" },
	{ }
};
MODULE_DEVICE_TABLE(of, openppe_of_match);

static struct platform_driver openppe_driver = {
	.probe = openppe_probe,
	.driver = {
		.name = "openppe",
		.of_match_table = openppe_of_match,
		.dev_groups = openppe_groups,
	},
};

static int __init openppe_init(void)
{
	int ret;

	ret = openppe_flow_cache_init();
	if (ret)
		return ret;
	openppe_debugfs_root = debugfs_create_dir("openppe", NULL);
	ret = platform_driver_register(&openppe_driver);
	if (ret) {
		debugfs_remove(openppe_debugfs_root);
		openppe_flow_cache_exit();
	}
	return ret;
}
module_init(openppe_init);

static void __exit openppe_exit(void)
{
	platform_driver_unregister(&openppe_driver);
	debugfs_remove(openppe_debugfs_root);
	openppe_flow_cache_exit();
}
module_exit(openppe_exit);

MODULE_FIRMWARE(OPENPPE_FW_DEFAULT);
MODULE_ALIAS("platform:openppe");
MODULE_DESCRIPTION("openppe packet processing engine: nf_flow_table offload");
MODULE_LICENSE("GPL");
