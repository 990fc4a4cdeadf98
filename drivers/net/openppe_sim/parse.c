// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: frame parser, L3/L4 rewrite and L2 rebuild (hardware.md section 6) */

#include <linux/bitfield.h>
#include <linux/if_pppox.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ppp_defs.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <kunit/visibility.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "ppesim.h"
#include "ppesim_compat.h"

#define PPESIM_PPPOE_HLEN	8	/* PPPoE session header + PPP protocol */

static bool ppesim_ipv6_is_ext(u8 nexthdr)
{
	switch (nexthdr) {
	case NEXTHDR_HOP:
	case NEXTHDR_ROUTING:
	case NEXTHDR_DEST:
	case NEXTHDR_AUTH:
	case NEXTHDR_MOBILITY:
	case 139:	/* Host Identity Protocol */
	case 140:	/* Shim6 */
		return true;
	default:
		return false;
	}
}

/* L4 header at @off, inside an L3 packet ending at @end */
static enum ppesim_punt ppesim_parse_l4(const u8 *data, unsigned int off,
					unsigned int end, struct ppesim_frame *f)
{
	const struct tcphdr *th;
	const struct udphdr *uh;

	f->l4off = off;
	if (f->proto == IPPROTO_TCP) {
		if (end - off < sizeof(*th))
			return PUNT_UNSUPPORTED;
		th = (const struct tcphdr *)(data + off);
		if (th->doff < 5 || th->doff * 4 > end - off)
			return PUNT_UNSUPPORTED;
		if (th->fin || th->rst || th->syn)
			return PUNT_TCP_FLAGS;
		f->key[ENT_KEY_PORTS - 1] =
			FIELD_PREP(ENT_SPORT, ntohs(th->source)) |
			FIELD_PREP(ENT_DPORT, ntohs(th->dest));
		return PUNT_NONE;
	}
	if (end - off < sizeof(*uh))
		return PUNT_UNSUPPORTED;
	uh = (const struct udphdr *)(data + off);
	f->key[ENT_KEY_PORTS - 1] = FIELD_PREP(ENT_SPORT, ntohs(uh->source)) |
				    FIELD_PREP(ENT_DPORT, ntohs(uh->dest));
	return PUNT_NONE;
}

static enum ppesim_punt ppesim_parse_ipv4(const u8 *data, unsigned int off,
					  unsigned int end,
					  struct ppesim_frame *f)
{
	const struct iphdr *iph;
	enum ppesim_punt punt;
	unsigned int tot;

	if (end - off < sizeof(*iph))
		return PUNT_UNSUPPORTED;
	iph = (const struct iphdr *)(data + off);
	if (iph->version != 4)
		return PUNT_UNSUPPORTED;
	if (iph->ihl != 5)
		return PUNT_IP_OPTIONS;
	if (ip_compute_csum(iph, sizeof(*iph)))
		return PUNT_UNSUPPORTED;
	tot = ntohs(iph->tot_len);
	if (tot < sizeof(*iph) || tot > end - off)
		return PUNT_UNSUPPORTED;
	if (iph->frag_off & htons(IP_MF | IP_OFFSET))
		return PUNT_FRAG;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return PUNT_UNSUPPORTED;

	f->ethertype = ETH_P_IP;
	f->proto = iph->protocol;
	f->l3len = tot;
	punt = ppesim_parse_l4(data, off + sizeof(*iph), off + tot, f);
	if (punt)
		return punt;
	if (iph->ttl <= 1)
		return PUNT_TTL;
	f->key[ENT_KEY_SIP - 1] = get_unaligned_be32(&iph->saddr);
	f->key[ENT_KEY_DIP - 1] = get_unaligned_be32(&iph->daddr);
	return PUNT_NONE;
}

static enum ppesim_punt ppesim_parse_ipv6(const u8 *data, unsigned int off,
					  unsigned int end,
					  struct ppesim_frame *f)
{
	const struct ipv6hdr *ip6h;
	enum ppesim_punt punt;
	unsigned int tot, i;

	if (end - off < sizeof(*ip6h))
		return PUNT_UNSUPPORTED;
	ip6h = (const struct ipv6hdr *)(data + off);
	if (ip6h->version != 6)
		return PUNT_UNSUPPORTED;
	tot = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	if (tot > end - off)
		return PUNT_UNSUPPORTED;
	if (ip6h->nexthdr == NEXTHDR_FRAGMENT)
		return PUNT_FRAG;
	if (ppesim_ipv6_is_ext(ip6h->nexthdr))
		return PUNT_IP_OPTIONS;
	if (ip6h->nexthdr != IPPROTO_TCP && ip6h->nexthdr != IPPROTO_UDP)
		return PUNT_UNSUPPORTED;

	f->ethertype = ETH_P_IPV6;
	f->ipv6 = true;
	f->proto = ip6h->nexthdr;
	f->l3len = tot;
	punt = ppesim_parse_l4(data, off + sizeof(*ip6h), off + tot, f);
	if (punt)
		return punt;
	if (ip6h->hop_limit <= 1)
		return PUNT_TTL;
	for (i = 0; i < 4; i++) {
		f->key[ENT_KEY_SIP - 1 + i] =
			get_unaligned_be32(&ip6h->saddr.s6_addr32[i]);
		f->key[ENT_KEY_DIP - 1 + i] =
			get_unaligned_be32(&ip6h->daddr.s6_addr32[i]);
	}
	return PUNT_NONE;
}

/**
 * ppesim_parse() - parse an Ethernet frame the way the engine does (6.1)
 * @data: the frame, starting at the destination MAC
 * @len: its length; nothing beyond @data + @len is read
 * @pppoe_ok: the running firmware has the PPPOE feature
 * @tag_mode: PORT_TAG.MODE of the ingress port; the caller has checked that
 *	the running firmware can parse it (DSA_MTK)
 * @f: filled with the offsets and the key (KEY_META.IPORT left 0)
 *
 * Covers step 2a (switch tag, section 8.1) and steps 3 to 7 of the ingress
 * sequence; the port and MAC checks are the caller's. Offsets in @f are
 * from the start of the frame, switch tag included.
 *
 * Return: PUNT_NONE if the frame can be looked up, else the punt reason.
 */
enum ppesim_punt ppesim_parse(const u8 *data, unsigned int len, bool pppoe_ok,
			      u32 tag_mode, struct ppesim_frame *f)
{
	unsigned int off = ETH_HLEN, end = len;
	enum ppesim_punt punt;
	u16 type, proto;

	memset(f, 0, sizeof(*f));
	if (len < ETH_HLEN)
		return PUNT_UNSUPPORTED;
	if (tag_mode == PORT_TAG_MTK) {
		/* 8.1: the receive tag sits where the EtherType was */
		if (len < ETH_HLEN + MTK_TAG_LEN)
			return PUNT_UNSUPPORTED;
		f->swtag = true;
		f->swport = FIELD_GET(MTK_TAG_RX_SRC_PORT,
				      get_unaligned_be16(data + 2 * ETH_ALEN));
		off += MTK_TAG_LEN;
	}
	type = get_unaligned_be16(data + off - 2);

	while (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (f->nvlan == 2 || len - off < VLAN_HLEN)
			return PUNT_UNSUPPORTED;
		f->vid[f->nvlan++] = get_unaligned_be16(data + off) &
				     VLAN_VID_MASK;
		type = get_unaligned_be16(data + off + 2);
		off += VLAN_HLEN;
	}

	if (type == ETH_P_PPP_SES) {
		unsigned int plen;

		if (!pppoe_ok || len - off < PPPOE_SES_HLEN)
			return PUNT_UNSUPPORTED;
		/* version/type 0x11, code 0 (session data) */
		if (data[off] != 0x11 || data[off + 1] != 0)
			return PUNT_UNSUPPORTED;
		plen = get_unaligned_be16(data + off + 4);
		if (plen < 2 || plen > len - off - 6)
			return PUNT_UNSUPPORTED;
		end = off + 6 + plen;
		proto = get_unaligned_be16(data + off + 6);
		if (proto == PPP_IP)
			type = ETH_P_IP;
		else if (proto == PPP_IPV6)
			type = ETH_P_IPV6;
		else
			return PUNT_UNSUPPORTED;
		f->pppoe = true;
		off += PPESIM_PPPOE_HLEN;
	}

	f->l3off = off;
	if (type == ETH_P_IP)
		punt = ppesim_parse_ipv4(data, off, end, f);
	else if (type == ETH_P_IPV6)
		punt = ppesim_parse_ipv6(data, off, end, f);
	else
		punt = PUNT_UNSUPPORTED;
	if (punt)
		return punt;

	f->key[ENT_KEY_META - 1] = FIELD_PREP(ENT_KEY_VLAN_CNT, f->nvlan) |
				   FIELD_PREP(ENT_KEY_IPV6, f->ipv6) |
				   FIELD_PREP(ENT_KEY_SW_TAGGED, f->swtag) |
				   FIELD_PREP(ENT_KEY_PROTO, f->proto) |
				   FIELD_PREP(ENT_KEY_SW_PORT, f->swport);
	f->key[ENT_KEY_VLAN - 1] = FIELD_PREP(ENT_VID0, f->vid[0]) |
				   FIELD_PREP(ENT_VID1, f->vid[1]);
	return PUNT_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_parse);

/**
 * ppesim_key_sw_vtag() - the second lookup key of a frame (section 8.4)
 * @f: a parsed frame (ppesim_parse() returned PUNT_NONE)
 * @key: filled with the key words w1..w11 of @f without its outer 802.1Q
 *	tag and with KEY_META.SW_VTAG set
 *
 * Return: true if @f has one (a switch tag followed by an 802.1Q tag the
 * switch may have added), else false and @key is untouched.
 */
bool ppesim_key_sw_vtag(const struct ppesim_frame *f, u32 *key)
{
	u32 meta = f->key[ENT_KEY_META - 1];

	if (!f->swtag || !f->nvlan)
		return false;
	memcpy(key, f->key, sizeof(f->key));
	meta &= ~ENT_KEY_VLAN_CNT;
	key[ENT_KEY_META - 1] = meta | ENT_KEY_SW_VTAG |
				FIELD_PREP(ENT_KEY_VLAN_CNT, f->nvlan - 1);
	key[ENT_KEY_VLAN - 1] = FIELD_PREP(ENT_VID0, f->nvlan > 1 ? f->vid[1] : 0);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_key_sw_vtag);

/* the VID of a frame's 802.1Q tag (from the destination MAC), or -1 */
static int ppesim_sw_frame_vid(const u8 *data, unsigned int len)
{
	if (len < ETH_HLEN + VLAN_HLEN ||
	    get_unaligned_be16(data + 2 * ETH_ALEN) != ETH_P_8021Q)
		return -1;
	return get_unaligned_be16(data + ETH_HLEN) & VLAN_VID_MASK;
}

/**
 * ppesim_sw_vlan_in() - a switch user port classifies a frame from its cable
 * @v: the port's VLAN table
 * @data: the frame, from the destination MAC (no switch tag)
 * @len: its length
 * @vid: set to the frame's VLAN; 0 when @v does not filter
 *
 * A filtering port (hardware.md 8.4) takes a tagged frame into its VID if
 * it is a member, an untagged one into its PVID (the switch adds the tag
 * towards the CPU port, a tagged member of every VLAN).
 *
 * Return: PPESIM_SW_KEEP, PPESIM_SW_PUSH (add a tag with @vid) or
 * PPESIM_SW_DROP.
 */
enum ppesim_sw_vact ppesim_sw_vlan_in(const struct ppesim_sw_vlan *v,
				      const u8 *data, unsigned int len,
				      u16 *vid)
{
	int tag = ppesim_sw_frame_vid(data, len);

	*vid = 0;
	if (!READ_ONCE(v->filtering))
		return PPESIM_SW_KEEP;
	if (tag >= 0) {
		*vid = tag;
		return test_bit(tag, v->member) ? PPESIM_SW_KEEP :
						  PPESIM_SW_DROP;
	}
	*vid = READ_ONCE(v->pvid);
	return *vid && test_bit(*vid, v->member) ? PPESIM_SW_PUSH :
						    PPESIM_SW_DROP;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_sw_vlan_in);

/**
 * ppesim_sw_vlan_out() - a switch user port about to send a frame
 * @v: the port's VLAN table
 * @data: the frame, from the destination MAC (no switch tag)
 * @len: its length
 * @vid: set to the frame's VLAN: its tag's VID, else the port's PVID when
 *	it filters, else 0
 *
 * A filtering port sends a tagged frame untagged when it is an
 * egress-untagged member of the VID, tagged when a tagged member, and drops
 * it otherwise; an untagged frame leaves as it is.
 *
 * Return: PPESIM_SW_KEEP, PPESIM_SW_POP or PPESIM_SW_DROP.
 */
enum ppesim_sw_vact ppesim_sw_vlan_out(const struct ppesim_sw_vlan *v,
				       const u8 *data, unsigned int len,
				       u16 *vid)
{
	int tag = ppesim_sw_frame_vid(data, len);

	*vid = 0;
	if (!READ_ONCE(v->filtering))
		return PPESIM_SW_KEEP;
	if (tag < 0) {
		*vid = READ_ONCE(v->pvid);
		return PPESIM_SW_KEEP;
	}
	*vid = tag;
	if (!test_bit(tag, v->member))
		return PPESIM_SW_DROP;
	return test_bit(tag, v->untagged) ? PPESIM_SW_POP : PPESIM_SW_KEEP;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_sw_vlan_out);

/* RFC 1624 incremental updates of a checksum field at any alignment */
static void ppesim_csum_replace4(u8 *field, u32 from, u32 to)
{
	__sum16 sum = (__force __sum16)get_unaligned((__be16 *)field);

	csum_replace4(&sum, cpu_to_be32(from), cpu_to_be32(to));
	put_unaligned((__force __be16)sum, (__be16 *)field);
}

static void ppesim_csum_replace2(u8 *field, u16 from, u16 to)
{
	__sum16 sum = (__force __sum16)get_unaligned((__be16 *)field);

	csum_replace2(&sum, cpu_to_be16(from), cpu_to_be16(to));
	put_unaligned((__force __be16)sum, (__be16 *)field);
}

/* NAT of one address word (@n-th 32-bit word of the address at @addr) */
static void ppesim_nat_word(u8 *addr, unsigned int n, u32 to, u8 *ipcsum,
			    u8 *l4csum)
{
	u32 from = get_unaligned_be32(addr + 4 * n);

	if (from == to)
		return;
	if (ipcsum)
		ppesim_csum_replace4(ipcsum, from, to);
	if (l4csum)
		ppesim_csum_replace4(l4csum, from, to);
	put_unaligned_be32(to, addr + 4 * n);
}

static void ppesim_nat_port(u8 *port, u16 to, u8 *l4csum)
{
	u16 from = get_unaligned_be16(port);

	if (from == to)
		return;
	if (l4csum)
		ppesim_csum_replace2(l4csum, from, to);
	put_unaligned_be16(to, port);
}

/**
 * ppesim_rewrite_l3() - apply a bound entry to an IP packet in place (6.2)
 * @l3: the IP header; the packet must have been accepted by ppesim_parse()
 * @f: the parse result
 * @w: the matching entry's words
 *
 * NAPT types translate addresses and ports; the TTL / hop limit is
 * decremented; the IPv4 header checksum and the TCP/UDP checksum are updated
 * incrementally (RFC 1624). A UDP checksum of 0 over IPv4 stays 0; a computed
 * UDP checksum of 0 is sent as 0xffff.
 */
void ppesim_rewrite_l3(u8 *l3, const struct ppesim_frame *f, const u32 *w)
{
	u8 type = FIELD_GET(ENT_INFO_TYPE, w[ENT_INFO]);
	u8 *l4 = l3 + (f->l4off - f->l3off);
	u8 *l4csum, *ipcsum = NULL;
	bool udp_zero = false;
	unsigned int i, naddr;
	u8 *saddr, *daddr;

	if (f->proto == IPPROTO_TCP) {
		l4csum = l4 + offsetof(struct tcphdr, check);
	} else {
		l4csum = l4 + offsetof(struct udphdr, check);
		udp_zero = !f->ipv6 && !get_unaligned((u16 *)l4csum);
	}

	if (f->ipv6) {
		saddr = l3 + offsetof(struct ipv6hdr, saddr);
		daddr = l3 + offsetof(struct ipv6hdr, daddr);
		naddr = 4;
	} else {
		ipcsum = l3 + offsetof(struct iphdr, check);
		saddr = l3 + offsetof(struct iphdr, saddr);
		daddr = l3 + offsetof(struct iphdr, daddr);
		naddr = 1;
	}

	if (type == ENT_TYPE_IPV4_NAPT || type == ENT_TYPE_IPV6_NAPT) {
		u8 *csum = udp_zero ? NULL : l4csum;

		for (i = 0; i < naddr; i++) {
			ppesim_nat_word(saddr, i, w[ENT_NEW_SIP + i], ipcsum,
					csum);
			ppesim_nat_word(daddr, i, w[ENT_NEW_DIP + i], ipcsum,
					csum);
		}
		ppesim_nat_port(l4, FIELD_GET(ENT_SPORT, w[ENT_NEW_PORTS]),
				csum);
		ppesim_nat_port(l4 + 2, FIELD_GET(ENT_DPORT, w[ENT_NEW_PORTS]),
				csum);
		if (f->proto == IPPROTO_UDP && !udp_zero &&
		    !get_unaligned((u16 *)l4csum))
			put_unaligned((__force __be16)CSUM_MANGLED_0,
				      (__be16 *)l4csum);
	}

	if (f->ipv6) {
		l3[offsetof(struct ipv6hdr, hop_limit)]--;
	} else {
		u8 *ttl = l3 + offsetof(struct iphdr, ttl);
		u16 old = get_unaligned_be16(ttl);	/* TTL and protocol */

		ppesim_csum_replace2(ipcsum, old, old - 0x100);
		put_unaligned_be16(old - 0x100, ttl);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_rewrite_l3);

/**
 * ppesim_l2_len() - length of the L2 header an entry makes the engine build
 * @w: the entry's words
 *
 * Return: bytes, at most PPESIM_L2_MAX.
 */
unsigned int ppesim_l2_len(const u32 *w)
{
	u32 eg = w[ENT_EGRESS];

	return ETH_HLEN + VLAN_HLEN * FIELD_GET(ENT_EG_VLAN_CNT, eg) +
	       (FIELD_GET(ENT_EG_SW_TAG, eg) ? MTK_TAG_LEN : 0) +
	       (FIELD_GET(ENT_EG_PPPOE, eg) ? PPESIM_PPPOE_HLEN : 0);
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_l2_len);

static void ppesim_put_mac(u8 *p, u32 hi, u32 lo)
{
	put_unaligned_be16(hi & 0xffff, p);
	put_unaligned_be32(lo, p + 2);
}

/**
 * ppesim_build_l2() - write the egress L2 header of a bound hit (6.2 step 6)
 * @hdr: where to write; ppesim_l2_len() bytes
 * @w: the entry's words (EGRESS.VLAN_CNT must be 0..2, EGRESS.SW_PORT
 *	0..MTK_TAG_PORT_MAX when EGRESS.SW_TAG is set)
 * @f: the parse result of the frame (L3 protocol and length)
 *
 * Return: the header length.
 */
unsigned int ppesim_build_l2(u8 *hdr, const u32 *w,
			     const struct ppesim_frame *f)
{
	unsigned int nvlan = FIELD_GET(ENT_EG_VLAN_CNT, w[ENT_EGRESS]);
	unsigned int off = 2 * ETH_ALEN, i;
	u32 vids = w[ENT_EG_VLAN];

	ppesim_put_mac(hdr, w[ENT_DMAC_HI], w[ENT_DMAC_LO]);
	ppesim_put_mac(hdr + ETH_ALEN, w[ENT_SMAC_HI], w[ENT_SMAC_LO]);
	if (FIELD_GET(ENT_EG_SW_TAG, w[ENT_EGRESS])) {
		/* 8.2: untagged form, destination port bitmap in byte 1 */
		hdr[off] = 0;
		hdr[off + 1] = BIT(FIELD_GET(ENT_EG_SW_PORT, w[ENT_EGRESS]));
		hdr[off + 2] = 0;
		hdr[off + 3] = 0;
		off += MTK_TAG_LEN;
	}
	for (i = 0; i < nvlan; i++) {
		put_unaligned_be16(ETH_P_8021Q, hdr + off);
		put_unaligned_be16(i ? FIELD_GET(ENT_VID1, vids) :
				   FIELD_GET(ENT_VID0, vids), hdr + off + 2);
		off += VLAN_HLEN;
	}
	if (FIELD_GET(ENT_EG_PPPOE, w[ENT_EGRESS])) {
		put_unaligned_be16(ETH_P_PPP_SES, hdr + off);
		hdr[off + 2] = 0x11;
		hdr[off + 3] = 0;
		put_unaligned_be16(FIELD_GET(ENT_SID, w[ENT_EG_PPPOE_SID]),
				   hdr + off + 4);
		put_unaligned_be16(f->l3len + 2, hdr + off + 6);
		put_unaligned_be16(f->ipv6 ? PPP_IPV6 : PPP_IP, hdr + off + 8);
		off += 2 + PPESIM_PPPOE_HLEN;
	} else {
		put_unaligned_be16(f->ethertype, hdr + off);
		off += 2;
	}
	return off;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_build_l2);
