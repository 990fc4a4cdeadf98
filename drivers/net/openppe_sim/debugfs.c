// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: debugfs: registers, entry cache, port counters, fault injection */

#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ppesim.h"

static struct dentry *ppesim_ddir;

static const struct {
	u16 reg;
	const char *name;
} ppesim_reg_names[] = {
	{ PPE_ID, "PPE_ID" },
	{ PPE_REV, "PPE_REV" },
	{ PPE_CAPS, "PPE_CAPS" },
	{ PPE_CTRL, "PPE_CTRL" },
	{ PPE_STATUS, "PPE_STATUS" },
	{ FW_STATUS, "FW_STATUS" },
	{ FW_MAX_SIZE, "FW_MAX_SIZE" },
	{ FW_VERSION, "FW_VERSION" },
	{ FW_FEATURES, "FW_FEATURES" },
	{ TBL_BASE_LO, "TBL_BASE_LO" },
	{ TBL_BASE_HI, "TBL_BASE_HI" },
	{ CNT_BASE_LO, "CNT_BASE_LO" },
	{ CNT_BASE_HI, "CNT_BASE_HI" },
	{ TBL_CAPS, "TBL_CAPS" },
	{ TBL_CFG, "TBL_CFG" },
	{ HASH_SEED0, "HASH_SEED0" },
	{ HASH_SEED1, "HASH_SEED1" },
	{ CACHE_STATUS, "CACHE_STATUS" },
	{ TS_NOW, "TS_NOW" },
	{ TS_RATE, "TS_RATE" },
	{ IRQ_STATUS, "IRQ_STATUS" },
	{ IRQ_MASK, "IRQ_MASK" },
};

static const char * const ppesim_fw_states[] = {
	"IDLE", "LOADING", "BOOTING", "RUNNING", "ERROR",
};

static const char * const ppesim_fw_errs[] = {
	"none", "BAD_MAGIC", "BAD_FORMAT", "HW_MISMATCH", "BAD_LENGTH",
	"BAD_CRC", "BOOT_FAILED", "OVERFLOW",
};

static void ppesim_reg_decode(struct seq_file *s, unsigned int reg, u32 v)
{
	unsigned int st, err;

	switch (reg) {
	case PPE_REV:
		seq_printf(s, "HW_ID=0x%04lx MAJOR=%lu MINOR=%lu",
			   FIELD_GET(PPE_REV_HW_ID, v), FIELD_GET(PPE_REV_MAJOR, v),
			   FIELD_GET(PPE_REV_MINOR, v));
		break;
	case PPE_CAPS:
		seq_printf(s, "PORTS=%lu", FIELD_GET(PPE_CAPS_PORTS, v));
		break;
	case PPE_CTRL:
		seq_printf(s, "EN=%u", !!(v & PPE_CTRL_EN));
		break;
	case PPE_STATUS:
		seq_printf(s, "RUNNING=%u FW_RUNNING=%u TBL_READY=%u",
			   !!(v & PPE_STATUS_RUNNING),
			   !!(v & PPE_STATUS_FW_RUNNING),
			   !!(v & PPE_STATUS_TBL_READY));
		break;
	case FW_STATUS:
		st = FIELD_GET(FW_STATUS_STATE, v);
		err = FIELD_GET(FW_STATUS_ERR, v);
		seq_printf(s, "STATE=%s ERR=%s",
			   st < ARRAY_SIZE(ppesim_fw_states) ?
			   ppesim_fw_states[st] : "?",
			   err < ARRAY_SIZE(ppesim_fw_errs) ?
			   ppesim_fw_errs[err] : "?");
		break;
	case FW_VERSION:
		seq_printf(s, "%lu.%lu.%lu", FIELD_GET(GENMASK(31, 24), v),
			   FIELD_GET(GENMASK(23, 16), v),
			   FIELD_GET(GENMASK(15, 0), v));
		break;
	case TBL_CAPS:
		seq_printf(s, "MAX_LOG2=%lu WAYS=%lu ENTRY_SIZE=%lu CNT_SIZE=%lu",
			   FIELD_GET(TBL_CAPS_MAX_LOG2, v),
			   FIELD_GET(TBL_CAPS_WAYS, v),
			   FIELD_GET(TBL_CAPS_ENTRY_SIZE, v),
			   FIELD_GET(TBL_CAPS_CNT_SIZE, v));
		break;
	case TBL_CFG:
		seq_printf(s, "LOG2=%lu", FIELD_GET(TBL_CFG_LOG2, v));
		break;
	case CACHE_STATUS:
		seq_printf(s, "BUSY=%u ERR=%u", !!(v & CACHE_STATUS_BUSY),
			   !!(v & CACHE_STATUS_ERR));
		break;
	case IRQ_STATUS:
	case IRQ_MASK:
		seq_printf(s, "FW=%u CACHE=%u TBL_ERR=%u", !!(v & IRQ_FW),
			   !!(v & IRQ_CACHE), !!(v & IRQ_TBL_ERR));
		break;
	}
}

static u64 ppesim_peek64(struct ppesim_engine *eng, unsigned int reg)
{
	return ppesim_reg_peek(eng, reg) |
	       (u64)ppesim_reg_peek(eng, reg + 4) << 32;
}

static int ppesim_regs_show(struct seq_file *s, void *unused)
{
	struct ppesim *sim = s->private;
	struct ppesim_engine *eng = &sim->eng;
	unsigned int i, p, r;
	u32 v;

	for (i = 0; i < ARRAY_SIZE(ppesim_reg_names); i++) {
		v = ppesim_reg_peek(eng, ppesim_reg_names[i].reg);
		seq_printf(s, "0x%04x %-16s 0x%08x ", ppesim_reg_names[i].reg,
			   ppesim_reg_names[i].name, v);
		ppesim_reg_decode(s, ppesim_reg_names[i].reg, v);
		seq_putc(s, '\n');
	}
	seq_printf(s, "0x%04x %-16s %llu\n", CNT_GLOBAL(CNT_LOOKUPS),
		   "CNT_LOOKUPS", ppesim_peek64(eng, CNT_GLOBAL(CNT_LOOKUPS)));
	seq_printf(s, "0x%04x %-16s %llu\n", CNT_GLOBAL(CNT_HITS), "CNT_HITS",
		   ppesim_peek64(eng, CNT_GLOBAL(CNT_HITS)));
	seq_printf(s, "0x%04x %-16s %llu\n", CNT_GLOBAL(CNT_DROPS),
		   "CNT_DROPS", ppesim_peek64(eng, CNT_GLOBAL(CNT_DROPS)));
	for (r = PUNT_MISS; r <= PUNT_BAD_ENTRY; r++)
		seq_printf(s, "0x%04x CNT_PUNT(%-2u)     %llu %s\n",
			   CNT_GLOBAL(CNT_PUNT(r)), r,
			   ppesim_peek64(eng, CNT_GLOBAL(CNT_PUNT(r))),
			   ppesim_punt_name(r));
	for (p = 0; p < PPESIM_RMACS; p++) {
		u32 hi = ppesim_reg_peek(eng, RMAC_REG(p, RMAC_HI));
		u32 lo = ppesim_reg_peek(eng, RMAC_REG(p, RMAC_LO));

		v = ppesim_reg_peek(eng, RMAC_REG(p, RMAC_CTRL));
		if (!(v & RMAC_CTRL_VALID))
			continue;
		seq_printf(s, "0x%04x RMAC(%-2u)         %02x:%02x:%02x:%02x:%02x:%02x ports %#06lx\n",
			   RMAC_REG(p, RMAC_CTRL), p, (hi >> 8) & 0xff,
			   hi & 0xff, lo >> 24, (lo >> 16) & 0xff,
			   (lo >> 8) & 0xff, lo & 0xff,
			   FIELD_GET(RMAC_CTRL_PORTS, v));
	}
	for (p = 0; p < eng->nports; p++) {
		u32 hi = ppesim_reg_peek(eng, PORT_REG(p, PORT_MAC_HI));
		u32 lo = ppesim_reg_peek(eng, PORT_REG(p, PORT_MAC_LO));

		v = ppesim_reg_peek(eng, PORT_REG(p, PORT_CTRL));
		seq_printf(s, "0x%04x PORT_CTRL(%-2u)    0x%08x EN=%u\n",
			   PORT_REG(p, PORT_CTRL), p, v, !!(v & PORT_CTRL_EN));
		seq_printf(s, "0x%04x PORT_MAC(%-2u)     %02x:%02x:%02x:%02x:%02x:%02x\n",
			   PORT_REG(p, PORT_MAC_HI), p, (hi >> 8) & 0xff,
			   hi & 0xff, lo >> 24, (lo >> 16) & 0xff,
			   (lo >> 8) & 0xff, lo & 0xff);
		seq_printf(s, "0x%04x PORT_MTU(%-2u)     %u\n",
			   PORT_REG(p, PORT_MTU), p,
			   ppesim_reg_peek(eng, PORT_REG(p, PORT_MTU)));
		seq_printf(s, "0x%04x PORT_TAG(%-2u)     MODE=%u\n",
			   PORT_REG(p, PORT_TAG), p,
			   ppesim_reg_peek(eng, PORT_REG(p, PORT_TAG)));
		seq_printf(s, "0x%04x PORT_RX(%-2u)      %llu pkts %llu bytes\n",
			   PORT_REG(p, PORT_RX_PKTS), p,
			   ppesim_peek64(eng, PORT_REG(p, PORT_RX_PKTS)),
			   ppesim_peek64(eng, PORT_REG(p, PORT_RX_BYTES)));
		seq_printf(s, "0x%04x PORT_TX(%-2u)      %llu pkts %llu bytes\n",
			   PORT_REG(p, PORT_TX_PKTS), p,
			   ppesim_peek64(eng, PORT_REG(p, PORT_TX_PKTS)),
			   ppesim_peek64(eng, PORT_REG(p, PORT_TX_BYTES)));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ppesim_regs);

/* cache: one line per cached entry copy, walked by index */
static void *ppesim_cache_seq_start(struct seq_file *s, loff_t *pos)
{
	struct ppesim *sim = s->private;

	return *pos < BIT(sim->eng.max_log2) ? pos : NULL;
}

static void *ppesim_cache_seq_next(struct seq_file *s, void *v, loff_t *pos)
{
	++*pos;
	return ppesim_cache_seq_start(s, pos);
}

static void ppesim_cache_seq_stop(struct seq_file *s, void *v)
{
}

static void ppesim_seq_addr(struct seq_file *s, const u32 *a, bool v6)
{
	if (v6)
		seq_printf(s, "%08x:%08x:%08x:%08x", a[0], a[1], a[2], a[3]);
	else
		seq_printf(s, "%u.%u.%u.%u", a[0] >> 24, (a[0] >> 16) & 0xff,
			   (a[0] >> 8) & 0xff, a[0] & 0xff);
}

static int ppesim_cache_seq_show(struct seq_file *s, void *v)
{
	struct ppesim *sim = s->private;
	struct ppesim_engine *eng = &sim->eng;
	u32 idx = *(loff_t *)v, w[ENT_WORDS];
	bool valid, v6;

	spin_lock_bh(&eng->lock);
	valid = test_bit(idx, eng->cache_valid);
	if (valid)
		memcpy(w, eng->cache[idx].w, sizeof(w));
	spin_unlock_bh(&eng->lock);
	if (!valid)
		return SEQ_SKIP;

	v6 = FIELD_GET(ENT_KEY_IPV6, w[ENT_KEY_META]);
	seq_printf(s, "%u state=%lu type=%lu iport=%lu vlans=%lu vid=%lu,%lu proto=%lu ",
		   idx, FIELD_GET(ENT_INFO_STATE, w[ENT_INFO]),
		   FIELD_GET(ENT_INFO_TYPE, w[ENT_INFO]),
		   FIELD_GET(ENT_KEY_IPORT, w[ENT_KEY_META]),
		   FIELD_GET(ENT_KEY_VLAN_CNT, w[ENT_KEY_META]),
		   FIELD_GET(ENT_VID0, w[ENT_KEY_VLAN]),
		   FIELD_GET(ENT_VID1, w[ENT_KEY_VLAN]),
		   FIELD_GET(ENT_KEY_PROTO, w[ENT_KEY_META]));
	ppesim_seq_addr(s, &w[ENT_KEY_SIP], v6);
	seq_printf(s, ":%lu -> ", FIELD_GET(ENT_SPORT, w[ENT_KEY_PORTS]));
	ppesim_seq_addr(s, &w[ENT_KEY_DIP], v6);
	seq_printf(s, ":%lu new ", FIELD_GET(ENT_DPORT, w[ENT_KEY_PORTS]));
	ppesim_seq_addr(s, &w[ENT_NEW_SIP], v6);
	seq_printf(s, ":%lu -> ", FIELD_GET(ENT_SPORT, w[ENT_NEW_PORTS]));
	ppesim_seq_addr(s, &w[ENT_NEW_DIP], v6);
	seq_printf(s, ":%lu eport=%lu eg_vlans=%lu eg_vid=%lu,%lu pppoe=%lu sid=%lu dmac=%04x%08x smac=%04x%08x counter=%lu\n",
		   FIELD_GET(ENT_DPORT, w[ENT_NEW_PORTS]),
		   FIELD_GET(ENT_EG_EPORT, w[ENT_EGRESS]),
		   FIELD_GET(ENT_EG_VLAN_CNT, w[ENT_EGRESS]),
		   FIELD_GET(ENT_VID0, w[ENT_EG_VLAN]),
		   FIELD_GET(ENT_VID1, w[ENT_EG_VLAN]),
		   FIELD_GET(ENT_EG_PPPOE, w[ENT_EGRESS]),
		   FIELD_GET(ENT_SID, w[ENT_EG_PPPOE_SID]),
		   w[ENT_DMAC_HI] & 0xffff, w[ENT_DMAC_LO],
		   w[ENT_SMAC_HI] & 0xffff, w[ENT_SMAC_LO],
		   FIELD_GET(ENT_COUNTER_IDX, w[ENT_COUNTER]));
	return 0;
}

static const struct seq_operations ppesim_cache_sops = {
	.start = ppesim_cache_seq_start,
	.next = ppesim_cache_seq_next,
	.stop = ppesim_cache_seq_stop,
	.show = ppesim_cache_seq_show,
};
DEFINE_SEQ_ATTRIBUTE(ppesim_cache);

static int ppesim_port_counters_show(struct seq_file *s, void *unused)
{
	struct ppesim_port_dbg *pd = s->private;
	struct ppesim_engine *eng = &pd->sim->eng;
	struct ppesim_port_cnt c;
	unsigned int r;

	spin_lock_bh(&eng->lock);
	c = eng->pcnt[pd->port];
	spin_unlock_bh(&eng->lock);

	seq_printf(s, "fwd_rx_packets %llu\n", c.rx_pkts);
	seq_printf(s, "fwd_rx_bytes %llu\n", c.rx_bytes);
	seq_printf(s, "fwd_tx_packets %llu\n", c.tx_pkts);
	seq_printf(s, "fwd_tx_bytes %llu\n", c.tx_bytes);
	seq_printf(s, "drops %llu\n", c.drops);
	for (r = PUNT_MISS; r <= PUNT_BAD_ENTRY; r++)
		seq_printf(s, "punt_%s %llu\n", ppesim_punt_name(r),
			   c.punts[r]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ppesim_port_counters);

/* the VLAN tables of the switches behind the instance's conduit ports */
static int ppesim_switch_vlans_dbg_show(struct seq_file *s, void *unused)
{
	struct ppesim *sim = s->private;
	struct ppesim_switch *sw;
	unsigned int p;

	rcu_read_lock();
	for (p = 0; p < PORT_MAX; p++) {
		sw = sim->ports[p] ? rcu_dereference(sim->ports[p]->sw) : NULL;
		/* only switch.c sets port->sw, and it is built with NET_DSA only */
		if (IS_ENABLED(CONFIG_NET_DSA) && sw)
			ppesim_switch_vlans_show(sw, s);
	}
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ppesim_switch_vlans_dbg);

/* a u32 knob with a range, written as a decimal number */
static ssize_t ppesim_knob_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos, u32 *knob, int min,
				 int max)
{
	int val, err;

	err = kstrtoint_from_user(ubuf, count, 0, &val);
	if (err)
		return err;
	if (val < min || val > max)
		return -ERANGE;
	WRITE_ONCE(*knob, abs(val));
	return count;
}

static ssize_t ppesim_knob_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos, u32 val)
{
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%u\n", val);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t ppesim_reg_error_write(struct file *file,
				      const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	struct ppesim *sim = file->private_data;

	/* an errno, either sign: "5" and "-5" both mean -EIO */
	return ppesim_knob_write(file, ubuf, count, ppos,
				 &sim->eng.inject_reg_error, -MAX_ERRNO,
				 MAX_ERRNO);
}

static ssize_t ppesim_reg_error_read(struct file *file, char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct ppesim *sim = file->private_data;

	return ppesim_knob_read(file, ubuf, count, ppos,
				READ_ONCE(sim->eng.inject_reg_error));
}

static const struct file_operations ppesim_reg_error_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = ppesim_reg_error_read,
	.write = ppesim_reg_error_write,
	.llseek = default_llseek,
};

static ssize_t ppesim_drop_percent_write(struct file *file,
					 const char __user *ubuf, size_t count,
					 loff_t *ppos)
{
	struct ppesim *sim = file->private_data;

	return ppesim_knob_write(file, ubuf, count, ppos,
				 &sim->eng.drop_percent, 0, 100);
}

static ssize_t ppesim_drop_percent_read(struct file *file, char __user *ubuf,
					size_t count, loff_t *ppos)
{
	struct ppesim *sim = file->private_data;

	return ppesim_knob_read(file, ubuf, count, ppos,
				READ_ONCE(sim->eng.drop_percent));
}

static const struct file_operations ppesim_drop_percent_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = ppesim_drop_percent_read,
	.write = ppesim_drop_percent_write,
	.llseek = default_llseek,
};

static ssize_t ppesim_counter_set_write(struct file *file,
					const char __user *ubuf, size_t count,
					loff_t *ppos)
{
	struct ppesim *sim = file->private_data;
	u32 idx, packets;
	char buf[64];
	ssize_t len;
	u64 bytes;
	int err;

	len = simple_write_to_buffer(buf, sizeof(buf) - 1, ppos, ubuf, count);
	if (len < 0)
		return len;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u %llu", &idx, &packets, &bytes) != 3)
		return -EINVAL;
	err = ppesim_counter_set(&sim->eng, idx, packets, bytes);
	return err ? err : count;
}

static const struct file_operations ppesim_counter_set_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ppesim_counter_set_write,
};

static ssize_t ppesim_evict_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct ppesim *sim = file->private_data;
	char buf[32];
	ssize_t len;
	u32 idx;

	len = simple_write_to_buffer(buf, sizeof(buf) - 1, ppos, ubuf, count);
	if (len < 0)
		return len;
	buf[len] = '\0';
	if (sysfs_streq(buf, "all")) {
		ppesim_cache_evict(&sim->eng, 0, true);
		return count;
	}
	if (kstrtou32(strim(buf), 0, &idx))
		return -EINVAL;
	if (idx >= BIT(sim->eng.max_log2))
		return -ERANGE;
	ppesim_cache_evict(&sim->eng, idx, false);
	return count;
}

static const struct file_operations ppesim_evict_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ppesim_evict_write,
};

static ssize_t ppesim_corrupt_entry_write(struct file *file,
					  const char __user *ubuf, size_t count,
					  loff_t *ppos)
{
	struct ppesim *sim = file->private_data;
	u32 idx;
	int err;

	err = kstrtou32_from_user(ubuf, count, 0, &idx);
	if (err)
		return err;
	err = ppesim_entry_corrupt(&sim->eng, idx);
	return err ? err : count;
}

static const struct file_operations ppesim_corrupt_entry_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ppesim_corrupt_entry_write,
};

/**
 * ppesim_debugfs_create() - openppe_sim/<dev_name>/ for an instance
 * @sim: the instance
 *
 * debugfs failures are not fatal: the instance works without it.
 */
void ppesim_debugfs_create(struct ppesim *sim)
{
	struct dentry *ports, *pdir;
	char name[sizeof("4294967295")];
	unsigned int p;

	sim->ddir = debugfs_create_dir(dev_name(sim->dev), ppesim_ddir);
	debugfs_create_file("regs", 0400, sim->ddir, sim, &ppesim_regs_fops);
	debugfs_create_file("cache", 0400, sim->ddir, sim, &ppesim_cache_fops);
	debugfs_create_bool("fail_fw_boot", 0600, sim->ddir,
			    &sim->eng.fail_fw_boot);
	debugfs_create_bool("cache_timeout", 0600, sim->ddir,
			    &sim->eng.cache_timeout);
	debugfs_create_bool("cache_reject", 0600, sim->ddir,
			    &sim->eng.cache_reject);
	debugfs_create_u32("cmd_slots", 0600, sim->ddir, &sim->eng.cmd_slots);
	debugfs_create_u32("cmd_latency_us", 0600, sim->ddir,
			   &sim->eng.cmd_latency_us);
	debugfs_create_file("inject_reg_error", 0600, sim->ddir, sim,
			    &ppesim_reg_error_fops);
	debugfs_create_file("drop_percent", 0600, sim->ddir, sim,
			    &ppesim_drop_percent_fops);
	debugfs_create_file("counter_set", 0200, sim->ddir, sim,
			    &ppesim_counter_set_fops);
	debugfs_create_file("evict", 0200, sim->ddir, sim, &ppesim_evict_fops);
	debugfs_create_file("corrupt_entry", 0200, sim->ddir, sim,
			    &ppesim_corrupt_entry_fops);
	debugfs_create_file("switch_vlans", 0400, sim->ddir, sim,
			    &ppesim_switch_vlans_dbg_fops);

	ports = debugfs_create_dir("ports", sim->ddir);
	for (p = 0; p < sim->cfg.nports; p++) {
		sim->port_dbg[p].sim = sim;
		sim->port_dbg[p].port = p;
		snprintf(name, sizeof(name), "%u", p);
		pdir = debugfs_create_dir(name, ports);
		debugfs_create_file("counters", 0400, pdir, &sim->port_dbg[p],
				    &ppesim_port_counters_fops);
	}
}

/**
 * ppesim_debugfs_destroy() - remove an instance's debugfs directory
 * @sim: the instance
 *
 * Waits for open files' handlers to finish.
 */
void ppesim_debugfs_destroy(struct ppesim *sim)
{
	debugfs_remove(sim->ddir);
	sim->ddir = NULL;
}

/**
 * ppesim_debugfs_init() - create the openppe_sim/ root
 *
 * Return: 0 (debugfs is optional).
 */
int ppesim_debugfs_init(void)
{
	ppesim_ddir = debugfs_create_dir(PPESIM_DRV_NAME, NULL);
	return 0;
}

/**
 * ppesim_debugfs_exit() - remove the openppe_sim/ root
 */
void ppesim_debugfs_exit(void)
{
	debugfs_remove(ppesim_ddir);
}
