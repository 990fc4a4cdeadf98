// SPDX-License-Identifier: GPL-2.0
/* openppe debugfs: decoded flow table and engine registers */

#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/regmap.h>
#include <linux/seq_file.h>

#include "openppe.h"

static const char * const openppe_type_names[] = {
	[OPENPPE_TYPE_IPV4_ROUTE] = "ipv4_route",
	[OPENPPE_TYPE_IPV4_NAPT] = "ipv4_napt",
	[OPENPPE_TYPE_IPV6_ROUTE] = "ipv6_route",
	[OPENPPE_TYPE_IPV6_NAPT] = "ipv6_napt",
};

static void openppe_seq_addr(struct seq_file *s,
			     const struct openppe_hw_entry *e,
			     unsigned int w, bool ipv6)
{
	__be32 a[4];
	int i;

	for (i = 0; i < 4; i++)
		a[i] = cpu_to_be32(openppe_w(e, w + i));
	if (ipv6)
		seq_printf(s, "[%pI6c]", a);
	else
		seq_printf(s, "%pI4", a);
}

static void openppe_seq_tuple(struct seq_file *s,
			      const struct openppe_hw_entry *e,
			      unsigned int sip, unsigned int dip,
			      unsigned int ports, bool ipv6)
{
	openppe_seq_addr(s, e, sip, ipv6);
	seq_printf(s, ":%u -> ", le32_get_bits(e->w[ports], OPENPPE_PORTS_SPORT));
	openppe_seq_addr(s, e, dip, ipv6);
	seq_printf(s, ":%u", le32_get_bits(e->w[ports], OPENPPE_PORTS_DPORT));
}

static void openppe_seq_entry(struct seq_file *s, struct openppe *ppe,
			      u32 idx, const struct openppe_hw_entry *e,
			      u32 ts_now)
{
	u32 type = le32_get_bits(e->w[OPENPPE_W_INFO], OPENPPE_INFO_TYPE);
	u32 meta = openppe_w(e, OPENPPE_W_KEY_META);
	u32 egress = openppe_w(e, OPENPPE_W_EGRESS);
	bool ipv6 = FIELD_GET(OPENPPE_KEY_META_IPV6, meta);
	const struct openppe_hw_counter *c;
	u32 cidx, ivlan, evlan, age;

	ivlan = FIELD_GET(OPENPPE_KEY_META_VLAN_CNT, meta);
	evlan = FIELD_GET(OPENPPE_EGRESS_VLAN_CNT, egress);
	seq_printf(s, "%u: bound %s bucket %u iport %lu proto %lu ", idx,
		   type < ARRAY_SIZE(openppe_type_names) ?
		   openppe_type_names[type] : "bad-type", idx / ppe->ways,
		   FIELD_GET(OPENPPE_KEY_META_IPORT, meta),
		   FIELD_GET(OPENPPE_KEY_META_PROTO, meta));
	openppe_seq_tuple(s, e, OPENPPE_W_KEY_SIP, OPENPPE_W_KEY_DIP,
			  OPENPPE_W_KEY_PORTS, ipv6);
	seq_printf(s, " vlan %u [%u %u]", ivlan,
		   le32_get_bits(e->w[OPENPPE_W_KEY_VLAN], OPENPPE_VLAN_VID0),
		   le32_get_bits(e->w[OPENPPE_W_KEY_VLAN], OPENPPE_VLAN_VID1));
	if (type == OPENPPE_TYPE_IPV4_NAPT || type == OPENPPE_TYPE_IPV6_NAPT) {
		seq_puts(s, " nat ");
		openppe_seq_tuple(s, e, OPENPPE_W_NEW_SIP, OPENPPE_W_NEW_DIP,
				  OPENPPE_W_NEW_PORTS, ipv6);
	}
	seq_printf(s, " eport %lu push vlan %u [%u %u]",
		   FIELD_GET(OPENPPE_EGRESS_EPORT, egress), evlan,
		   le32_get_bits(e->w[OPENPPE_W_EG_VLAN], OPENPPE_VLAN_VID0),
		   le32_get_bits(e->w[OPENPPE_W_EG_VLAN], OPENPPE_VLAN_VID1));
	if (FIELD_GET(OPENPPE_EGRESS_PPPOE, egress))
		seq_printf(s, " pppoe %u", le32_get_bits(e->w[OPENPPE_W_EG_PPPOE],
							 OPENPPE_EG_PPPOE_SID));
	if (FIELD_GET(OPENPPE_KEY_META_SW_TAGGED, meta))
		seq_printf(s, " sw_in %lu", FIELD_GET(OPENPPE_KEY_META_SW_PORT, meta));
	if (FIELD_GET(OPENPPE_EGRESS_SW_TAG, egress))
		seq_printf(s, " sw_out %lu",
			   FIELD_GET(OPENPPE_EGRESS_SW_PORT, egress));
	if (FIELD_GET(OPENPPE_KEY_META_SW_VTAG, meta))
		seq_puts(s, " sw_vtag");
	seq_printf(s, " dmac %04x%08x smac %04x%08x",
		   openppe_w(e, OPENPPE_W_DMAC_HI), openppe_w(e, OPENPPE_W_DMAC_LO),
		   openppe_w(e, OPENPPE_W_SMAC_HI), openppe_w(e, OPENPPE_W_SMAC_LO));
	cidx = le32_get_bits(e->w[OPENPPE_W_COUNTER], OPENPPE_COUNTER_IDX);
	if (cidx >= ppe->entries) {
		seq_printf(s, " counter %u out of range\n", cidx);
		return;
	}
	c = &ppe->counters[cidx];
	seq_printf(s, " counter %u packets %u bytes %llu", cidx,
		   le32_to_cpu(READ_ONCE(c->packets)),
		   openppe_read_le64(&c->bytes));
	if (!READ_ONCE(c->packets)) {
		seq_puts(s, " idle never-hit\n");
		return;
	}
	age = openppe_ts_age(ts_now, le32_to_cpu(READ_ONCE(c->last_hit)));
	seq_printf(s, " idle %llums\n",
		   div_u64((u64)age * 1000,
			   ppe->ts_rate ?: OPENPPE_TS_RATE_DEFAULT));
}

/* The table can have 1M entries: it is shown one seq_file buffer at a time,
 * life_lock held only while a buffer is filled (start to stop). *pos 0 is
 * the header line, *pos i + 1 the entry in slot i.
 */
struct openppe_table_iter {
	struct openppe *ppe;
	u32 ts_now;
};

static void *openppe_table_find(struct openppe *ppe, loff_t *pos)
{
	const struct openppe_hw_entry *e;
	u32 i;

	for (i = *pos - 1; i < ppe->entries; i++) {
		e = &ppe->table[i];
		if (le32_get_bits(READ_ONCE(e->w[OPENPPE_W_INFO]),
				  OPENPPE_INFO_STATE) == OPENPPE_STATE_BOUND) {
			*pos = i + 1;
			return (void *)e;
		}
		if (!(i % 4096))
			cond_resched();
	}
	*pos = (loff_t)ppe->entries + 1;
	return NULL;
}

static void *openppe_table_start(struct seq_file *s, loff_t *pos)
{
	struct openppe_table_iter *it = s->private;
	struct openppe *ppe = it->ppe;

	down_read(&ppe->life_lock);	/* released in openppe_table_stop() */
	if (ppe->dead || *pos > ppe->entries)
		return NULL;
	if (regmap_read(ppe->regmap, OPENPPE_TS_NOW, &it->ts_now))
		it->ts_now = 0;
	if (!*pos)
		return SEQ_START_TOKEN;
	return openppe_table_find(ppe, pos);
}

static void *openppe_table_next(struct seq_file *s, void *v, loff_t *pos)
{
	struct openppe_table_iter *it = s->private;

	++*pos;
	return openppe_table_find(it->ppe, pos);
}

static void openppe_table_stop(struct seq_file *s, void *v)
{
	struct openppe_table_iter *it = s->private;

	up_read(&it->ppe->life_lock);
}

static int openppe_table_show(struct seq_file *s, void *v)
{
	struct openppe_table_iter *it = s->private;
	struct openppe *ppe = it->ppe;

	lockdep_assert_held(&ppe->life_lock);

	if (v == SEQ_START_TOKEN) {
		seq_printf(s, "# %u entries, %u-way, %u buckets, used %d, seeds %#x %#x\n",
			   ppe->entries, ppe->ways, ppe->nbuckets,
			   atomic_read(&ppe->entries_used), ppe->seed[0],
			   ppe->seed[1]);
		return 0;
	}
	openppe_seq_entry(s, ppe, (const struct openppe_hw_entry *)v -
			  ppe->table, v, it->ts_now);
	return 0;
}

static const struct seq_operations openppe_table_sops = {
	.start = openppe_table_start,
	.next = openppe_table_next,
	.stop = openppe_table_stop,
	.show = openppe_table_show,
};

/**
 * openppe_table_seq_open() - attach the "table" seq_file to an open file
 * @file: the file; seq_release_private() detaches it
 * @ppe: the PPE whose table it renders
 *
 * Return: 0, or -ENOMEM.
 */
int openppe_table_seq_open(struct file *file, struct openppe *ppe)
{
	struct openppe_table_iter *it;

	it = __seq_open_private(file, &openppe_table_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ppe = ppe;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_table_seq_open);

static int openppe_table_open(struct inode *inode, struct file *file)
{
	return openppe_table_seq_open(file, inode->i_private);
}

static const struct file_operations openppe_table_fops = {
	.owner = THIS_MODULE,
	.open = openppe_table_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static const struct {
	const char *name;
	unsigned int reg;
} openppe_dump_regs[] = {
	{ "PPE_ID", OPENPPE_PPE_ID },
	{ "PPE_REV", OPENPPE_PPE_REV },
	{ "PPE_CAPS", OPENPPE_PPE_CAPS },
	{ "PPE_CTRL", OPENPPE_PPE_CTRL },
	{ "PPE_STATUS", OPENPPE_PPE_STATUS },
	{ "FW_STATUS", OPENPPE_FW_STATUS },
	{ "FW_MAX_SIZE", OPENPPE_FW_MAX_SIZE },
	{ "FW_VERSION", OPENPPE_FW_VERSION },
	{ "FW_FEATURES", OPENPPE_FW_FEATURES },
	{ "TBL_BASE_LO", OPENPPE_TBL_BASE_LO },
	{ "TBL_BASE_HI", OPENPPE_TBL_BASE_HI },
	{ "CNT_BASE_LO", OPENPPE_CNT_BASE_LO },
	{ "CNT_BASE_HI", OPENPPE_CNT_BASE_HI },
	{ "TBL_CAPS", OPENPPE_TBL_CAPS },
	{ "TBL_CFG", OPENPPE_TBL_CFG },
	{ "HASH_SEED0", OPENPPE_HASH_SEED0 },
	{ "HASH_SEED1", OPENPPE_HASH_SEED1 },
	{ "CACHE_STATUS", OPENPPE_CACHE_STATUS },
	{ "TS_NOW", OPENPPE_TS_NOW },
	{ "TS_RATE", OPENPPE_TS_RATE },
	{ "IRQ_STATUS", OPENPPE_IRQ_STATUS },
	{ "IRQ_MASK", OPENPPE_IRQ_MASK },
};

static const struct {
	const char *name;
	unsigned int reg;
} openppe_dump_cnts[] = {
	{ "CNT_LOOKUPS", OPENPPE_CNT_LOOKUPS },
	{ "CNT_HITS", OPENPPE_CNT_HITS },
	{ "CNT_DROPS", OPENPPE_CNT_DROPS },
	{ "CNT_PUNT_MISS", OPENPPE_CNT_PUNT(OPENPPE_PUNT_MISS) },
	{ "CNT_PUNT_TCP_FLAGS", OPENPPE_CNT_PUNT(OPENPPE_PUNT_TCP_FLAGS) },
	{ "CNT_PUNT_TTL", OPENPPE_CNT_PUNT(OPENPPE_PUNT_TTL) },
	{ "CNT_PUNT_FRAG", OPENPPE_CNT_PUNT(OPENPPE_PUNT_FRAG) },
	{ "CNT_PUNT_IP_OPTIONS", OPENPPE_CNT_PUNT(OPENPPE_PUNT_IP_OPTIONS) },
	{ "CNT_PUNT_UNSUPPORTED", OPENPPE_CNT_PUNT(OPENPPE_PUNT_UNSUPPORTED) },
	{ "CNT_PUNT_NOT_ROUTER", OPENPPE_CNT_PUNT(OPENPPE_PUNT_NOT_ROUTER) },
	{ "CNT_PUNT_MTU", OPENPPE_CNT_PUNT(OPENPPE_PUNT_MTU) },
	{ "CNT_PUNT_PORT_DISABLED", OPENPPE_CNT_PUNT(OPENPPE_PUNT_PORT_DISABLED) },
	{ "CNT_PUNT_BAD_ENTRY", OPENPPE_CNT_PUNT(OPENPPE_PUNT_BAD_ENTRY) },
};

static int openppe_regs_show(struct seq_file *s, void *unused)
{
	struct openppe *ppe = s->private;
	unsigned int i, p;
	u64 val64;
	u32 val;

	down_read(&ppe->life_lock);
	if (ppe->dead)
		goto out_unlock;
	for (i = 0; i < ARRAY_SIZE(openppe_dump_regs); i++)
		if (!regmap_read(ppe->regmap, openppe_dump_regs[i].reg, &val))
			seq_printf(s, "%#06x %-22s %#010x\n",
				   openppe_dump_regs[i].reg,
				   openppe_dump_regs[i].name, val);
	for (i = 0; i < ARRAY_SIZE(openppe_dump_cnts); i++)
		if (!openppe_read_cnt64(ppe, openppe_dump_cnts[i].reg, &val64))
			seq_printf(s, "%#06x %-22s %llu\n",
				   openppe_dump_cnts[i].reg,
				   openppe_dump_cnts[i].name, val64);
	for (p = 0; p < ppe->nports; p++) {
		u32 ctrl = 0, hi = 0, lo = 0, mtu = 0, tag = 0;

		regmap_read(ppe->regmap, OPENPPE_PORT_CTRL(p), &ctrl);
		regmap_read(ppe->regmap, OPENPPE_PORT_MAC_HI(p), &hi);
		regmap_read(ppe->regmap, OPENPPE_PORT_MAC_LO(p), &lo);
		regmap_read(ppe->regmap, OPENPPE_PORT_MTU(p), &mtu);
		regmap_read(ppe->regmap, OPENPPE_PORT_TAG(p), &tag);
		seq_printf(s, "%#06x PORT%-2u CTRL %#x MAC %04x%08x MTU %u TAG %u\n",
			   OPENPPE_PORT_BASE(p), p, ctrl, hi, lo, mtu, tag);
	}
	for (i = 0; i < ppe->nrmacs; i++) {
		u32 ctrl = 0, hi = 0, lo = 0;

		regmap_read(ppe->regmap, OPENPPE_RMAC_CTRL(i), &ctrl);
		if (!(ctrl & OPENPPE_RMAC_CTRL_VALID))
			continue;
		regmap_read(ppe->regmap, OPENPPE_RMAC_HI(i), &hi);
		regmap_read(ppe->regmap, OPENPPE_RMAC_LO(i), &lo);
		seq_printf(s, "%#06x RMAC%-2u CTRL %#x MAC %04x%08x PORTS %#lx\n",
			   OPENPPE_RMAC_BASE(i), i, ctrl, hi, lo,
			   FIELD_GET(OPENPPE_RMAC_CTRL_PORTS, ctrl));
	}
out_unlock:
	up_read(&ppe->life_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(openppe_regs);

/**
 * openppe_debugfs_init() - create openppe/<dev_name>/ and its files
 * @ppe: the PPE
 * @root: the parent directory ("openppe/"), or NULL for the debugfs root
 */
void openppe_debugfs_init(struct openppe *ppe, struct dentry *root)
{
	ppe->debugfs = debugfs_create_dir(dev_name(ppe->dev), root);
	debugfs_create_file("table", 0400, ppe->debugfs, ppe,
			    &openppe_table_fops);
	debugfs_create_file("regs", 0400, ppe->debugfs, ppe,
			    &openppe_regs_fops);
}
EXPORT_SYMBOL_IF_KUNIT(openppe_debugfs_init);

/**
 * openppe_debugfs_exit() - remove the PPE's debugfs directory, recursively
 * @ppe: the PPE
 */
void openppe_debugfs_exit(struct openppe *ppe)
{
	debugfs_remove(ppe->debugfs);
	ppe->debugfs = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_debugfs_exit);
