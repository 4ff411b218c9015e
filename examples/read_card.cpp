// The libcccd C++ API (cccd/cccd.hpp, inline code over the C API): read and verify the card on a PC/SC
// reader, or verify a dump folder a phone or a desk wrote, against the CSCA certificates given.
//
//   read_card_cpp --trust CSCA (--reader NAME --can CAN | --dump DIR)
//
// Prints the verdict and the result's JSON. Exit status: 0 verified, 1 not verified, 2 failed.
#include <cccd/cccd.hpp>

#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  std::string trust_path, reader, can, dump;
  bool use_reader = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    const std::string value = argv[i + 1];
    if (option == "--trust") {
      trust_path = value;
    } else if (option == "--reader") {
      reader = value;
      use_reader = true;
    } else if (option == "--can") {
      can = value;
    } else if (option == "--dump") {
      dump = value;
    } else {
      std::cerr << "unknown option " << option << '\n';
      return 2;
    }
  }
  if (argc % 2 == 0 || trust_path.empty() || use_reader == !dump.empty()) {
    std::cerr << "usage: " << argv[0] << " --trust CSCA (--reader NAME --can CAN | --dump DIR)\n";
    return 2;
  }
  std::cout << "libcccd " << cccd::version() << '\n';
  try {
    cccd::Trust trust;
    trust.add_path(trust_path);
    const cccd::Result result = use_reader ? cccd::read_pcsc(reader, cccd::Credentials::from_can(can), &trust)
                                           : cccd::verify_dump(dump, trust);
    std::cout << result.json() << '\n';
    std::cout << "photo: " << result.photo().size() << " bytes\n";
    std::cout << "overall: " << (result.verified() ? "verified" : "not verified") << '\n';
    return result.verified() ? 0 : 1;
  } catch (const cccd::Error& e) {
    std::cerr << "read: " << e.name() << ": " << e.what() << '\n';
    return 2;
  }
}
