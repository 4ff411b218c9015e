/* The C floor of bindings_bench.sh: one trust store from memory, then N verifications of a dump with the
 * server's challenge through the C API, each result freed. Prints the mean CPU time (of the
 * verifying thread) per verification.
 *
 *   capi_verify_loop DUMP_DIR CSCA_FILE CHALLENGE_HEX ITERATIONS */
#define _POSIX_C_SOURCE 200809L
#include <cccd/cccd.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread: the verification runs on it, and on a machine shared with other jobs the
 * wall time measures the scheduler as much as the code. */
static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int read_file(const char* path, uint8_t** data, size_t* size) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) return 0;
  uint8_t* buffer = malloc(1 << 20);
  *size = buffer ? fread(buffer, 1, 1 << 20, file) : 0;
  fclose(file);
  *data = buffer;
  return buffer != NULL && *size > 0;
}

int main(int argc, char** argv) {
  if (argc != 5 || strlen(argv[3]) != 16) {
    fprintf(stderr, "usage: %s DUMP_DIR CSCA_FILE CHALLENGE_HEX ITERATIONS\n", argv[0]);
    return 2;
  }
  uint8_t challenge[8];
  for (int i = 0; i < 8; ++i) {
    unsigned value = 0;
    if (sscanf(argv[3] + 2 * i, "%2x", &value) != 1) return 2;
    challenge[i] = (uint8_t)value;
  }
  const long iterations = strtol(argv[4], NULL, 10);
  uint8_t* csca = NULL;
  size_t csca_size = 0;
  cccd_trust* trust = NULL;
  if (iterations < 1 || !read_file(argv[2], &csca, &csca_size) || cccd_trust_new(&trust) != CCCD_OK ||
      cccd_trust_add_data(trust, csca, csca_size) != CCCD_OK) {
    fprintf(stderr, "set-up failed: %s\n", cccd_last_error());
    return 2;
  }
  int verified = 1;
  const long warm_up = iterations / 10 + 1;
  double started = 0;
  for (long i = 0; i < warm_up + iterations; ++i) {
    if (i == warm_up) started = now_seconds();
    cccd_result* result = NULL;
    if (cccd_verify_dump_with_challenge(argv[1], trust, challenge, sizeof challenge, &result) != CCCD_OK) {
      fprintf(stderr, "verify: %s\n", cccd_last_error());
      return 2;
    }
    verified &= cccd_result_verified(result);
    cccd_result_free(result);
  }
  const double seconds = now_seconds() - started;
  cccd_trust_free(trust);
  free(csca);
  printf("c %.1f us/verification (%ld, %s)\n", seconds / (double)iterations * 1e6, iterations,
         verified ? "verified" : "NOT verified");
  return verified ? 0 : 1;
}
