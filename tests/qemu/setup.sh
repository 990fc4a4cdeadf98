#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install every host package the test platform needs (idempotent; quick when done).
#
# Runs on a bare Debian 12 as root. Uses the machine's configured apt sources only.
# The kernel sources are not host packages: build-kernel.sh fetches the versions
# pinned in kernels.conf through fetch-ksrc.sh.
set -euo pipefail
. "$(dirname "$0")/common.sh"

HOST_PKGS=(
	build-essential gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	gcc-arm-linux-gnueabihf binutils-arm-linux-gnueabihf
	bc bison flex libssl-dev libelf-dev cpio xz-utils rsync kmod
	qemu-system-arm device-tree-compiler dt-schema yamllint python3-yaml
	sparse apt-utils dpkg-dev util-linux gawk perl
	python3-matplotlib
	dkms
)

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages)"

updated=0
apt_update() {
	[ "$updated" -eq 1 ] && return 0
	log "apt-get update"
	apt-get update -qq || die "apt-get update failed"
	updated=1
}

missing=()
for p in "${HOST_PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

# The guest userland is arm64 Debian, fetched through the same sources.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "adding foreign architecture arm64"
	dpkg --add-architecture arm64
	updated=0
	apt_update
fi

# apt only knows arm64 packages once its lists have them.
if ! compgen -G '/var/lib/apt/lists/*binary-arm64_Packages*' >/dev/null; then
	apt_update
fi

if [ "${#missing[@]}" -gt 0 ]; then
	apt_update
	log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install failed"
fi

log "host dependencies present"
