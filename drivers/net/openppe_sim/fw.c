// SPDX-License-Identifier: GPL-2.0
/* openppe_sim: firmware image validation and boot (hardware.md section 5) */

#include <linux/bitfield.h>
#include <linux/crc32.h>
#include <linux/stddef.h>
#include <kunit/visibility.h>

#include "ppesim.h"
#include "ppesim_compat.h"

/**
 * ppesim_fw_validate() - check an uploaded image as the engine does at BOOT
 * @img: the uploaded bytes
 * @len: how many bytes were uploaded (a multiple of 4 via FW_DATA)
 * @hw_id: PPE_REV.HW_ID of the engine
 * @version: set to the image's fw_version when it is valid
 * @features: set to the image's feature bits when it is valid
 *
 * Checks in the order of section 5.3 and stops at the first failure.
 *
 * Return: FW_ERR_NONE or the ERR code of the failed check.
 */
enum ppesim_fw_err ppesim_fw_validate(const u8 *img, size_t len, u32 hw_id,
				      u32 *version, u32 *features)
{
	const struct ppesim_fw_hdr *hdr = (const struct ppesim_fw_hdr *)img;
	size_t total;
	u32 crc;

	if (len < FW_MIN_LEN || get_unaligned_le32(&hdr->magic) != FW_MAGIC)
		return FW_ERR_BAD_MAGIC;
	if (get_unaligned_le16(&hdr->format) != FW_FORMAT ||
	    get_unaligned_le16(&hdr->hdr_len) != FW_HDR_LEN)
		return FW_ERR_BAD_FORMAT;
	if (get_unaligned_le32(&hdr->hw_compat) != hw_id)
		return FW_ERR_HW_MISMATCH;
	total = (size_t)FW_HDR_LEN + get_unaligned_le32(&hdr->payload_len) +
		FW_CRC_LEN;
	if (total > len || len >= total + 4)
		return FW_ERR_BAD_LENGTH;
	crc = ~crc32_le(~0U, img, total - FW_CRC_LEN);
	if (crc != get_unaligned_le32(img + total - FW_CRC_LEN))
		return FW_ERR_BAD_CRC;
	*version = get_unaligned_le32(&hdr->fw_version);
	*features = get_unaligned_le32(&hdr->features);
	return FW_ERR_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(ppesim_fw_validate);

/**
 * ppesim_fw_boot() - FW_CTRL.BOOT: validate the upload and start it
 * @eng: the engine; caller holds @eng->lock
 *
 * Boot is synchronous: the state passes BOOTING and ends RUNNING or ERROR
 * before the register write returns. Ignored unless the state is LOADING.
 */
void ppesim_fw_boot(struct ppesim_engine *eng)
{
	u32 version = 0, features = 0;
	enum ppesim_fw_err err;

	lockdep_assert_held(&eng->lock);

	if (eng->fw_state != FW_STATE_LOADING)
		return;
	eng->fw_state = FW_STATE_BOOTING;
	err = ppesim_fw_validate(eng->fw_buf, eng->fw_len, PPESIM_HW_ID,
				 &version, &features);
	if (!err && READ_ONCE(eng->fail_fw_boot))
		err = FW_ERR_BOOT_FAILED;
	if (err) {
		eng->fw_state = FW_STATE_ERROR;
		eng->fw_err = err;
	} else {
		eng->fw_state = FW_STATE_RUNNING;
		eng->fw_version = version;
		eng->fw_features = features;
	}
	ppesim_irq_raise(eng, IRQ_FW);
}
