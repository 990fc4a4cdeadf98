// SPDX-License-Identifier: GPL-2.0
/* openppe_sim KUnit: hash vectors, frame parser, rewrite/checksums, firmware checks */

#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/if_ether.h>
#include <linux/if_pppox.h>
#include <linux/in.h>
#include <linux/ppp_defs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ppesim.h"
#include "ppesim_compat.h"

PPESIM_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/* ---- hash: the vectors of docs/hardware.md section 4 ---- */

struct ppesim_hash_case {
	const char *name;
	u32 key[ENT_KEY_WORDS];
	u32 seed0, seed1, h0, h1, nb, b0, b1;
};

static const struct ppesim_hash_case ppesim_hash_cases[] = {
	{ "ipv4-tcp", { 0x00000601, 0x00000000, 0x00509c40, 0xc0a8010a, 0, 0,
		0, 0xcb007107, 0, 0, 0 },
	  0x00000000, 0x9e3779b9, 0xbd65b718, 0x01660b23, 256, 24, 35 },
	{ "ipv4-udp-vlan", { 0x00001110, 0x00000064, 0x003514e9, 0xc6336402, 0,
		0, 0, 0x0a000001, 0, 0, 0 },
	  0x12345678, 0x87654321, 0x59c85e22, 0x733d2754, 1024, 546, 852 },
	{ "ipv4-tcp-qinq", { 0x00000622, 0x0014000a, 0xffff0001, 0x0a010203, 0,
		0, 0, 0x0a030201, 0, 0, 0 },
	  0xdeadbeef, 0x0badf00d, 0xb146ce38, 0x9e6de91d, 4, 0, 1 },
	{ "ipv6-tcp", { 0x00000641, 0x00000000, 0x01bbc738, 0x20010db8, 0, 0,
		0x00000010, 0x20010db8, 0x00010000, 0, 0x00000007 },
	  0x00000001, 0x00000002, 0x7da5dc11, 0x3f405280, 16384, 7185, 4736 },
	{ "ipv6-udp", { 0x00001140, 0x00000000, 0x11941194, 0xfd000000, 0, 0,
		0x00000001, 0xfd000000, 0x00000001, 0, 0x00000002 },
	  0xffffffff, 0x00000000, 0x1cf08596, 0x9a19b629, 2, 0, 1 },
	{ "ipv4-udp-collide", { 0x00001103, 0x00000000, 0x007b3039, 0xac100001,
		0, 0, 0, 0xac100002, 0, 0, 0 },
	  0x00005eed, 0x00000004, 0xb208473e, 0xd9bc9196, 8, 6, 7 },
};

static void ppesim_hash_case_desc(const struct ppesim_hash_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ppesim_hash, ppesim_hash_cases, ppesim_hash_case_desc);

static void ppesim_test_hash(struct kunit *test)
{
	const struct ppesim_hash_case *c = test->param_value;
	u32 b0, b1;

	KUNIT_EXPECT_EQ(test, ppesim_hash(c->key, c->seed0), c->h0);
	KUNIT_EXPECT_EQ(test, ppesim_hash(c->key, c->seed1), c->h1);
	ppesim_buckets(c->key, c->seed0, c->seed1, c->nb, &b0, &b1);
	KUNIT_EXPECT_EQ(test, b0, c->b0);
	KUNIT_EXPECT_EQ(test, b1, c->b1);
}

/* ---- frame builders, with checksums computed from scratch ---- */

#define T_BUF	256

/* 16-bit one's complement sum of big-endian words, folded, not inverted */
static u32 t_sum(const u8 *p, unsigned int len, u32 sum)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static bool t_ipv4_csum_ok(const u8 *ip)
{
	return t_sum(ip, 20, 0) == 0xffff;
}

/* sum over the pseudo-header and the L4 segment: 0xffff when valid */
static u32 t_l4_sum(const u8 *ip, bool v6)
{
	unsigned int alen = v6 ? 16 : 4, l4len;
	const u8 *l4;
	u8 proto;
	u32 sum;

	if (v6) {
		l4len = get_unaligned_be16(ip + 4);
		proto = ip[6];
		l4 = ip + 40;
		sum = t_sum(ip + 8, 2 * alen, 0);
	} else {
		l4len = get_unaligned_be16(ip + 2) - 20;
		proto = ip[9];
		l4 = ip + 20;
		sum = t_sum(ip + 12, 2 * alen, 0);
	}
	sum += proto + l4len;
	return t_sum(l4, l4len, sum);
}

static bool t_l4_csum_ok(const u8 *ip, bool v6)
{
	return t_l4_sum(ip, v6) == 0xffff;
}

/* write a correct L4 checksum; UDP: 0 is sent as 0xffff */
static void t_l4_csum_fill(u8 *ip, bool v6, bool udp)
{
	u8 *csum = ip + (v6 ? 40 : 20) + (udp ? 6 : 16);
	u16 c;

	put_unaligned_be16(0, csum);
	c = ~t_l4_sum(ip, v6) & 0xffff;
	if (udp && !c)
		c = 0xffff;
	put_unaligned_be16(c, csum);
}

static const u8 t_dmac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const u8 t_smac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

/* Ethernet header with @nvlan tags (VIDs 100, 200) and optional PPPoE */
static unsigned int t_l2(u8 *p, unsigned int nvlan, bool pppoe, bool v6,
			 unsigned int l3len)
{
	unsigned int off = 12, i;

	memcpy(p, t_dmac, ETH_ALEN);
	memcpy(p + ETH_ALEN, t_smac, ETH_ALEN);
	for (i = 0; i < nvlan; i++) {
		put_unaligned_be16(i ? ETH_P_8021Q : ETH_P_8021AD, p + off);
		put_unaligned_be16(100 * (i + 1), p + off + 2);
		off += 4;
	}
	if (pppoe) {
		put_unaligned_be16(ETH_P_PPP_SES, p + off);
		p[off + 2] = 0x11;
		p[off + 3] = 0;
		put_unaligned_be16(0x1234, p + off + 4);
		put_unaligned_be16(l3len + 2, p + off + 6);
		put_unaligned_be16(v6 ? PPP_IPV6 : PPP_IP, p + off + 8);
		return off + 10;
	}
	put_unaligned_be16(v6 ? ETH_P_IPV6 : ETH_P_IP, p + off);
	return off + 2;
}

/* L4 header + 16 payload bytes at @l4; returns its length */
static unsigned int t_l4(u8 *l4, bool udp, u16 sport, u16 dport)
{
	unsigned int i, hlen = udp ? 8 : 20;

	memset(l4, 0, hlen);
	put_unaligned_be16(sport, l4);
	put_unaligned_be16(dport, l4 + 2);
	if (udp) {
		put_unaligned_be16(hlen + 16, l4 + 4);
	} else {
		put_unaligned_be32(1000, l4 + 4);
		l4[12] = 5 << 4;
		l4[13] = 0x18;	/* PSH ACK */
		put_unaligned_be16(512, l4 + 14);
	}
	for (i = 0; i < 16; i++)
		l4[hlen + i] = i * 7;
	return hlen + 16;
}

struct t_frame {
	bool v6, udp, pppoe;
	unsigned int nvlan;
};

/* a valid frame: 10.0.0.2:40000 -> 192.0.2.1:80 (or 2001:db8::2 -> ::1) */
static unsigned int t_build(u8 *buf, const struct t_frame *t)
{
	unsigned int l4len, l3len, off;
	u8 l4[64], *ip;

	l4len = t_l4(l4, t->udp, 40000, 80);
	l3len = (t->v6 ? 40 : 20) + l4len;
	memset(buf, 0, T_BUF);
	off = t_l2(buf, t->nvlan, t->pppoe, t->v6, l3len);
	ip = buf + off;
	if (t->v6) {
		ip[0] = 0x60;
		put_unaligned_be16(l4len, ip + 4);
		ip[6] = t->udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip[7] = 64;
		put_unaligned_be32(0x20010db8, ip + 8);
		ip[23] = 2;
		put_unaligned_be32(0x20010db8, ip + 24);
		ip[39] = 1;
		memcpy(ip + 40, l4, l4len);
	} else {
		ip[0] = 0x45;
		put_unaligned_be16(l3len, ip + 2);
		put_unaligned_be16(0x4000, ip + 6);	/* DF */
		ip[8] = 64;
		ip[9] = t->udp ? IPPROTO_UDP : IPPROTO_TCP;
		put_unaligned_be32(0x0a000002, ip + 12);
		put_unaligned_be32(0xc0000201, ip + 16);
		put_unaligned_be16(~t_sum(ip, 20, 0) & 0xffff, ip + 10);
		memcpy(ip + 20, l4, l4len);
	}
	t_l4_csum_fill(ip, t->v6, t->udp);
	return off + l3len;
}

/* ---- parser ---- */

static const struct t_frame t_valid_frames[] = {
	{ .v6 = false, .udp = false },
	{ .v6 = false, .udp = true },
	{ .v6 = true, .udp = false },
	{ .v6 = true, .udp = true },
	{ .v6 = false, .udp = false, .nvlan = 1 },
	{ .v6 = false, .udp = true, .nvlan = 2 },
	{ .v6 = false, .udp = false, .pppoe = true },
	{ .v6 = true, .udp = true, .nvlan = 1, .pppoe = true },
};

static void ppesim_test_parse_valid(struct kunit *test)
{
	struct ppesim_frame f;
	unsigned int i, len;
	u32 want;
	u8 *buf;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(t_valid_frames); i++) {
		const struct t_frame *t = &t_valid_frames[i];

		len = t_build(buf, t);
		KUNIT_EXPECT_EQ_MSG(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, &f),
				    PUNT_NONE, "frame %u", i);
		KUNIT_EXPECT_EQ(test, f.nvlan, t->nvlan);
		KUNIT_EXPECT_EQ(test, f.pppoe, t->pppoe);
		KUNIT_EXPECT_EQ(test, f.ipv6, t->v6);
		KUNIT_EXPECT_EQ(test, f.proto,
				t->udp ? IPPROTO_UDP : IPPROTO_TCP);
		KUNIT_EXPECT_EQ(test, f.l3len + f.l3off, len);
		want = FIELD_PREP(ENT_SPORT, 40000) | FIELD_PREP(ENT_DPORT, 80);
		KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_PORTS - 1], want);
		want = FIELD_PREP(ENT_KEY_VLAN_CNT, t->nvlan) |
		       FIELD_PREP(ENT_KEY_IPV6, t->v6) |
		       FIELD_PREP(ENT_KEY_PROTO, f.proto);
		KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_META - 1], want);
		if (t->nvlan)
			KUNIT_EXPECT_EQ(test, f.vid[0], 100);
		if (t->v6) {
			KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_SIP - 1],
					0x20010db8);
			KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_SIP + 2], 2);
			KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_DIP + 2], 1);
		} else {
			KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_SIP - 1],
					0x0a000002);
			KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_DIP - 1],
					0xc0000201);
		}
		if (t->pppoe)
			KUNIT_EXPECT_EQ(test, ppesim_parse(buf, len, false, PORT_TAG_NONE, &f),
					PUNT_UNSUPPORTED);
	}
}

/* Every proper prefix of every valid frame, copied into a buffer of exactly
 * that size (KASAN reports any read past it), must punt, never crash.
 */
static void ppesim_test_parse_truncated(struct kunit *test)
{
	struct ppesim_frame f;
	unsigned int i, len, n;
	enum ppesim_punt r;
	u8 *buf, *cut;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(t_valid_frames); i++) {
		len = t_build(buf, &t_valid_frames[i]);
		for (n = 0; n < len; n++) {
			cut = kmemdup(buf, n ?: 1, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, cut);
			r = ppesim_parse(cut, n, true, PORT_TAG_NONE, &f);
			kfree(cut);
			KUNIT_EXPECT_EQ_MSG(test, r, PUNT_UNSUPPORTED,
					    "frame %u cut at %u", i, n);
		}
	}
}

struct ppesim_malformed_case {
	const char *name;
	struct t_frame t;
	void (*mangle)(u8 *buf, unsigned int *len);
	enum ppesim_punt want;
};

#define T_IP	14

static void t_ipv4_recsum(u8 *ip)
{
	put_unaligned_be16(0, ip + 10);
	put_unaligned_be16(~t_sum(ip, 20, 0) & 0xffff, ip + 10);
}

static void t_ihl6(u8 *b, unsigned int *len)
{
	b[T_IP] = 0x46;
	t_ipv4_recsum(b + T_IP);
}

static void t_ihl4(u8 *b, unsigned int *len)
{
	b[T_IP] = 0x44;
}

static void t_badver(u8 *b, unsigned int *len)
{
	b[T_IP] = 0x55;
}

static void t_badcsum(u8 *b, unsigned int *len)
{
	b[T_IP + 10] ^= 0x01;
}

static void t_totlen_big(u8 *b, unsigned int *len)
{
	put_unaligned_be16(*len - T_IP + 1, b + T_IP + 2);
	t_ipv4_recsum(b + T_IP);
}

static void t_totlen_small(u8 *b, unsigned int *len)
{
	put_unaligned_be16(19, b + T_IP + 2);
	t_ipv4_recsum(b + T_IP);
}

static void t_totlen_no_l4(u8 *b, unsigned int *len)
{
	put_unaligned_be16(24, b + T_IP + 2);	/* TCP header cut by tot_len */
	t_ipv4_recsum(b + T_IP);
}

static void t_mf(u8 *b, unsigned int *len)
{
	put_unaligned_be16(0x2000, b + T_IP + 6);
	t_ipv4_recsum(b + T_IP);
}

static void t_fragoff(u8 *b, unsigned int *len)
{
	put_unaligned_be16(0x0010, b + T_IP + 6);
	t_ipv4_recsum(b + T_IP);
}

static void t_icmp(u8 *b, unsigned int *len)
{
	b[T_IP + 9] = IPPROTO_ICMP;
	t_ipv4_recsum(b + T_IP);
}

static void t_ttl1(u8 *b, unsigned int *len)
{
	b[T_IP + 8] = 1;
	t_ipv4_recsum(b + T_IP);
}

static void t_ttl0(u8 *b, unsigned int *len)
{
	b[T_IP + 8] = 0;
	t_ipv4_recsum(b + T_IP);
}

static void t_syn(u8 *b, unsigned int *len)
{
	b[T_IP + 20 + 13] = 0x02;
}

static void t_fin(u8 *b, unsigned int *len)
{
	b[T_IP + 20 + 13] = 0x11;
}

static void t_rst(u8 *b, unsigned int *len)
{
	b[T_IP + 20 + 13] = 0x04;
}

static void t_doff4(u8 *b, unsigned int *len)
{
	b[T_IP + 20 + 12] = 4 << 4;
}

static void t_doff15(u8 *b, unsigned int *len)
{
	b[T_IP + 20 + 12] = 15 << 4;	/* 60 bytes: beyond the packet */
}

static void t_three_tags(u8 *b, unsigned int *len)
{
	/* the frame was built with two tags; turn its ethertype into a third */
	put_unaligned_be16(ETH_P_8021Q, b + 20);
}

static void t_pppoe_disc(u8 *b, unsigned int *len)
{
	put_unaligned_be16(ETH_P_PPP_DISC, b + 12);
}

static void t_pppoe_code(u8 *b, unsigned int *len)
{
	b[15] = 0x09;	/* PADI code on a session frame */
}

static void t_pppoe_ver(u8 *b, unsigned int *len)
{
	b[14] = 0x12;
}

static void t_pppoe_lcp(u8 *b, unsigned int *len)
{
	put_unaligned_be16(0xc021, b + 20);
}

static void t_pppoe_len(u8 *b, unsigned int *len)
{
	put_unaligned_be16(*len, b + 18);
}

static void t_arp(u8 *b, unsigned int *len)
{
	put_unaligned_be16(ETH_P_ARP, b + 12);
}

static void t_v6_hop(u8 *b, unsigned int *len)
{
	b[T_IP + 6] = 0;	/* hop-by-hop options */
}

static void t_v6_frag(u8 *b, unsigned int *len)
{
	b[T_IP + 6] = 44;
}

static void t_v6_routing(u8 *b, unsigned int *len)
{
	b[T_IP + 6] = 43;
}

static void t_v6_icmp(u8 *b, unsigned int *len)
{
	b[T_IP + 6] = 58;
}

static void t_v6_plen(u8 *b, unsigned int *len)
{
	put_unaligned_be16(*len, b + T_IP + 4);
}

static void t_v6_hl1(u8 *b, unsigned int *len)
{
	b[T_IP + 7] = 1;
}

static void t_v6_ver(u8 *b, unsigned int *len)
{
	b[T_IP] = 0x40;
}

static void t_udp_short(u8 *b, unsigned int *len)
{
	put_unaligned_be16(20 + 4, b + T_IP + 2);	/* UDP header cut */
	t_ipv4_recsum(b + T_IP);
}

static void t_padded(u8 *b, unsigned int *len)
{
	*len += 6;	/* Ethernet padding after the IP packet is fine */
}

static const struct t_frame T4 = { .v6 = false, .udp = false };
static const struct t_frame T4U = { .v6 = false, .udp = true };
static const struct t_frame T6 = { .v6 = true, .udp = false };
static const struct t_frame TQ = { .udp = true, .nvlan = 2 };
static const struct t_frame TP = { .pppoe = true };

static const struct ppesim_malformed_case ppesim_malformed_cases[] = {
	{ "ihl6", T4, t_ihl6, PUNT_IP_OPTIONS },
	{ "ihl4", T4, t_ihl4, PUNT_IP_OPTIONS },
	{ "ipv4-version", T4, t_badver, PUNT_UNSUPPORTED },
	{ "ipv4-csum", T4, t_badcsum, PUNT_UNSUPPORTED },
	{ "totlen-beyond-frame", T4, t_totlen_big, PUNT_UNSUPPORTED },
	{ "totlen-below-header", T4, t_totlen_small, PUNT_UNSUPPORTED },
	{ "totlen-cuts-tcp", T4, t_totlen_no_l4, PUNT_UNSUPPORTED },
	{ "udp-cut", T4U, t_udp_short, PUNT_UNSUPPORTED },
	{ "ipv4-mf", T4, t_mf, PUNT_FRAG },
	{ "ipv4-frag-offset", T4, t_fragoff, PUNT_FRAG },
	{ "icmp", T4, t_icmp, PUNT_UNSUPPORTED },
	{ "ttl1", T4, t_ttl1, PUNT_TTL },
	{ "ttl0", T4, t_ttl0, PUNT_TTL },
	{ "tcp-syn", T4, t_syn, PUNT_TCP_FLAGS },
	{ "tcp-fin", T4, t_fin, PUNT_TCP_FLAGS },
	{ "tcp-rst", T4, t_rst, PUNT_TCP_FLAGS },
	{ "tcp-doff4", T4, t_doff4, PUNT_UNSUPPORTED },
	{ "tcp-doff-beyond", T4, t_doff15, PUNT_UNSUPPORTED },
	{ "three-tags", TQ, t_three_tags, PUNT_UNSUPPORTED },
	{ "pppoe-discovery", TP, t_pppoe_disc, PUNT_UNSUPPORTED },
	{ "pppoe-code", TP, t_pppoe_code, PUNT_UNSUPPORTED },
	{ "pppoe-version", TP, t_pppoe_ver, PUNT_UNSUPPORTED },
	{ "pppoe-lcp", TP, t_pppoe_lcp, PUNT_UNSUPPORTED },
	{ "pppoe-length", TP, t_pppoe_len, PUNT_UNSUPPORTED },
	{ "arp", T4, t_arp, PUNT_UNSUPPORTED },
	{ "ipv6-hop-by-hop", T6, t_v6_hop, PUNT_IP_OPTIONS },
	{ "ipv6-routing", T6, t_v6_routing, PUNT_IP_OPTIONS },
	{ "ipv6-fragment", T6, t_v6_frag, PUNT_FRAG },
	{ "ipv6-icmp", T6, t_v6_icmp, PUNT_UNSUPPORTED },
	{ "ipv6-payload-len", T6, t_v6_plen, PUNT_UNSUPPORTED },
	{ "ipv6-hop-limit1", T6, t_v6_hl1, PUNT_TTL },
	{ "ipv6-version", T6, t_v6_ver, PUNT_UNSUPPORTED },
	{ "ethernet-padding", T4, t_padded, PUNT_NONE },
};

static void ppesim_malformed_desc(const struct ppesim_malformed_case *c,
				  char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ppesim_malformed, ppesim_malformed_cases,
		  ppesim_malformed_desc);

static void ppesim_test_parse_malformed(struct kunit *test)
{
	const struct ppesim_malformed_case *c = test->param_value;
	struct ppesim_frame f;
	unsigned int len;
	u8 *buf, *exact;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = t_build(buf, &c->t);
	c->mangle(buf, &len);
	/* exactly @len bytes, so that KASAN sees any read beyond them */
	exact = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, exact);
	memcpy(exact, buf, len);
	KUNIT_EXPECT_EQ(test, ppesim_parse(exact, len, true, PORT_TAG_NONE, &f), c->want);
}

/* ---- rewrite and L2 rebuild ---- */

static void t_entry(u32 *w, u32 type, bool v6)
{
	memset(w, 0, ENT_WORDS * sizeof(u32));
	w[ENT_INFO] = FIELD_PREP(ENT_INFO_STATE, ENT_STATE_BOUND) |
		      FIELD_PREP(ENT_INFO_TYPE, type);
	w[ENT_KEY_META] = FIELD_PREP(ENT_KEY_IPV6, v6);
	w[ENT_DMAC_HI] = 0x0a0b;
	w[ENT_DMAC_LO] = 0x0c0d0e0f;
	w[ENT_SMAC_HI] = 0x1a1b;
	w[ENT_SMAC_LO] = 0x1c1d1e1f;
	w[ENT_EGRESS] = FIELD_PREP(ENT_EG_EPORT, 1);
}

static const u8 t_new_dmac[ETH_ALEN] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
static const u8 t_new_smac[ETH_ALEN] = { 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };

/* parse @buf, rewrite its L3 with @w, check what every rewrite must give */
static u8 *t_rewrite(struct kunit *test, u8 *buf, unsigned int len,
		     const u32 *w, struct ppesim_frame *f)
{
	u8 *ip;

	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, f), PUNT_NONE);
	ip = buf + f->l3off;
	ppesim_rewrite_l3(ip, f, w);
	if (!f->ipv6) {
		KUNIT_EXPECT_EQ(test, ip[8], 63);
		KUNIT_EXPECT_TRUE(test, t_ipv4_csum_ok(ip));
	} else {
		KUNIT_EXPECT_EQ(test, ip[7], 63);
	}
	return ip;
}

static void ppesim_test_rewrite_ipv4_napt(struct kunit *test)
{
	static const bool udp_cases[] = { false, true };
	struct ppesim_frame f;
	u32 w[ENT_WORDS];
	unsigned int i, len;
	u8 *buf, *ip;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(udp_cases); i++) {
		struct t_frame t = { .udp = udp_cases[i] };

		len = t_build(buf, &t);
		t_entry(w, ENT_TYPE_IPV4_NAPT, false);
		w[ENT_NEW_SIP] = 0xcb007107;		/* 203.0.113.7 */
		w[ENT_NEW_DIP] = 0xc0000201;		/* unchanged */
		w[ENT_NEW_PORTS] = FIELD_PREP(ENT_SPORT, 61000) |
				   FIELD_PREP(ENT_DPORT, 80);
		ip = t_rewrite(test, buf, len, w, &f);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(ip + 12), 0xcb007107);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(ip + 16), 0xc0000201);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 20), 61000);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 22), 80);
		KUNIT_EXPECT_TRUE_MSG(test, t_l4_csum_ok(ip, false),
				      "udp=%d", t.udp);
	}
}

static void ppesim_test_rewrite_udp_zero(struct kunit *test)
{
	struct t_frame t = { .udp = true };
	struct ppesim_frame f;
	u32 w[ENT_WORDS], port;
	unsigned int len;
	u8 *buf, *ip;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* a UDP checksum of 0 (none) over IPv4 stays 0 */
	len = t_build(buf, &t);
	put_unaligned_be16(0, buf + T_IP + 26);
	t_entry(w, ENT_TYPE_IPV4_NAPT, false);
	w[ENT_NEW_SIP] = 0xcb007107;
	w[ENT_NEW_DIP] = 0xc0000201;
	w[ENT_NEW_PORTS] = FIELD_PREP(ENT_SPORT, 1234) |
			   FIELD_PREP(ENT_DPORT, 80);
	ip = t_rewrite(test, buf, len, w, &f);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 26), 0);

	/* a new source port whose correct checksum is 0: sent as 0xffff */
	for (port = 1; port < 0x10000; port++) {
		len = t_build(buf, &t);
		put_unaligned_be32(0xcb007107, buf + T_IP + 12);
		put_unaligned_be16(port, buf + T_IP + 20);
		put_unaligned_be16(0, buf + T_IP + 26);
		if ((~t_l4_sum(buf + T_IP, false) & 0xffff) == 0)
			break;
	}
	KUNIT_ASSERT_LT(test, port, 0x10000U);
	len = t_build(buf, &t);
	w[ENT_NEW_PORTS] = FIELD_PREP(ENT_SPORT, port) |
			   FIELD_PREP(ENT_DPORT, 80);
	ip = t_rewrite(test, buf, len, w, &f);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 26), 0xffff);
	KUNIT_EXPECT_TRUE(test, t_l4_csum_ok(ip, false));
}

static void ppesim_test_rewrite_ipv6(struct kunit *test)
{
	struct t_frame t = { .v6 = true };
	u8 *buf, *ip, before[64];
	struct ppesim_frame f;
	u32 w[ENT_WORDS];
	unsigned int len;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* route: only the hop limit changes, the L4 checksum stays valid */
	len = t_build(buf, &t);
	memcpy(before, buf + T_IP + 8, 32);
	t_entry(w, ENT_TYPE_IPV6_ROUTE, true);
	ip = t_rewrite(test, buf, len, w, &f);
	KUNIT_EXPECT_EQ(test, memcmp(before, ip + 8, 32), 0);
	KUNIT_EXPECT_TRUE(test, t_l4_csum_ok(ip, true));

	/* NAPT of all four words of both addresses and both ports */
	len = t_build(buf, &t);
	t_entry(w, ENT_TYPE_IPV6_NAPT, true);
	w[ENT_NEW_SIP] = 0xfd000000;
	w[ENT_NEW_SIP + 3] = 0x99;
	w[ENT_NEW_DIP] = 0x20010db8;
	w[ENT_NEW_DIP + 1] = 0x1;
	w[ENT_NEW_DIP + 3] = 0x1;
	w[ENT_NEW_PORTS] = FIELD_PREP(ENT_SPORT, 5555) |
			   FIELD_PREP(ENT_DPORT, 8080);
	ip = t_rewrite(test, buf, len, w, &f);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(ip + 8), 0xfd000000);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(ip + 20), 0x99);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(ip + 28), 0x1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 42), 8080);
	KUNIT_EXPECT_TRUE(test, t_l4_csum_ok(ip, true));
}

/* rebuild L2 of @f as @w says; check MACs and return the header */
static unsigned int t_l2_check(struct kunit *test, u8 *hdr, const u32 *w,
			       const struct ppesim_frame *f)
{
	unsigned int n = ppesim_build_l2(hdr, w, f);

	KUNIT_EXPECT_EQ(test, n, ppesim_l2_len(w));
	KUNIT_EXPECT_LE(test, n, (unsigned int)PPESIM_L2_MAX);
	KUNIT_EXPECT_EQ(test, memcmp(hdr, t_new_dmac, ETH_ALEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(hdr + ETH_ALEN, t_new_smac, ETH_ALEN), 0);
	return n;
}

static void ppesim_test_l2_vlan(struct kunit *test)
{
	struct t_frame tagged = { .udp = true, .nvlan = 2 };
	u8 *buf, hdr[PPESIM_L2_MAX];
	struct ppesim_frame f;
	u32 w[ENT_WORDS];
	unsigned int len;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* push two tags onto an untagged frame */
	len = t_build(buf, &T4);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, &f), PUNT_NONE);
	t_entry(w, ENT_TYPE_IPV4_ROUTE, false);
	w[ENT_EGRESS] |= FIELD_PREP(ENT_EG_VLAN_CNT, 2);
	w[ENT_EG_VLAN] = FIELD_PREP(ENT_VID0, 10) | FIELD_PREP(ENT_VID1, 4094);
	KUNIT_EXPECT_EQ(test, t_l2_check(test, hdr, w, &f), 22U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 12), ETH_P_8021Q);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 14), 10);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 16), ETH_P_8021Q);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 18), 4094);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 20), ETH_P_IP);

	/* pop both tags of a QinQ frame */
	len = t_build(buf, &tagged);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, &f), PUNT_NONE);
	KUNIT_EXPECT_EQ(test, f.vid[1], 200);
	t_entry(w, ENT_TYPE_IPV4_ROUTE, false);
	KUNIT_EXPECT_EQ(test, t_l2_check(test, hdr, w, &f), 14U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 12), ETH_P_IP);
}

static void ppesim_test_l2_pppoe(struct kunit *test)
{
	u8 *buf, hdr[PPESIM_L2_MAX];
	struct ppesim_frame f;
	u32 w[ENT_WORDS];
	unsigned int len;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = t_build(buf, &T6);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, &f), PUNT_NONE);
	t_entry(w, ENT_TYPE_IPV6_ROUTE, true);
	w[ENT_EGRESS] |= ENT_EG_PPPOE | FIELD_PREP(ENT_EG_VLAN_CNT, 1);
	w[ENT_EG_VLAN] = FIELD_PREP(ENT_VID0, 7);
	w[ENT_EG_PPPOE_SID] = 0xbeef;
	KUNIT_EXPECT_EQ(test, t_l2_check(test, hdr, w, &f), 26U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 12), ETH_P_8021Q);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 14), 7);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 16), ETH_P_PPP_SES);
	KUNIT_EXPECT_EQ(test, hdr[18], 0x11);
	KUNIT_EXPECT_EQ(test, hdr[19], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 20), 0xbeef);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 22), f.l3len + 2);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 24), PPP_IPV6);
}

/* the switch inserts the receive tag (8.1) where the EtherType was; the
 * bits around SRC_PORT are set, the engine must ignore them
 */
static unsigned int t_tag_insert(u8 *buf, unsigned int len, u8 port)
{
	memmove(buf + 2 * ETH_ALEN + MTK_TAG_LEN, buf + 2 * ETH_ALEN,
		len - 2 * ETH_ALEN);
	buf[12] = 0xf8;
	buf[13] = port;
	buf[14] = 0xaa;
	buf[15] = 0x55;
	return len + MTK_TAG_LEN;
}

/* 8.4: the switch's 802.1Q tag (VID @vid) right after the switch tag of a
 * frame of @len bytes (the buffer holds VLAN_HLEN more)
 */
static void t_vtag_insert(u8 *buf, unsigned int len, u16 vid)
{
	unsigned int off = 2 * ETH_ALEN + MTK_TAG_LEN;

	memmove(buf + off + VLAN_HLEN, buf + off, len - off);
	put_unaligned_be16(ETH_P_8021Q, buf + off);
	put_unaligned_be16(vid, buf + off + 2);
}

/* 8.1/8.2: the MediaTek switch tag is stripped on ingress (source port into
 * the key) and pushed on egress (destination port bitmap), before any 802.1Q
 * tag
 */
static void ppesim_test_switch_tag(struct kunit *test)
{
	struct ppesim_frame plain, f, v;
	u8 *buf, hdr[PPESIM_L2_MAX];
	u32 w[ENT_WORDS], key[ENT_KEY_WORDS];
	unsigned int len;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = t_build(buf, &T4);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, &plain),
			PUNT_NONE);

	len = t_tag_insert(buf, len, 3);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_MTK, &f),
			PUNT_NONE);
	KUNIT_EXPECT_TRUE(test, f.swtag);
	KUNIT_EXPECT_EQ(test, f.swport, 3);
	KUNIT_EXPECT_EQ(test, f.l3off, plain.l3off + MTK_TAG_LEN);
	KUNIT_EXPECT_EQ(test, f.l3len, plain.l3len);
	KUNIT_EXPECT_EQ(test, f.key[ENT_KEY_META - 1],
			plain.key[ENT_KEY_META - 1] | ENT_KEY_SW_TAGGED |
			FIELD_PREP(ENT_KEY_SW_PORT, 3));
	KUNIT_EXPECT_EQ(test, memcmp(&f.key[1], &plain.key[1],
				     sizeof(f.key) - sizeof(f.key[0])), 0);

	/* 8.4: no second key without an 802.1Q tag after the switch tag */
	KUNIT_EXPECT_FALSE(test, ppesim_key_sw_vtag(&f, key));
	KUNIT_EXPECT_FALSE(test, ppesim_key_sw_vtag(&plain, key));

	/* the switch's PVID tag after the switch tag: the second key is the
	 * untagged frame's with SW_VTAG, whatever the VID
	 */
	t_vtag_insert(buf, len, 1);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len + VLAN_HLEN, true,
					   PORT_TAG_MTK, &v), PUNT_NONE);
	KUNIT_EXPECT_EQ(test, v.nvlan, 1);
	KUNIT_ASSERT_TRUE(test, ppesim_key_sw_vtag(&v, key));
	KUNIT_EXPECT_EQ(test, key[ENT_KEY_META - 1],
			f.key[ENT_KEY_META - 1] | ENT_KEY_SW_VTAG);
	KUNIT_EXPECT_EQ(test, memcmp(&key[1], &f.key[1],
				     sizeof(key) - sizeof(key[0])), 0);
	/* three tags punt; of two, the inner one is the key's VID0 */
	t_vtag_insert(buf, len + VLAN_HLEN, 7);
	t_vtag_insert(buf, len + 2 * VLAN_HLEN, 0); /* tags 0, 7, 1 */
	KUNIT_EXPECT_EQ(test, ppesim_parse(buf, len + 3 * VLAN_HLEN, true,
					   PORT_TAG_MTK, &v), PUNT_UNSUPPORTED);
	memmove(buf + 16, buf + 16 + VLAN_HLEN, len + 2 * VLAN_HLEN - 16);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len + 2 * VLAN_HLEN, true,
					   PORT_TAG_MTK, &v), PUNT_NONE);
	KUNIT_ASSERT_TRUE(test, ppesim_key_sw_vtag(&v, key));
	KUNIT_EXPECT_EQ(test, key[ENT_KEY_META - 1],
			f.key[ENT_KEY_META - 1] | ENT_KEY_SW_VTAG |
			FIELD_PREP(ENT_KEY_VLAN_CNT, 1));
	KUNIT_EXPECT_EQ(test, key[ENT_KEY_VLAN - 1], FIELD_PREP(ENT_VID0, 1));
	memmove(buf + 16, buf + 16 + 2 * VLAN_HLEN, len - 16);

	/* a tag-mode port's frame too short for the tag */
	KUNIT_EXPECT_EQ(test, ppesim_parse(buf, ETH_HLEN + MTK_TAG_LEN - 1, true,
					   PORT_TAG_MTK, &f), PUNT_UNSUPPORTED);
	/* on a plain port the tag bytes are an unknown EtherType */
	KUNIT_EXPECT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, &f),
			PUNT_UNSUPPORTED);

	/* push: MACs, transmit tag naming port 4, then the 802.1Q tag */
	t_entry(w, ENT_TYPE_IPV4_ROUTE, false);
	w[ENT_EGRESS] |= ENT_EG_SW_TAG | FIELD_PREP(ENT_EG_SW_PORT, 4) |
			 FIELD_PREP(ENT_EG_VLAN_CNT, 1);
	w[ENT_EG_VLAN] = FIELD_PREP(ENT_VID0, 100);
	KUNIT_EXPECT_EQ(test, t_l2_check(test, hdr, w, &plain), 22U);
	KUNIT_EXPECT_EQ(test, hdr[12], 0);
	KUNIT_EXPECT_EQ(test, hdr[13], BIT(4));
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 14), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 16), ETH_P_8021Q);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 18), 100);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(hdr + 20), ETH_P_IP);
}

/* ---- firmware image validation ---- */

#define T_FW_PAYLOAD	10	/* not a multiple of 4: exercises padding */
#define T_FW_LEN	ALIGN(FW_HDR_LEN + T_FW_PAYLOAD + FW_CRC_LEN, 4)

static void t_fw_crc(u8 *img)
{
	unsigned int n = FW_HDR_LEN + get_unaligned_le32(img + 0x14);

	put_unaligned_le32(~crc32_le(~0U, img, n), img + n);
}

static void t_fw_build(u8 *img)
{
	unsigned int i;

	memset(img, 0, T_FW_LEN);
	put_unaligned_le32(FW_MAGIC, img);
	put_unaligned_le16(FW_FORMAT, img + 4);
	put_unaligned_le16(FW_HDR_LEN, img + 6);
	put_unaligned_le32(PPESIM_HW_ID, img + 8);
	put_unaligned_le32(0x01020003, img + 12);
	put_unaligned_le32(0x7f, img + 16);
	put_unaligned_le32(T_FW_PAYLOAD, img + 20);
	strscpy((char *)img + 32, "kunit", FW_NAME_LEN);
	for (i = 0; i < T_FW_PAYLOAD; i++)
		img[FW_HDR_LEN + i] = i;
	t_fw_crc(img);
}

struct ppesim_fw_case {
	const char *name;
	void (*mangle)(u8 *img, size_t *len);
	enum ppesim_fw_err want;
};

static void t_fw_ok(u8 *img, size_t *len)
{
}

static void t_fw_short(u8 *img, size_t *len)
{
	*len = FW_MIN_LEN - 4;
}

static void t_fw_magic(u8 *img, size_t *len)
{
	img[0] = 'X';
}

static void t_fw_format(u8 *img, size_t *len)
{
	put_unaligned_le16(2, img + 4);
}

static void t_fw_hdr_len(u8 *img, size_t *len)
{
	put_unaligned_le16(60, img + 6);
}

static void t_fw_hw(u8 *img, size_t *len)
{
	put_unaligned_le32(PPESIM_HW_ID + 1, img + 8);
}

static void t_fw_truncated(u8 *img, size_t *len)
{
	*len -= 4;
}

static void t_fw_long(u8 *img, size_t *len)
{
	*len += 4;
}

static void t_fw_payload_len(u8 *img, size_t *len)
{
	put_unaligned_le32(0x10000000, img + 20);
}

static void t_fw_crc_bad(u8 *img, size_t *len)
{
	img[FW_HDR_LEN] ^= 0x80;
}

static void t_fw_crc_field(u8 *img, size_t *len)
{
	img[FW_HDR_LEN + T_FW_PAYLOAD] ^= 0x01;
}

static const struct ppesim_fw_case ppesim_fw_cases[] = {
	{ "valid", t_fw_ok, FW_ERR_NONE },
	{ "too-short", t_fw_short, FW_ERR_BAD_MAGIC },
	{ "bad-magic", t_fw_magic, FW_ERR_BAD_MAGIC },
	{ "bad-format", t_fw_format, FW_ERR_BAD_FORMAT },
	{ "bad-hdr-len", t_fw_hdr_len, FW_ERR_BAD_FORMAT },
	{ "hw-mismatch", t_fw_hw, FW_ERR_HW_MISMATCH },
	{ "truncated", t_fw_truncated, FW_ERR_BAD_LENGTH },
	{ "trailing-word", t_fw_long, FW_ERR_BAD_LENGTH },
	{ "payload-len-huge", t_fw_payload_len, FW_ERR_BAD_LENGTH },
	{ "payload-corrupt", t_fw_crc_bad, FW_ERR_BAD_CRC },
	{ "crc-corrupt", t_fw_crc_field, FW_ERR_BAD_CRC },
};

static void ppesim_fw_case_desc(const struct ppesim_fw_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ppesim_fw, ppesim_fw_cases, ppesim_fw_case_desc);

static void ppesim_test_fw_validate(struct kunit *test)
{
	const struct ppesim_fw_case *c = test->param_value;
	u32 version = 0, features = 0;
	size_t len = T_FW_LEN;
	u8 *img;

	img = kunit_kzalloc(test, T_FW_LEN + 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, img);
	t_fw_build(img);
	c->mangle(img, &len);
	KUNIT_EXPECT_EQ(test, ppesim_fw_validate(img, len, PPESIM_HW_ID,
						 &version, &features),
			c->want);
	if (c->want == FW_ERR_NONE) {
		KUNIT_EXPECT_EQ(test, version, 0x01020003U);
		KUNIT_EXPECT_EQ(test, features, 0x7fU);
	}
}

/* ---- the engine through its registers: a fixture with table memory ---- */

#define T_LOG2		8
#define T_ENTRIES	BIT(T_LOG2)

struct ppesim_efix {
	struct ppesim *sim;
	struct ppesim_engine *eng;
	struct ppesim_hw_entry *tbl;
	struct ppesim_hw_counter *cnt;
};

static u32 t_rd(struct kunit *test, struct ppesim_engine *eng, u32 reg)
{
	unsigned int val = 0xdeadbeef;

	KUNIT_EXPECT_EQ(test, ppesim_reg_read(eng, reg, &val), 0);
	return val;
}

static void t_wr(struct kunit *test, struct ppesim_engine *eng, u32 reg,
		 u32 val)
{
	KUNIT_EXPECT_EQ(test, ppesim_reg_write(eng, reg, val), 0);
}

static int ppesim_efix_init(struct kunit *test)
{
	struct ppesim_efix *fx;
	struct device *dev;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	if (!fx || !dev)
		return -ENOMEM;
	fx->sim = kunit_kzalloc(test, sizeof(*fx->sim), GFP_KERNEL);
	/* page-allocator memory: physically contiguous, in the linear map */
	fx->tbl = kunit_kzalloc(test, T_ENTRIES * sizeof(*fx->tbl), GFP_KERNEL);
	fx->cnt = kunit_kzalloc(test, T_ENTRIES * sizeof(*fx->cnt), GFP_KERNEL);
	if (!fx->sim || !fx->tbl || !fx->cnt)
		return -ENOMEM;
	/* a bare device: no DMA offset, DMA address == physical address */
	fx->sim->dev = dev;
	fx->eng = &fx->sim->eng;
	if (ppesim_engine_init(fx->eng, dev, 4, T_LOG2))
		return -ENOMEM;
	test->priv = fx;
	return 0;
}

static void ppesim_efix_exit(struct kunit *test)
{
	struct ppesim_efix *fx = test->priv;

	if (fx)
		ppesim_engine_fini(fx->eng);
}

static void t_fw_upload(struct kunit *test, struct ppesim_engine *eng,
			const u8 *img, size_t len)
{
	size_t i;

	t_wr(test, eng, FW_CTRL, FW_CTRL_START);
	for (i = 0; i < len; i += 4)
		t_wr(test, eng, FW_DATA, get_unaligned_le32(img + i));
	t_wr(test, eng, FW_CTRL, FW_CTRL_BOOT);
}

static u32 t_fw_state(struct kunit *test, struct ppesim_engine *eng)
{
	return FIELD_GET(FW_STATUS_STATE, t_rd(test, eng, FW_STATUS));
}

static u32 t_fw_err(struct kunit *test, struct ppesim_engine *eng)
{
	return FIELD_GET(FW_STATUS_ERR, t_rd(test, eng, FW_STATUS));
}

static void ppesim_test_regs_ident(struct kunit *test)
{
	struct ppesim_engine *eng = ((struct ppesim_efix *)test->priv)->eng;
	u32 caps;

	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PPE_ID), 0x4f505045U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PPE_REV), 0x00010100U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PPE_CAPS),
			FIELD_PREP(PPE_CAPS_RMACS, PPESIM_RMACS) |
			FIELD_PREP(PPE_CAPS_CMD_SLOTS, PPESIM_CMD_SLOTS) | 4U);
	caps = t_rd(test, eng, TBL_CAPS);
	KUNIT_EXPECT_EQ(test, FIELD_GET(TBL_CAPS_MAX_LOG2, caps), T_LOG2);
	KUNIT_EXPECT_EQ(test, FIELD_GET(TBL_CAPS_WAYS, caps), 4UL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(TBL_CAPS_ENTRY_SIZE, caps), 128UL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(TBL_CAPS_CNT_SIZE, caps), 32UL);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, FW_MAX_SIZE), 65536U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, TS_RATE), 1000U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, 0x7fc), 0U);	/* unlisted */
}

static void ppesim_test_regs_fw(struct kunit *test)
{
	struct ppesim_engine *eng = ((struct ppesim_efix *)test->priv)->eng;
	unsigned int i, val;
	u8 *img;

	img = kunit_kzalloc(test, T_FW_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, img);
	t_fw_build(img);

	KUNIT_EXPECT_EQ(test, t_fw_state(test, eng), FW_STATE_IDLE);
	t_fw_upload(test, eng, img, T_FW_LEN);
	KUNIT_EXPECT_EQ(test, t_fw_state(test, eng), FW_STATE_RUNNING);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, FW_VERSION), 0x01020003U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, FW_FEATURES), 0x7fU);
	KUNIT_EXPECT_TRUE(test, t_rd(test, eng, PPE_STATUS) &
			  PPE_STATUS_FW_RUNNING);
	KUNIT_EXPECT_TRUE(test, t_rd(test, eng, IRQ_STATUS) & IRQ_FW);
	/* the line is IRQ_STATUS & IRQ_MASK: high as soon as FW is enabled */
	KUNIT_EXPECT_FALSE(test, READ_ONCE(eng->irq_line));
	t_wr(test, eng, IRQ_MASK, IRQ_FW | IRQ_TBL_ERR);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(eng->irq_line));
	t_wr(test, eng, IRQ_STATUS, IRQ_FW);		/* W1C */
	KUNIT_EXPECT_FALSE(test, t_rd(test, eng, IRQ_STATUS) & IRQ_FW);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(eng->irq_line));

	/* BOOT outside LOADING is ignored */
	t_wr(test, eng, FW_CTRL, FW_CTRL_BOOT);
	KUNIT_EXPECT_EQ(test, t_fw_state(test, eng), FW_STATE_RUNNING);

	/* a valid image that the engine fails to boot (fault knob) */
	eng->fail_fw_boot = true;
	t_fw_upload(test, eng, img, T_FW_LEN);
	KUNIT_EXPECT_EQ(test, t_fw_state(test, eng), FW_STATE_ERROR);
	KUNIT_EXPECT_EQ(test, t_fw_err(test, eng), FW_ERR_BOOT_FAILED);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, FW_VERSION), 0U);
	eng->fail_fw_boot = false;

	/* a corrupt one */
	img[FW_HDR_LEN] ^= 1;
	t_fw_upload(test, eng, img, T_FW_LEN);
	KUNIT_EXPECT_EQ(test, t_fw_err(test, eng), FW_ERR_BAD_CRC);
	img[FW_HDR_LEN] ^= 1;

	/* more than FW_MAX_SIZE bytes */
	t_wr(test, eng, FW_CTRL, FW_CTRL_START);
	for (i = 0; i <= PPESIM_FW_MAX / 4; i++)
		t_wr(test, eng, FW_DATA, 0);
	KUNIT_EXPECT_EQ(test, t_fw_state(test, eng), FW_STATE_ERROR);
	KUNIT_EXPECT_EQ(test, t_fw_err(test, eng), FW_ERR_OVERFLOW);

	/* START discards it all; the good image boots again */
	t_fw_upload(test, eng, img, T_FW_LEN);
	KUNIT_EXPECT_EQ(test, t_fw_state(test, eng), FW_STATE_RUNNING);

	/* one-shot register error */
	eng->inject_reg_error = EIO;
	KUNIT_EXPECT_EQ(test, ppesim_reg_read(eng, PPE_ID, &val), -EIO);
	KUNIT_EXPECT_EQ(test, ppesim_reg_read(eng, PPE_ID, &val), 0);
	KUNIT_EXPECT_EQ(test, eng->inject_reg_error, 0U);

	/* soft reset */
	t_wr(test, eng, PPE_CTRL, PPE_CTRL_EN);
	t_wr(test, eng, PPE_CTRL, PPE_CTRL_RESET);
	KUNIT_EXPECT_EQ(test, t_fw_state(test, eng), FW_STATE_IDLE);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PPE_CTRL), 0U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PPE_STATUS), 0U);
}

static void t_tbl_program(struct kunit *test, struct ppesim_efix *fx)
{
	struct ppesim_engine *eng = fx->eng;
	u64 t = virt_to_phys(fx->tbl), c = virt_to_phys(fx->cnt);

	t_wr(test, eng, TBL_CFG, T_LOG2);
	t_wr(test, eng, TBL_BASE_LO, lower_32_bits(t));
	t_wr(test, eng, TBL_BASE_HI, upper_32_bits(t));
	t_wr(test, eng, CNT_BASE_LO, lower_32_bits(c));
	t_wr(test, eng, CNT_BASE_HI, upper_32_bits(c));
}

static void ppesim_test_regs_table(struct kunit *test)
{
	struct ppesim_efix *fx = test->priv;
	struct ppesim_engine *eng = fx->eng;
	u64 t = virt_to_phys(fx->tbl);

	KUNIT_EXPECT_FALSE(test, t_rd(test, eng, PPE_STATUS) &
			   PPE_STATUS_TBL_READY);
	t_tbl_program(test, fx);
	KUNIT_EXPECT_TRUE(test, t_rd(test, eng, PPE_STATUS) &
			  PPE_STATUS_TBL_READY);
	/* misaligned base */
	t_wr(test, eng, TBL_BASE_LO, lower_32_bits(t) + 64);
	KUNIT_EXPECT_FALSE(test, t_rd(test, eng, PPE_STATUS) &
			   PPE_STATUS_TBL_READY);
	/* a base that is not RAM: no TBL_READY, no crash */
	t_wr(test, eng, TBL_BASE_LO, 0x1000);
	t_wr(test, eng, TBL_BASE_HI, 0);
	KUNIT_EXPECT_FALSE(test, t_rd(test, eng, PPE_STATUS) &
			   PPE_STATUS_TBL_READY);
	t_wr(test, eng, TBL_BASE_LO, 0xfffff000);
	t_wr(test, eng, TBL_BASE_HI, 0xffffffff);
	KUNIT_EXPECT_FALSE(test, t_rd(test, eng, PPE_STATUS) &
			   PPE_STATUS_TBL_READY);
	/* LOG2 out of range */
	t_tbl_program(test, fx);
	t_wr(test, eng, TBL_CFG, T_LOG2 + 1);
	KUNIT_EXPECT_FALSE(test, t_rd(test, eng, PPE_STATUS) &
			   PPE_STATUS_TBL_READY);
	t_wr(test, eng, TBL_CFG, 2);
	KUNIT_EXPECT_FALSE(test, t_rd(test, eng, PPE_STATUS) &
			   PPE_STATUS_TBL_READY);
	t_wr(test, eng, TBL_CFG, 3);
	KUNIT_EXPECT_TRUE(test, t_rd(test, eng, PPE_STATUS) &
			  PPE_STATUS_TBL_READY);
}

/* a frame buffer, a firmware image buffer and a forwarding decision */
static void t_engine_bufs(struct kunit *test, u8 **buf, u8 **img,
			  struct ppesim_fwd **fwd)
{
	*buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	*img = kunit_kzalloc(test, T_FW_LEN, GFP_KERNEL);
	*fwd = kunit_kzalloc(test, sizeof(**fwd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *buf);
	KUNIT_ASSERT_NOT_NULL(test, *img);
	KUNIT_ASSERT_NOT_NULL(test, *fwd);
}

/* A bound entry's lookup, through the entry cache. The egress port has no
 * netdev (link down), so a hit shows as a drop and a miss as a punt: enough
 * to see which copy of the entry the engine uses.
 */
/* Command slots: independent BUSY per slot, completion after
 * cmd_latency_us, INV_ALL rejected while another slot is BUSY; cmd_slots = 1
 * at reset is the engine without slot registers.
 */
static void ppesim_test_cmd_slots(struct kunit *test)
{
	struct ppesim_engine *eng = ((struct ppesim_efix *)test->priv)->eng;
	u32 inv1 = FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ENTRY) |
		   FIELD_PREP(CACHE_CMD_INDEX, 1);
	u32 all = FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ALL);

	KUNIT_EXPECT_EQ(test, eng->nslots, (u32)PPESIM_CMD_SLOTS);
	/* a long latency holds a command: its slot is BUSY, the others not */
	eng->cmd_latency_us = 200000;
	t_wr(test, eng, CACHE_SLOT_CMD(2), inv1);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_SLOT_STATUS(2)),
			CACHE_STATUS_BUSY);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_SLOT_STATUS(1)), 0U);
	/* INV_ALL beside it: rejected; slot 0 is CACHE_CMD too */
	t_wr(test, eng, CACHE_CMD, all);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), CACHE_STATUS_ERR);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_SLOT_STATUS(0)),
			CACHE_STATUS_ERR);
	/* another INV_ENTRY in slot 1 is accepted at once */
	t_wr(test, eng, CACHE_SLOT_CMD(1), inv1);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_SLOT_STATUS(1)),
			CACHE_STATUS_BUSY);
	msleep(250);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_SLOT_STATUS(2)), 0U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_SLOT_STATUS(1)), 0U);
	/* no other slot BUSY: INV_ALL accepted */
	eng->cmd_latency_us = 0;
	t_wr(test, eng, CACHE_CMD, all);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), 0U);

	/* one slot after the next reset: no CMD_SLOTS, no slot registers */
	eng->cmd_slots = 1;
	t_wr(test, eng, PPE_CTRL, PPE_CTRL_RESET);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PPE_CAPS_CMD_SLOTS,
					t_rd(test, eng, PPE_CAPS)), 0UL);
	eng->cmd_latency_us = 200000;
	t_wr(test, eng, CACHE_SLOT_CMD(1), inv1);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_SLOT_STATUS(1)), 0U);
	t_wr(test, eng, CACHE_CMD, inv1);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), CACHE_STATUS_BUSY);
	eng->cmd_latency_us = 0;
	eng->cmd_slots = PPESIM_CMD_SLOTS;
}

static void ppesim_test_cache(struct kunit *test)
{
	struct ppesim_efix *fx = test->priv;
	struct ppesim_engine *eng = fx->eng;
	struct ppesim_fwd *fwd;
	struct ppesim_frame f;
	u32 b0, b1, idx, w0;
	unsigned int len, i;
	u8 *buf, *img;

	t_engine_bufs(test, &buf, &img, &fwd);

	/* engine up: firmware, table, seeds, port 0 with the frame's DMAC */
	t_fw_build(img);
	t_fw_upload(test, eng, img, T_FW_LEN);
	t_tbl_program(test, fx);
	t_wr(test, eng, HASH_SEED0, 0x1234);
	t_wr(test, eng, HASH_SEED1, 0x5678);
	t_wr(test, eng, PORT_REG(0, PORT_CTRL), PORT_CTRL_EN);
	t_wr(test, eng, PORT_REG(0, PORT_MAC_HI), 0x0200);
	t_wr(test, eng, PORT_REG(0, PORT_MAC_LO), 0x00000001);
	t_wr(test, eng, PORT_REG(1, PORT_CTRL), PORT_CTRL_EN);
	t_wr(test, eng, PPE_CTRL, PPE_CTRL_EN);
	KUNIT_ASSERT_EQ(test, t_rd(test, eng, PPE_STATUS), 7U);

	len = t_build(buf, &T4);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_NONE, &f), PUNT_NONE);
	ppesim_buckets(f.key, 0x1234, 0x5678, T_ENTRIES / 4, &b0, &b1);
	idx = b1 * 4 + 2;		/* second bucket, third way */

	/* miss; the engine has now cached the (invalid) entry */
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_MISS))),
			1U);

	/* write the entry as the driver does, but do not invalidate yet */
	for (i = 0; i < ENT_KEY_WORDS; i++)
		fx->tbl[idx].w[ENT_KEY_FIRST + i] = cpu_to_le32(f.key[i]);
	fx->tbl[idx].w[ENT_EGRESS] = cpu_to_le32(FIELD_PREP(ENT_EG_EPORT, 1));
	fx->tbl[idx].w[ENT_COUNTER] = cpu_to_le32(5);
	w0 = FIELD_PREP(ENT_INFO_STATE, ENT_STATE_BOUND) |
	     FIELD_PREP(ENT_INFO_TYPE, ENT_TYPE_IPV4_ROUTE);
	fx->tbl[idx].w[ENT_INFO] = cpu_to_le32(w0);
	KUNIT_EXPECT_EQ_MSG(test,
			    ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			    PPESIM_TO_CPU, "stale cache line not used");

	/* INV_ENTRY: the bound entry is seen (hit, egress down: drop) */
	t_wr(test, eng, CACHE_CMD, FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ENTRY) |
	     FIELD_PREP(CACHE_CMD_INDEX, idx));
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), 0U);
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_DROP);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_DROPS)), 1U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_LOOKUPS)), 3U);

	/* removed in memory, not invalidated: still used */
	fx->tbl[idx].w[ENT_INFO] = 0;
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_DROP);

	/* a held command (cache_timeout): BUSY, the copy stays in use */
	eng->cache_timeout = true;
	t_wr(test, eng, CACHE_CMD, FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ALL));
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), CACHE_STATUS_BUSY);
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_DROP);
	eng->cache_timeout = false;
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), 0U);
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);

	/* bad commands: ERR, nothing done */
	t_wr(test, eng, CACHE_CMD, FIELD_PREP(CACHE_CMD_OP, 3));
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), CACHE_STATUS_ERR);
	t_wr(test, eng, CACHE_CMD, FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ENTRY) |
	     FIELD_PREP(CACHE_CMD_INDEX, T_ENTRIES));
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), CACHE_STATUS_ERR);

	/* cache_reject: a good command is rejected, its line stays cached */
	KUNIT_EXPECT_TRUE(test, test_bit(idx, eng->cache_valid));
	eng->cache_reject = true;
	t_wr(test, eng, CACHE_CMD, FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ENTRY) |
	     FIELD_PREP(CACHE_CMD_INDEX, idx));
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), CACHE_STATUS_ERR);
	KUNIT_EXPECT_TRUE(test, test_bit(idx, eng->cache_valid));
	eng->cache_reject = false;
	t_wr(test, eng, CACHE_CMD, FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ENTRY) |
	     FIELD_PREP(CACHE_CMD_INDEX, idx));
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CACHE_STATUS), 0U);
	KUNIT_EXPECT_FALSE(test, test_bit(idx, eng->cache_valid));

	/* a frame for another MAC, a disabled port */
	buf[5] = 0x99;
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test,
			t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_NOT_ROUTER))),
			1U);

	/* that MAC in the router MAC table, for port 1 only: still refused */
	KUNIT_EXPECT_EQ(test, FIELD_GET(PPE_CAPS_RMACS, t_rd(test, eng, PPE_CAPS)),
			PPESIM_RMACS);
	t_wr(test, eng, RMAC_REG(3, RMAC_HI), 0x0200);
	t_wr(test, eng, RMAC_REG(3, RMAC_LO), 0x00000099);
	t_wr(test, eng, RMAC_REG(3, RMAC_CTRL), RMAC_CTRL_VALID | BIT(1));
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test,
			t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_NOT_ROUTER))),
			2U);
	/* for port 0 too: the frame is looked up (and misses) */
	t_wr(test, eng, RMAC_REG(3, RMAC_CTRL), RMAC_CTRL_VALID | BIT(0) | BIT(1));
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test,
			t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_NOT_ROUTER))),
			2U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_LOOKUPS)), 7U);
	/* ports without VALID: refused again */
	t_wr(test, eng, RMAC_REG(3, RMAC_CTRL), BIT(0));
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test,
			t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_NOT_ROUTER))),
			3U);
	t_wr(test, eng, RMAC_REG(3, RMAC_CTRL), RMAC_CTRL_VALID | BIT(0));

	t_wr(test, eng, PORT_REG(0, PORT_CTRL), 0);
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test,
			t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_PORT_DISABLED))),
			1U);

	/* reset clears counters, cache and table */
	t_wr(test, eng, PPE_CTRL, PPE_CTRL_RESET);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_LOOKUPS)), 0U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, TBL_BASE_LO), 0U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, RMAC_REG(3, RMAC_CTRL)), 0U);
}

/* 8.4: a switch user port's VLAN table. Port: PVID 1 (egress untagged),
 * tagged member of 10, no member of 20.
 */
static void ppesim_test_switch_vlan(struct kunit *test)
{
	struct ppesim_sw_vlan *v;
	unsigned int len;
	u8 *buf;
	u16 vid;

	buf = kunit_kzalloc(test, T_BUF, GFP_KERNEL);
	v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, v);
	len = t_build(buf, &T4);

	/* not filtering: frames pass as they are, VLAN 0 */
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, len, &vid), PPESIM_SW_KEEP);
	KUNIT_EXPECT_EQ(test, vid, 0);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_out(v, buf, len, &vid), PPESIM_SW_KEEP);

	v->filtering = true;
	/* no PVID: untagged frames have no VLAN */
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, len, &vid), PPESIM_SW_DROP);
	v->pvid = 1;
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, len, &vid), PPESIM_SW_DROP);
	set_bit(1, v->member);
	set_bit(1, v->untagged);
	set_bit(10, v->member);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, len, &vid), PPESIM_SW_PUSH);
	KUNIT_EXPECT_EQ(test, vid, 1);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_out(v, buf, len, &vid), PPESIM_SW_KEEP);
	KUNIT_EXPECT_EQ(test, vid, 1);

	/* tagged: its own VID, if the port is a member */
	memmove(buf + ETH_HLEN + 2, buf + ETH_HLEN - 2, len - ETH_HLEN + 2);
	put_unaligned_be16(ETH_P_8021Q, buf + 2 * ETH_ALEN);
	len += VLAN_HLEN;
	put_unaligned_be16(10, buf + ETH_HLEN);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, len, &vid), PPESIM_SW_KEEP);
	KUNIT_EXPECT_EQ(test, vid, 10);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_out(v, buf, len, &vid), PPESIM_SW_KEEP);
	put_unaligned_be16(1, buf + ETH_HLEN);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, len, &vid), PPESIM_SW_KEEP);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_out(v, buf, len, &vid), PPESIM_SW_POP);
	put_unaligned_be16(20, buf + ETH_HLEN);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, len, &vid), PPESIM_SW_DROP);
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_out(v, buf, len, &vid), PPESIM_SW_DROP);
	KUNIT_EXPECT_EQ(test, vid, 20);
	/* a tag cut short is no tag */
	KUNIT_EXPECT_EQ(test, ppesim_sw_vlan_in(v, buf, ETH_HLEN + 2, &vid),
			PPESIM_SW_PUSH);
}

/* 64-bit counters: reading _LO latches _HI */
/* Port 0 in tag mode, port 1 plain, both enabled, engine on with a firmware
 * of features 0x7f (no DSA_MTK), seeds 0x1234 / 0x5678
 */
static void t_tag_engine_start(struct kunit *test, struct ppesim_efix *fx,
			       u8 *img)
{
	struct ppesim_engine *eng = fx->eng;

	t_fw_build(img);	/* features 0x7f: no DSA_MTK */
	t_fw_upload(test, eng, img, T_FW_LEN);
	t_tbl_program(test, fx);
	t_wr(test, eng, HASH_SEED0, 0x1234);
	t_wr(test, eng, HASH_SEED1, 0x5678);
	t_wr(test, eng, PORT_REG(0, PORT_TAG), PORT_TAG_MTK);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PORT_REG(0, PORT_TAG)), 1U);
	t_wr(test, eng, PORT_REG(0, PORT_CTRL), PORT_CTRL_EN);
	t_wr(test, eng, PORT_REG(0, PORT_MAC_HI), 0x0200);
	t_wr(test, eng, PORT_REG(0, PORT_MAC_LO), 0x00000001);
	t_wr(test, eng, PORT_REG(1, PORT_CTRL), PORT_CTRL_EN);
	t_wr(test, eng, PPE_CTRL, PPE_CTRL_EN);
}

/* a bound IPV4_ROUTE entry for @key in way @way of its first bucket,
 * leaving through @egress; the cache is flushed. Return: its index.
 */
static u32 t_tag_entry(struct kunit *test, struct ppesim_efix *fx,
		       const u32 *key, unsigned int way, u32 egress)
{
	u32 b0, b1, idx, i;

	ppesim_buckets(key, 0x1234, 0x5678, T_ENTRIES / 4, &b0, &b1);
	idx = b0 * 4 + way;
	for (i = 0; i < ENT_KEY_WORDS; i++)
		fx->tbl[idx].w[ENT_KEY_FIRST + i] = cpu_to_le32(key[i]);
	fx->tbl[idx].w[ENT_EGRESS] = cpu_to_le32(egress);
	fx->tbl[idx].w[ENT_INFO] =
		cpu_to_le32(FIELD_PREP(ENT_INFO_STATE, ENT_STATE_BOUND) |
			    FIELD_PREP(ENT_INFO_TYPE, ENT_TYPE_IPV4_ROUTE));
	t_wr(test, fx->eng, CACHE_CMD, FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ALL));
	return idx;
}

/* 8.4: a frame with the switch's 802.1Q tag after the switch tag hits an
 * SW_VTAG entry in a second lookup (one lookup counted); a plain entry whose
 * key holds the tag wins; an SW_VTAG entry does not match an untagged frame.
 * The egress port has no netdev, so a usable hit shows as a drop; a hit on
 * an entry with a bad egress port as a BAD_ENTRY punt.
 */
static void ppesim_test_engine_sw_vtag(struct kunit *test)
{
	struct ppesim_efix *fx = test->priv;
	struct ppesim_engine *eng = fx->eng;
	u32 key[ENT_KEY_WORDS];
	struct ppesim_fwd *fwd;
	struct ppesim_frame f;
	unsigned int len;
	u8 *buf, *img;

	t_engine_bufs(test, &buf, &img, &fwd);
	t_tag_engine_start(test, fx, img);
	spin_lock_bh(&eng->lock);
	eng->fw_features |= FW_FEAT_DSA_MTK;
	spin_unlock_bh(&eng->lock);

	len = t_tag_insert(buf, t_build(buf, &T4), 2);
	t_vtag_insert(buf, len, 1);
	len += VLAN_HLEN;
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_MTK, &f),
			PUNT_NONE);
	KUNIT_ASSERT_TRUE(test, ppesim_key_sw_vtag(&f, key));
	t_tag_entry(test, fx, key, 0, FIELD_PREP(ENT_EG_EPORT, 1));

	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_DROP);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_LOOKUPS)), 1U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_DROPS)), 1U);
	/* any VID: the tag is not part of the key */
	put_unaligned_be16(4094, buf + 2 * ETH_ALEN + MTK_TAG_LEN + 2);
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_DROP);

	/* the frame without the tag does not match the SW_VTAG entry */
	memmove(buf + 16, buf + 16 + VLAN_HLEN, len - 16 - VLAN_HLEN);
	KUNIT_EXPECT_EQ(test,
			ppesim_engine_rx(fx->sim, 0, buf, len - VLAN_HLEN, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_MISS))),
			1U);

	/* a plain entry keyed on the tag (bad egress port: BAD_ENTRY) wins */
	t_vtag_insert(buf, len - VLAN_HLEN, 4094);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_MTK, &f),
			PUNT_NONE);
	t_tag_entry(test, fx, f.key, 1, FIELD_PREP(ENT_EG_EPORT, 15));
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_BAD_ENTRY))),
			1U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_LOOKUPS)), 4U);
}

/* A tag-mode port through the engine (hardware.md section 8): punted
 * without DSA_MTK, keyed on the source user port with it, and an entry's
 * switch tag must agree with its egress port (else BAD_ENTRY). The egress
 * port has no netdev, so a usable hit shows as a drop.
 */
static void ppesim_test_engine_tag(struct kunit *test)
{
	/* not static: FIELD_PREP() is no constant expression before 6.2 */
	const struct {
		u32 egress, tag;
		enum ppesim_verdict v;
	} steps[] = {
		{ FIELD_PREP(ENT_EG_EPORT, 1), PORT_TAG_NONE, PPESIM_DROP },
		/* tag-mode egress, entry without a tag */
		{ FIELD_PREP(ENT_EG_EPORT, 1), PORT_TAG_MTK, PPESIM_TO_CPU },
		{ FIELD_PREP(ENT_EG_EPORT, 1) | ENT_EG_SW_TAG |
		  FIELD_PREP(ENT_EG_SW_PORT, 4), PORT_TAG_MTK, PPESIM_DROP },
		/* a port the transmit tag cannot name */
		{ FIELD_PREP(ENT_EG_EPORT, 1) | ENT_EG_SW_TAG |
		  FIELD_PREP(ENT_EG_SW_PORT, 6), PORT_TAG_MTK, PPESIM_TO_CPU },
	};
	struct ppesim_efix *fx = test->priv;
	struct ppesim_engine *eng = fx->eng;
	struct ppesim_fwd *fwd;
	struct ppesim_frame f;
	unsigned int len, i;
	u8 *buf, *img;
	u32 idx;

	t_engine_bufs(test, &buf, &img, &fwd);

	t_tag_engine_start(test, fx, img);

	len = t_tag_insert(buf, t_build(buf, &T4), 2);
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test,
			t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_UNSUPPORTED))),
			1U);

	spin_lock_bh(&eng->lock);
	eng->fw_features |= FW_FEAT_DSA_MTK;
	spin_unlock_bh(&eng->lock);
	KUNIT_ASSERT_EQ(test, ppesim_parse(buf, len, true, PORT_TAG_MTK, &f),
			PUNT_NONE);
	idx = t_tag_entry(test, fx, f.key, 0, 0);

	/* the egress word and port 1's tag mode, step by step */
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		fx->tbl[idx].w[ENT_EGRESS] = cpu_to_le32(steps[i].egress);
		t_wr(test, eng, PORT_REG(1, PORT_TAG), steps[i].tag);
		t_wr(test, eng, CACHE_CMD,
		     FIELD_PREP(CACHE_CMD_OP, CACHE_OP_INV_ALL));
		KUNIT_EXPECT_EQ_MSG(test,
				    ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
				    steps[i].v, "step %u", i);
	}
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_BAD_ENTRY))),
			2U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_DROPS)), 2U);

	/* another source user port is another key: a miss */
	len = t_tag_insert(buf, t_build(buf, &T4), 5);
	KUNIT_EXPECT_EQ(test, ppesim_engine_rx(fx->sim, 0, buf, len, fwd),
			PPESIM_TO_CPU);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_PUNT(PUNT_MISS))),
			1U);
}

static void ppesim_test_counter_latch(struct kunit *test)
{
	struct ppesim_engine *eng = ((struct ppesim_efix *)test->priv)->eng;

	eng->cnt_global[CNT_HITS] = 0x00000001ffffffffULL;
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_HITS)),
			0xffffffffU);
	eng->cnt_global[CNT_HITS] = 0x0000000200000000ULL;
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, CNT_GLOBAL(CNT_HITS) + 4), 1U);
	eng->pcnt[2].tx_bytes = 0x0000000500000007ULL;
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PORT_REG(2, PORT_TX_BYTES)), 7U);
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PORT_REG(2, PORT_TX_BYTES) + 4),
			5U);
	/* registers of a port the engine does not have read 0 */
	KUNIT_EXPECT_EQ(test, t_rd(test, eng, PORT_REG(4, PORT_CTRL)), 0U);
}

static struct kunit_case ppesim_engine_cases[] = {
	KUNIT_CASE(ppesim_test_regs_ident),
	KUNIT_CASE(ppesim_test_regs_fw),
	KUNIT_CASE(ppesim_test_regs_table),
	KUNIT_CASE(ppesim_test_cmd_slots),
	KUNIT_CASE(ppesim_test_cache),
	KUNIT_CASE(ppesim_test_engine_tag),
	KUNIT_CASE(ppesim_test_engine_sw_vtag),
	KUNIT_CASE(ppesim_test_counter_latch),
	{ }
};

static struct kunit_suite ppesim_engine_suite = {
	.name = "openppe_sim_engine",
	.init = ppesim_efix_init,
	.exit = ppesim_efix_exit,
	.test_cases = ppesim_engine_cases,
};

static struct kunit_case ppesim_test_cases[] = {
	KUNIT_CASE_PARAM(ppesim_test_hash, ppesim_hash_gen_params),
	KUNIT_CASE(ppesim_test_parse_valid),
	KUNIT_CASE(ppesim_test_parse_truncated),
	KUNIT_CASE_PARAM(ppesim_test_parse_malformed,
			 ppesim_malformed_gen_params),
	KUNIT_CASE(ppesim_test_rewrite_ipv4_napt),
	KUNIT_CASE(ppesim_test_rewrite_udp_zero),
	KUNIT_CASE(ppesim_test_rewrite_ipv6),
	KUNIT_CASE(ppesim_test_l2_vlan),
	KUNIT_CASE(ppesim_test_l2_pppoe),
	KUNIT_CASE(ppesim_test_switch_tag),
	KUNIT_CASE(ppesim_test_switch_vlan),
	KUNIT_CASE_PARAM(ppesim_test_fw_validate, ppesim_fw_gen_params),
	{ }
};

static struct kunit_suite ppesim_test_suite = {
	.name = "openppe_sim",
	.test_cases = ppesim_test_cases,
};

kunit_test_suites(&ppesim_test_suite, &ppesim_engine_suite);

MODULE_DESCRIPTION("KUnit tests for the openppe engine emulator");
MODULE_LICENSE("GPL");
