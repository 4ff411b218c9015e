// Built only with CCCD_SANITIZE: proves that the sanitizer job really has its sanitizers on. Each mode
// commits one error on purpose; ctest passes only when the sanitizer's report for it appears, so a build
// that silently lost -fsanitize fails instead of passing every test unchecked.
//   sanitizer_canary heap-overflow | signed-overflow | leak
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  // The index, the operand and the size come from argc, so the compiler cannot see the error coming.
  if (std::strcmp(argv[1], "heap-overflow") == 0) {
    volatile char* bytes = static_cast<char*>(std::malloc(static_cast<std::size_t>(argc) * 4));
    bytes[argc * 4] = 1;  // one past the end
    std::free(const_cast<char*>(bytes));
  } else if (std::strcmp(argv[1], "signed-overflow") == 0) {
    volatile int value = INT_MAX - 2 + argc;
    std::printf("%d\n", value + 1);
  } else if (std::strcmp(argv[1], "leak") == 0) {
    void* volatile lost = std::malloc(static_cast<std::size_t>(argc) * 32);
    lost = nullptr;
    (void)lost;
  } else {
    return 2;
  }
  return 0;
}
