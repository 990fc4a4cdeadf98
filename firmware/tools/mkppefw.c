// SPDX-License-Identifier: GPL-2.0
/*
 * mkppefw: build an openppe engine firmware image (docs/hardware.md 5.1)
 * from a manifest. Host tool; builds with the host C compiler.
 *
 * usage: mkppefw MANIFEST OUTPUT
 *
 * A manifest holds "key = value" lines ('#' starts a comment):
 *   name      build description (<= 31 characters)
 *   version   MAJOR.MINOR.PATCH
 *   features  feature names separated by spaces (ipv4_route ipv4_napt
 *             ipv6_route ipv6_napt vlan qinq pppoe dsa_mtk) or a number
 *   hw_compat PPE_REV.HW_ID this image runs on
 *   payload   payload file, relative to the manifest's directory
 *   mangle    test variants only: none (default), crc, magic, truncate
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FW_MAGIC	0x5746504fu	/* "OPFW" */
#define FW_FORMAT	1
#define FW_HDR_LEN	64
#define FW_NAME_LEN	32
#define FW_MAX_SIZE	65536

static const char *const feature_names[] = {
	"ipv4_route", "ipv4_napt", "ipv6_route", "ipv6_napt", "vlan", "qinq",
	"pppoe", "dsa_mtk",
};

struct manifest {
	char name[FW_NAME_LEN];
	uint32_t version;
	uint32_t features;
	uint32_t hw_compat;
	char payload[4096];
	char mangle[16];
};

static const char *prog = "mkppefw";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/* CRC-32 (IEEE 802.3, reflected 0xedb88320, init and final XOR ~0): zlib's */
static uint32_t crc32_ieee(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return crc ^ 0xffffffffu;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

static uint32_t parse_features(char *v)
{
	uint32_t f = 0;
	char *tok, *end;
	size_t i;

	f = strtoul(v, &end, 0);
	if (*v && !*end)
		return f;
	f = 0;
	for (tok = strtok(v, " \t,"); tok; tok = strtok(NULL, " \t,")) {
		for (i = 0; i < sizeof(feature_names) / sizeof(*feature_names); i++)
			if (!strcmp(tok, feature_names[i]))
				break;
		if (i == sizeof(feature_names) / sizeof(*feature_names))
			die("unknown feature \"%s\"", tok);
		f |= 1u << i;
	}
	return f;
}

static void parse_manifest(const char *path, struct manifest *m)
{
	unsigned int maj, min, patch;
	char line[512], *k, *v, *eq;
	const char *slash;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		die("cannot open manifest %s", path);
	memset(m, 0, sizeof(*m));
	strcpy(m->mangle, "none");
	while (fgets(line, sizeof(line), f)) {
		k = strchr(line, '#');
		if (k)
			*k = '\0';
		k = trim(line);
		if (!*k)
			continue;
		eq = strchr(k, '=');
		if (!eq)
			die("manifest line without '=': %s", k);
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		if (!strcmp(k, "name")) {
			if (strlen(v) >= FW_NAME_LEN)
				die("name too long: %s", v);
			strcpy(m->name, v);
		} else if (!strcmp(k, "version")) {
			if (sscanf(v, "%u.%u.%u", &maj, &min, &patch) != 3 ||
			    maj > 255 || min > 255 || patch > 65535)
				die("bad version %s", v);
			m->version = maj << 24 | min << 16 | patch;
		} else if (!strcmp(k, "features")) {
			m->features = parse_features(v);
		} else if (!strcmp(k, "hw_compat")) {
			m->hw_compat = strtoul(v, NULL, 0);
		} else if (!strcmp(k, "payload")) {
			slash = strrchr(path, '/');
			snprintf(m->payload, sizeof(m->payload), "%.*s%s",
				 slash ? (int)(slash - path + 1) : 0, path, v);
		} else if (!strcmp(k, "mangle")) {
			snprintf(m->mangle, sizeof(m->mangle), "%s", v);
		} else {
			die("unknown manifest key %s", k);
		}
	}
	fclose(f);
	if (!m->payload[0])
		die("%s: no payload", path);
}

int main(int argc, char **argv)
{
	uint8_t *img;
	struct manifest m;
	size_t plen, len;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: %s MANIFEST OUTPUT\n", prog);
		return 2;
	}
	parse_manifest(argv[1], &m);

	img = calloc(1, FW_MAX_SIZE + 8);
	if (!img)
		die("%s", strerror(ENOMEM));
	f = fopen(m.payload, "rb");
	if (!f)
		die("cannot open payload %s", m.payload);
	plen = fread(img + FW_HDR_LEN, 1, FW_MAX_SIZE - FW_HDR_LEN - 4, f);
	if (!feof(f))
		die("payload %s too large", m.payload);
	fclose(f);

	put_le32(img + 0x00, FW_MAGIC);
	put_le16(img + 0x04, FW_FORMAT);
	put_le16(img + 0x06, FW_HDR_LEN);
	put_le32(img + 0x08, m.hw_compat);
	put_le32(img + 0x0c, m.version);
	put_le32(img + 0x10, m.features);
	put_le32(img + 0x14, plen);
	memcpy(img + 0x20, m.name, strlen(m.name));
	len = FW_HDR_LEN + plen;
	put_le32(img + len, crc32_ieee(img, len));
	len += 4;

	if (!strcmp(m.mangle, "crc"))
		img[len - 1] ^= 0xff;
	else if (!strcmp(m.mangle, "magic"))
		img[0] = 'X';
	else if (!strcmp(m.mangle, "truncate"))
		len -= 8;
	else if (strcmp(m.mangle, "none"))
		die("unknown mangle %s", m.mangle);

	f = fopen(argv[2], "wb");
	if (!f)
		die("cannot create %s", argv[2]);
	if (fwrite(img, 1, len, f) != len || fclose(f))
		die("cannot write %s", argv[2]);
	free(img);
	return 0;
}
