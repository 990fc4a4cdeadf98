// SPDX-License-Identifier: GPL-2.0
/* openppe firmware: load, validate, upload and boot the engine image */

#include <kunit/visibility.h>
#include <linux/crc32.h>
#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/regmap.h>

#include "openppe.h"
#include "openppe_compat.h"

#define OPENPPE_FW_MAGIC		0x5746504f	/* "OPFW" */
#define OPENPPE_FW_FORMAT		1
#define OPENPPE_FW_HDR_LEN		64
#define OPENPPE_FW_CRC_LEN		4
#define OPENPPE_FW_BOOT_TIMEOUT_US	(200 * USEC_PER_MSEC)

/**
 * struct openppe_fw_hdr - firmware image header (docs/hardware.md 5.1)
 * @magic: "OPFW"
 * @format: image format version, 1
 * @hdr_len: header length, 64
 * @hw_compat: PPE_REV.HW_ID the image runs on
 * @fw_version: MAJOR [31:24], MINOR [23:16], PATCH [15:0]
 * @features: feature bits
 * @payload_len: payload bytes after the header
 * @rsvd: reserved
 * @name: build description, NUL-padded
 */
struct openppe_fw_hdr {
	__le32 magic;
	__le16 format;
	__le16 hdr_len;
	__le32 hw_compat;
	__le32 fw_version;
	__le32 features;
	__le32 payload_len;
	__le32 rsvd[2];
	char name[32];
};

static_assert(sizeof(struct openppe_fw_hdr) == OPENPPE_FW_HDR_LEN);

static const char * const openppe_fw_errs[] = {
	[OPENPPE_FW_ERR_NONE] = "none",
	[OPENPPE_FW_ERR_BAD_MAGIC] = "BAD_MAGIC",
	[OPENPPE_FW_ERR_BAD_FORMAT] = "BAD_FORMAT",
	[OPENPPE_FW_ERR_HW_MISMATCH] = "HW_MISMATCH",
	[OPENPPE_FW_ERR_BAD_LENGTH] = "BAD_LENGTH",
	[OPENPPE_FW_ERR_BAD_CRC] = "BAD_CRC",
	[OPENPPE_FW_ERR_BOOT_FAILED] = "BOOT_FAILED",
	[OPENPPE_FW_ERR_OVERFLOW] = "OVERFLOW",
};

const char *openppe_fw_err_name(unsigned int err)
{
	if (err < ARRAY_SIZE(openppe_fw_errs))
		return openppe_fw_errs[err];
	return "unknown";
}

/**
 * openppe_fw_validate() - check an image before uploading it
 * @data: the image
 * @size: its size in bytes
 * @hw_id: PPE_REV.HW_ID of the engine
 * @max_size: FW_MAX_SIZE of the engine
 * @why: what is wrong with the image, on failure
 *
 * Return: 0, or -EINVAL with @why set.
 */
int openppe_fw_validate(const u8 *data, size_t size, u32 hw_id, u32 max_size,
			const char **why)
{
	const struct openppe_fw_hdr *hdr = (const void *)data;
	u32 payload_len, crc;

	if (size < OPENPPE_FW_HDR_LEN + OPENPPE_FW_CRC_LEN) {
		*why = "too short for a header";
		return -EINVAL;
	}
	if (size > max_size) {
		*why = "larger than the engine accepts";
		return -EINVAL;
	}
	if (le32_to_cpu(hdr->magic) != OPENPPE_FW_MAGIC) {
		*why = "bad magic (not an openppe image)";
		return -EINVAL;
	}
	if (le16_to_cpu(hdr->format) != OPENPPE_FW_FORMAT ||
	    le16_to_cpu(hdr->hdr_len) != OPENPPE_FW_HDR_LEN) {
		*why = "unknown image format";
		return -EINVAL;
	}
	if (le32_to_cpu(hdr->hw_compat) != hw_id) {
		*why = "built for another hardware id";
		return -EINVAL;
	}
	payload_len = le32_to_cpu(hdr->payload_len);
	if (payload_len > size ||
	    size != OPENPPE_FW_HDR_LEN + payload_len + OPENPPE_FW_CRC_LEN) {
		*why = "length does not match the header";
		return -EINVAL;
	}
	crc = ~crc32_le(~0U, data, size - OPENPPE_FW_CRC_LEN);
	if (crc != get_unaligned_le32(data + size - OPENPPE_FW_CRC_LEN)) {
		*why = "CRC mismatch (corrupt image)";
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(openppe_fw_validate);

static int openppe_fw_upload(struct openppe *ppe, const u8 *data, size_t size)
{
	size_t off;
	u32 word;
	int ret;

	ret = regmap_write(ppe->regmap, OPENPPE_FW_CTRL, OPENPPE_FW_CTRL_START);
	if (ret)
		return ret;
	for (off = 0; off < size; off += 4) {
		if (size - off >= 4) {
			word = get_unaligned_le32(data + off);
		} else {
			u8 tail[4] = {};

			memcpy(tail, data + off, size - off);
			word = get_unaligned_le32(tail);
		}
		ret = regmap_write(ppe->regmap, OPENPPE_FW_DATA, word);
		if (ret)
			return ret;
	}
	return regmap_write(ppe->regmap, OPENPPE_FW_CTRL, OPENPPE_FW_CTRL_BOOT);
}

/**
 * openppe_fw_load() - load, check, upload and boot the engine firmware
 * @ppe: the PPE, after PPE_CTRL.RESET
 * @name: firmware file name
 *
 * On success @ppe->fw_version and @ppe->fw_features hold what the running
 * image reports; the driver offers the kernel only those features.
 *
 * Return: 0 or a negative errno, with one error message naming the file.
 */
int openppe_fw_load(struct openppe *ppe, const char *name)
{
	struct device *dev = ppe->dev;
	const struct firmware *fw;
	u32 max_size, status, hw_id;
	const char *why;
	int ret;

	ret = regmap_read(ppe->regmap, OPENPPE_FW_MAX_SIZE, &max_size);
	if (ret)
		return ret;
	hw_id = FIELD_GET(OPENPPE_PPE_REV_HW_ID, ppe->hw_rev);

	ret = request_firmware(&fw, name, dev);
	if (ret)
		return dev_err_probe(dev, ret, "firmware %s: cannot load it\n",
				     name);

	ret = openppe_fw_validate(fw->data, fw->size, hw_id, max_size, &why);
	if (ret) {
		dev_err(dev, "firmware %s: %s\n", name, why);
		goto out_release;
	}

	ret = openppe_fw_upload(ppe, fw->data, fw->size);
	if (ret) {
		dev_err(dev, "firmware %s: upload failed: %d\n", name, ret);
		goto out_release;
	}

	ret = regmap_read_poll_timeout(ppe->regmap, OPENPPE_FW_STATUS, status,
				       FIELD_GET(OPENPPE_FW_STATUS_STATE, status) !=
				       OPENPPE_FW_STATE_BOOTING,
				       1000, OPENPPE_FW_BOOT_TIMEOUT_US);
	if (ret) {
		dev_err(dev, "firmware %s: engine did not finish booting\n",
			name);
		goto out_release;
	}
	if (FIELD_GET(OPENPPE_FW_STATUS_STATE, status) !=
	    OPENPPE_FW_STATE_RUNNING) {
		dev_err(dev, "firmware %s: engine refused it: state %lu, %s\n",
			name, FIELD_GET(OPENPPE_FW_STATUS_STATE, status),
			openppe_fw_err_name(FIELD_GET(OPENPPE_FW_STATUS_ERR,
						      status)));
		ret = -EIO;
		goto out_release;
	}

	ret = regmap_read(ppe->regmap, OPENPPE_FW_VERSION, &ppe->fw_version);
	if (!ret)
		ret = regmap_read(ppe->regmap, OPENPPE_FW_FEATURES,
				  &ppe->fw_features);
	if (ret)
		goto out_release;
	if (ppe->fw_features & ~OPENPPE_FEAT_ALL)
		dev_info(dev, "firmware features %#x unknown to the driver, not used\n",
			 ppe->fw_features & ~(u32)OPENPPE_FEAT_ALL);
	ppe->fw_features &= OPENPPE_FEAT_ALL;
	dev_info(dev, "firmware %s: version %lu.%lu.%lu running, features %#x\n",
		 name, FIELD_GET(OPENPPE_FW_VERSION_MAJOR, ppe->fw_version),
		 FIELD_GET(OPENPPE_FW_VERSION_MINOR, ppe->fw_version),
		 FIELD_GET(OPENPPE_FW_VERSION_PATCH, ppe->fw_version),
		 ppe->fw_features);

out_release:
	release_firmware(fw);
	return ret;
}
