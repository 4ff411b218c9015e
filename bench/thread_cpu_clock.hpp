// The calling thread's CPU time, the clock every bench here measures work with: a thread's own time, so
// that the load generator, other threads and time the thread spent waiting are not counted.
#pragma once

#include <ctime>

namespace cccd::bench {

inline double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

}  // namespace cccd::bench
