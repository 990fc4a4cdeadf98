// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of the openppe driver */
#include <kunit/test.h>
#include "openppe.h"
static struct kunit_suite openppe_hash_suite = { .name = "openppe_hash" };
kunit_test_suites(&openppe_hash_suite);
MODULE_LICENSE("GPL");
