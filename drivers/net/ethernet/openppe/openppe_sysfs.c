// SPDX-License-Identifier: GPL-2.0
/* openppe sysfs: driver and engine counters, one value per file */

#include <linux/device.h>
#include <linux/regmap.h>
#include <linux/sysfs.h>

#include "openppe.h"

/* Run @expr on a bound, live PPE; -ENODEV otherwise. */
#define openppe_show_live(dev, expr) ({					\
	struct openppe *__ppe = dev_get_drvdata(dev);			\
	ssize_t __ret = -ENODEV;					\
									\
	if (__ppe) {							\
		down_read(&__ppe->life_lock);				\
		if (!__ppe->dead)					\
			__ret = (expr);					\
		up_read(&__ppe->life_lock);				\
	}								\
	__ret;								\
})

static ssize_t openppe_show_u64(struct device *dev, char *buf, u64 val)
{
	return sysfs_emit(buf, "%llu\n", val);
}

#define OPENPPE_CNT_ATTR(_name, _field)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct openppe *ppe = dev_get_drvdata(dev);			\
									\
	if (!ppe)							\
		return -ENODEV;						\
	return openppe_show_u64(dev, buf,				\
				atomic64_read(&ppe->cnt._field));	\
}									\
static DEVICE_ATTR_RO(_name)

OPENPPE_CNT_ATTR(replace_calls, replace_calls);
OPENPPE_CNT_ATTR(destroy_calls, destroy_calls);
OPENPPE_CNT_ATTR(stats_calls, stats_calls);
OPENPPE_CNT_ATTR(stats_unknown, stats_unknown);
OPENPPE_CNT_ATTR(installs, installs);
OPENPPE_CNT_ATTR(updates, updates);
OPENPPE_CNT_ATTR(relocations, relocations);
OPENPPE_CNT_ATTR(cache_timeouts, cache_timeouts);
OPENPPE_CNT_ATTR(cache_errors, cache_errors);
OPENPPE_CNT_ATTR(recoveries, recoveries);
OPENPPE_CNT_ATTR(table_errors, table_errors);
OPENPPE_CNT_ATTR(router_macs_overflow, router_macs_overflow);

static ssize_t router_macs_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct openppe *ppe = dev_get_drvdata(dev);
	unsigned int i, n = 0;

	if (!ppe)
		return -ENODEV;
	mutex_lock(&ppe->port_lock);
	for (i = 0; i < ppe->nrmacs; i++)
		n += !!ppe->rmac[i].ports;
	mutex_unlock(&ppe->port_lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(router_macs);
OPENPPE_CNT_ATTR(refused_unsupported, refused[OPENPPE_REFUSE_UNSUPPORTED]);
OPENPPE_CNT_ATTR(refused_foreign_port, refused[OPENPPE_REFUSE_FOREIGN_PORT]);
OPENPPE_CNT_ATTR(refused_no_fw_feature, refused[OPENPPE_REFUSE_NO_FW_FEATURE]);
OPENPPE_CNT_ATTR(refused_table_full, refused[OPENPPE_REFUSE_TABLE_FULL]);
OPENPPE_CNT_ATTR(refused_no_memory, refused[OPENPPE_REFUSE_NO_MEMORY]);
OPENPPE_CNT_ATTR(refused_engine_error, refused[OPENPPE_REFUSE_ENGINE_ERROR]);
OPENPPE_CNT_ATTR(refused_duplicate, refused[OPENPPE_REFUSE_DUPLICATE]);
OPENPPE_CNT_ATTR(refused_dsa_port, refused[OPENPPE_REFUSE_DSA_PORT]);
OPENPPE_CNT_ATTR(backoff_refusals, backoff_refusals);
OPENPPE_CNT_ATTR(nexthop_updates, nexthop_updates);

static ssize_t table_size_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return openppe_show_live(dev, sysfs_emit(buf, "%u\n", __ppe->entries));
}
static DEVICE_ATTR_RO(table_size);

static ssize_t entries_used_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return openppe_show_live(dev, sysfs_emit(buf, "%d\n",
				 atomic_read(&__ppe->entries_used)));
}
static DEVICE_ATTR_RO(entries_used);

static ssize_t flows_offloaded_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return openppe_show_live(dev, sysfs_emit(buf, "%u\n",
				 atomic_read(&__ppe->nflows)));
}
static DEVICE_ATTR_RO(flows_offloaded);

static ssize_t degraded_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return openppe_show_live(dev, sysfs_emit(buf, "%d\n",
				 READ_ONCE(__ppe->degraded)));
}
static DEVICE_ATTR_RO(degraded);

static ssize_t fw_version_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return openppe_show_live(dev, sysfs_emit(buf, "%lu.%lu.%lu\n",
		FIELD_GET(OPENPPE_FW_VERSION_MAJOR, __ppe->fw_version),
		FIELD_GET(OPENPPE_FW_VERSION_MINOR, __ppe->fw_version),
		FIELD_GET(OPENPPE_FW_VERSION_PATCH, __ppe->fw_version)));
}
static DEVICE_ATTR_RO(fw_version);

static ssize_t fw_features_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return openppe_show_live(dev, sysfs_emit(buf, "0x%08x\n",
				 __ppe->fw_features));
}
static DEVICE_ATTR_RO(fw_features);

static ssize_t openppe_show_reg64(struct device *dev, char *buf,
				  unsigned int reg)
{
	u64 val;

	return openppe_show_live(dev,
		openppe_read_cnt64(__ppe, reg, &val) ?:
		sysfs_emit(buf, "%llu\n", val));
}

#define OPENPPE_REG_ATTR(_name, _reg)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return openppe_show_reg64(dev, buf, _reg);			\
}									\
static DEVICE_ATTR_RO(_name)

OPENPPE_REG_ATTR(engine_lookups, OPENPPE_CNT_LOOKUPS);
OPENPPE_REG_ATTR(engine_hits, OPENPPE_CNT_HITS);
OPENPPE_REG_ATTR(engine_drops, OPENPPE_CNT_DROPS);
OPENPPE_REG_ATTR(engine_misses, OPENPPE_CNT_PUNT(OPENPPE_PUNT_MISS));
OPENPPE_REG_ATTR(engine_punt_tcp_flags,
		 OPENPPE_CNT_PUNT(OPENPPE_PUNT_TCP_FLAGS));
OPENPPE_REG_ATTR(engine_punt_ttl, OPENPPE_CNT_PUNT(OPENPPE_PUNT_TTL));
OPENPPE_REG_ATTR(engine_punt_frag, OPENPPE_CNT_PUNT(OPENPPE_PUNT_FRAG));
OPENPPE_REG_ATTR(engine_punt_ip_options,
		 OPENPPE_CNT_PUNT(OPENPPE_PUNT_IP_OPTIONS));
OPENPPE_REG_ATTR(engine_punt_unsupported,
		 OPENPPE_CNT_PUNT(OPENPPE_PUNT_UNSUPPORTED));
OPENPPE_REG_ATTR(engine_punt_not_router,
		 OPENPPE_CNT_PUNT(OPENPPE_PUNT_NOT_ROUTER));
OPENPPE_REG_ATTR(engine_punt_mtu, OPENPPE_CNT_PUNT(OPENPPE_PUNT_MTU));
OPENPPE_REG_ATTR(engine_punt_port_disabled,
		 OPENPPE_CNT_PUNT(OPENPPE_PUNT_PORT_DISABLED));
OPENPPE_REG_ATTR(engine_punt_bad_entry,
		 OPENPPE_CNT_PUNT(OPENPPE_PUNT_BAD_ENTRY));

static struct attribute *openppe_attrs[] = {
	&dev_attr_table_size.attr,
	&dev_attr_entries_used.attr,
	&dev_attr_flows_offloaded.attr,
	&dev_attr_degraded.attr,
	&dev_attr_fw_version.attr,
	&dev_attr_fw_features.attr,
	&dev_attr_replace_calls.attr,
	&dev_attr_destroy_calls.attr,
	&dev_attr_stats_calls.attr,
	&dev_attr_stats_unknown.attr,
	&dev_attr_installs.attr,
	&dev_attr_updates.attr,
	&dev_attr_relocations.attr,
	&dev_attr_cache_timeouts.attr,
	&dev_attr_cache_errors.attr,
	&dev_attr_recoveries.attr,
	&dev_attr_table_errors.attr,
	&dev_attr_router_macs.attr,
	&dev_attr_router_macs_overflow.attr,
	&dev_attr_refused_unsupported.attr,
	&dev_attr_refused_foreign_port.attr,
	&dev_attr_refused_no_fw_feature.attr,
	&dev_attr_refused_table_full.attr,
	&dev_attr_refused_no_memory.attr,
	&dev_attr_refused_engine_error.attr,
	&dev_attr_refused_duplicate.attr,
	&dev_attr_refused_dsa_port.attr,
	&dev_attr_backoff_refusals.attr,
	&dev_attr_nexthop_updates.attr,
	&dev_attr_engine_lookups.attr,
	&dev_attr_engine_hits.attr,
	&dev_attr_engine_drops.attr,
	&dev_attr_engine_misses.attr,
	&dev_attr_engine_punt_tcp_flags.attr,
	&dev_attr_engine_punt_ttl.attr,
	&dev_attr_engine_punt_frag.attr,
	&dev_attr_engine_punt_ip_options.attr,
	&dev_attr_engine_punt_unsupported.attr,
	&dev_attr_engine_punt_not_router.attr,
	&dev_attr_engine_punt_mtu.attr,
	&dev_attr_engine_punt_port_disabled.attr,
	&dev_attr_engine_punt_bad_entry.attr,
	NULL
};

static const struct attribute_group openppe_group = {
	.attrs = openppe_attrs,
};

const struct attribute_group *openppe_groups[] = {
	&openppe_group,
	NULL
};
