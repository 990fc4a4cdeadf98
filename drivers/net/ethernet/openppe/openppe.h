/* SPDX-License-Identifier: GPL-2.0 */
/* openppe driver internals: device state, hardware structures, internal API */

#ifndef _OPENPPE_INTERNAL_H
#define _OPENPPE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/hash.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/openppe.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/devlink.h>
#include <net/flow_offload.h>

#include "openppe_regs.h"

#define OPENPPE_FW_DEFAULT		"openppe/ppe-v1.bin"

/* Flow-table entry (docs/hardware.md section 3): 32 little-endian words */
#define OPENPPE_ENTRY_WORDS		32
#define OPENPPE_ENTRY_SIZE		128
#define OPENPPE_CNT_SIZE		32
#define OPENPPE_KEY_FIRST		1	/* key words are w1..w11 */
#define OPENPPE_KEY_WORDS		11

enum openppe_entry_word {
	OPENPPE_W_INFO = 0,
	OPENPPE_W_KEY_META = 1,
	OPENPPE_W_KEY_VLAN = 2,
	OPENPPE_W_KEY_PORTS = 3,
	OPENPPE_W_KEY_SIP = 4,		/* 4 words */
	OPENPPE_W_KEY_DIP = 8,		/* 4 words */
	OPENPPE_W_NEW_SIP = 12,		/* 4 words */
	OPENPPE_W_NEW_DIP = 16,		/* 4 words */
	OPENPPE_W_NEW_PORTS = 20,
	OPENPPE_W_EGRESS = 21,
	OPENPPE_W_EG_VLAN = 22,
	OPENPPE_W_EG_PPPOE = 23,
	OPENPPE_W_DMAC_HI = 24,
	OPENPPE_W_DMAC_LO = 25,
	OPENPPE_W_SMAC_HI = 26,
	OPENPPE_W_SMAC_LO = 27,
	OPENPPE_W_COUNTER = 28,
};

#define OPENPPE_INFO_STATE		GENMASK(1, 0)
#define OPENPPE_INFO_TYPE		GENMASK(6, 4)
#define OPENPPE_KEY_META_IPORT		GENMASK(3, 0)
#define OPENPPE_KEY_META_VLAN_CNT	GENMASK(5, 4)
#define OPENPPE_KEY_META_IPV6		BIT(6)
#define OPENPPE_KEY_META_SW_TAGGED	BIT(7)
#define OPENPPE_KEY_META_PROTO		GENMASK(15, 8)
#define OPENPPE_KEY_META_SW_PORT	GENMASK(19, 16)
#define OPENPPE_KEY_META_SW_VTAG	BIT(20)
#define OPENPPE_VLAN_VID0		GENMASK(11, 0)
#define OPENPPE_VLAN_VID1		GENMASK(27, 16)
#define OPENPPE_PORTS_SPORT		GENMASK(15, 0)
#define OPENPPE_PORTS_DPORT		GENMASK(31, 16)
#define OPENPPE_EGRESS_EPORT		GENMASK(3, 0)
#define OPENPPE_EGRESS_VLAN_CNT		GENMASK(5, 4)
#define OPENPPE_EGRESS_PPPOE		BIT(6)
#define OPENPPE_EGRESS_SW_TAG		BIT(7)
#define OPENPPE_EGRESS_SW_PORT		GENMASK(11, 8)
#define OPENPPE_EG_PPPOE_SID		GENMASK(15, 0)
#define OPENPPE_MAC_HI			GENMASK(15, 0)
#define OPENPPE_COUNTER_IDX		GENMASK(23, 0)

enum openppe_entry_state {
	OPENPPE_STATE_INVALID = 0,
	OPENPPE_STATE_BOUND = 1,
};

enum openppe_entry_type {
	OPENPPE_TYPE_IPV4_ROUTE = 0,
	OPENPPE_TYPE_IPV4_NAPT = 1,
	OPENPPE_TYPE_IPV6_ROUTE = 2,
	OPENPPE_TYPE_IPV6_NAPT = 3,
};

/**
 * struct openppe_hw_entry - one flow-table entry as the engine reads it
 * @w: words w0..w31; w0 (INFO, holding STATE) is written last
 */
struct openppe_hw_entry {
	__le32 w[OPENPPE_ENTRY_WORDS];
};

static_assert(sizeof(struct openppe_hw_entry) == OPENPPE_ENTRY_SIZE);

/**
 * struct openppe_hw_counter - per-entry counter record written by the engine
 * @packets: frames forwarded, wraps at 2^32
 * @rsvd0: reserved
 * @bytes: L3 bytes forwarded, wraps at 2^64
 * @last_hit: TS_NOW at the most recent hit
 * @rsvd1: reserved
 */
struct openppe_hw_counter {
	__le32 packets;
	__le32 rsvd0;
	__le64 bytes;
	__le32 last_hit;
	__le32 rsvd1[3];
};

static_assert(sizeof(struct openppe_hw_counter) == OPENPPE_CNT_SIZE);

/* Why a flow was refused; each has a sysfs counter refused_<name> */
enum openppe_refusal {
	OPENPPE_REFUSE_UNSUPPORTED,
	OPENPPE_REFUSE_FOREIGN_PORT,
	OPENPPE_REFUSE_NO_FW_FEATURE,
	OPENPPE_REFUSE_TABLE_FULL,
	OPENPPE_REFUSE_NO_MEMORY,
	OPENPPE_REFUSE_ENGINE_ERROR,
	OPENPPE_REFUSE_DUPLICATE,
	OPENPPE_REFUSE_DSA_PORT,
	OPENPPE_REFUSE_MAX,
};

/**
 * struct openppe_counters - driver event counters, exported through sysfs
 * @replace_calls: FLOW_CLS_REPLACE requests received
 * @destroy_calls: FLOW_CLS_DESTROY requests received
 * @stats_calls: FLOW_CLS_STATS requests received
 * @stats_unknown: of those, requests for a cookie that is not installed
 *	(7.x keeps asking for a closing flow it already took out of the
 *	hardware, until the flow times out)
 * @installs: flows newly written to the table
 * @updates: REPLACE of an installed flow that changed its entry
 * @relocations: entries moved to their other bucket to make room
 * @refused: refusals, indexed by &enum openppe_refusal
 * @cache_timeouts: entry-cache commands that did not complete in time
 * @cache_errors: entry-cache commands the engine rejected
 * @recoveries: returns from the fail-safe (engine disabled) state
 * @table_errors: TBL_ERR interrupts (engine met an unusable entry)
 * @router_macs_overflow: upper-device MAC addresses that found no room in
 *	the router MAC table, counted at each re-synchronisation
 * @backoff_refusals: REPLACEs refused from the back-off cache (the cookie
 *	found no room moments ago), without touching the table
 * @nexthop_updates: entries rewritten because their next hop's link-layer
 *	address changed
 */
struct openppe_counters {
	atomic64_t replace_calls;
	atomic64_t destroy_calls;
	atomic64_t stats_calls;
	atomic64_t stats_unknown;
	atomic64_t installs;
	atomic64_t updates;
	atomic64_t relocations;
	atomic64_t refused[OPENPPE_REFUSE_MAX];
	atomic64_t cache_timeouts;
	atomic64_t cache_errors;
	atomic64_t recoveries;
	atomic64_t table_errors;
	atomic64_t router_macs_overflow;
	atomic64_t backoff_refusals;
	atomic64_t nexthop_updates;
};

/**
 * struct openppe_port - a switch port attached by the host driver
 * @netdev: the port's netdev; written under &openppe.port_lock, read under RCU
 * @tracker: reference tracker for @netdev
 * @enabled: PORT_CTRL.EN is set and @mac, @mtu are what the engine has
 *	(under &openppe.port_lock)
 * @mac: router MAC last programmed into PORT_MAC (under &openppe.port_lock)
 * @mtu: MTU last programmed into PORT_MTU (under &openppe.port_lock)
 * @tag: PORT_TAG.MODE last programmed (&enum openppe_tag_mode): the port
 *	is the conduit of a DSA switch whose tag the engine handles; written
 *	under &openppe.port_lock with WRITE_ONCE(), read by the flow parser
 *	with READ_ONCE()
 */
struct openppe_port {
	struct net_device __rcu *netdev;
	netdevice_tracker tracker;
	bool enabled;
	u8 mac[ETH_ALEN];
	u32 mtu;
	u32 tag;
};

/**
 * struct openppe_pref - where a flow enters or leaves the engine
 * @port: engine (hardware) port
 * @tagged: @port is a DSA conduit in tag mode and @swport the user port
 * @swport: switch port number of the DSA user port (with @tagged)
 * @swvtag: (with @tagged, where a flow enters) the switch sends the user
 *	port's frames to the engine with an 802.1Q tag of its own
 *	(docs/hardware.md 8.4)
 */
struct openppe_pref {
	int port;
	bool tagged;
	u8 swport;
	bool swvtag;
};

/**
 * struct openppe_rmac - one router MAC table entry as last programmed
 * @mac: the address (meaningful while @ports is not 0)
 * @ports: RMAC_CTRL.PORTS; 0 = entry not valid
 */
struct openppe_rmac {
	u8 mac[ETH_ALEN];
	u16 ports;
};

/**
 * struct openppe_nexthop - the neighbour a flow's frames are sent to
 * @net: its device's network namespace
 * @ifindex: its device; 0: none known (PPPoE, or no valid neighbour had
 *	the entry's destination address when the flow was installed)
 * @ipv6: in the IPv6 neighbour table (else ARP)
 * @key: its IPv4 (4 bytes) or IPv6 address
 */
struct openppe_nexthop {
	possible_net_t net;
	int ifindex;
	bool ipv6;
	u8 key[16];
};

/* a DSA user port number no entry has: the flow's port is not a tagged one */
#define OPENPPE_SW_NONE			0xff

/**
 * struct openppe_flow - one offloaded flow direction (one nf_flow_table tuple)
 * @next: next flow in its chain of the cookie table (&openppe.cookies)
 * @cookie: &flow_cls_offload.cookie of the tuple
 * @block: binding the flow arrived through
 * @nh: the neighbour whose address is the entry's DMAC (under the flow lock)
 * @last_bytes: BYTES at the previous STATS (under the flow lock)
 * @last_packets: PACKETS then
 * @last_hit: LAST_HIT then
 * @rcu: deferred free. Shares its bytes with the STATS snapshot: only holders
 *	of a reference read or write that, and @rcu is used once the last
 *	reference is gone; RCU readers of the cookie table read only @next,
 *	@cookie, @ref and the fields the flushes select by.
 * @ref: references: one for &openppe.flows, one per user in flight
 * @index: table slot holding the entry; written under the placement locks,
 *	stable for holders of &openppe.place_lock
 * @buckets: the key's two candidate buckets b0 and b1 as b0 ^ b1: the
 *	entry's other bucket is this ^ the bucket of @index
 * @cnt_idx: counter record; never changes while the flow is installed
 * @in_port: KEY_META.IPORT of the entry, for the flushes' lockless selection
 *	(written under the flow lock with WRITE_ONCE())
 * @in_sw: KEY_META.SW_PORT, or OPENPPE_SW_NONE when not SW_TAGGED (likewise)
 * @out_port: EGRESS.EPORT (likewise)
 * @out_sw: EGRESS.SW_PORT, or OPENPPE_SW_NONE when not SW_TAG (likewise)
 * @placed: the entry is in the table (at @index); under the flow lock and
 *	the placement locks
 * @unlinked: the flow was removed from the table and the cookie table
 *	(under the flow lock)
 *
 * The entry itself lives only in its table slot, read back when needed
 * (openppe_table_read()); the engine never writes the table. A flow being
 * placed is not in the table yet: its entry is the caller's (the REPLACE
 * being answered), which holds the flow lock until the flow is placed or
 * unlinked. The flow lock is not in the object: it is one of
 * &openppe.flow_lock, chosen by cookie (openppe_flow_mutex()).
 */
struct openppe_flow {
	struct openppe_flow __rcu *next;
	unsigned long cookie;
	struct openppe_block *block;
	struct openppe_nexthop nh;
	union {
		struct {
			u64 last_bytes;
			u32 last_packets;
			u32 last_hit;
		};
		struct rcu_head rcu;
	};
	refcount_t ref;
	u32 index;
	u32 buckets;
	u32 cnt_idx;
	u8 in_port;
	u8 in_sw;
	u8 out_port;
	u8 out_sw;
	bool placed;
	bool unlinked;
};

/* Issue 15, goal P4: at most 128 B of host memory per flow direction beyond
 * the preallocated table (which includes the cookie table's chains). The
 * object comes from a slab cache of its own, objects of exactly this size;
 * the counter IDA adds about 1/8 B per flow.
 */
static_assert(!IS_ENABLED(CONFIG_64BIT) || sizeof(struct openppe_flow) <= 120);

/**
 * struct openppe_backoff - a cookie recently refused for lack of room
 * @cookie: the cookie, 0 for none
 * @until: jiffies until which its REPLACEs are refused without work
 * @shift: the back-off is OPENPPE_BACKOFF_MIN << @shift
 */
struct openppe_backoff {
	unsigned long cookie;
	unsigned long until;
	unsigned int shift;
};

#define OPENPPE_BACKOFF_BITS		8
#define OPENPPE_BACKOFF_MIN		HZ
#define OPENPPE_BACKOFF_MAX_SHIFT	4	/* 16 s */

/**
 * struct openppe_block - one nf_flowtable bound to this PPE
 * @ppe: the PPE; the binding holds a reference on it
 *
 * Shared by every port of the PPE listed in the same flowtable (the
 * flow_block_cb is reference counted by the ports); freed with its flows when
 * the last port unbinds.
 */
struct openppe_block {
	struct openppe *ppe;
};

#define OPENPPE_STRIPES			32
#define OPENPPE_FLOW_LOCK_BITS		6	/* 64 flow locks per PPE */
/* relocation search: chains of at most this many moves, at most this many
 * buckets visited (docs/design.md, "Table placement and relocation")
 */
#define OPENPPE_RELOC_DEPTH		12
#define OPENPPE_RELOC_NODES		4096

struct openppe_bfs_node;

/**
 * struct openppe - one packet processing engine
 * @ref: lifetime; the driver binding, every host handle and every flowtable
 *	binding hold one. Freed at the last openppe_put().
 * @dev: the PPE platform device (a reference is held)
 * @regmap: engine registers
 * @life_lock: read-held by every operation that touches the engine or the
 *	table memory; write-held to set @dead
 * @dead: the driver was unbound: engine stopped, table memory freed
 * @hw_rev: PPE_REV
 * @nports: number of switch ports (PPE_CAPS.PORTS)
 * @fw_version: FW_VERSION of the running image
 * @fw_features: FW_FEATURES of the running image, what the driver offers
 * @ts_rate: TS_RATE, engine ticks per second
 * @table: flow table (DMA memory)
 * @table_dma: its bus address
 * @counters: counter records (DMA memory)
 * @cnt_dma: their bus address
 * @log2: log2 of the number of entries
 * @entries: number of entries (and counter records)
 * @ways: entries per bucket
 * @nbuckets: number of buckets
 * @seed: HASH_SEED0/1
 * @slots: owner flow of each table slot, NULL when free. Slot s of bucket b is
 *	written under @place_lock (read) plus the stripe lock of b, or under
 *	@place_lock (write)
 * @place_lock: read-held for placement in a key's own two buckets and for
 *	removal; write-held while relocating (which touches any bucket)
 * @stripe: bucket b is guarded by @stripe[b % OPENPPE_STRIPES]
 * @reloc_seen: buckets the relocation search has reached (@nbuckets bits,
 *	all clear between searches); under @place_lock (write)
 * @reloc_q: the relocation search's queue, OPENPPE_RELOC_NODES + 1 nodes;
 *	under @place_lock (write)
 * @cnt_ida: allocator of counter record indexes (internally locked)
 * @entries_used: slots holding a bound entry
 * @cmd_slots: entry-cache command slots of the engine (PPE_CAPS.CMD_SLOTS,
 *	1 when it reads 0: only CACHE_CMD/CACHE_STATUS)
 * @cmd_sem: read-held across one cache command in a slot (any number at
 *	once, one per slot); write-held across INV_ALL and the recovery, so
 *	that no other slot has a command of the driver's in flight then
 *	(docs/hardware.md 2.5)
 * @cmd_busy: bit s set while a command holds slot s (a bit lock, taken
 *	with @cmd_sem read-held, openppe_cmd_slot_get())
 * @cmd_wq: commands waiting for a free slot
 * @cache_lock: protects @cache_err, @degradations, the devlink health
 *	bookkeeping (@dl_live, @dl_reported, @dl_error) and writes of
 *	@degraded; never held across a cache command
 * @degraded: a cache command timed out; the engine is disabled (every frame
 *	goes to the CPU) until @recover_work or a devlink recover succeeds.
 *	Set under @cache_lock with @cmd_sem read-held, cleared with @cmd_sem
 *	write-held as well: a command reads it under @cmd_sem (read)
 * @cache_err: errno of the cache failure that made the engine degraded
 * @degradations: times the engine went degraded
 * @recover_work: retries INV_ALL and re-enables the engine
 * @devlink: devlink instance; set in probe before it is registered, cleared
 *	after it is freed (openppe_devlink.c)
 * @health: the "entry_cache" health reporter of @devlink
 * @health_work: tells @health about new degradations and about recoveries
 *	the driver made on its own
 * @dl_live: @devlink is registered: @health_work may be queued and may
 *	report
 * @dl_reported: @degradations as last reported to @health
 * @dl_error: @health is in the error state as far as the driver knows;
 *	changed only with the devlink instance lock held as well (the core
 *	changes the state under it after a recover op)
 * @cookies: the cookie table, installed flows by cookie: 1 << @cookie_bits
 *	singly linked chains, allocated with the table (at least one per
 *	entry), chain openppe_cookie_chain(). Read under RCU; a chain is
 *	written under the flow lock its flows share (openppe_flow_mutex())
 * @cookie_bits: log2 of the number of chains, >= OPENPPE_FLOW_LOCK_BITS
 * @nflows: flows in the cookie table
 * @flow_lock: the flow locks: a flow's is the one of its cookie chain,
 *	@flow_lock[chain % 64] (openppe_flow_mutex()). Serialises every
 *	operation on a flow (REPLACE, DESTROY, STATS, flushes, next-hop
 *	rewrites); protects the flow's entry in its slot against rewrites, its
 *	@placed and @unlinked, its STATS snapshot and next hop, and the links
 *	of the chains. Flows sharing a lock only wait for each other: nothing
 *	holds two flow locks at once (one lockdep class for all).
 * @backoff_lock: protects @backoff
 * @backoff: cookies recently refused for lack of room, by hash of cookie
 * @port_lock: serialises attach/detach, PORT_* and RMAC_* programming
 * @ports: attach table, indexed by hardware port
 * @nrmacs: router MAC table entries (PPE_CAPS.RMACS)
 * @rmac: the router MAC table as programmed (under @port_lock)
 * @netdev_nb: follows address, MTU and upper changes of the ports
 * @netevent_nb: follows neighbour updates (next hops of offloaded flows)
 * @neigh_work: rewrites the entries whose next hop's address changed
 * @cnt_lock: serialises _LO/_HI latch sequences of 64-bit engine counters
 * @cnt: event counters
 * @clks: optional clocks
 * @nclks: number of @clks
 * @debugfs: openppe/<dev_name>/
 * @irq: interrupt line, or 0
 */
struct openppe {
	struct kref ref;
	struct device *dev;
	struct regmap *regmap;

	struct rw_semaphore life_lock;
	bool dead;

	u32 hw_rev;
	u32 nports;
	u32 fw_version;
	u32 fw_features;
	u32 ts_rate;

	struct openppe_hw_entry *table;
	dma_addr_t table_dma;
	struct openppe_hw_counter *counters;
	dma_addr_t cnt_dma;
	u32 log2;
	u32 entries;
	u32 ways;
	u32 nbuckets;
	u32 seed[2];

	struct openppe_flow **slots;
	struct rw_semaphore place_lock;
	struct mutex stripe[OPENPPE_STRIPES];	/* bucket slots, see @slots */
	unsigned long *reloc_seen;
	struct openppe_bfs_node *reloc_q;
	struct ida cnt_ida;
	atomic_t entries_used;

	u32 cmd_slots;
	struct rw_semaphore cmd_sem;	/* slots vs INV_ALL, see above */
	unsigned long cmd_busy;
	wait_queue_head_t cmd_wq;
	struct mutex cache_lock;	/* @degraded, devlink health */
	bool degraded;
	int cache_err;
	u64 degradations;
	struct delayed_work recover_work;

	struct devlink *devlink;
	struct devlink_health_reporter *health;
	struct work_struct health_work;
	bool dl_live;
	u64 dl_reported;
	bool dl_error;

	struct openppe_flow __rcu **cookies;
	u32 cookie_bits;
	atomic_t nflows;
	struct mutex flow_lock[1 << OPENPPE_FLOW_LOCK_BITS];	/* see above */

	spinlock_t backoff_lock;	/* @backoff */
	struct openppe_backoff backoff[1 << OPENPPE_BACKOFF_BITS];

	struct mutex port_lock;		/* @ports, @rmac, PORT_*, RMAC_* */
	struct openppe_port ports[OPENPPE_PORTS_MAX];
	u32 nrmacs;
	struct openppe_rmac rmac[OPENPPE_RMAC_MAX];
	struct notifier_block netdev_nb;
	struct notifier_block netevent_nb;
	struct work_struct neigh_work;

	struct mutex cnt_lock;		/* _LO/_HI counter latch */
	struct openppe_counters cnt;
	struct clk_bulk_data *clks;
	int nclks;
	struct dentry *debugfs;
	int irq;
};

/* openppe_main.c */
struct openppe *openppe_create(struct device *dev);
int openppe_read_cnt64(struct openppe *ppe, unsigned int reg, u64 *val);
int openppe_hw_identify(struct openppe *ppe);
int openppe_table_log2(u32 max_log2, u32 ways, u32 asked);

/* openppe_port.c */
int openppe_port_enable(struct openppe *ppe, unsigned int p,
			struct net_device *netdev);
void openppe_port_disable(struct openppe *ppe, unsigned int p);
int openppe_ports_sync(struct openppe *ppe);
int openppe_ports_watch(struct openppe *ppe);
void openppe_ports_unwatch(struct openppe *ppe);

/* openppe_fw.c */
int openppe_fw_load(struct openppe *ppe, const char *name);
const char *openppe_fw_err_name(unsigned int err);
int openppe_fw_validate(const u8 *data, size_t size, u32 hw_id, u32 max_size,
			const char **why);

/* openppe_table.c */
u32 openppe_hash(const u32 *key, u32 seed);
void openppe_buckets(const u32 *key, u32 seed0, u32 seed1, u32 nbuckets,
		     u32 *b0, u32 *b1);
void openppe_entry_key(const struct openppe_hw_entry *e, u32 *key);
bool openppe_entry_key_equal(const struct openppe_hw_entry *a,
			     const struct openppe_hw_entry *b);
int openppe_table_init(struct openppe *ppe, unsigned int log2,
		       unsigned int ways);
void openppe_table_fini(struct openppe *ppe);
int openppe_table_insert(struct openppe *ppe, struct openppe_flow *flow,
			 const struct openppe_hw_entry *e);
int openppe_table_rewrite(struct openppe *ppe, struct openppe_flow *flow,
			  const struct openppe_hw_entry *e);
int openppe_table_read(struct openppe *ppe, struct openppe_flow *flow,
		       struct openppe_hw_entry *e);
int openppe_table_remove(struct openppe *ppe, struct openppe_flow *flow,
			 struct openppe_hw_entry *last);
int openppe_cache_inv(struct openppe *ppe, enum openppe_cache_op op, u32 idx);
unsigned int openppe_cmd_slot_get(struct openppe *ppe);
void openppe_cmd_slot_put(struct openppe *ppe, unsigned int slot);
int openppe_cache_recover(struct openppe *ppe);
void openppe_recover_work(struct work_struct *work);

/* openppe_devlink.c */
int openppe_devlink_init(struct openppe *ppe);
void openppe_devlink_fini(struct openppe *ppe);
void openppe_health_work(struct work_struct *work);

/* openppe_offload.c */
int openppe_flow_parse(struct openppe *ppe, const struct flow_rule *rule,
		       struct openppe_hw_entry *e, enum openppe_refusal *why,
		       struct netlink_ext_ack *extack);
int openppe_block_setup(struct openppe *ppe, struct net_device *dev,
			struct flow_block_offload *bo);
int openppe_flow_replace(struct openppe *ppe, struct openppe_block *block,
			 struct flow_cls_offload *cls);
int openppe_flow_destroy(struct openppe *ppe, struct flow_cls_offload *cls);
void openppe_flows_flush(struct openppe *ppe, struct openppe_block *block,
			 int hw_port);
void openppe_flows_flush_swport(struct openppe *ppe, int hw_port,
				unsigned int swport);
void openppe_entry_set_ports(struct openppe_hw_entry *e,
			     const struct openppe_pref *in,
			     const struct openppe_pref *eg);
struct openppe_flow *openppe_flow_get(struct openppe *ppe, unsigned long cookie);
void openppe_flow_put(struct openppe_flow *flow);
int openppe_flow_cache_init(void);
void openppe_flow_cache_exit(void);
int openppe_nexthops_watch(struct openppe *ppe);
void openppe_nexthops_unwatch(struct openppe *ppe);
u32 openppe_entry_features(const struct openppe_hw_entry *e);
u32 openppe_mac_hi(const u8 *mac);
u32 openppe_mac_lo(const u8 *mac);
int openppe_eth_mangle(u8 *eth, u32 *set, u32 offset, u32 val, u32 mask,
		       bool big_endian);

/* openppe_stats.c */
void openppe_stats_delta(u32 prev_pkts, u64 prev_bytes, u32 now_pkts,
			 u64 now_bytes, u64 *dpkts, u64 *dbytes);
u32 openppe_ts_age(u32 ts_now, u32 last_hit);
u64 openppe_read_le64_split(const __le64 *p);
u64 openppe_lastused(u64 now_jiffies, u32 ts_now, u32 last_hit, u32 ts_rate);
int openppe_flow_stats(struct openppe *ppe, struct flow_cls_offload *cls);
void openppe_entry_tuple(const struct openppe_hw_entry *e, u8 *proto,
			 u8 *src, u8 *dst, u16 *sport, u16 *dport);

/* openppe_sysfs.c */
extern const struct attribute_group *openppe_groups[];

/* openppe_debugfs.c */
void openppe_debugfs_init(struct openppe *ppe, struct dentry *root);
void openppe_debugfs_exit(struct openppe *ppe);
int openppe_table_seq_open(struct file *file, struct openppe *ppe);

/* static (VISIBLE_IF_KUNIT) unless the KUnit suite calls them */
#if IS_ENABLED(CONFIG_KUNIT)
bool openppe_rmac_want(struct openppe_rmac *want, unsigned int *n,
		       unsigned int max, const u8 *mac, unsigned int p);
int openppe_rmacs_apply(struct openppe *ppe, struct openppe_rmac *want,
			unsigned int n);
int openppe_dsa_pref(struct openppe *ppe, int port, unsigned int swport,
		     bool egress, struct openppe_pref *ref);
bool openppe_flow_nexthop_moved(struct openppe *ppe, struct openppe_flow *flow,
				const u8 *ha);
#endif

static inline u32 openppe_w(const struct openppe_hw_entry *e, unsigned int i)
{
	return le32_to_cpu(e->w[i]);
}

/**
 * openppe_read_le64() - read a 64-bit field the engine writes, never torn
 * @p: the field in DMA memory
 *
 * A 64-bit CPU reads it with one load. A 32-bit CPU needs two, and the
 * engine may carry into the high word between them: see
 * openppe_read_le64_split().
 *
 * Return: the value.
 */
static inline u64 openppe_read_le64(const __le64 *p)
{
	if (IS_ENABLED(CONFIG_64BIT))
		return le64_to_cpu(READ_ONCE(*p));
	return openppe_read_le64_split(p);
}

/* the chain of the cookie table (&openppe.cookies) a cookie is in */
static inline u32 openppe_cookie_chain(const struct openppe *ppe,
				       unsigned long cookie)
{
	return hash_long(cookie, ppe->cookie_bits);
}

/* the lock of a flow, shared by its cookie chain (see &openppe.flow_lock) */
static inline struct mutex *openppe_flow_mutex(struct openppe *ppe,
					       const struct openppe_flow *flow)
{
	u32 chain = openppe_cookie_chain(ppe, flow->cookie);

	return &ppe->flow_lock[chain % ARRAY_SIZE(ppe->flow_lock)];
}

static inline void openppe_flow_lock(struct openppe *ppe,
				     const struct openppe_flow *flow)
{
	mutex_lock(openppe_flow_mutex(ppe, flow));
}

static inline void openppe_flow_unlock(struct openppe *ppe,
				       const struct openppe_flow *flow)
{
	mutex_unlock(openppe_flow_mutex(ppe, flow));
}

static inline void openppe_refuse_count(struct openppe *ppe,
					enum openppe_refusal why)
{
	atomic64_inc(&ppe->cnt.refused[why]);
}

#endif /* _OPENPPE_INTERNAL_H */
