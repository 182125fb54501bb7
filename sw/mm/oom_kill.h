// The OOM killer (mm/oom_kill.c): when an allocation that may use ZONE_NORMAL cannot
// be met after compaction and the per-CPU drain, the process with the highest
// oom_badness (resident pages + page-table pages, oom_score_adj 0 for all) is killed:
// Linux's report is printed, its memory reaped at once (as the oom_reaper does) and
// the allocation retried. SIGKILL is pending on the victim; the scheduler ends it.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// out_of_memory(): true if a victim other than the current task was killed and its
// memory freed (retry the allocation); false if there was no victim, or the victim is
// the current task (its allocation fails and it dies).
bool out_of_memory(Kernel& k, gfp_t gfp, int order);
// oom_badness(): the points of task t, or a negative value for a task that cannot be
// chosen (no mm, already a victim).
long oom_badness(Kernel& k, LAddr t);

}  // namespace mmvp::sw
