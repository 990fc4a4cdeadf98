#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch and unpack the kernel source of one kernel of tests/qemu/kernels.conf.
#
# usage: fetch-ksrc.sh [KVER]     (default: $KVER, else the board kernel)
# stdout: the unpacked tree ($OPENPPE_CACHE/src/PKG), nothing else.
#
# The package is Debian's linux-source-X at the version pinned in
# kernels.conf. If the host has exactly that version installed, its tarball in
# /usr/src is used. Otherwise it is downloaded with apt-get through a private
# sources list, private package lists and a private cache under
# $OPENPPE_CACHE/apt: the host's apt configuration is never touched. The
# private list names the archive URIs the host's own sources use (read here,
# at run time) with the suites kernels.conf asks for; a suite the host does
# not list (trixie on a bookworm machine) is taken from the same archive, and a
# "-security" suite from the host's security archive.
set -euo pipefail
[ $# -ge 1 ] && KVER=$1
. "$(dirname "$0")/common.sh"

APTD=$OPENPPE_CACHE/apt
mkdir -p "$OPENPPE_CACHE/src" "$APTD"
exec {lock}>"$OPENPPE_CACHE/src/.lock"
flock "$lock"

if [ -f "$KSRC/.openppe-version" ] && [ "$(cat "$KSRC/.openppe-version")" = "$KSRC_VERSION" ]; then
	echo "$KSRC"
	exit 0
fi

# host_sources: "URI SUITE SIGNED-BY|-" for every enabled deb entry of the
# host's apt sources, one-line and deb822 formats
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [opts] URI SUITE COMPONENTS...
		sed -e 's/#.*//' "$f" | awk '$1 == "deb" {
			i = 2; sb = "-"
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /^\[?signed-by=/) { sb = $i; sub(/^\[?signed-by=/, "", sb); sub(/\]$/, "", sb) }
					if ($i ~ /\]$/) { i++; break }
				}
			}
			print $i, $(i + 1), sb
		}'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822 stanzas, separated by blank lines; "Signed-By:" may hold an
		# inline key block (continuation lines), which we cannot pass on: "-"
		awk '
		function flush(   u, s, nu, ns, a, b) {
			if (types ~ /(^| )deb( |$)/ && enabled !~ /^[Nn]o/) {
				nu = split(uris, a, " "); ns = split(suites, b, " ")
				for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++)
					print a[u], b[s], (sb == "" ? "-" : sb)
			}
			types = uris = suites = sb = enabled = ""; key = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { next }
		{
			key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
			if (key == "types") types = $0
			else if (key == "uris") uris = $0
			else if (key == "suites") suites = $0
			else if (key == "enabled") enabled = $0
			else if (key == "signed-by") sb = ($0 ~ /^\// ? $0 : "")
		}
		END { flush() }' "$f"
	done
}

# sources_for SUITE: "URI SIGNED-BY" lines of the archive(s) that carry SUITE
sources_for() {
	local suite=$1 codename want
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell the host's Debian codename from /etc/os-release"
	want=$(host_sources | awk -v s="$suite" '$2 == s { print $1, $3 }')
	if [ -z "$want" ]; then
		case $suite in
		*-security) want=$(host_sources | awk -v s="$codename-security" '$2 == s { print $1, $3 }') ;;
		*) want=$(host_sources | awk -v s="$codename" '$2 == s { print $1, $3 }') ;;
		esac
	fi
	[ -n "$want" ] || die "the host's apt sources have no archive for suite $suite (nor for $codename)"
	printf '%s\n' "$want" | sort -u
}

apt_opts=(-q -o "Dir::Etc::sourcelist=$APTD/sources.list" -o Dir::Etc::sourceparts=-
	  -o "Dir::State::Lists=$APTD/lists" -o "Dir::Cache=$APTD/cache"
	  -o Dir::Etc::preferences=/dev/null -o "Dir::Etc::preferencesparts=$APTD/preferences.d"
	  -o APT::Sandbox::User=root
	  -o "APT::Architectures::=$(dpkg --print-architecture)"
	  -o Acquire::Languages=none -o Debug::NoLocking=1)

# the private sources list: every suite kernels.conf names, so one update
# serves every kernel
write_sources() {
	local suite uri sb
	kernels | awk '{ print $4 }' | sort -u | while read -r suite; do
		sources_for "$suite" | while read -r uri sb; do
			if [ "$sb" = - ]; then
				printf 'deb %s %s main\n' "$uri" "$suite"
			else
				printf 'deb [signed-by=%s] %s %s main\n' "$sb" "$uri" "$suite"
			fi
		done
	done >"$APTD/sources.list.new"
	mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial" "$APTD/preferences.d"
	if ! cmp -s "$APTD/sources.list.new" "$APTD/sources.list"; then
		mv "$APTD/sources.list.new" "$APTD/sources.list"
		return 1	# changed: the lists must be updated
	fi
	rm -f "$APTD/sources.list.new"
}

have_version() {
	apt-cache "${apt_opts[@]}" madison "$KSRC_PKG" 2>/dev/null |
		awk -F'|' -v v="$KSRC_VERSION" '{ gsub(/ /, "", $2) } $2 == v { f = 1 } END { exit !f }'
}

download() {	# download DIR: the pinned .deb into DIR
	local updated=0
	write_sources || updated=-1
	if [ "$updated" -ne 0 ] || ! have_version; then
		log "apt-get update (private lists in $APTD)"
		apt-get "${apt_opts[@]}" update >&2 || die "apt-get update (private lists) failed"
	fi
	if ! have_version; then
		log "$KSRC_PKG $KSRC_VERSION is not in $KSRC_SUITE; the archive has:"
		apt-cache "${apt_opts[@]}" madison "$KSRC_PKG" >&2 || true
		die "update the pin in tests/qemu/kernels.conf"
	fi
	log "downloading $KSRC_PKG=$KSRC_VERSION"
	(cd "$1" && apt-get "${apt_opts[@]}" download "$KSRC_PKG=$KSRC_VERSION" >&2) ||
		die "apt-get download $KSRC_PKG=$KSRC_VERSION failed"
}

tmp=$(mktemp -d "$OPENPPE_CACHE/src/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
host_ver=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$KSRC_PKG" 2>/dev/null || true)
tarball=/usr/src/$KSRC_PKG.tar.xz
if [ "$host_ver" = "installed $KSRC_VERSION" ] && [ -f "$tarball" ]; then
	log "using the host's $KSRC_PKG $KSRC_VERSION"
else
	download "$tmp"
	debs=("$tmp"/*.deb)
	[ -f "${debs[0]}" ] || die "apt-get download left no .deb"
	dpkg -x "${debs[0]}" "$tmp/x"
	rm -f "${debs[@]}"
	tarball=$tmp/x/usr/src/$KSRC_PKG.tar.xz
	[ -f "$tarball" ] || die "$KSRC_PKG has no usr/src/$KSRC_PKG.tar.xz"
fi

log "unpacking $KSRC_PKG $KSRC_VERSION into $KSRC"
mkdir -p "$tmp/tree"
tar -xf "$tarball" -C "$tmp/tree" --strip-components=1
echo "$KSRC_VERSION" >"$tmp/tree/.openppe-version"
rm -rf "$KSRC"
mv "$tmp/tree" "$KSRC"
echo "$KSRC"
