# SPDX-License-Identifier: GPL-2.0
# Stand-in for an OpenWrt SDK's rules.mk, for tests/packaging/openwrt-build.sh:
# only what packaging/openwrt/openppe/Makefile reads. The SDK itself cannot be
# fetched here. TOPDIR, BUILD_DIR, LINUX_DIR and the toolchain prefix come
# from the script.

INCLUDE_DIR := $(TOPDIR)/include
BUILD_DIR ?= $(TOPDIR)/build_dir
HOSTCC ?= gcc
HOST_CFLAGS ?= -O2
BASH ?= /bin/bash
CP := cp -fpR
INSTALL_DIR := install -d -m0755
INSTALL_DATA := install -m0644
