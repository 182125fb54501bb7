// The parameters of a run beyond the platform's: trace.* (how records are replayed)
// and kernel.* (how the guest kernel schedules and debugs). Pure C++.
#pragma once
#include "hw/common/params.h"
#include "hw/platform/platform_params.h"

namespace mmvp {

// Declares trace.* and kernel.*.
void declare_replay_params(Params& p);
// Every parameter mmvp knows (platform, trace, kernel) at its default.
Params all_params();

}  // namespace mmvp
