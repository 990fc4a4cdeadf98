// SPDX-License-Identifier: GPL-2.0
/* openppe compat probes: what the kernel being built offers (openppe_compat.h)
 *
 * Not a part of the module. The Makefile compiles this file once per name in
 * openppe-probes, with -DOPENPPE_PROBE_<name> and the kernel's own flags plus
 * -Werror; a section that compiles defines OPENPPE_HAVE_<name> for every
 * object of the module. Each section is the smallest use of one interface,
 * named for what the kernel has, and says when that changed upstream (stable
 * and vendor kernels may carry it earlier: that is why this is probed).
 */

#if defined(OPENPPE_PROBE_BASELINE)
/* must compile on every kernel: if not, the probe command itself is broken
 * (this uses what the other sections need besides the interface they probe)
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/stringify.h>
#include <linux/trace_events.h>
#include <net/devlink.h>

MODULE_INFO(openppe_probe, __stringify(BASELINE));

#elif defined(OPENPPE_PROBE_LINUX_UNALIGNED_H)
/* 6.12: <asm/unaligned.h> moved to <linux/unaligned.h> */
#include <linux/unaligned.h>

#elif defined(OPENPPE_PROBE_ASSIGN_STR_ONE_ARG)
/* 6.10: __assign_str(dst) takes its source from __string(dst, src); the
 * two-argument form no longer expands (a preprocessor error before 6.10)
 */
#include <linux/stringify.h>
#include <linux/trace_events.h>
#include <trace/stages/stage6_event_callback.h>

const char *openppe_probe(void);
const char *openppe_probe(void)
{
	return __stringify(__assign_str(dev));
}

#elif defined(OPENPPE_PROBE_IMPORT_NS_IDENT)
/* before 6.13: MODULE_IMPORT_NS() stringifies an identifier; since, it takes
 * a string literal and an identifier does not compile
 */
#include <linux/module.h>

MODULE_IMPORT_NS(OPENPPE_PROBE_NS);

#elif defined(OPENPPE_PROBE_KZALLOC_OBJ)
/* 7.0: kzalloc_obj() allocates one zeroed object of an expression's type */
#include <linux/slab.h>

int *openppe_probe(void);
int *openppe_probe(void)
{
	int *p = kzalloc_obj(*p, GFP_KERNEL);

	return p;
}

#elif defined(OPENPPE_PROBE_DEVLINK_CORE_DRIVER_NAME)
/* 6.2: the devlink core puts the bound driver's name into "devlink dev
 * info" and devlink_info_driver_name_put() is gone; a declaration of that
 * name with another type compiles only where it is gone
 */
#include <net/devlink.h>

void devlink_info_driver_name_put(void);

#elif defined(OPENPPE_PROBE_DEVLINK_FMSG_VOID)
/* 6.7: the devlink_fmsg_*() functions return void; the message keeps its
 * first error and the core checks it
 */
#include <net/devlink.h>

static_assert(__builtin_types_compatible_p(typeof(devlink_fmsg_u64_pair_put(NULL, NULL, 0)),
					   void));

#elif defined(OPENPPE_PROBE_HEALTH_OPS_GRACEFUL_PERIOD)
/* after 6.12: a health reporter's graceful period is a field of its ops
 * (default_graceful_period) and devlink_health_reporter_create() no longer
 * takes it
 */
#include <net/devlink.h>

static const struct devlink_health_reporter_ops openppe_probe_ops = {
	.name = "probe",
	.default_graceful_period = 0,
};

struct devlink_health_reporter *openppe_probe(struct devlink *devlink);
struct devlink_health_reporter *openppe_probe(struct devlink *devlink)
{
	return devlink_health_reporter_create(devlink, &openppe_probe_ops, NULL);
}

#elif defined(OPENPPE_PROBE_DSA_USER_DEV_CHECK)
/* 6.8 (DSA's renaming of "slave" to "user"): dsa_user_dev_check() */
#include <net/dsa.h>

bool openppe_probe(const struct net_device *dev);
bool openppe_probe(const struct net_device *dev)
{
	return dsa_user_dev_check(dev);
}

#elif defined(OPENPPE_PROBE_DSA_PORT_TO_CONDUIT)
/* 6.8 (DSA's renaming of "master" to "conduit"): dsa_port_to_conduit() */
#include <net/dsa.h>

struct net_device *openppe_probe(const struct dsa_port *dp);
struct net_device *openppe_probe(const struct dsa_port *dp)
{
	return dsa_port_to_conduit(dp);
}

#else
#error "openppe_compat_probes.c: no OPENPPE_PROBE_<name> given"
#endif
