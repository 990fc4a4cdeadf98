#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply the upstream patch series to a clean copy of the pristine kernel tree.
#
# usage: [KVER=6.12] apply-patches.sh [SERIES_DIR]   (default build/patches/KVER)
# stdout: the patched tree, $OPENPPE_CACHE/graft/KVER/src (graft-build.sh
# builds it).
# CHECKPATCH_OUT=DIR: also run the tree's checkpatch.pl --strict on each patch,
# from the patched tree (its compatible-string, vendor-prefix and MAINTAINERS
# checks read the tree), NNNN.out and NNNN.rc per patch in DIR. Nothing is
# ignored, the selftests patch included.
#
# The series is applied with `git am` to a sparse repository rebuilt from the
# pristine source (tests/qemu/series.sh), whose commit must be the series'
# base-commit; the tree is then a hard-linked copy of the pristine source with
# every file the series touches replaced by a new file (never written through
# a hard link). Holds graft-build.sh's lock, unless the caller does
# (OPENPPE_GRAFT_LOCKED=1).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$REPO/tests/qemu/series.sh"

series=${1:-$BUILD/patches/$KVER}
ksrc=$("$REPO/tests/qemu/fetch-ksrc.sh")
work=$OPENPPE_CACHE/graft
tree=$work/$KVER/src
repo=$work/$KVER/am

mapfile -t patches < <(find "$series" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name '0000-cover-letter.patch' | LC_ALL=C sort)
[ "${#patches[@]}" -gt 0 ] || die "no patches in $series (make patches KVER=$KVER)"
want=$(cat "$series"/[0-9][0-9][0-9][0-9]-*.patch | sed -n "s/^base-commit: \([0-9a-f]*\)$/\1/p" | sort -u)
[ "$(wc -w <<<"$want")" -eq 1 ] || die "the series does not name one base-commit"

mkdir -p "$work/$KVER"
if [ "${OPENPPE_GRAFT_LOCKED:-0}" != 1 ]; then
	exec 9>"$work/.lock"
	flock 9
fi

# the base: the pristine versions of the files the patches modify (a file
# that exists in the pristine tree is one the series modifies, not adds)
mapfile -t base_files < <(sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "${patches[@]}" |
	LC_ALL=C sort -u | while read -r f; do [ -f "$ksrc/$f" ] && echo "$f"; done)
got=$(series_base "$repo" "$ksrc" "${base_files[@]}")
[ "$got" = "$want" ] ||
	die "the series' base-commit $want is not $KSRC_PKG $KSRC_VERSION's ($got): regenerate it"

series_git "$repo" am -q --whitespace=error-all "${patches[@]}" >&2 ||
	die "git am failed (the repository is left in $repo)"
log "git am: ${#patches[@]} patches applied to $KSRC_PKG $KSRC_VERSION"

rm -rf "$tree"
cp -al "$ksrc" "$tree"
series_git "$repo" diff --name-only "$want" HEAD | while read -r f; do
	rm -f "${tree:?}/$f"
	mkdir -p "$(dirname "$tree/$f")"
	cp -p "$repo/$f" "$tree/$f"
done

if [ -n "${CHECKPATCH_OUT:-}" ]; then
	rm -rf "$CHECKPATCH_OUT"
	mkdir -p "$CHECKPATCH_OUT"
	for p in "${patches[@]}"; do
		n=$(basename "$p" | cut -c1-4)
		rc=0
		(cd "$tree" && ./scripts/checkpatch.pl --strict --show-types --quiet --no-summary \
			"$p") >"$CHECKPATCH_OUT/$n.out" 2>&1 || rc=$?
		echo "$rc" >"$CHECKPATCH_OUT/$n.rc"
	done
fi
echo "$tree"
