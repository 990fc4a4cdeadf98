#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write openppe as an upstream patch series against a pristine kernel source.
#
# usage: [KVER=6.12] make-patches.sh     (make patches KVER=...; see kernels.conf)
# stdout: the series directory, build/patches/KVER/ (0000-cover-letter.patch,
# 0001-...patch, every one made by git format-patch with a base-commit).
#
# The series is committed in a scratch repository (tests/qemu/series.sh: a
# sparse base of the pristine files it modifies), one commit per logical
# change, in the order a reviewer reads them: vendor prefix, bindings, the
# driver, the emulator, the selftests, the ABI documentation. Every patch that
# adds files also grows the MAINTAINERS entry by the paths it adds (the first
# one creates it), so no patch adds an unmaintained file and checkpatch's
# "does MAINTAINERS need updating?" has nothing to say about any of them.
#
# What goes in, and where, is the graft build's layout (graft-build.sh builds
# the kernel patched by this series): drivers/ and include/ unchanged, the
# compat headers and their probes included (the probes run in-tree exactly as
# out of tree, so each kernel is built with what it offers), the bindings and
# ABI files moved under Documentation/, the selftests under
# tools/testing/selftests/drivers/net/openppe/ with a kselftest Makefile and
# config. Left out: the root Kbuild and Kconfig (out-of-tree entry points,
# replaced by the Kconfig/Makefile hooks), firmware/ (images go to
# linux-firmware, not the kernel), dts/ boards, docs/*.md, the test platform,
# the benchmark module (tests/bench/kmod) and its selftest (bench_*.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$REPO/tests/qemu/series.sh"

ksrc=$("$REPO/tests/qemu/fetch-ksrc.sh")
out=${PATCHES_OUT:-$BUILD/patches/$KVER}
mkdir -p "$BUILD/patches"
work=$(mktemp -d "$BUILD/patches/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
repo=$work/repo

# the pristine files the series modifies: the base commit
base_files=(
	Documentation/devicetree/bindings/vendor-prefixes.yaml
	MAINTAINERS
	drivers/net/Kconfig
	drivers/net/Makefile
	drivers/net/ethernet/Kconfig
	drivers/net/ethernet/Makefile
	tools/testing/selftests/Makefile
)
base=$(series_base "$repo" "$ksrc" "${base_files[@]}")

# every commit of the series is dated like the repository's HEAD, so the same
# checkout writes the same series
date=$(git -C "$REPO" log -1 --format=%cI 2>/dev/null || echo "$SERIES_BASE_DATE")
ident="$SERIES_NAME <$SERIES_EMAIL>"

# commit SUBJECT BODY: commit everything staged, signed off
commit() {
	printf '%s\n\n%s\n\nSigned-off-by: %s\n' "$1" "$2" "$ident" >"$work/msg"
	series_git "$repo" add -A
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
		series_git "$repo" commit -q --no-verify -F "$work/msg"
}

# put SRC DEST [MODE]: a repository file into the series
put() {
	mkdir -p "$repo/$(dirname "$2")"
	cp "$REPO/$1" "$repo/$2"
	chmod "${3:-0644}" "$repo/$2"
}

# insert_sorted FILE REGEX FIELD LINE...: insert the LINEs among the lines
# matching REGEX, sorted by their FIELD-th field (0: the whole line) against
# the first LINE's. Kernel lists are mostly, not wholly, sorted (xscale after
# intel): the place taken is the one with the most matching lines in order
# around it (smaller before, larger after), the first such. REGEX "TITLE"
# matches MAINTAINERS section titles (an unindented line after an empty one,
# followed by "X:<tab>"). The file is written anew (never edited in place).
insert_sorted() {
	local f=$1 re=$2 fld=$3
	shift 3
	printf '%s\n' "$@" >"$work/ins"
	RE=$re awk -v fld="$fld" -v insf="$work/ins" '
	function key(l,   k) { if (fld == 0) return l; split(l, k, /[ \t]+/); return k[fld] }
	BEGIN {
		re = ENVIRON["RE"]	# not -v: that would process the backslashes
		while ((getline l < insf) > 0) ins = ins l "\n"
		split(ins, a, "\n"); me = key(a[1])
	}
	{ lines[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if (re == "TITLE")
				hit = i > 1 && i < NR && lines[i - 1] == "" &&
				      lines[i] ~ /^[^ \t]/ && lines[i + 1] ~ /^[A-Z]:\t/
			else
				hit = lines[i] ~ re
			if (hit) { m++; at[m] = i; k[m] = key(lines[i]) }
		}
		if (!m) { print "insert_sorted: no line matches " re > "/dev/stderr"; exit 1 }
		# score(p): matches before p that sort before me + from p on after me
		for (j = 1; j <= m; j++) gt += (k[j] > me)
		best = -1; lt = 0
		for (p = 1; p <= m + 1; p++) {
			if (lt + gt > best) { best = lt + gt; bp = p }
			if (p <= m) { lt += (k[p] < me); gt -= (k[p] > me) }
		}
		pos = bp <= m ? at[bp] : at[m] + 1
		if (re == "TITLE" && bp > m) { print "insert_sorted: nothing sorts after " me > "/dev/stderr"; exit 1 }
		for (i = 1; i <= NR; i++) {
			if (i == pos) printf "%s", ins
			print lines[i]
		}
		if (pos == NR + 1) printf "%s", ins
	}' "$f" >"$work/sorted"
	mv "$work/sorted" "$f"
}

# maintainers F-PATTERN...: MAINTAINERS is the pristine file plus one entry
# for openppe listing these paths (sorted, as parse-maintainers does), placed
# where its title sorts among the section titles
maintainers() {
	local fl
	mapfile -t fl < <(printf 'F:\t%s\n' "$@" | LC_ALL=C sort)
	cp "$ksrc/MAINTAINERS" "$work/MAINTAINERS"
	insert_sorted "$work/MAINTAINERS" TITLE 0 "OPENPPE PACKET PROCESSING ENGINE DRIVER" \
		"M:	$ident" "L:	netdev@vger.kernel.org" "S:	Maintained" "${fl[@]}" ""
	mv "$work/MAINTAINERS" "$repo/MAINTAINERS"
}
fpats=()

# driver_files DIR: the files of a driver directory, as graft-build.sh took
# them (sources and kbuild files, not what an in-place build leaves)
driver_files() {
	(cd "$REPO" && find "$1" -type f \( -name '*.[ch]' -o -name Kconfig -o -name Makefile \
		-o -name Kbuild -o -name '.kunitconfig' \) | LC_ALL=C sort)
}

# ---- 1: vendor prefix
cp "$ksrc/Documentation/devicetree/bindings/vendor-prefixes.yaml" "$repo/vp"
insert_sorted "$repo/vp" '^  "\^[a-z0-9]' 2 '  "^openppe,.*":' \
	'    description: openppe open packet processing engine project'
mv "$repo/vp" "$repo/Documentation/devicetree/bindings/vendor-prefixes.yaml"
commit "dt-bindings: vendor-prefixes: add openppe" \
"openppe is an open flow-offload design for Linux routers: a packet
processing engine (PPE) programming model, its driver and an emulator
of the engine. Its device tree compatibles use the \"openppe\" prefix."

# ---- 2: the engine's binding
bdir=Documentation/devicetree/bindings/net
put dts/bindings/net/openppe,ppe-v1.yaml "$bdir/openppe,ppe-v1.yaml"
fpats+=("$bdir/openppe,ppe-v1.yaml")
maintainers "${fpats[@]}"
commit "dt-bindings: net: add openppe packet processing engine" \
"Describe the ppe-v1 packet processing engine: the flow accelerator
between the switch ports of a router SoC, which forwards established
flows (routing, NAT, VLAN and PPPoE encapsulation) from port to port
without the CPU. The node takes its registers, clocks, resets, the
firmware image name and the flow table size.

Add a MAINTAINERS entry for openppe with it; the following patches
extend it by the files they add."

# ---- 3: the emulator's binding
put dts/bindings/net/openppe,sim.yaml "$bdir/openppe,sim.yaml"
fpats+=("$bdir/openppe,sim.yaml")
maintainers "${fpats[@]}"
commit "dt-bindings: net: add openppe engine emulator" \
"openppe_sim models a ppe-v1 engine and the switch ports around it in
software, so that the unmodified openppe driver runs end to end without
the silicon, as netdevsim does for switch drivers. Its node stands for
the SoC's switch block: it owns the engine's register file and has the
PPE node as a child, which the driver binds to."

# ---- 4: the driver
for f in $(driver_files drivers/net/ethernet/openppe); do
	put "$f" "$f"
done
put include/linux/openppe.h include/linux/openppe.h
insert_sorted "$repo/drivers/net/ethernet/Kconfig" '^source "drivers/net/ethernet/' 2 \
	'source "drivers/net/ethernet/openppe/Kconfig"'
insert_sorted "$repo/drivers/net/ethernet/Makefile" '^obj-\$\(CONFIG_' 3 \
	'obj-$(CONFIG_OPENPPE) += openppe/'
fpats+=(drivers/net/ethernet/openppe/ include/linux/openppe.h)
maintainers "${fpats[@]}"
commit "net: ethernet: openppe: add packet processing engine driver" \
"Add a platform driver for openppe packet processing engines. It
offloads the flows nf_flow_table hands to ndo_setup_tc(TC_SETUP_FT)
(FLOW_CLS_REPLACE, FLOW_CLS_DESTROY, FLOW_CLS_STATS) into the engine's
flow table: the flow_rule is translated into a table entry (IPv4 and
IPv6, TCP and UDP, NAT, 802.1Q, PPPoE, the DSA tag of the conduit),
placed by the engine's two-bucket hash, written to DMA memory and
invalidated in the engine's entry cache. The engine's counters flow
back to conntrack through FLOW_CLS_STATS. Every refused flow says why
in the extack and in a sysfs counter.

The SoC's Ethernet or switch driver attaches its ports through
include/linux/openppe.h and forwards ndo_setup_tc() to the PPE. The
engine runs a firmware image (openppe/ppe-v1.bin) that the driver
verifies and uploads; it enables only the features the image declares.

openppe_compat.h gives one spelling to the interfaces that differ
between the kernels the driver is also built for out of tree; the
Makefile probes the kernel being built for which form it has.

KUnit tests cover the flow_rule translation, the hash vectors, bucket
placement and the statistics arithmetic."

# ---- 5: the emulator
for f in $(driver_files drivers/net/openppe_sim); do
	put "$f" "$f"
done
awk '/^endif # NETDEVICES$/ { print "source \"drivers/net/openppe_sim/Kconfig\"\n" } { print }' \
	"$ksrc/drivers/net/Kconfig" >"$repo/drivers/net/Kconfig"
awk '{ print } /^obj-\$\(CONFIG_NETDEVSIM\)/ { print "obj-$(CONFIG_OPENPPE_SIM) += openppe_sim/" }' \
	"$ksrc/drivers/net/Makefile" >"$repo/drivers/net/Makefile"
grep -q openppe_sim "$repo/drivers/net/Kconfig" || die "could not hook drivers/net/Kconfig"
grep -q openppe_sim "$repo/drivers/net/Makefile" || die "could not hook drivers/net/Makefile"
fpats+=(drivers/net/openppe_sim/)
maintainers "${fpats[@]}"
commit "net: openppe_sim: add packet processing engine emulator" \
"Add openppe_sim, a software model of the ppe-v1 engine and of the
switch ports it sits between: registers, firmware upload, the frame
parser, table walk through the engine's entry cache, rewrite and
counters, and the punt path to the CPU. The switch registers with the
DSA core (MediaTek tag) or exposes its ports as plain netdevs.

Instances come from the device tree or, like netdevsim, at run time
through /sys/bus/openppe_sim/new_device. The unmodified openppe driver
binds to the engine through the parent's regmap, so the whole offload
path can be tested under QEMU. debugfs offers fault injection (sticky
failures, one-shot errors, dropped frames) and the engine's state."

# ---- 6: the selftests
sdir=tools/testing/selftests/drivers/net/openppe
progs=() files=()
for f in $(cd "$REPO/tests/selftests" && ls); do
	case $f in
	# the kernel's own nft_flowtable.sh run unmodified, and its helpers:
	# a wrapper for the project's QEMU board, not a test of openppe
	nft_flowtable.sh | stretch-*) continue ;;
	# tests of the benchmark module of `make bench` (tests/bench/kmod),
	# which is this repository's test code and not in the series
	bench_*.sh) continue ;;
	*.sh)
		if [ -x "$REPO/tests/selftests/$f" ]; then
			put "tests/selftests/$f" "$sdir/$f" 0755
			progs+=("$f")
		else
			put "tests/selftests/$f" "$sdir/$f"
			files+=("$f")
		fi ;;
	*.lib) put "tests/selftests/$f" "$sdir/$f"; files+=("$f") ;;
	*) die "tests/selftests/$f: neither a test nor a library; place it in the series" ;;
	esac
done
# the ABI files e2e_board.sh compares the devices with: in the kernel tree
sed -i 's|"$(dirname "$0")/../../docs/ABI/testing"|"$(dirname "$0")/../../../../../../Documentation/ABI/testing"|' \
	"$repo/$sdir/e2e_board.sh"
grep -q Documentation/ABI/testing "$repo/$sdir/e2e_board.sh" ||
	die "e2e_board.sh: could not point it at Documentation/ABI/testing"
# mk_list NAME ITEM...: a make variable holding the ITEMs, one a line
mk_list() {
	local name=$1 last=${!#}
	shift
	printf '%s := \\\n' "$name"
	while [ $# -gt 1 ]; do
		printf '\t%s \\\n' "$1"
		shift
	done
	printf '\t%s\n' "$last"
}
{
	echo "# SPDX-License-Identifier: GPL-2.0"
	echo "# openppe: end-to-end tests of the driver on its emulator"
	echo
	mk_list TEST_PROGS "${progs[@]}"
	echo
	mk_list TEST_FILES "${files[@]}"
	echo
	echo "include ../../../lib.mk"
} >"$repo/$sdir/Makefile"
cat >"$repo/$sdir/config" <<'EOF'
CONFIG_BRIDGE=y
CONFIG_BRIDGE_VLAN_FILTERING=y
CONFIG_DEBUG_FS=y
CONFIG_IPV6=y
CONFIG_NET_DSA=y
CONFIG_NET_DSA_TAG_MTK=y
CONFIG_NET_NS=y
CONFIG_NFT_FLOW_OFFLOAD=m
CONFIG_NFT_MASQ=m
CONFIG_NFT_NAT=m
CONFIG_NF_CONNTRACK=m
CONFIG_NF_FLOW_TABLE=m
CONFIG_NF_FLOW_TABLE_INET=m
CONFIG_NF_TABLES=m
CONFIG_NF_TABLES_INET=y
CONFIG_OPENPPE=m
CONFIG_OPENPPE_SIM=m
CONFIG_PPPOE=m
CONFIG_VETH=m
CONFIG_VLAN_8021Q=m
EOF
insert_sorted "$repo/tools/testing/selftests/Makefile" '^TARGETS \+= drivers/net' 3 \
	'TARGETS += drivers/net/openppe'
fpats+=("$sdir/")
maintainers "${fpats[@]}"
commit "selftests: net: openppe: add end-to-end tests on the emulator" \
"Route real traffic (iperf3, nc transfers, hand-built frames) between
network namespaces through an nftables router whose flowtable offloads
to the openppe driver on an openppe_sim engine, and check what the
engine did: flows bound and removed at the right time, exact packet
counts (engine plus CPU equals what arrived), NAT, routing, VLAN,
bridge and PPPoE paths, a full table, lifecycle of every object under
traffic, injected faults and broken firmware images.

The tests expect a board whose device tree has an openppe,sim node with
ports named wan and lan1 to lan3, and the firmware images in
/lib/firmware/openppe/. Output is KTAP; a missing tool is a skip."

# ---- 7: the ABI documentation
for f in $(cd "$REPO/docs/ABI/testing" && ls); do
	put "docs/ABI/testing/$f" "Documentation/ABI/testing/$f"
done
fpats+=("Documentation/ABI/testing/debugfs-openppe*"
	Documentation/ABI/testing/sysfs-bus-openppe-sim
	Documentation/ABI/testing/sysfs-driver-openppe)
maintainers "${fpats[@]}"
commit "docs: ABI: document the openppe sysfs and debugfs files" \
"Document the driver's sysfs attributes (table size and use, firmware
version, offload and rejection counters), the emulator's bus files
(new_device, del_device) and the debugfs trees of both, which the
selftests compare with what the devices expose."

# the cover letter: its subject and text are the branch description
n=$(series_git "$repo" rev-list --count "$base..HEAD")
series_git "$repo" branch -q -m openppe
series_git "$repo" config branch.openppe.description "$(cat <<EOF
Add the openppe packet processing engine driver and its emulator

openppe offloads nftables flowtables ("flags offload") to a packet
processing engine (PPE), the flow accelerator between the switch ports
of a router SoC, as mtk_ppe does for MediaTek and the PPE drivers do
for Qualcomm and Airoha SoCs. The driver, openppe, is a platform driver
probed from the device tree that takes FLOW_CLS_REPLACE, DESTROY and
STATS from nf_flow_table and programs the engine's flow table in DMA
memory. openppe_sim is the engine and its switch ports modelled in
software, created from the device tree or at run time like netdevsim,
so that the unmodified driver can be tested end to end under QEMU.

The series:
  1-3  the vendor prefix and the bindings of the engine and emulator
  4    the driver (with its KUnit tests)
  5    the emulator (with its KUnit tests)
  6    the end-to-end selftests, on the emulator
  7    the sysfs and debugfs ABI
Each patch that adds files extends the MAINTAINERS entry the second one
creates.

It applies to Linux $KSRC_VERSION (Debian $KSRC_PKG); base-commit
below is the commit of the pristine files the series modifies. Each
patch is checkpatch --strict clean, and the result builds with the
drivers built in and as modules.

The engine's firmware images are not part of this series: upstream,
firmware goes to linux-firmware, to be sent there separately. The
driver requests openppe/ppe-v1.bin and refuses images whose header,
size, version or checksum do not verify.

The driver's openppe_compat.h and the emulator's ppesim_compat.h, with
the probes their Makefiles run, let the same sources build on the
kernels from 6.1 on; on a current tree they resolve to the upstream
interfaces and could be dropped.
EOF
)"
rm -rf "$out"
mkdir -p "$out"
GIT_COMMITTER_DATE=$date series_git "$repo" format-patch -q --cover-letter --cover-from-description=subject \
	--subject-prefix="PATCH net-next" --base="$base" -o "$out" "$base..HEAD" >/dev/null
[ "$(find "$out" -name '0*.patch' | wc -l)" -eq $((n + 1)) ] ||
	die "format-patch did not write $n patches and a cover letter"
log "$n patches and a cover letter against $KSRC_PKG $KSRC_VERSION"
echo "$out"
