/* SPDX-License-Identifier: GPL-2.0 */
/* openppe compat: one spelling for interfaces that differ between kernels
 *
 * The driver's .c files read the same on every kernel it builds for (6.1 to
 * the newest); where an interface changed, they use the helper here. Which
 * form a kernel has is not guessed from its version: the Makefile probes the
 * kernel being built (openppe_compat_probes.c) and defines OPENPPE_HAVE_<name>,
 * because stable and vendor kernels carry backported interfaces.
 */

#ifndef _OPENPPE_COMPAT_H
#define _OPENPPE_COMPAT_H

#ifndef OPENPPE_COMPAT_PROBED
#error "openppe_compat.h: build through the openppe Makefile, which probes the kernel"
#endif

#include <linux/module.h>
#include <linux/slab.h>

/* 6.12: <asm/unaligned.h> became <linux/unaligned.h> */
#ifdef OPENPPE_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/**
 * openppe_assign_str() - __assign_str() in a tracepoint's TP_fast_assign
 * @dst: the __string() field
 * @src: the same source as __string() names
 *
 * Since 6.10 __assign_str(dst) copies the source that __string(dst, src)
 * recorded, and takes no source; before, it took the source again. Where it
 * takes none, @src is evaluated and discarded.
 */
#ifdef OPENPPE_HAVE_ASSIGN_STR_ONE_ARG
#define openppe_assign_str(dst, src)	\
	do { (void)(src); __assign_str(dst); } while (0)
#else
#define openppe_assign_str(dst, src)	__assign_str(dst, src)
#endif

/**
 * OPENPPE_IMPORT_NS() - MODULE_IMPORT_NS() with the namespace as a string
 * @ns: the namespace, a string literal
 *
 * Since 6.13 MODULE_IMPORT_NS() takes a string literal; before, it
 * stringified an identifier. Both record the same "import_ns=" modinfo.
 */
#ifdef OPENPPE_HAVE_IMPORT_NS_IDENT
#define OPENPPE_IMPORT_NS(ns)		MODULE_INFO(import_ns, ns)
#else
#define OPENPPE_IMPORT_NS(ns)		MODULE_IMPORT_NS(ns)
#endif

/**
 * kzalloc_obj() - allocate one zeroed object of an expression's type
 * @p: the expression (``*ptr``) whose type is allocated
 * @gfp: allocation flags
 *
 * Since 7.0 the slab allocator has it (its @gfp is optional there); before,
 * this is the kzalloc() of sizeof(@p) that it replaces.
 */
#ifndef OPENPPE_HAVE_KZALLOC_OBJ
#define kzalloc_obj(p, gfp)		kzalloc(sizeof(p), gfp)
#endif

#endif /* _OPENPPE_COMPAT_H */
