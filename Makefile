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

SHELL := /bin/bash
Q := tests/qemu
# Debian's interpreter: the one python3-matplotlib (make deps) installs for
PYTHON := $(firstword $(wildcard /usr/bin/python3) python3)

.PHONY: all help deps kernel modules firmware initramfs dtb vm vm-run demo bench check patches clean

all: help

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'

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
