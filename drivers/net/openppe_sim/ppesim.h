/* SPDX-License-Identifier: GPL-2.0 */
/* openppe_sim: internal structures and API shared by the emulator's files */

#ifndef _PPESIM_H
#define _PPESIM_H

#include <linux/device.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "ppesim_regs.h"

#define PPESIM_DRV_NAME		"openppe_sim"
#define PPESIM_HW_ID		0x0001
#define PPESIM_REV_MAJOR	1
#define PPESIM_REV_MINOR	0
#define PPESIM_WAYS		4
#define PPESIM_WAYS_LOG2	2
#define PPESIM_FW_MAX		65536
#define PPESIM_TS_RATE		1000
#define PPESIM_CMD_SLOTS	4	/* cache command slots, by default */
#define PPESIM_MIN_LOG2		8
#define PPESIM_MAX_LOG2		20
#define PPESIM_BUS_LOG2		12	/* run-time default: 4096 entries */
#define PPESIM_DT_LOG2		16	/* DT default: 65536 entries */
#define PPESIM_MTU_DEFAULT	1500
#define PPESIM_RMACS		16	/* PPE_CAPS.RMACS */
/* largest L2 header the engine builds: MACs, switch tag, two tags, PPPoE + PPP */
#define PPESIM_L2_MAX		(ETH_HLEN + MTK_TAG_LEN + 2 * VLAN_HLEN + 8)
#define PPESIM_PORT_NAME_MAX	(IFNAMSIZ - sizeof("-wire"))

struct dentry;
struct irq_domain;
struct seq_file;
struct openppe;
struct ppesim;
struct ppesim_switch;
struct regmap;
struct sk_buff;

/**
 * struct ppesim_port_cfg - engine-side configuration of one switch port
 * @ctrl: PORT_CTRL
 * @mac_hi: PORT_MAC_HI
 * @mac_lo: PORT_MAC_LO
 * @mtu: PORT_MTU as written (0 = 1500)
 * @tag: PORT_TAG.MODE (&enum ppesim_tag_mode)
 */
struct ppesim_port_cfg {
	u32 ctrl;
	u32 mac_hi;
	u32 mac_lo;
	u32 mtu;
	u32 tag;
};

/**
 * struct ppesim_rmac - one router MAC table entry (docs/hardware.md 2.10)
 * @ctrl: RMAC_CTRL (PORTS, VALID)
 * @mac_hi: RMAC_HI
 * @mac_lo: RMAC_LO
 */
struct ppesim_rmac {
	u32 ctrl;
	u32 mac_hi;
	u32 mac_lo;
};

/**
 * struct ppesim_port_cnt - engine counters of one switch port
 * @rx_pkts: frames received on the port and forwarded by the engine
 * @rx_bytes: their bytes as received
 * @tx_pkts: frames the engine sent on the port
 * @tx_bytes: their bytes as sent
 * @drops: frames received on the port that the engine dropped
 * @punts: frames received on the port punted to the CPU, by reason
 *
 * The rx and tx counters are the PORT_*_PKTS/BYTES registers; @drops and
 * @punts are
 * emulator-only (debugfs, ethtool -S).
 */
struct ppesim_port_cnt {
	u64 rx_pkts;
	u64 rx_bytes;
	u64 tx_pkts;
	u64 tx_bytes;
	u64 drops;
	u64 punts[PUNT_NUM];
};

/**
 * struct ppesim_cline - the engine's cached copy of one table entry
 * @w: the entry's 32 words, decoded to CPU order when read from memory
 */
struct ppesim_cline {
	u32 w[ENT_WORDS];
};

/**
 * struct ppesim_cslot - one entry-cache command slot (its CMD/STATUS pair)
 * @busy: STATUS.BUSY
 * @err: STATUS.ERR
 * @cmd: the command held while @busy
 * @due: when a held command completes (cmd_latency_us after its write)
 */
struct ppesim_cslot {
	bool busy;
	bool err;
	u32 cmd;
	ktime_t due;
};

/**
 * struct ppesim_engine - the engine model: register file, cache, counters
 * @lock: protects every field below except the constants and the fault
 *	knobs; taken (with BHs off) by the register callbacks (process
 *	context), debugfs and the datapath (softirq/xmit context on any CPU).
 *	One frame's lookup, counter updates and counter-record write-back
 *	happen under it, which is what makes a record update atomic per frame.
 * @dev: the device that owns the regmap; DMA addresses are translated
 *	with its DMA configuration
 * @nports: PPE_CAPS.PORTS (constant)
 * @max_log2: TBL_CAPS.MAX_LOG2 (constant)
 * @ctrl: PPE_CTRL.EN
 * @fw_state: FW_STATUS.STATE
 * @fw_err: FW_STATUS.ERR
 * @fw_version: version of the running firmware
 * @fw_features: features of the running firmware
 * @fw_buf: upload buffer, PPESIM_FW_MAX bytes
 * @fw_len: bytes uploaded so far
 * @tbl_base: TBL_BASE_HI:LO
 * @cnt_base: CNT_BASE_HI:LO
 * @tbl_cfg: TBL_CFG
 * @seed: HASH_SEED0/1
 * @tbl: the flow table in kernel address space; NULL unless TBL_READY
 * @cnt: the counter array in kernel address space; NULL unless TBL_READY
 * @entries: entries of the programmed table (valid while @tbl is set)
 * @cache: cached entry copies, 1 << @max_log2 lines
 * @cache_valid: bitmap of lines holding a copy
 * @cslot: the command slots, slot 0 = CACHE_CMD/CACHE_STATUS
 * @nslots: command slots offered, from @cmd_slots at the last reset; 1 is
 *	the engine without slot registers (PPE_CAPS.CMD_SLOTS reads 0)
 * @irq_status: IRQ_STATUS
 * @irq_mask: IRQ_MASK
 * @irq_line: the interrupt line's level, IRQ_STATUS & IRQ_MASK != 0;
 *	written under @lock, read locklessly by the interrupt controller
 * @irq_domain: the controller's domain the line is wired to (DT instances
 *	with "interrupt-controller"), NULL while none is
 * @irq_work: delivers the interrupt in hard interrupt context when the
 *	line rises or is unmasked while high
 * @cnt_global: global counters (index n of section 2.8)
 * @latch_global: _HI halves latched by reads of _LO
 * @port: per-port configuration
 * @rmac: router MAC table, PPESIM_RMACS entries
 * @pcnt: per-port counters
 * @latch_port: per-port counter _HI latches
 * @fail_fw_boot: fault knob: BOOT ends in ERROR/BOOT_FAILED
 * @cache_timeout: fault knob: CACHE_STATUS.BUSY never clears while set
 * @cache_reject: fault knob: every cache command is rejected (ERR) while set
 * @cmd_slots: knob: command slots the engine offers after its next reset
 *	(1..CACHE_SLOTS_MAX; 1 = the engine without slots)
 * @cmd_latency_us: knob: a cache command stays BUSY this long after its
 *	write (0: it completes at once)
 * @inject_reg_error: fault knob: errno the next register access fails with
 * @drop_percent: fault knob: share of engine-forwarded frames dropped
 */
struct ppesim_engine {
	spinlock_t lock;	/* engine state: see the kernel-doc above */
	struct device *dev;
	unsigned int nports;
	unsigned int max_log2;

	u32 ctrl;
	u32 fw_state;
	u32 fw_err;
	u32 fw_version;
	u32 fw_features;
	u8 *fw_buf;
	u32 fw_len;

	u64 tbl_base;
	u64 cnt_base;
	u32 tbl_cfg;
	u32 seed[2];
	struct ppesim_hw_entry *tbl;
	struct ppesim_hw_counter *cnt;
	u32 entries;

	struct ppesim_cline *cache;
	unsigned long *cache_valid;
	struct ppesim_cslot cslot[CACHE_SLOTS_MAX];
	u32 nslots;

	u32 irq_status;
	u32 irq_mask;
	bool irq_line;
	struct irq_domain *irq_domain;
	struct irq_work irq_work;

	u64 cnt_global[CNT_GLOBAL_NUM];
	u32 latch_global[CNT_GLOBAL_NUM];
	struct ppesim_port_cfg port[PORT_MAX];
	struct ppesim_rmac rmac[RMAC_MAX];
	struct ppesim_port_cnt pcnt[PORT_MAX];
	u32 latch_port[PORT_MAX][4];

	bool fail_fw_boot;
	bool cache_timeout;
	bool cache_reject;
	u32 cmd_slots;
	u32 cmd_latency_us;
	u32 inject_reg_error;
	u32 drop_percent;
};

/**
 * struct ppesim_port - one switch port: a CPU-side netdev and its wire peer
 * @sim: the instance
 * @hw_port: hardware port number
 * @cpu: CPU-side netdev (what the router's stack uses)
 * @wire: wire peer (the far end of the cable; tests move it to a netns);
 *	NULL for a conduit port, whose cable is a switch's CPU port
 * @sw: the switch behind a conduit port, NULL while none is registered;
 *	written by the switch (publish / unpublish + synchronize_net()), read
 *	under RCU by the datapath
 * @ppe_lock: protects @ppe and @dying; ndo_setup_tc is not always
 *	called under RTNL
 * @ppe: plugin API handle, got lazily on the first ndo_setup_tc
 * @dying: the CPU-side netdev is being unregistered: no new attach
 * @ddir: debugfs ports/<n>/
 */
struct ppesim_port {
	struct ppesim *sim;
	unsigned int hw_port;
	struct net_device *cpu;
	struct net_device *wire;
	struct ppesim_switch __rcu *sw;
	struct mutex ppe_lock;	/* protects @ppe and @dying */
	struct openppe *ppe;
	bool dying;
	struct dentry *ddir;
};

/**
 * struct ppesim_cfg - what an instance is made of
 * @id: instance id (bus) or -1 (DT)
 * @nports: number of hardware ports (PPE_CAPS.PORTS)
 * @max_log2: TBL_CAPS.MAX_LOG2
 * @present: bitmap of hardware ports that get netdevs
 * @conduit: bitmap of ports wired to a switch's CPU port (no wire peer)
 * @names: CPU-side netdev names, by hardware port
 * @port_fwnode: firmware node of each port (DT), given to its CPU-side
 *	netdev so that a DSA switch can name it as its conduit; a reference
 *	is held
 * @ppe_fwnode: fwnode of the PPE child (ports pass it to openppe_get())
 */
struct ppesim_cfg {
	int id;
	unsigned int nports;
	unsigned int max_log2;
	unsigned long present;
	unsigned long conduit;
	char names[PORT_MAX][IFNAMSIZ];
	struct fwnode_handle *port_fwnode[PORT_MAX];
	struct fwnode_handle *ppe_fwnode;
};

/**
 * struct ppesim_port_dbg - what a debugfs ports/<n>/ file refers to
 * @sim: the instance
 * @port: hardware port number
 */
struct ppesim_port_dbg {
	struct ppesim *sim;
	unsigned int port;
};

/**
 * struct ppesim - one emulated engine with its switch ports
 * @dev: the instance's device; owns the regmap and is the PPE's parent
 * @eng: the engine model
 * @regmap: the register file as a regmap on @dev
 * @cfg: creation parameters
 * @ports: switch ports by hardware port number (NULL: no netdevs)
 * @ddir: debugfs openppe_sim/<dev_name>/
 * @port_dbg: debugfs ports/<n>/ contexts
 */
struct ppesim {
	struct device *dev;
	struct ppesim_engine eng;
	struct regmap *regmap;
	struct ppesim_cfg cfg;
	struct ppesim_port *ports[PORT_MAX];
	struct dentry *ddir;
	struct ppesim_port_dbg port_dbg[PORT_MAX];
};

/**
 * struct ppesim_sw_vlan - a switch user port's VLAN table (hardware.md 8.4)
 * @filtering: the port filters VLANs (it is a VLAN-aware bridge's port)
 * @pvid: VLAN of the untagged frames the port receives, 0 for none
 * @member: VLANs the port is a member of
 * @untagged: VLANs the port sends untagged (egress-untagged members)
 *
 * Written under RTNL by the DSA ops, read without a lock by the datapath
 * (READ_ONCE(), atomic bit operations): a frame racing a change sees the
 * old or the new state of each field.
 */
struct ppesim_sw_vlan {
	bool filtering;
	u16 pvid;
	DECLARE_BITMAP(member, VLAN_N_VID);
	DECLARE_BITMAP(untagged, VLAN_N_VID);
};

/* what a switch port does with a frame's 802.1Q tag (ppesim_sw_vlan_*()) */
enum ppesim_sw_vact {
	PPESIM_SW_KEEP,		/* send the frame as it is */
	PPESIM_SW_PUSH,		/* add a tag with the VID */
	PPESIM_SW_POP,		/* remove its 802.1Q tag */
	PPESIM_SW_DROP,		/* not a member of the frame's VLAN */
};

/**
 * struct ppesim_frame - what the parser learnt from a frame
 * @l3off: offset of the IP header
 * @l4off: offset of the TCP/UDP header
 * @l3len: IP packet length (header + payload)
 * @ethertype: ETH_P_IP or ETH_P_IPV6
 * @nvlan: 802.1Q tags stripped (0..2)
 * @vid: their VIDs, outer first
 * @pppoe: a PPPoE session header was stripped
 * @swtag: a switch tag was stripped (port in tag mode)
 * @swport: its source switch port
 * @ipv6: IPv6 packet
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @key: lookup key words w1..w11 (KEY_META.IPORT left 0)
 */
struct ppesim_frame {
	u16 l3off;
	u16 l4off;
	u16 l3len;
	u16 ethertype;
	u8 nvlan;
	u16 vid[2];
	bool pppoe;
	bool swtag;
	u8 swport;
	bool ipv6;
	u8 proto;
	u32 key[ENT_KEY_WORDS];
};

/**
 * struct ppesim_fwd - an engine forwarding decision
 * @f: the parsed frame
 * @e: copy of the matching entry
 * @eport: egress hardware port
 * @punt: for PPESIM_TO_CPU, the punt reason the frame was counted under
 *	(PUNT_NONE when the engine was off and looked nothing up)
 */
struct ppesim_fwd {
	struct ppesim_frame f;
	struct ppesim_cline e;
	unsigned int eport;
	enum ppesim_punt punt;
};

enum ppesim_verdict {
	PPESIM_TO_CPU,
	PPESIM_FORWARD,
	PPESIM_DROP,
};

/* regs.c */
int ppesim_regs_init(struct ppesim *sim);
u32 ppesim_reg_peek(struct ppesim_engine *eng, unsigned int reg);
#if IS_ENABLED(CONFIG_KUNIT)
int ppesim_reg_read(void *ctx, unsigned int reg, unsigned int *val);
int ppesim_reg_write(void *ctx, unsigned int reg, unsigned int val);
#endif

/* engine.c */
int ppesim_engine_init(struct ppesim_engine *eng, struct device *dev,
		       unsigned int nports, unsigned int max_log2);
void ppesim_engine_fini(struct ppesim_engine *eng);
void ppesim_engine_reset(struct ppesim_engine *eng);
void ppesim_engine_update_table(struct ppesim_engine *eng);
void ppesim_cache_cmd(struct ppesim_engine *eng, u32 slot, u32 cmd);
u32 ppesim_cache_status(struct ppesim_engine *eng, u32 slot);
void ppesim_cache_evict(struct ppesim_engine *eng, u32 idx, bool all);
int ppesim_counter_set(struct ppesim_engine *eng, u32 idx, u32 packets,
		       u64 bytes);
int ppesim_entry_corrupt(struct ppesim_engine *eng, u32 idx);
u32 ppesim_ts_now(void);
const char *ppesim_punt_name(unsigned int r);
u32 ppesim_hash(const u32 *key, u32 seed);
void ppesim_buckets(const u32 *key, u32 seed0, u32 seed1, u32 nbuckets,
		    u32 *b0, u32 *b1);
enum ppesim_verdict ppesim_engine_rx(struct ppesim *sim, unsigned int port,
				     const u8 *data, unsigned int len,
				     struct ppesim_fwd *fwd);

/* irq.c */
void ppesim_irq_setup(struct ppesim_engine *eng);
void ppesim_irq_update(struct ppesim_engine *eng);
void ppesim_irq_raise(struct ppesim_engine *eng, u32 bits);
int ppesim_irq_init(struct ppesim *sim);

/* fw.c */
enum ppesim_fw_err ppesim_fw_validate(const u8 *img, size_t len, u32 hw_id,
				      u32 *version, u32 *features);
void ppesim_fw_boot(struct ppesim_engine *eng);

/* parse.c */
enum ppesim_punt ppesim_parse(const u8 *data, unsigned int len, bool pppoe_ok,
			      u32 tag_mode, struct ppesim_frame *f);
bool ppesim_key_sw_vtag(const struct ppesim_frame *f, u32 *key);
enum ppesim_sw_vact ppesim_sw_vlan_in(const struct ppesim_sw_vlan *v,
				      const u8 *data, unsigned int len,
				      u16 *vid);
enum ppesim_sw_vact ppesim_sw_vlan_out(const struct ppesim_sw_vlan *v,
				       const u8 *data, unsigned int len,
				       u16 *vid);
void ppesim_rewrite_l3(u8 *l3, const struct ppesim_frame *f, const u32 *w);
unsigned int ppesim_l2_len(const u32 *w);
unsigned int ppesim_build_l2(u8 *hdr, const u32 *w, const struct ppesim_frame *f);

/* port.c */
int ppesim_ports_create(struct ppesim *sim);
void ppesim_ports_destroy(struct ppesim *sim);
bool ppesim_port_link_ok(struct ppesim *sim, unsigned int port);
void ppesim_deliver(struct net_device *to, struct sk_buff *skb);
int ppesim_ndo_init(struct net_device *dev);
void ppesim_ndev_setup(struct net_device *dev, struct device *parent,
		       unsigned int dev_port, unsigned int max_mtu);
struct sk_buff *ppesim_flatten(struct sk_buff *skb);
enum ppesim_verdict ppesim_port_input(struct ppesim_port *port,
				      struct sk_buff *skb,
				      enum ppesim_punt *punt);

/* switch.c (built with CONFIG_NET_DSA) */
void ppesim_switch_vlans_show(struct ppesim_switch *sw, struct seq_file *m);
void ppesim_switch_from_cpu(struct ppesim_switch *sw, struct sk_buff *skb,
			    bool fwd);
int ppesim_switch_driver_register(void);
void ppesim_switch_driver_unregister(void);

/* dev.c */
struct ppesim *ppesim_create(struct device *dev, const struct ppesim_cfg *cfg);
void ppesim_destroy(struct ppesim *sim);
int ppesim_check_entries(u32 entries, unsigned int *log2);

/* bus.c */
int ppesim_bus_init(void);
void ppesim_bus_exit(void);

/* debugfs.c */
int ppesim_debugfs_init(void);
void ppesim_debugfs_exit(void);
void ppesim_debugfs_create(struct ppesim *sim);
void ppesim_debugfs_destroy(struct ppesim *sim);

#endif /* _PPESIM_H */
