// The C API reading a virtual card through cccd_transport_new (the public transport interface), as an
// integrator's program reads its own transport; the card's test CSCA is given as trust explicitly.
//
//   capi_virtual_read ID_NUMBER BIRTH EXPIRY [CARD_FOLDER]
//
// Prints the photo size, the result JSON and "overall: verified|not verified"; on a failure
// "read: CODE: message" on stderr and the error JSON on stdout. Exit 0 verified, 1 not verified, 2 failed.
#include "unit/c_virtual_card.hpp"

#include <cccd/cccd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: %s ID_NUMBER BIRTH EXPIRY [CARD_FOLDER]\n", argv[0]);
    return 2;
  }
  const cccd::test::CVirtualCard card(argc == 5 ? argv[4] : "");
  cccd_credentials* credentials = nullptr;
  cccd_result* result = nullptr;
  cccd_status status = cccd_credentials_from_id(argv[1], argv[2], argv[3], &credentials);
  if (status == CCCD_OK) status = cccd_read(card.transport(), credentials, card.trust(), nullptr, &result);
  cccd_credentials_free(credentials);
  if (status != CCCD_OK) {
    std::fprintf(stderr, "read: %s: %s\n", cccd_status_name(status), cccd_last_error());
    std::printf("%s\n", cccd_last_error_json());
    return 2;
  }
  const std::uint8_t* photo = nullptr;
  std::size_t photo_size = 0;
  if (cccd_result_photo(result, &photo, &photo_size) == CCCD_OK)
    std::printf("photo: %zu bytes\n", photo_size);
  const int verified = cccd_result_verified(result);
  std::printf("%s\noverall: %s\n", cccd_result_json(result), verified ? "verified" : "not verified");
  cccd_result_free(result);
  return verified ? 0 : 1;
}
