/* Verifies evidence from memory through the C API, as a KYC server would: nothing is read from or written
 * to a file by this program or the library (tests/no_file_verify_test.sh runs it under strace).
 *
 *   verify_evidence_c document|buffers [CHALLENGE_HEX]  <EVIDENCE  3<CSCA_CERTIFICATES
 *
 * document: stdin is an evidence document. buffers: stdin is a sequence of records, each a NUL-terminated
 * name, a 4-byte big-endian length and that many bytes: "EF.COM", "DG1" ... (files), "aa.challenge",
 * "aa.signature", "access.protocol", "access.note", "ca.protocol", "ca.result", "ca.note" (the app's
 * record of Chip Authentication), "denied" and "absent" (a file name); the evidence is built from them one
 * buffer at a time.
 * fd 3: the CSCA certificates (PEM or DER). Prints the result JSON; exit 0 verified, 1 not, 2 error. */
#include <cccd/cccd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  uint8_t* data;
  size_t size;
} buffer;

static int read_all(int fd, buffer* out) {
  size_t capacity = 1 << 16;
  out->data = malloc(capacity);
  out->size = 0;
  if (!out->data) return -1;
  for (;;) {
    if (out->size == capacity) {
      capacity *= 2;
      uint8_t* bigger = realloc(out->data, capacity);
      if (!bigger) return -1;
      out->data = bigger;
    }
    ssize_t n = read(fd, out->data + out->size, capacity - out->size);
    if (n < 0) return -1;
    if (n == 0) return 0;
    out->size += (size_t)n;
  }
}

static int fail(const char* what, cccd_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, cccd_status_name(status), cccd_last_error());
  return 2;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The records of `input` into `evidence`. */
/* A record's text into `out` (NUL-terminated); 0 when it does not fit. */
static int copy_text(char* out, size_t out_size, const uint8_t* value, size_t length) {
  if (length >= out_size) return 0;
  memcpy(out, value, length);
  out[length] = '\0';
  return 1;
}

static int build_from_buffers(const buffer* input, cccd_evidence* evidence) {
  const uint8_t* challenge = NULL;
  size_t challenge_size = 0;
  const uint8_t* signature = NULL;
  size_t signature_size = 0;
  char protocol[65] = "";
  char note[513] = "";
  char ca_protocol[65] = "";
  char ca_result[16] = "";
  char ca_note[513] = "";
  size_t at = 0;
  while (at < input->size) {
    const char* name = (const char*)input->data + at;
    size_t name_length = strnlen(name, input->size - at);
    if (at + name_length + 5 > input->size) return fail("records", CCCD_ERR_MALFORMED_DATA);
    at += name_length + 1;
    const uint8_t* p = input->data + at;
    size_t length = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
    at += 4;
    if (length > input->size - at) return fail("records", CCCD_ERR_MALFORMED_DATA);
    const uint8_t* value = input->data + at;
    at += length;
    if (strcmp(name, "aa.challenge") == 0) {
      challenge = value;
      challenge_size = length;
    } else if (strcmp(name, "aa.signature") == 0) {
      signature = value;
      signature_size = length;
    } else if ((strcmp(name, "denied") == 0 || strcmp(name, "absent") == 0) && length < 32) {
      char file[32];
      memcpy(file, value, length);
      file[length] = '\0';
      cccd_status status = strcmp(name, "denied") == 0 ? cccd_evidence_add_denied(evidence, file)
                                                       : cccd_evidence_add_absent(evidence, file);
      if (status != CCCD_OK) return fail("cccd_evidence_add_denied/absent", status);
    } else if (strcmp(name, "access.protocol") == 0 && copy_text(protocol, sizeof protocol, value, length)) {
    } else if (strcmp(name, "access.note") == 0 && copy_text(note, sizeof note, value, length)) {
    } else if (strcmp(name, "ca.protocol") == 0 &&
               copy_text(ca_protocol, sizeof ca_protocol, value, length)) {
    } else if (strcmp(name, "ca.result") == 0 && copy_text(ca_result, sizeof ca_result, value, length)) {
    } else if (strcmp(name, "ca.note") == 0 && copy_text(ca_note, sizeof ca_note, value, length)) {
    } else {
      cccd_status status = cccd_evidence_set_file(evidence, name, value, length);
      if (status != CCCD_OK) return fail("cccd_evidence_set_file", status);
    }
  }
  cccd_status status = cccd_evidence_set_access(evidence, protocol, note[0] ? note : NULL);
  if (status != CCCD_OK) return fail("cccd_evidence_set_access", status);
  if (ca_protocol[0] != '\0') {
    status = cccd_evidence_set_chip_authentication(evidence, ca_protocol, ca_result, ca_note);
    if (status != CCCD_OK) return fail("cccd_evidence_set_chip_authentication", status);
  }
  if (challenge != NULL) {
    status = cccd_evidence_set_active_authentication(evidence, challenge, challenge_size, signature,
                                                     signature_size);
    if (status != CCCD_OK) return fail("cccd_evidence_set_active_authentication", status);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2 || (strcmp(argv[1], "document") != 0 && strcmp(argv[1], "buffers") != 0)) {
    fprintf(stderr, "usage: %s document|buffers [CHALLENGE_HEX] <EVIDENCE 3<CSCA\n", argv[0]);
    return 2;
  }
  buffer input, csca;
  if (read_all(0, &input) != 0 || read_all(3, &csca) != 0) {
    fprintf(stderr, "cannot read stdin or fd 3\n");
    return 2;
  }
  int code = 2;
  cccd_trust* trust = NULL;
  cccd_evidence* evidence = NULL;
  cccd_verify_options* options = NULL;
  cccd_result* result = NULL;
  cccd_status status = cccd_trust_new(&trust);
  if (status == CCCD_OK) status = cccd_trust_add_data(trust, csca.data, csca.size);
  if (status != CCCD_OK) {
    code = fail("trust", status);
    goto done;
  }
  if (strcmp(argv[1], "document") == 0) {
    status = cccd_evidence_from_document(input.data, input.size, &evidence);
    if (status != CCCD_OK) {
      code = fail("cccd_evidence_from_document", status);
      goto done;
    }
  } else {
    status = cccd_evidence_new(&evidence);
    if (status != CCCD_OK || build_from_buffers(&input, evidence) != 0) goto done;
  }
  status = cccd_verify_options_new(&options);
  if (status != CCCD_OK) goto done;
  if (argc > 2) {
    uint8_t challenge[8];
    if (strlen(argv[2]) != 16) {
      fprintf(stderr, "the challenge is 16 hex digits\n");
      goto done;
    }
    for (int i = 0; i < 8; ++i) {
      int high = hex_digit(argv[2][2 * i]), low = hex_digit(argv[2][2 * i + 1]);
      if (high < 0 || low < 0) {
        fprintf(stderr, "the challenge is 16 hex digits\n");
        goto done;
      }
      challenge[i] = (uint8_t)(high * 16 + low);
    }
    status = cccd_verify_options_set_challenge(options, challenge, sizeof challenge);
    if (status != CCCD_OK) {
      code = fail("cccd_verify_options_set_challenge", status);
      goto done;
    }
  }
  status = cccd_verify_evidence(evidence, trust, options, &result);
  if (status != CCCD_OK) {
    code = fail("cccd_verify_evidence", status);
    goto done;
  }
  printf("%s\n", cccd_result_json(result));
  code = cccd_result_verified(result) ? 0 : 1;
done:
  cccd_result_free(result);
  cccd_verify_options_free(options);
  cccd_evidence_free(evidence);
  cccd_trust_free(trust);
  free(input.data);
  free(csca.data);
  return code;
}
