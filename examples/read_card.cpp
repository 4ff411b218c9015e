// Reads the built-in virtual CCCD (or a card folder) through the libcccd C++ API and prints the verdict
// and the holder's name.
//
//   read_card_cpp ID_NUMBER BIRTH EXPIRY [CARD_FOLDER]
//
// Exit status: 0 verified, 1 not verified, 2 the read failed (the error's code and message).
#include <cccd/report.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::cerr << "usage: " << argv[0] << " ID_NUMBER BIRTH EXPIRY [CARD_FOLDER]\n";
    return 2;
  }
  try {
    const cccd::Credentials credentials = cccd::Credentials::from_id_number(argv[1], argv[2], argv[3]);
    cccd::CardSource source;  // a virtual card; CardSource::Kind::pcsc and a reader name for a real one
    if (argc == 5) source.folder = argv[4];
    // No trust store: a virtual card is checked against its own test CSCA, and the verdict says so.
    const cccd::Report report = cccd::read_and_verify(source, credentials, nullptr);
    std::cout << "verdict: " << (report.verdict.verified ? "verified" : "not verified") << '\n';
    for (const auto& [name, finding] : {std::pair{"access", &report.verdict.access},
                                        std::pair{"data integrity", &report.verdict.data_integrity},
                                        std::pair{"signer trust", &report.verdict.signer_trust},
                                        std::pair{"chip authenticity", &report.verdict.chip_authenticity},
                                        std::pair{"consistency", &report.verdict.consistency}}) {
      std::cout << "  " << name << ": " << cccd::status_name(finding->status) << '\n';
    }
    if (report.document.personal) std::cout << "name: " << report.document.personal->full_name() << '\n';
    return report.verdict.verified ? 0 : 1;
  } catch (const cccd::Error& e) {
    std::cerr << "read: " << cccd::error_code_name(e.code()) << ": " << e.what() << '\n';
    return 2;
  }
}
