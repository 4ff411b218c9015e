/* A KYC server's offline check of a dump a client uploaded: the server chose the Active Authentication
 * challenge for this session and sent it to the client, which read the card with it
 * (`cccd-verify read --challenge HEX --dump DIR`, or cccd_read_options_set_challenge) and uploaded DIR.
 * The server verifies the dump against its trust store and ITS challenge: a dump signed over another
 * challenge (replayed from an earlier session, or made from a cloned data set) is not verified.
 *
 *   kyc_server DUMP_DIR CHALLENGE_HEX CSCA_FILE_OR_FOLDER
 *
 * Exit status: 0 verified, 1 not verified, 2 the dump could not be checked. */
#include <cccd/cccd.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The "status" of one finding in the result JSON ("passed", "failed" ...), "?" when absent. */
static const char* finding_status(const char* json, const char* finding, char* out, size_t out_size) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\": {", finding);
  const char* at = strstr(json, key);
  const char* status = at ? strstr(at, "\"status\": \"") : NULL;
  if (status == NULL) return "?";
  status += strlen("\"status\": \"");
  size_t n = 0;
  while (status[n] != '"' && status[n] != '\0' && n + 1 < out_size) ++n;
  memcpy(out, status, n);
  out[n] = '\0';
  return out;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s DUMP_DIR CHALLENGE_HEX CSCA\n", argv[0]);
    return 2;
  }
  uint8_t challenge[8];
  if (strlen(argv[2]) != 2 * sizeof challenge) {
    fprintf(stderr, "the challenge is 16 hex digits\n");
    return 2;
  }
  for (size_t i = 0; i < sizeof challenge; ++i) {
    const int high = hex_value(argv[2][2 * i]);
    const int low = hex_value(argv[2][2 * i + 1]);
    if (high < 0 || low < 0) {
      fprintf(stderr, "the challenge is 16 hex digits\n");
      return 2;
    }
    challenge[i] = (uint8_t)(high * 16 + low);
  }

  cccd_trust* trust = NULL;
  cccd_status status = cccd_trust_new(&trust);
  if (status == CCCD_OK) status = cccd_trust_add_path(trust, argv[3]);
  cccd_result* result = NULL;
  if (status == CCCD_OK) {
    status = cccd_verify_dump_with_challenge(argv[1], trust, challenge, sizeof challenge, &result);
  }
  cccd_trust_free(trust);
  if (status != CCCD_OK) {
    printf("kyc: cannot check the upload: %s: %s\n", cccd_status_name(status), cccd_last_error());
    return 2;
  }
  const char* json = cccd_result_json(result);
  char buffer[3][32];
  printf("kyc: data integrity %s, signer trust %s, chip authenticity %s\n",
         finding_status(json, "data_integrity", buffer[0], sizeof buffer[0]),
         finding_status(json, "signer_trust", buffer[1], sizeof buffer[1]),
         finding_status(json, "chip_authenticity", buffer[2], sizeof buffer[2]));
  const int verified = cccd_result_verified(result);
  printf("kyc: %s\n", verified ? "verified" : "NOT verified");
  cccd_result_free(result);
  return verified ? 0 : 1;
}
