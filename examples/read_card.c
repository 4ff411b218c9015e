/* Reads a CCCD through the libcccd C API and prints the verdict, the JSON and the photo size.
 *
 *   read_card_c ID_NUMBER BIRTH EXPIRY [pcsc:READER | nfc:CONNSTRING] [CSCA]
 *
 * "pcsc:READER" reads the card on the PC/SC reader whose name contains READER (without it: the first
 * PC/SC reader); "nfc:CONNSTRING" a libnfc reader. CSCA (a certificate file or folder) is the trust;
 * without it signer trust is unknown and the card cannot be verified. Exit status 0 only when verified. */
#include <cccd/cccd.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int report_failure(const char* what, cccd_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, cccd_status_name(status), cccd_last_error());
  printf("%s\n", cccd_last_error_json()); /* the same failure for a program that reads JSON */
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    fprintf(stderr, "usage: %s ID_NUMBER BIRTH EXPIRY [pcsc:READER | nfc:CONNSTRING] [CSCA]\n", argv[0]);
    return 2;
  }
  printf("libcccd %s (built against %s)\n", cccd_version(), CCCD_VERSION_STRING);
  const char* source = argc >= 5 ? argv[4] : "pcsc:";
  cccd_transport* transport = NULL;
  cccd_status status;
  if (strncmp(source, "pcsc:", 5) == 0) {
    status = cccd_transport_pcsc_new(source + 5, &transport);
  } else if (strncmp(source, "nfc:", 4) == 0) {
    status = cccd_transport_nfc_new(source + 4, &transport);
  } else {
    fprintf(stderr, "the source must be pcsc:READER or nfc:CONNSTRING\n");
    return 2;
  }
  if (status != CCCD_OK) return report_failure("transport", status);

  cccd_credentials* credentials = NULL;
  cccd_trust* trust = NULL;
  cccd_result* result = NULL;
  status = cccd_credentials_from_id(argv[1], argv[2], argv[3], &credentials);
  if (status == CCCD_OK && argc == 6) {
    status = cccd_trust_new(&trust);
    if (status == CCCD_OK) status = cccd_trust_add_path(trust, argv[5]);
  }
  if (status == CCCD_OK) status = cccd_read(transport, credentials, trust, NULL, &result);
  cccd_credentials_free(credentials); /* wipes the ID number and dates */
  cccd_trust_free(trust);
  cccd_transport_free(transport);
  if (status != CCCD_OK) return report_failure("read", status);

  const uint8_t* photo = NULL;
  size_t photo_size = 0;
  if (cccd_result_photo(result, &photo, &photo_size) == CCCD_OK) {
    printf("photo: %zu bytes, starts %02X %02X\n", photo_size, photo[0], photo[1]);
  }
  int verified = cccd_result_verified(result);
  printf("%s\n", cccd_result_json(result));
  printf("overall: %s\n", verified ? "verified" : "not verified");
  cccd_result_free(result);
  return verified ? 0 : 1;
}
