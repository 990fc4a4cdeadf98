// SPDX-License-Identifier: GPL-2.0
/* openppe tracepoint definitions */

#define CREATE_TRACE_POINTS
#include "openppe_trace.h"
