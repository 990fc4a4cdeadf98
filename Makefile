# SPDX-License-Identifier: GPL-2.0
#
# openppe convenience targets. Kbuild reads ./Kbuild, not this file, for
# `make -C $KDIR M=$PWD`. Run as root on Debian 12; every target installs what
# it needs (make deps) first.
#
#   make demo                  the offload router on the emulated board, with a report
#   make bench                 measure what offload buys (build/bench/results.*)
#   make check                 every gate and test; one summary line at the end
#   make vm-run SCRIPT=x.sh    run a script as root in the test guest (ARGS=...)
#   make patches [KVER=6.12]   the upstream patch series, build/patches/KVER/
#   make deps kernel modules firmware initramfs dtb vm clean help
#   make install [KDIR=...]    your kernel: modules + firmware (uninstall, install-firmware,
#                              dkms-source; docs/usage.md "Installing openppe")

SHELL := /bin/bash
Q := tests/qemu
# Debian's interpreter: the one python3-matplotlib (make deps) installs for
PYTHON := $(firstword $(wildcard /usr/bin/python3) python3)

.PHONY: all help deps kernel modules firmware initramfs dtb vm vm-run demo bench check patches clean
.PHONY: install install-modules install-firmware uninstall dkms-source

all: help

help:
	@sed -n '3,14p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(Q)/setup.sh

kernel: deps
	@$(Q)/build-kernel.sh

modules: kernel
	@$(Q)/build-modules.sh

firmware: deps
	@if [ -f firmware/Makefile ]; then \
		$(MAKE) -C firmware O=$(CURDIR)/build/firmware; \
	else \
		echo "firmware: no firmware/Makefile yet, no images"; \
	fi

initramfs: modules firmware
	@$(Q)/build-initramfs.sh

dtb: kernel
	@$(Q)/build-dtb.sh

vm: kernel initramfs dtb

vm-run: vm
	@if [ -z "$(SCRIPT)" ]; then echo "usage: make vm-run SCRIPT=path/to/script.sh [ARGS=...]" >&2; exit 2; fi
	@$(Q)/run.sh $(SCRIPT) $(ARGS)

demo: vm
	@rm -rf build/demo
	@tests/bench/vm-follow.sh $(Q)/demo.sh
	@$(PYTHON) tests/bench/report.py --demo build/demo

# make bench measures on the production-like build of the board kernel
# (tests/qemu/kernel-prod.config); KVARIANT=test measures the test kernel
bench: export KVARIANT = prod
bench: vm
	@rm -rf build/bench
	@tests/bench/vm-follow.sh tests/bench/bench.sh $(ARGS)
	@$(PYTHON) tests/bench/report.py build/bench

check: deps
	@$(Q)/check.sh

patches: deps
	@$(Q)/make-patches.sh

clean:
	rm -rf build

# ---------------------------------------------------------------- your system
# make install / uninstall / install-firmware / dkms-source are for a kernel of
# your own and never build the test kernel. KDIR is that kernel's build tree
# (default: the running kernel's, /lib/modules/$(uname -r)/build); KVER is its
# release, read from KDIR (KVER alone picks /lib/modules/KVER/build). Cross
# builds take ARCH= and CROSS_COMPILE= as kbuild does; INSTALL_MOD_PATH
# installs into a staging root. Here KVER is a kernel release, not one of
# tests/qemu/kernels.conf's lines as for the test targets above.

# the version: dkms.conf holds it (DKMS reads nothing else)
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
# What a product ships: the modules Kbuild builds with OPENPPE_TEST_MODULES=n
# (install checks that the two agree), by their path in the tree, which
# modules_install keeps below extra/; and the sources DKMS builds from.
SHIP_MODULES := drivers/net/ethernet/openppe/openppe drivers/net/openppe_sim/openppe_sim
SHIP_SRC := Kbuild Kconfig drivers include

ifneq ($(filter install install-modules install-firmware uninstall,$(MAKECMDGOALS)),)
ifdef KDIR
KDIR_RELEASE := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
ifeq ($(KDIR_RELEASE),)
$(error KDIR=$(KDIR) has no include/config/kernel.release: not a prepared kernel build tree)
endif
ifneq ($(filter-out $(KDIR_RELEASE),$(KVER)),)
$(error KDIR=$(KDIR) is a $(KDIR_RELEASE) kernel, not KVER=$(KVER))
endif
KVER := $(KDIR_RELEASE)
else
KVER ?= $(shell uname -r)
KDIR := /lib/modules/$(KVER)/build
endif
endif

MODDIR = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)
# built in a copy of the sources, so the checkout stays free of objects
SHIP_OBJ = $(CURDIR)/build/install/$(KVER)
ship-kbuild = $(MAKE) -C $(KDIR) M=$(SHIP_OBJ) OPENPPE_TEST_MODULES=n
firmware-make = $(MAKE) -C firmware O=$(CURDIR)/build/firmware \
	INSTALL_FW_PATH=$(INSTALL_MOD_PATH)/lib/firmware
# depmod as kbuild's modules_install runs it: with the kernel's System.map,
# into INSTALL_MOD_PATH, and not at all without a System.map
depmod = if [ -r $(KDIR)/System.map ]; then \
		depmod -ae -F $(KDIR)/System.map $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER); \
	else \
		echo "no $(KDIR)/System.map: skipping depmod (run: depmod -a $(KVER))"; \
	fi

# firmware after the modules: a failed build installs nothing
install: install-modules
	+@$(firmware-make) install

install-modules:
	@[ -f $(KDIR)/Makefile ] || { echo "no kernel build tree at $(KDIR): install the headers of $(KVER) or give KDIR=" >&2; exit 1; }
	@mkdir -p $(SHIP_OBJ)
	@cp -pR $(SHIP_SRC) $(SHIP_OBJ)/
	+$(ship-kbuild) modules
	@built=$$(sed 's|^$(SHIP_OBJ)/||; s|\.k\{0,1\}o$$||' $(SHIP_OBJ)/modules.order | sort | xargs); \
	if [ "$$built" != "$(sort $(SHIP_MODULES))" ]; then \
		echo "Kbuild built '$$built', SHIP_MODULES says '$(sort $(SHIP_MODULES))'" >&2; exit 1; \
	fi
	+$(ship-kbuild) INSTALL_MOD_DIR=extra modules_install

install-firmware:
	+@$(firmware-make) install

uninstall:
	rm -f $(foreach m,$(SHIP_MODULES),$(foreach z,.ko .ko.gz .ko.xz .ko.zst,$(MODDIR)/extra/$(m)$(z)))
	@[ ! -d $(MODDIR)/extra ] || { cd $(MODDIR)/extra && \
		for d in $(sort $(dir $(SHIP_MODULES))); do \
			[ ! -d $$d ] || rmdir -p --ignore-fail-on-non-empty $$d; \
		done && cd .. && rmdir --ignore-fail-on-non-empty extra; }
	@[ ! -d $(MODDIR) ] || { $(depmod); }
	+@$(firmware-make) uninstall

# the source tree DKMS builds from: $(DESTDIR)/usr/src/openppe-VERSION
DKMS_SOURCE = $(DESTDIR)/usr/src/openppe-$(VERSION)
dkms-source:
	rm -rf $(DKMS_SOURCE)
	mkdir -p $(DKMS_SOURCE)
	cp -pR $(SHIP_SRC) dkms.conf $(DKMS_SOURCE)/
	@echo "next: dkms add openppe/$(VERSION)$(if $(DESTDIR), --sourcetree $(DESTDIR)/usr/src)"

# make -s print-VAR: a variable's value, for the packaging tests
print-%:
	@echo '$($*)'
