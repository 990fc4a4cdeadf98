# SPDX-License-Identifier: GPL-2.0
# Stand-in for OpenWrt's include/kernel.mk: KERNEL_MAKE with the variables
# OpenWrt passes to a kernel module package's kbuild (KERNEL_MAKE =
# $(MAKE) -C $(LINUX_DIR) + the flags below), and KernelPackage/AutoLoad/
# AutoProbe reduced to recording what a package declares.

LINUX_KARCH ?= arm64
KERNEL_CROSS ?= aarch64-linux-gnu-
LINUX_VERSION := $(shell cat $(LINUX_DIR)/include/config/kernel.release)
KERNEL_BUILD_DIR := $(BUILD_DIR)/linux-openppe-test
MODULES_SUBDIR := lib/modules/$(LINUX_VERSION)
PKG_BUILD_DIR ?= $(KERNEL_BUILD_DIR)/$(PKG_NAME)$(if $(PKG_VERSION),-$(PKG_VERSION))

KERNEL_MAKE_FLAGS = \
	KCFLAGS="-ffile-prefix-map=$(BUILD_DIR)=$(notdir $(BUILD_DIR))" \
	KAFLAGS="-ffile-prefix-map=$(BUILD_DIR)=$(notdir $(BUILD_DIR))" \
	HOSTCFLAGS="$(HOST_CFLAGS) -Wall -Wmissing-prototypes -Wstrict-prototypes" \
	CROSS_COMPILE="$(KERNEL_CROSS)" \
	ARCH="$(LINUX_KARCH)" \
	KBUILD_HAVE_NLS=no \
	KBUILD_BUILD_USER="" \
	KBUILD_BUILD_HOST="" \
	KBUILD_BUILD_TIMESTAMP="" \
	KBUILD_BUILD_VERSION="0" \
	CONFIG_SHELL="$(BASH)" \
	V='' \
	cmd_syscalls= \
	KBUILD_EXTRA_SYMBOLS="" \
	KERNELRELEASE=$(LINUX_VERSION)
KERNEL_MAKE = $(MAKE) -C $(LINUX_DIR) $(KERNEL_MAKE_FLAGS)

AutoLoad = autoload:$(1):$(subst $(space),$(comma),$(strip $(2)))
AutoProbe = autoprobe:$(subst $(space),$(comma),$(strip $(1)))

# KernelPackage NAME: kmod-NAME's FILES, AUTOLOAD and DEPENDS, kept as
# KMOD_FILES.NAME etc. for package.mk's targets
define KernelPackage
  FILES :=
  AUTOLOAD :=
  DEPENDS :=
  $$(eval $$(call KernelPackage/$(1)))
  KMOD_FILES.$(1) := $$(FILES)
  KMOD_AUTOLOAD.$(1) := $$(AUTOLOAD)
  KMOD_DEPENDS.$(1) := $$(DEPENDS)
  KMODS += $(1)
endef
