// A deliberate data race: the TSan build's proof that ThreadSanitizer is really watching (its test passes
// only on the race report).
#include <cstdio>
#include <thread>

namespace {
int shared_counter = 0;  // written by two threads without synchronisation, on purpose
}

int main() {
  std::thread other([] { ++shared_counter; });
  ++shared_counter;
  other.join();
  std::printf("counter %d\n", shared_counter);
  return 0;
}
