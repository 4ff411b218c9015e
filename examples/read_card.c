/* Reads a CCCD through the libcccd C API and prints the verdict, the JSON and the photo size.
 *
 *   read_card_c ID_NUMBER BIRTH EXPIRY [CARD_FOLDER | pcsc:READER]
 *
 * Without CARD_FOLDER it reads the built-in virtual CCCD; "pcsc:READER" reads the card on the PC/SC
 * reader whose name contains READER. Exit status 0 only when verified. */
#include <cccd/cccd.h>

#include <stdio.h>
#include <string.h>

static int report_failure(const char* what, cccd_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, cccd_status_name(status), cccd_last_error());
  printf("%s\n", cccd_last_error_json()); /* the same failure for a program that reads JSON */
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: %s ID_NUMBER BIRTH EXPIRY [CARD_FOLDER | pcsc:READER]\n", argv[0]);
    return 2;
  }
  cccd_credentials* credentials = NULL;
  cccd_status status = cccd_credentials_from_id(argv[1], argv[2], argv[3], &credentials);
  if (status != CCCD_OK) return report_failure("credentials", status);

  cccd_result* result = NULL;
  const char* source = argc == 5 ? argv[4] : NULL;
  if (source != NULL && strncmp(source, "pcsc:", 5) == 0) {
    status = cccd_read_pcsc(source + 5, credentials, NULL, &result);
  } else {
    status = cccd_read_virtual(source, credentials, NULL, &result);
  }
  cccd_credentials_free(credentials); /* wipes the ID number and dates */
  if (status != CCCD_OK) return report_failure("read", status);

  const unsigned char* photo = NULL;
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
