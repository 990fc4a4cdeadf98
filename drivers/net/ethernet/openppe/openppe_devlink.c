// SPDX-License-Identifier: GPL-2.0
/* openppe devlink: device info, the entry-cache health reporter, table resource */

#include <linux/device.h>
#include <linux/regmap.h>
#include <net/devlink.h>

#include "openppe.h"
#include "openppe_compat.h"

/* devlink resource ids; 0 is DEVLINK_RESOURCE_ID_PARENT_TOP */
enum openppe_resource_id {
	OPENPPE_RESOURCE_FLOW_TABLE = 1,
};

static struct openppe *openppe_devlink_ppe(struct devlink *devlink)
{
	return *(struct openppe **)devlink_priv(devlink);
}

/* hw_rev and fw_version are set in probe, before devlink is registered */
static int openppe_devlink_info_get(struct devlink *devlink,
				    struct devlink_info_req *req,
				    struct netlink_ext_ack *extack)
{
	struct openppe *ppe = openppe_devlink_ppe(devlink);
	char buf[32];
	int err;

	err = openppe_devlink_info_driver_name_put(req, KBUILD_MODNAME);
	if (err)
		return err;

	snprintf(buf, sizeof(buf), "0x%04lx",
		 FIELD_GET(OPENPPE_PPE_REV_HW_ID, ppe->hw_rev));
	err = devlink_info_version_fixed_put(req,
					     DEVLINK_INFO_VERSION_GENERIC_ASIC_ID,
					     buf);
	if (err)
		return err;

	snprintf(buf, sizeof(buf), "%lu.%lu",
		 FIELD_GET(OPENPPE_PPE_REV_MAJOR, ppe->hw_rev),
		 FIELD_GET(OPENPPE_PPE_REV_MINOR, ppe->hw_rev));
	err = devlink_info_version_fixed_put(req,
					     DEVLINK_INFO_VERSION_GENERIC_ASIC_REV,
					     buf);
	if (err)
		return err;

	/* the same MAJOR.MINOR.PATCH as the fw_version sysfs file */
	snprintf(buf, sizeof(buf), "%lu.%lu.%lu",
		 FIELD_GET(OPENPPE_FW_VERSION_MAJOR, ppe->fw_version),
		 FIELD_GET(OPENPPE_FW_VERSION_MINOR, ppe->fw_version),
		 FIELD_GET(OPENPPE_FW_VERSION_PATCH, ppe->fw_version));
	return devlink_info_version_running_put(req,
						DEVLINK_INFO_VERSION_GENERIC_FW,
						buf);
}

static const struct devlink_ops openppe_devlink_ops = {
	.info_get = openppe_devlink_info_get,
};

/* Run under the devlink instance lock (the core calls it with it held). */
static int openppe_health_recover(struct devlink_health_reporter *reporter,
				  void *priv_ctx,
				  struct netlink_ext_ack *extack)
{
	struct openppe *ppe = devlink_health_reporter_priv(reporter);
	int ret;

	devl_assert_locked(ppe->devlink);

	ret = openppe_cache_recover(ppe);
	if (ret == -ETIMEDOUT) {
		NL_SET_ERR_MSG_MOD(extack,
				   "entry cache still not answering, engine stays disabled");
		return ret;
	}
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack,
				   "entry cache recovery failed, engine stays disabled");
		return ret;
	}
	/* the core marks the reporter healthy and counts the recovery */
	mutex_lock(&ppe->cache_lock);
	ppe->dl_error = false;
	mutex_unlock(&ppe->cache_lock);
	return 0;
}

static int openppe_health_diagnose(struct devlink_health_reporter *reporter,
				   struct devlink_fmsg *fmsg,
				   struct netlink_ext_ack *extack)
{
	struct openppe *ppe = devlink_health_reporter_priv(reporter);
	u64 timeouts, errors, recoveries;
	bool degraded = false;
	u32 ctrl = 0;
	int err;

	down_read(&ppe->life_lock);
	if (ppe->dead) {
		err = -ENODEV;
	} else {
		mutex_lock(&ppe->cache_lock);
		degraded = ppe->degraded;
		err = regmap_read(ppe->regmap, OPENPPE_PPE_CTRL, &ctrl);
		mutex_unlock(&ppe->cache_lock);
	}
	up_read(&ppe->life_lock);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot read the engine's state");
		return err;
	}
	timeouts = atomic64_read(&ppe->cnt.cache_timeouts);
	errors = atomic64_read(&ppe->cnt.cache_errors);
	recoveries = atomic64_read(&ppe->cnt.recoveries);

	err = openppe_fmsg(devlink_fmsg_string_pair_put(fmsg, "state",
							degraded ? "degraded" :
								   "ok"));
	err = err ?: openppe_fmsg(devlink_fmsg_bool_pair_put(fmsg,
							     "engine_enabled",
							     ctrl & OPENPPE_PPE_CTRL_EN));
	/* the sysfs counters of the same names */
	err = err ?: openppe_fmsg(devlink_fmsg_u64_pair_put(fmsg, "cache_timeouts",
							    timeouts));
	err = err ?: openppe_fmsg(devlink_fmsg_u64_pair_put(fmsg, "cache_errors",
							    errors));
	err = err ?: openppe_fmsg(devlink_fmsg_u64_pair_put(fmsg, "recoveries",
							    recoveries));
	return err;
}

static const struct devlink_health_reporter_ops openppe_health_ops = {
	.name = "entry_cache",
	.recover = openppe_health_recover,
	.diagnose = openppe_health_diagnose,
};

/**
 * openppe_health_work() - tell devlink health what the entry cache did
 * @work: &openppe.health_work
 *
 * Queued (under &openppe.cache_lock, while &openppe.dl_live) when the engine
 * goes degraded and when it recovers. Reports every degradation not yet
 * reported, once; then, if the driver has recovered on its own
 * (&openppe.recover_work) and devlink still shows the error, marks the
 * reporter healthy and counts the recovery. The report runs without
 * cache_lock: with auto-recover on, devlink calls the recover op from it.
 */
void openppe_health_work(struct work_struct *work)
{
	struct openppe *ppe = container_of(work, struct openppe, health_work);
	bool report, heal;
	int err;

	mutex_lock(&ppe->cache_lock);
	report = ppe->dl_live && ppe->dl_reported != ppe->degradations;
	if (report) {
		ppe->dl_reported = ppe->degradations;
		ppe->dl_error = true;
	}
	err = ppe->cache_err;
	mutex_unlock(&ppe->cache_lock);
	/* openppe_devlink_fini() cancels this work before unregistering */
	if (report)
		devlink_health_report(ppe->health,
				      err == -ETIMEDOUT ?
				      "entry cache command timed out, engine disabled" :
				      "entry cache command failed, engine disabled",
				      NULL);

	devl_lock(ppe->devlink);
	mutex_lock(&ppe->cache_lock);
	heal = ppe->dl_live && ppe->dl_error && !ppe->degraded;
	if (heal)
		ppe->dl_error = false;
	mutex_unlock(&ppe->cache_lock);
	if (heal) {
		devlink_health_reporter_recovery_done(ppe->health);
		devlink_health_reporter_state_update(ppe->health,
						     DEVLINK_HEALTH_REPORTER_STATE_HEALTHY);
	}
	devl_unlock(ppe->devlink);
}

static u64 openppe_table_occ_get(void *priv)
{
	struct openppe *ppe = priv;

	return atomic_read(&ppe->entries_used);
}

/* The flow table, in entries: its size is fixed at probe. */
static int openppe_devlink_resources(struct openppe *ppe)
{
	struct devlink_resource_size_params params;
	struct devlink *devlink = ppe->devlink;
	int err;

	devl_assert_locked(devlink);

	devlink_resource_size_params_init(&params, ppe->entries, ppe->entries,
					  1, DEVLINK_RESOURCE_UNIT_ENTRY);
	err = devl_resource_register(devlink, "flow_table", ppe->entries,
				     OPENPPE_RESOURCE_FLOW_TABLE,
				     DEVLINK_RESOURCE_ID_PARENT_TOP, &params);
	if (err)
		return err;
	devl_resource_occ_get_register(devlink, OPENPPE_RESOURCE_FLOW_TABLE,
				       openppe_table_occ_get, ppe);
	return 0;
}

/**
 * openppe_devlink_init() - create and register the PPE's devlink instance
 * @ppe: the PPE, engine running and table allocated
 *
 * The instance carries the device info, the flow-table resource and the
 * "entry_cache" health reporter; it is registered last, so userspace never
 * sees it half built. A degradation from before (probe's own cache
 * commands) is reported once it is registered.
 *
 * Return: 0 or a negative errno (nothing is left behind).
 */
int openppe_devlink_init(struct openppe *ppe)
{
	struct devlink_health_reporter *health;
	struct devlink *devlink;
	int err;

	devlink = devlink_alloc(&openppe_devlink_ops, sizeof(ppe), ppe->dev);
	if (!devlink)
		return -ENOMEM;
	*(struct openppe **)devlink_priv(devlink) = ppe;
	ppe->devlink = devlink;

	devl_lock(devlink);
	err = openppe_devlink_resources(ppe);
	devl_unlock(devlink);
	if (err)
		goto err_free;

	health = openppe_health_reporter_create(devlink, &openppe_health_ops,
						ppe);
	if (IS_ERR(health)) {
		err = PTR_ERR(health);
		goto err_resources;
	}
	ppe->health = health;

	devlink_register(devlink);
	mutex_lock(&ppe->cache_lock);
	ppe->dl_live = true;
	if (ppe->dl_reported != ppe->degradations)
		schedule_work(&ppe->health_work);
	mutex_unlock(&ppe->cache_lock);
	return 0;

err_resources:
	devl_lock(devlink);
	devl_resources_unregister(devlink);
	devl_unlock(devlink);
err_free:
	devlink_free(devlink);
	ppe->devlink = NULL;
	return err;
}

/**
 * openppe_devlink_fini() - unregister and free the PPE's devlink instance
 * @ppe: the PPE, still running (unbind calls this before the engine stops)
 */
void openppe_devlink_fini(struct openppe *ppe)
{
	struct devlink *devlink = ppe->devlink;

	/* no report after this: the work is not queued again, and a running
	 * one is waited for (it takes the devlink lock: not held here)
	 */
	mutex_lock(&ppe->cache_lock);
	ppe->dl_live = false;
	mutex_unlock(&ppe->cache_lock);
	cancel_work_sync(&ppe->health_work);

	devlink_unregister(devlink);
	devlink_health_reporter_destroy(ppe->health);
	ppe->health = NULL;
	devl_lock(devlink);
	devl_resources_unregister(devlink);
	devl_unlock(devlink);
	devlink_free(devlink);
	ppe->devlink = NULL;
}
