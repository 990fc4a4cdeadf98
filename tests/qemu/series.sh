# SPDX-License-Identifier: GPL-2.0
# The upstream patch series: what make-patches.sh and apply-patches.sh share
# (sourced after common.sh, not run).
#
# The series is written in, and applied to, a sparse git repository: its base
# commit holds only the pristine versions of the kernel files the series
# modifies (a `git add` of a whole kernel tree takes minutes). The base commit
# is made with a fixed identity and date, so its hash depends only on those
# files: apply-patches.sh rebuilds it from the pristine source and compares it
# with the series' base-commit, which proves the series is against that tree.

SERIES_NAME="openppe developers"
SERIES_EMAIL="openppe@example.org"
SERIES_BASE_DATE="2000-01-01T00:00:00+00:00"

# series_git REPO ARGS...: git in REPO, with the series identity and no user
# or system configuration (hooks, templates, signing) to change the result
series_git() {
	local repo=$1
	shift
	GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=/nonexistent \
		GIT_AUTHOR_NAME="$SERIES_NAME" GIT_AUTHOR_EMAIL="$SERIES_EMAIL" \
		GIT_COMMITTER_NAME="$SERIES_NAME" GIT_COMMITTER_EMAIL="$SERIES_EMAIL" \
		git -C "$repo" -c init.defaultBranch=base -c core.autocrlf=false \
		-c core.fileMode=true -c commit.gpgSign=false "$@"
}

# series_base REPO KSRC FILE...: a new repository in REPO whose one commit
# holds KSRC's FILEs (paths relative to the tree); prints its hash
series_base() {
	local repo=$1 ksrc=$2 f
	shift 2
	rm -rf "$repo"
	mkdir -p "$repo"
	series_git "$repo" init -q
	for f in "$@"; do
		[ -f "$ksrc/$f" ] || die "the pristine tree has no $f"
		mkdir -p "$repo/$(dirname "$f")"
		cp "$ksrc/$f" "$repo/$f"
	done
	series_git "$repo" add -- "$@"
	GIT_AUTHOR_DATE=$SERIES_BASE_DATE GIT_COMMITTER_DATE=$SERIES_BASE_DATE \
		series_git "$repo" commit -q --no-verify \
		-m "Linux $KSRC_VERSION ($KSRC_PKG), the files the openppe series modifies"
	series_git "$repo" rev-parse HEAD
}
