# SPDX-License-Identifier: GPL-2.0
# Stand-in for OpenWrt's include/package.mk: runs a package's Build/Prepare,
# Build/Compile and its packages' installs, the way the SDK would, each
# package into $(PKG_STAGE)/<package>/ (a kmod's FILES into
# lib/modules/<release>/, as KernelPackage installs them).
#
#   make TOPDIR=... LINUX_DIR=... PKG_STAGE=... sdk-build
#   make ... -s sdk-show   what each package declares, one line each

empty :=
space := $(empty) $(empty)
comma := ,
define newline


endef

define BuildPackage
  PACKAGES += $(1)
endef

sdk-build:
	$(Build/Prepare)
	$(Build/Compile)
	$(foreach k,$(KMODS),mkdir -p $(PKG_STAGE)/kmod-$(k)/$(MODULES_SUBDIR)$(newline)\
		cp -fpR $(KMOD_FILES.$(k)) $(PKG_STAGE)/kmod-$(k)/$(MODULES_SUBDIR)/$(newline))
	$(foreach p,$(PACKAGES),mkdir -p $(PKG_STAGE)/$(p)$(newline)$(call Package/$(p)/install,$(PKG_STAGE)/$(p))$(newline))

# "kmod-NAME FILES=... AUTOLOAD=... DEPENDS=...", then "NAME" for the others
sdk-show:
	@$(foreach k,$(KMODS),echo 'kmod-$(k) FILES=$(strip $(KMOD_FILES.$(k))) AUTOLOAD=$(strip $(KMOD_AUTOLOAD.$(k))) DEPENDS=$(strip $(KMOD_DEPENDS.$(k)))';)
	@$(foreach p,$(PACKAGES),echo '$(p)';)

.PHONY: sdk-build sdk-show
