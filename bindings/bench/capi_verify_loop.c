/* The C floor of bindings_bench.sh: one trust store from memory, then N verifications through the C API
 * with the server's challenge, each result freed, of either
 *   dump      a dump folder (cccd_verify_dump_with_challenge: the files read from disk each time), or
 *   evidence  an evidence document held in memory (cccd_evidence_from_document + cccd_verify_evidence
 *             each time: parsing the upload is part of the cost).
 * Prints the mean CPU time (of the verifying thread) per verification.
 *
 *   capi_verify_loop dump|evidence DUMP_DIR|DOCUMENT_FILE CSCA_FILE CHALLENGE_HEX ITERATIONS */
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

enum { MAX_INPUT = 8 << 20 };

static int read_file(const char* path, uint8_t** data, size_t* size) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) return 0;
  uint8_t* buffer = malloc(MAX_INPUT);
  *size = buffer ? fread(buffer, 1, MAX_INPUT, file) : 0;
  fclose(file);
  *data = buffer;
  return buffer != NULL && *size > 0;
}

/* One verification of the input; its verdict in *verified. */
static cccd_status verify_once(int evidence_mode, const char* folder, const uint8_t* document, size_t size,
                               const cccd_trust* trust, const cccd_verify_options* options,
                               const uint8_t* challenge, int* verified) {
  cccd_result* result = NULL;
  cccd_status status;
  if (evidence_mode) {
    cccd_evidence* evidence = NULL;
    status = cccd_evidence_from_document(document, size, &evidence);
    if (status == CCCD_OK) status = cccd_verify_evidence(evidence, trust, options, &result);
    cccd_evidence_free(evidence);
  } else {
    status = cccd_verify_dump_with_challenge(folder, trust, challenge, 8, &result);
  }
  if (status == CCCD_OK) *verified &= cccd_result_verified(result);
  cccd_result_free(result);
  return status;
}

int main(int argc, char** argv) {
  const int evidence_mode = argc == 6 && strcmp(argv[1], "evidence") == 0;
  if (argc != 6 || (!evidence_mode && strcmp(argv[1], "dump") != 0) || strlen(argv[4]) != 16) {
    fprintf(stderr, "usage: %s dump|evidence DUMP_DIR|DOCUMENT_FILE CSCA_FILE CHALLENGE_HEX ITERATIONS\n",
            argv[0]);
    return 2;
  }
  uint8_t challenge[8];
  for (int i = 0; i < 8; ++i) {
    unsigned value = 0;
    if (sscanf(argv[4] + 2 * i, "%2x", &value) != 1) return 2;
    challenge[i] = (uint8_t)value;
  }
  const long iterations = strtol(argv[5], NULL, 10);
  uint8_t *csca = NULL, *document = NULL;
  size_t csca_size = 0, document_size = 0;
  cccd_trust* trust = NULL;
  cccd_verify_options* options = NULL;
  if (iterations < 1 || !read_file(argv[3], &csca, &csca_size) || cccd_trust_new(&trust) != CCCD_OK ||
      cccd_trust_add_data(trust, csca, csca_size) != CCCD_OK ||
      cccd_verify_options_new(&options) != CCCD_OK ||
      cccd_verify_options_set_challenge(options, challenge, sizeof challenge) != CCCD_OK ||
      (evidence_mode && !read_file(argv[2], &document, &document_size))) {
    fprintf(stderr, "set-up failed: %s\n", cccd_last_error());
    return 2;
  }
  int verified = 1;
  const long warm_up = iterations / 10 + 1;
  double started = 0;
  for (long i = 0; i < warm_up + iterations; ++i) {
    if (i == warm_up) started = now_seconds();
    if (verify_once(evidence_mode, argv[2], document, document_size, trust, options, challenge, &verified) !=
        CCCD_OK) {
      fprintf(stderr, "verify: %s\n", cccd_last_error());
      return 2;
    }
  }
  const double seconds = now_seconds() - started;
  cccd_verify_options_free(options);
  cccd_trust_free(trust);
  free(document);
  free(csca);
  printf("c %.1f us/verification (%s, %ld, %s)\n", seconds / (double)iterations * 1e6, argv[1], iterations,
         verified ? "verified" : "NOT verified");
  return verified ? 0 : 1;
}
