#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's initramfs: arm64 Debian userland + openppe modules/firmware.
#
# usage: build-initramfs.sh [OUT]   (default build/vm/initramfs.cpio; for a
#                                    kernel other than the board's
#                                    build/kver/KVER/vm/initramfs.cpio)
#
# Two uncompressed cpio archives, concatenated (the kernel unpacks them in turn;
# uncompressed because decompressing under TCG costs more than it saves):
#  1. base: the arm64 packages below with their dependency closure, resolved by
#     apt against an empty package database (so nothing of the host leaks in),
#     fetched through the machine's configured sources and unpacked with dpkg -x.
#     Cached in $OPENPPE_CACHE/initramfs/, keyed on the package list and this
#     script.
#  2. overlay, rebuilt every time (small): /init, the project's modules under
#     /lib/modules/<release>/extra with modules.dep (so `modprobe openppe_sim`
#     works), and the firmware images under /lib/firmware.
# Tests are not in here: they are read from the repository over 9p at run time.
set -euo pipefail
. "$(dirname "$0")/common.sh"

GUEST_PKGS=(
	busybox-static bash coreutils procps grep sed mawk findutils diffutils
	debianutils netbase kmod iproute2 iputils-ping nftables conntrack ethtool
	tcpdump netcat-openbsd iperf3 ppp pppoe socat
)

# Pulled in only for packages' maintainer scripts (debconf, adduser, usrmerge),
# which never run here: not unpacked. Perl and glibc's gconv charset modules
# would be over half the archive, and unpacking the initramfs is most of the
# boot time under TCG. A test that needs perl adds it to GUEST_PKGS.
GUEST_SKIP='^(perl|perl-base|perl-modules-[0-9.]+|libperl[0-9.]+|lib.*-perl|debconf|adduser|usrmerge)_'

out=${1:-$KOUT/vm/initramfs.cpio}
KDIR=${KDIR:-$("$REPO/tests/qemu/build-kernel.sh")}
release=$(cat "$KDIR/include/config/kernel.release") || die "no kernel release in $KDIR"

cache=$OPENPPE_CACHE/initramfs
debs=$OPENPPE_CACHE/guest-debs
mkdir -p "$cache" "$debs/archives/partial" "$(dirname "$out")"
key=$({ printf '%s\n' "${GUEST_PKGS[@]}" | sort; cat "$0"; } | sha256 | cut -c1-16)
base=$cache/base-$key.cpio

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build_base() {
	local root=$tmp/base st=$tmp/apt-status d f
	local -a apt_opts files
	: >"$st"
	apt_opts=(-q -y -o "Dir::State::status=$st" -o "Dir::Cache=$debs"
		  -o APT::Architecture=arm64 -o "APT::Architectures::=arm64"
		  -o Debug::NoLocking=1 -o APT::Install-Recommends=false
		  -o APT::Install-Suggests=false)
	compgen -G '/var/lib/apt/lists/*binary-arm64_Packages*' >/dev/null ||
		die "apt has no arm64 package lists (run: make deps)"
	# "Inst NAME (VERSION RELEASE [ARCH])" -> the file name apt stores it under
	mapfile -t files < <(apt-get "${apt_opts[@]}" -s install "${GUEST_PKGS[@]}" |
			     sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*\[\([a-z0-9]*\)\]).*/\1_\2_\3.deb/p' |
			     sed 's/:/%3a/g')
	[ "${#files[@]}" -gt 0 ] || die "apt resolved no arm64 packages for: ${GUEST_PKGS[*]}"
	log "fetching ${#files[@]} arm64 packages"
	apt-get "${apt_opts[@]}" --download-only install "${GUEST_PKGS[@]}" >"$tmp/apt.log" 2>&1 ||
		{ cat "$tmp/apt.log" >&2; die "apt-get download failed"; }
	mkdir -p "$root"
	for f in "${files[@]}"; do
		[ -f "$debs/archives/$f" ] || die "$f was not downloaded"
		[[ $f =~ $GUEST_SKIP ]] && continue
		dpkg-deb -x "$debs/archives/$f" "$root"
	done
	# merged /usr, as on an installed Debian 12
	for d in bin sbin lib; do
		if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
			mkdir -p "$root/usr/$d"
			cp -a "$root/$d/." "$root/usr/$d/"
			rm -rf "${root:?}/$d"
		fi
		ln -sfn "usr/$d" "$root/$d"
	done
	# Debian alternatives are made by maintainer scripts, which do not run here;
	# without these, busybox's applets would stand in for the real tools.
	for alt in nc:nc.openbsd netcat:nc.openbsd awk:mawk which:which.debianutils; do
		[ -e "$root/usr/bin/${alt#*:}" ] || die "alternative target /usr/bin/${alt#*:} missing"
		ln -sfn "${alt#*:}" "$root/usr/bin/${alt%%:*}"
	done
	rm -rf "$root"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion}
	rm -rf "$root"/usr/lib/aarch64-linux-gnu/gconv
	mkdir -p "$root"/{proc,sys,dev,tmp,run,root,mnt,openppe,ksft,etc} "$root/var/tmp"
	ln -sfn ../run "$root/var/run"
	chmod 1777 "$root/tmp" "$root/var/tmp"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost\n' >"$root/etc/hosts"
	echo openppe-vm >"$root/etc/hostname"
	[ -x "$root/usr/bin/busybox" ] || die "busybox-static did not unpack to /usr/bin/busybox"
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --owner=0:0 --quiet) >"$tmp/base.cpio"
	mv "$tmp/base.cpio" "$base"
	find "$cache" -name 'base-*.cpio' ! -name "${base##*/}" -delete
	log "base userland cached: $base ($(du -h "$base" | cut -f1))"
}

[ -f "$base" ] || build_base

# overlay: init, modules, firmware
ov=$tmp/overlay
mkdir -p "$ov/lib/modules/$release/extra" "$ov/usr/lib/firmware"
install -m 0755 "$REPO/tests/qemu/init" "$ov/init"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "$KDIR/$f" ] && cp "$KDIR/$f" "$ov/lib/modules/$release/"
done
nmod=0
if [ -d "$KOUT/modules" ]; then
	for ko in "$KOUT"/modules/*.ko; do
		[ -e "$ko" ] || continue
		cp "$ko" "$ov/lib/modules/$release/extra/"
		nmod=$((nmod + 1))
	done
fi
depmod -b "$ov" "$release" || die "depmod failed"
mkdir -p "$ov/usr/lib/modules"
mv "$ov/lib/modules/$release" "$ov/usr/lib/modules/"
rm -rf "${ov:?}/lib"
nfw=0
if [ -d "$BUILD/firmware" ]; then
	while IFS= read -r -d '' fw; do
		rel=${fw#"$BUILD/firmware/"}
		install -D -m 0644 "$fw" "$ov/usr/lib/firmware/$rel"
		nfw=$((nfw + 1))
	done < <(find "$BUILD/firmware" -name '*.bin' -print0)
fi
(cd "$ov" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) >"$tmp/overlay.cpio"

cat "$base" "$tmp/overlay.cpio" >"$out.tmp"
mv "$out.tmp" "$out"
log "initramfs: $out ($nmod module(s), $nfw firmware image(s), kernel $release)"
