/* SPDX-License-Identifier: GPL-2.0 */
/* openppe_sim: ppe-v1 register map, table entry and firmware layout (docs/hardware.md) */

#ifndef _PPESIM_REGS_H
#define _PPESIM_REGS_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

/* 2.1 Identification */
#define PPE_ID				0x0000
#define   PPE_ID_MAGIC			0x4f505045
#define PPE_REV				0x0004
#define   PPE_REV_HW_ID			GENMASK(31, 16)
#define   PPE_REV_MAJOR			GENMASK(15, 8)
#define   PPE_REV_MINOR			GENMASK(7, 0)
#define PPE_CAPS			0x0008
#define   PPE_CAPS_PORTS		GENMASK(4, 0)
#define   PPE_CAPS_RMACS		GENMASK(12, 8)
#define   PPE_CAPS_CMD_SLOTS		GENMASK(20, 16)

/* 2.2 Global control and status */
#define PPE_CTRL			0x0010
#define   PPE_CTRL_EN			BIT(0)
#define   PPE_CTRL_RESET		BIT(1)
#define PPE_STATUS			0x0014
#define   PPE_STATUS_RUNNING		BIT(0)
#define   PPE_STATUS_FW_RUNNING		BIT(1)
#define   PPE_STATUS_TBL_READY		BIT(2)

/* 2.3 Firmware upload */
#define FW_CTRL				0x0020
#define   FW_CTRL_START			BIT(0)
#define   FW_CTRL_BOOT			BIT(1)
#define FW_STATUS			0x0024
#define   FW_STATUS_STATE		GENMASK(3, 0)
#define   FW_STATUS_ERR			GENMASK(15, 8)
#define FW_DATA				0x0028
#define FW_MAX_SIZE			0x002c
#define FW_VERSION			0x0030
#define FW_FEATURES			0x0034

enum ppesim_fw_state {
	FW_STATE_IDLE = 0,
	FW_STATE_LOADING = 1,
	FW_STATE_BOOTING = 2,
	FW_STATE_RUNNING = 3,
	FW_STATE_ERROR = 4,
};

enum ppesim_fw_err {
	FW_ERR_NONE = 0,
	FW_ERR_BAD_MAGIC = 1,
	FW_ERR_BAD_FORMAT = 2,
	FW_ERR_HW_MISMATCH = 3,
	FW_ERR_BAD_LENGTH = 4,
	FW_ERR_BAD_CRC = 5,
	FW_ERR_BOOT_FAILED = 6,
	FW_ERR_OVERFLOW = 7,
};

/* 2.4 Flow table and counters */
#define TBL_BASE_LO			0x0040
#define TBL_BASE_HI			0x0044
#define CNT_BASE_LO			0x0048
#define CNT_BASE_HI			0x004c
#define TBL_CAPS			0x0050
#define   TBL_CAPS_MAX_LOG2		GENMASK(4, 0)
#define   TBL_CAPS_WAYS			GENMASK(11, 8)
#define   TBL_CAPS_ENTRY_SIZE		GENMASK(23, 16)
#define   TBL_CAPS_CNT_SIZE		GENMASK(31, 24)
#define TBL_CFG				0x0054
#define   TBL_CFG_LOG2			GENMASK(4, 0)
#define HASH_SEED0			0x0058
#define HASH_SEED1			0x005c

/* 2.5 Entry cache */
#define CACHE_CMD			0x0060
#define   CACHE_CMD_INDEX		GENMASK(23, 0)
#define   CACHE_CMD_OP			GENMASK(31, 28)
#define CACHE_STATUS			0x0064
#define   CACHE_STATUS_BUSY		BIT(0)
#define   CACHE_STATUS_ERR		BIT(1)

enum ppesim_cache_op {
	CACHE_OP_INV_ENTRY = 1,
	CACHE_OP_INV_ALL = 2,
};

/* command slots: PPE_CAPS.CMD_SLOTS CMD/STATUS pairs, slot 0 = CACHE_CMD */
#define CACHE_SLOT_BASE			0x0300
#define CACHE_SLOT_STRIDE		8
#define CACHE_SLOT_CMD(n)		(CACHE_SLOT_BASE + CACHE_SLOT_STRIDE * (n))
#define CACHE_SLOT_STATUS(n)		(CACHE_SLOT_CMD(n) + 4)
#define CACHE_SLOTS_MAX			16

/* 2.6 Timestamp */
#define TS_NOW				0x0070
#define TS_RATE				0x0074

/* 2.7 Interrupts */
#define IRQ_STATUS			0x0080
#define IRQ_MASK			0x0084
#define   IRQ_FW			BIT(0)
#define   IRQ_CACHE			BIT(1)
#define   IRQ_TBL_ERR			BIT(2)
#define   IRQ_ALL			(IRQ_FW | IRQ_CACHE | IRQ_TBL_ERR)

/* 2.8 Global counters: _LO at CNT_GLOBAL(n), _HI at CNT_GLOBAL(n) + 4 */
#define CNT_GLOBAL_BASE			0x0100
#define CNT_GLOBAL(n)			(CNT_GLOBAL_BASE + 8 * (n))
#define CNT_GLOBAL_NUM			32
#define CNT_LOOKUPS			0
#define CNT_HITS			1
#define CNT_DROPS			2
#define CNT_PUNT(r)			(16 + (r))

enum ppesim_punt {
	PUNT_NONE = 0,
	PUNT_MISS = 1,
	PUNT_TCP_FLAGS = 2,
	PUNT_TTL = 3,
	PUNT_FRAG = 4,
	PUNT_IP_OPTIONS = 5,
	PUNT_UNSUPPORTED = 6,
	PUNT_NOT_ROUTER = 7,
	PUNT_MTU = 8,
	PUNT_PORT_DISABLED = 9,
	PUNT_BAD_ENTRY = 10,
	PUNT_NUM = 16,
};

/* 2.10 Router MAC table: 16-byte block per entry */
#define RMAC_BASE			0x0200
#define RMAC_STRIDE			0x10
#define RMAC_REG(n, r)			(RMAC_BASE + RMAC_STRIDE * (n) + (r))
#define RMAC_CTRL			0x00
#define   RMAC_CTRL_PORTS		GENMASK(15, 0)
#define   RMAC_CTRL_VALID		BIT(31)
#define RMAC_HI				0x04
#define   RMAC_HI_BYTES			GENMASK(15, 0)
#define RMAC_LO				0x08
#define RMAC_MAX			16

/* 2.9 Ports: 64-byte block per port */
#define PORT_BASE			0x0400
#define PORT_STRIDE			0x40
#define PORT_REG(p, r)			(PORT_BASE + PORT_STRIDE * (p) + (r))
#define PORT_CTRL			0x00
#define   PORT_CTRL_EN			BIT(0)
#define PORT_MAC_HI			0x04
#define   PORT_MAC_HI_BYTES		GENMASK(15, 0)
#define PORT_MAC_LO			0x08
#define PORT_MTU			0x0c
#define PORT_RX_PKTS			0x10
#define PORT_RX_BYTES			0x18
#define PORT_TX_PKTS			0x20
#define PORT_TX_BYTES			0x28
#define PORT_TAG			0x30
#define   PORT_TAG_MODE			GENMASK(1, 0)
#define PORT_MAX			16

/* PORT_TAG.MODE: the switch tag on the port's link (section 8) */
enum ppesim_tag_mode {
	PORT_TAG_NONE = 0,
	PORT_TAG_MTK = 1,
};

/* 8.1/8.2 MediaTek switch tag */
#define MTK_TAG_LEN			4
#define   MTK_TAG_RX_SRC_PORT		GENMASK(2, 0)
#define MTK_TAG_PORT_MAX		5	/* byte 1 is a bitmap of 0..5 */

/* 3. Flow-table entry words */
#define ENT_WORDS			32
#define ENT_INFO			0
#define   ENT_INFO_STATE		GENMASK(1, 0)
#define   ENT_INFO_TYPE			GENMASK(6, 4)
#define ENT_KEY_META			1
#define   ENT_KEY_IPORT			GENMASK(3, 0)
#define   ENT_KEY_VLAN_CNT		GENMASK(5, 4)
#define   ENT_KEY_IPV6			BIT(6)
#define   ENT_KEY_SW_TAGGED		BIT(7)
#define   ENT_KEY_PROTO			GENMASK(15, 8)
#define   ENT_KEY_SW_PORT		GENMASK(19, 16)
#define   ENT_KEY_SW_VTAG		BIT(20)
#define ENT_KEY_VLAN			2
#define   ENT_VID0			GENMASK(11, 0)
#define   ENT_VID1			GENMASK(27, 16)
#define ENT_KEY_PORTS			3
#define   ENT_SPORT			GENMASK(15, 0)
#define   ENT_DPORT			GENMASK(31, 16)
#define ENT_KEY_SIP			4
#define ENT_KEY_DIP			8
#define ENT_NEW_SIP			12
#define ENT_NEW_DIP			16
#define ENT_NEW_PORTS			20
#define ENT_EGRESS			21
#define   ENT_EG_EPORT			GENMASK(3, 0)
#define   ENT_EG_VLAN_CNT		GENMASK(5, 4)
#define   ENT_EG_PPPOE			BIT(6)
#define   ENT_EG_SW_TAG			BIT(7)
#define   ENT_EG_SW_PORT		GENMASK(11, 8)
#define ENT_EG_VLAN			22
#define ENT_EG_PPPOE_SID		23
#define   ENT_SID			GENMASK(15, 0)
#define ENT_DMAC_HI			24
#define ENT_DMAC_LO			25
#define ENT_SMAC_HI			26
#define ENT_SMAC_LO			27
#define ENT_COUNTER			28
#define   ENT_COUNTER_IDX		GENMASK(23, 0)

/* key = words w1..w11 */
#define ENT_KEY_FIRST			ENT_KEY_META
#define ENT_KEY_WORDS			11

enum ppesim_ent_state {
	ENT_STATE_INVALID = 0,
	ENT_STATE_BOUND = 1,
};

enum ppesim_ent_type {
	ENT_TYPE_IPV4_ROUTE = 0,
	ENT_TYPE_IPV4_NAPT = 1,
	ENT_TYPE_IPV6_ROUTE = 2,
	ENT_TYPE_IPV6_NAPT = 3,
};

/**
 * struct ppesim_hw_entry - a flow-table entry as it lies in host memory
 * @w: the 32 little-endian words w0..w31 (docs/hardware.md section 3)
 */
struct ppesim_hw_entry {
	__le32 w[ENT_WORDS];
};

static_assert(sizeof(struct ppesim_hw_entry) == 128);

/**
 * struct ppesim_hw_counter - a counter record as it lies in host memory
 * @packets: frames forwarded, wraps at 2^32
 * @rsvd0: reserved, 0
 * @bytes: L3 bytes forwarded, wraps at 2^64
 * @last_hit: TS_NOW at the most recent hit
 * @rsvd1: reserved, 0
 */
struct ppesim_hw_counter {
	__le32 packets;
	__le32 rsvd0;
	__le64 bytes;
	__le32 last_hit;
	__le32 rsvd1[3];
};

static_assert(sizeof(struct ppesim_hw_counter) == 32);

/* 5. Firmware image */
#define FW_MAGIC			0x5746504f
#define FW_FORMAT			1
#define FW_HDR_LEN			64
#define FW_CRC_LEN			4
#define FW_MIN_LEN			(FW_HDR_LEN + FW_CRC_LEN)
#define FW_NAME_LEN			32

/**
 * struct ppesim_fw_hdr - firmware image header (docs/hardware.md 5.1)
 * @magic: "OPFW"
 * @format: image format version, 1
 * @hdr_len: header length, 64
 * @hw_compat: PPE_REV.HW_ID this image runs on
 * @fw_version: MAJOR [31:24], MINOR [23:16], PATCH [15:0]
 * @features: feature bits (5.2)
 * @payload_len: payload length in bytes
 * @rsvd: reserved, 0
 * @name: build description, NUL-padded
 */
struct ppesim_fw_hdr {
	__le32 magic;
	__le16 format;
	__le16 hdr_len;
	__le32 hw_compat;
	__le32 fw_version;
	__le32 features;
	__le32 payload_len;
	__le32 rsvd[2];
	char name[FW_NAME_LEN];
};

static_assert(sizeof(struct ppesim_fw_hdr) == FW_HDR_LEN);

/* 5.2 Feature bits */
#define FW_FEAT_IPV4_ROUTE		BIT(0)
#define FW_FEAT_IPV4_NAPT		BIT(1)
#define FW_FEAT_IPV6_ROUTE		BIT(2)
#define FW_FEAT_IPV6_NAPT		BIT(3)
#define FW_FEAT_VLAN			BIT(4)
#define FW_FEAT_QINQ			BIT(5)
#define FW_FEAT_PPPOE			BIT(6)
#define FW_FEAT_DSA_MTK			BIT(7)

#endif /* _PPESIM_REGS_H */
