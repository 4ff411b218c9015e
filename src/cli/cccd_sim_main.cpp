// cccd-sim: personalises virtual CCCDs (card folders with a test PKI) and shows what a card folder holds.
//
//   cccd-sim personalise DIR [--id ID] [--name NAME] [--birth DATE] [--expiry DATE|none] [--issue DATE]
//                            [--sex M|F] [--seed N] [--signer ecdsa|rsa] [--pace MAPPING:PARAM:CIPHER|none]
//                            [--face jpeg|jp2]
//                            [--ca none|v1|v2] [--aa none|rsa|ecdsa] [--fault NAME]
//                            [--card-access-extras] [CHIP SWITCHES]
//   cccd-sim --list-faults
//   cccd-sim clone SRC DST
//   cccd-sim show DIR
//   cccd-sim serve [DIR] [--vpcd HOST:PORT | --vpcd-fd FD] [--remove-at N,M...] [--reinsert-after-ms MS]
//                  [CHIP SWITCHES]
//   CHIP SWITCHES (other chips' behaviours): [--sfi-relative] [--no-sfi-under-sm 6A82|6A86|6D00]
//                                            [--atr-info] [--no-extended-length]
//   cccd-sim serve-pn532 [DIR]
//
// Exit codes as cccd-verify: 0 done, 2 bad command line or argument, 5 the link to the vpcd driver failed,
// 7 a file or folder could not be read or written, 8 internal. Nothing personal is printed but what the user
// typed into this command.
#include "cli/terminal_text.hpp"
#include "crypto/pace_domain.hpp"
#include "lds/lds.hpp"
#include "lds/qr_line.hpp"
#include "sim/card_faults.hpp"
#include "sim/card_folder.hpp"
#include "sim/clone_card.hpp"
#include "sim/faulty_card_channel.hpp"
#include "sim/foreign_chip.hpp"
#include "sim/generator.hpp"
#include "sim/pn532_emulator.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card.hpp"
#include "sim/vpcd_link.hpp"
#include "util/message_text.hpp"

#include <cccd/error.hpp>
#include <cccd/files.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using cccd::Error;
using cccd::ErrorCode;

// Everything cccd-sim prints that it did not write itself (folder names, the holder's data, error texts
// that may quote a card folder's files) passes through the terminal escaper, as in cccd-verify; error
// texts are also bounded (a long path shortened in the middle).
std::string shown(std::string_view text) {
  return cccd::cli::terminal_safe(text);
}
std::string shown_error(const std::exception& e) {
  return cccd::cli::terminal_safe(cccd::bounded_message(e.what()));
}

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitCommunication = 5;
constexpr int kExitFile = 7;
constexpr int kExitInternal = 8;

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return kExitUsage;
    case ErrorCode::io:
    case ErrorCode::limit_exceeded:
    case ErrorCode::malformed_data:
    case ErrorCode::file_not_found:
      return kExitFile;
    default:
      return kExitInternal;
  }
}

// The library's validation message without its "holder: " prefix.
std::string reason(const Error& error) {
  std::string message = error.what();
  const std::string prefix = "holder: ";
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  return message;
}

// A folder is safe to (re)write when it does not exist, is empty, or holds only card folder files:
// write_card_folder sets its mode to 0700 and replaces those files.
bool safe_to_write(const fs::path& folder) {
  std::error_code error;
  if (!fs::exists(folder, error)) return true;
  if (!fs::is_directory(folder, error)) return false;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (!cccd::file_from_name(name) && name != cccd::sim::kSecretsFileName &&
        name != cccd::sim::kCscaFileName && name != "read.json") {
      return false;
    }
  }
  return !error;
}

// Behaviours of chips other than the CCCD (CardSecrets): `personalise` writes them into the card's
// secrets, `serve` turns them on for the card it serves.
struct ChipSwitches {
  bool sfi_relative = false;
  std::string no_sfi_under_sm;  // the status word, e.g. 6A82
  bool atr_info = false;
  bool no_extended_length = false;

  void add_to(CLI::App* command) {
    command->add_flag("--sfi-relative", sfi_relative,
                      "The chip resolves short file identifiers relative to the current DF (EF.CardAccess "
                      "only from the MF, which it lets be selected), and keeps its state between sessions");
    command
        ->add_option("--no-sfi-under-sm", no_sfi_under_sm,
                     "The chip answers this status word to every READ BINARY by short file identifier under "
                     "secure messaging")
        ->check(CLI::IsMember({"6A82", "6A86", "6D00"}));
    command->add_flag("--atr-info", atr_info,
                      "The chip has EF.ATR/INFO (2F01) announcing its extended length (ExtendedLengthInfo)");
    command->add_flag("--no-extended-length", no_extended_length,
                      "The chip refuses extended-length APDUs (6700)");
  }
  void apply(cccd::sim::CardSecrets& secrets) const {
    if (sfi_relative) secrets.sfi_relative_to_current_df = true;
    if (std::optional<std::uint16_t> word = cccd::sim::sfi_refusal_from_text(no_sfi_under_sm))
      secrets.sfi_refused_under_secure_messaging = *word;
    if (atr_info) secrets.atr_info = true;
    if (no_extended_length) secrets.extended_length = false;
  }
};

struct PersonaliseOptions {
  ChipSwitches chip;
  bool card_access_extras = false;
  std::string folder;
  std::optional<std::string> id, name, birth, expiry, issue, sex, pace;
  std::uint64_t seed = 1;
  std::string signer = "ecdsa";
  std::string face = "jpeg";
  std::string ca = "none";
  std::string aa = "none";
  std::string fault;  // a CardFault's name: a hostile card
};

// What `--pace` asked for: the profile's EF.CardAccess (option absent), none (a BAC-only card), or an
// offer. The message of a bad value says what is allowed.
struct PaceChoice {
  bool no_card_access = false;
  std::optional<cccd::sim::PaceOffer> offer;
  std::string error;  // non-empty: the value is not usable
};

PaceChoice parse_pace(const std::string& text) {
  using cccd::crypto::CipherKind;
  using cccd::lds::PaceMapping;
  PaceChoice choice;
  if (text == "none") {
    choice.no_card_access = true;
    return choice;
  }
  const std::size_t first = text.find(':');
  const std::size_t second = first == std::string::npos ? first : text.find(':', first + 1);
  if (second == std::string::npos || text.find(':', second + 1) != std::string::npos) {
    choice.error = "expected MAPPING:PARAM:CIPHER (e.g. im:16:aes256) or none";
    return choice;
  }
  const std::string mapping = text.substr(0, first);
  const std::string parameter = text.substr(first + 1, second - first - 1);
  const std::string cipher = text.substr(second + 1);

  cccd::sim::PaceOffer offer;
  if (mapping == "gm") {
    offer.mapping = PaceMapping::generic;
  } else if (mapping == "im") {
    offer.mapping = PaceMapping::integrated;
  } else if (mapping == "cam") {
    offer.mapping = PaceMapping::chip_authentication;
  } else {
    choice.error = "the mapping must be gm, im or cam";
    return choice;
  }
  const bool digits = !parameter.empty() && parameter.size() <= 2 &&
                      parameter.find_first_not_of("0123456789") == std::string::npos;
  const int id = digits ? std::stoi(parameter) : -1;
  if (id < 0 || id > 18) {
    choice.error = "the parameter id must be 0-2 (DH) or 8-18 (ECDH)";
    return choice;
  }
  if (id >= 3 && id <= 7) {
    choice.error = "parameter ids 3-7 are reserved; use 0-2 (DH) or 8-18 (ECDH)";
    return choice;
  }
  offer.parameter_id = id;
  if (cipher == "3des") {
    offer.cipher = CipherKind::tdes;
  } else if (cipher == "aes128") {
    offer.cipher = CipherKind::aes128;
  } else if (cipher == "aes192") {
    offer.cipher = CipherKind::aes192;
  } else if (cipher == "aes256") {
    offer.cipher = CipherKind::aes256;
  } else {
    choice.error = "the cipher must be 3des, aes128, aes192 or aes256";
    return choice;
  }
  if (offer.mapping == PaceMapping::integrated && id == 10) {
    choice.error = "Integrated Mapping (im) does not support P-224 (id 10)";
    return choice;
  }
  if (offer.mapping == PaceMapping::chip_authentication) {
    if (id <= 2) {
      choice.error = "Chip Authentication Mapping (cam) needs an ECDH parameter id (8-18)";
      return choice;
    }
    if (offer.cipher == CipherKind::tdes) {
      choice.error =
          "3DES is not allowed with Chip Authentication Mapping (cam): use aes128, aes192 or aes256";
      return choice;
    }
  }
  choice.offer = offer;
  return choice;
}

std::string describe(const PaceChoice& choice) {
  if (choice.no_card_access) return "no EF.CardAccess (BAC only)";
  if (!choice.offer) return "the CCCD profile's EF.CardAccess (PACE-GM, brainpoolP256r1, AES-128)";
  const cccd::sim::PaceOffer& offer = *choice.offer;
  const char* mapping = offer.mapping == cccd::lds::PaceMapping::generic      ? "PACE-GM"
                        : offer.mapping == cccd::lds::PaceMapping::integrated ? "PACE-IM"
                                                                              : "PACE-CAM";
  return std::string(mapping) + ", " + cccd::crypto::PaceDomain::standardized(offer.parameter_id).name() +
         " (id " + std::to_string(offer.parameter_id) + "), " +
         std::string(cccd::crypto::cipher_name(offer.cipher));
}

int personalise(const PersonaliseOptions& options) {
  cccd::sim::GeneratorOptions generator;
  generator.seed = options.seed;
  generator.signer = options.signer == "rsa" ? cccd::sim::SignerAlgorithm::rsa_2048
                                             : cccd::sim::SignerAlgorithm::ecdsa_brainpool_p256r1;
  generator.face_format =
      options.face == "jp2" ? cccd::sim::FaceFormat::jpeg2000 : cccd::sim::FaceFormat::jpeg;
  // Each option is checked on its own first, so that the error names the option at fault.
  const std::pair<const char*, std::function<void(cccd::sim::Holder&)>> fields[] = {
      {"--id",
       [&](cccd::sim::Holder& h) {
         if (options.id) h.id_number = *options.id;
       }},
      {"--name",
       [&](cccd::sim::Holder& h) {
         if (options.name) h.full_name = *options.name;
       }},
      {"--birth",
       [&](cccd::sim::Holder& h) {
         if (options.birth) h.birth = *options.birth;
       }},
      {"--expiry",
       [&](cccd::sim::Holder& h) {
         if (options.expiry) h.expiry = *options.expiry;
       }},
      {"--issue",
       [&](cccd::sim::Holder& h) {
         if (options.issue) h.issue = *options.issue;
       }},
      {"--sex",
       [&](cccd::sim::Holder& h) {
         if (options.sex) h.sex = *options.sex;
       }},
  };
  for (const auto& [option, apply] : fields) {
    cccd::sim::Holder alone;
    apply(alone);
    try {
      cccd::sim::validate_holder(alone);
    } catch (const Error& e) {
      std::cerr << "cccd-sim personalise: " << option << ": " << shown(reason(e)) << "\n";
      return kExitUsage;
    }
    apply(generator.holder);
  }

  PaceChoice pace;
  if (options.pace) {
    pace = parse_pace(*options.pace);
    if (!pace.error.empty()) {
      std::cerr << "cccd-sim personalise: --pace: " << pace.error << "\n";
      return kExitUsage;
    }
    generator.pace = pace.offer;
    generator.no_card_access = pace.no_card_access;
  }
  if (options.ca != "none") {
    if (generator.pace && generator.pace->mapping == cccd::lds::PaceMapping::chip_authentication) {
      std::cerr << "cccd-sim personalise: --ca: a PACE-CAM card already has its Chip Authentication key\n";
      return kExitUsage;
    }
    generator.chip_authentication = options.ca == "v1" ? cccd::sim::chip_authentication_offer_v1()
                                                       : cccd::sim::chip_authentication_offer_v2();
  }

  generator.active_authentication.algorithm = options.aa == "rsa"     ? cccd::sim::AaAlgorithm::rsa
                                              : options.aa == "ecdsa" ? cccd::sim::AaAlgorithm::ecdsa
                                                                      : cccd::sim::AaAlgorithm::none;

  const fs::path folder(options.folder);
  if (!safe_to_write(folder)) {
    std::cerr << "cccd-sim personalise: " << shown(options.folder)
              << " exists and holds files other than a card's; choose a new or empty folder\n";
    return kExitUsage;
  }
  std::optional<cccd::sim::CardFault> fault;
  if (!options.fault.empty()) {
    fault = cccd::sim::card_fault_from_name(options.fault);
    if (!fault) {
      std::cerr << "cccd-sim personalise: --fault: not a fault of the catalogue (see --list-faults)\n";
      return kExitUsage;
    }
  }
  cccd::sim::CardData card = cccd::sim::generate_card(generator);
  if (fault) {
    if (std::optional<std::string_view> why = cccd::sim::fault_inapplicable_reason(card, *fault)) {
      std::cerr << "cccd-sim personalise: --fault " << shown(options.fault) << ": " << *why << "\n";
      return kExitUsage;
    }
    // Card-data faults alter the files (EF.SOD re-signed with the card's test DS); the others are the
    // chip's behaviour, kept in the secrets for `serve`.
    card = cccd::sim::apply_card_data_fault(std::move(card), *fault,
                                            cccd::sim::make_test_pki(generator.signer, generator.seed));
    card.secrets.fault = options.fault;
  }
  options.chip.apply(card.secrets);
  if (options.card_access_extras) {
    auto card_access = card.files.find(cccd::FileId::card_access);
    if (card_access == card.files.end()) {
      std::cerr
          << "cccd-sim personalise: --card-access-extras: the card has no EF.CardAccess (--pace none)\n";
      return kExitUsage;
    }
    card_access->second = cccd::sim::card_access_with_foreign_entries(card_access->second);
  }
  cccd::sim::write_card_folder(card, folder);

  const cccd::sim::Holder& h = generator.holder;
  const fs::path csca = folder / cccd::sim::kCscaFileName;
  std::cout << "Personalised a virtual CCCD in " << shown(options.folder) << " (seed " << options.seed << ", "
            << (options.signer == "rsa" ? "RSA-2048" : "ECDSA brainpoolP256r1") << " signer)\n"
            << "Access: " << describe(pace) << "\n"
            << "Chip Authentication: "
            << (options.ca == "v1"   ? "v1, MSE:Set KAT, ECDH brainpoolP256r1, 3DES"
                : options.ca == "v2" ? "v2, MSE:Set AT + General Authenticate, ECDH brainpoolP256r1, AES-128"
                                     : "none")
            << "\n"
            << "Active Authentication: "
            << (options.aa == "rsa"     ? "RSA-2048, ISO/IEC 9796-2 (SHA-1)"
                : options.aa == "ecdsa" ? "ECDSA brainpoolP256r1 with SHA-256"
                                        : "none")
            << "\n"
            << "Test CSCA (not a real authority): " << shown(csca.string()) << "\n"
            << "Read it with:\n"
            << "  cccd-verify read --sim " << shown(options.folder) << " --id " << shown(h.id_number)
            << " --birth " << shown(h.birth) << " --expiry " << shown(h.expiry) << " --trust "
            << shown(csca.string()) << "\n";
  return kExitOk;
}

// `clone SRC DST`: the same files and access data, every private key new (sim/clone_card.hpp).
int clone(const std::string& source_text, const std::string& target_text) {
  const fs::path target(target_text);
  std::error_code error;
  const bool same = fs::equivalent(fs::path(source_text), target, error);  // false when DST does not exist
  if (same || !safe_to_write(target)) {
    std::cerr << "cccd-sim clone: " << shown(target_text)
              << " is the source or holds files other than a card's; choose a new or empty folder\n";
    return kExitUsage;
  }
  const cccd::sim::CardData original = cccd::sim::load_card_folder(source_text);
  cccd::sim::write_card_folder(cccd::sim::clone_card(original), target);
  std::cout << "Cloned " << shown(source_text) << " to " << shown(target_text)
            << ": the same files and access data, new private keys (its Chip and Active Authentication "
               "fail)\n";
  return kExitOk;
}

int show(const std::string& folder_text) {
  const fs::path folder(folder_text);
  const cccd::sim::CardData card = cccd::sim::load_card_folder(folder);
  std::cout << shown(folder_text) << ":\n";
  for (const auto& [id, bytes] : card.files) {
    std::cout << "  " << std::string(cccd::file_name(id)) << std::string(16 - cccd::file_name(id).size(), ' ')
              << bytes.size() << " bytes\n";
  }
  if (card.files.empty()) std::cout << "  (no EF files)\n";
  std::error_code error;
  if (fs::exists(folder / cccd::sim::kSecretsFileName, error)) {
    std::cout << "  " << cccd::sim::kSecretsFileName << " (access data, not shown)\n";
  }
  if (!card.csca_pem.empty()) std::cout << "  " << cccd::sim::kCscaFileName << " (test CSCA)\n";
  return kExitOk;
}

// `qr [DIR]`: the line the card's printed QR code gives, as a counter's scanner types it (one line on
// stdout), made from its DG13: tests and the demo type it at cccd-verify's question.
int print_qr_line(const std::string& folder) {
  const cccd::sim::CardData card =
      folder.empty() ? cccd::sim::default_card() : cccd::sim::load_card_folder(fs::path(folder));
  const auto dg13 = card.files.find(cccd::FileId::dg13);
  if (dg13 == card.files.end()) throw Error(ErrorCode::file_not_found, "the card has no DG13");
  std::cout << cccd::lds::qr_line_of(cccd::lds::parse_dg13(dg13->second)) << std::endl;
  return kExitOk;
}

// Set by SIGINT / SIGTERM: `serve` sees it within its poll interval and returns.
std::atomic<bool> stop_serving{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

extern "C" void request_stop(int) {
  stop_serving.store(true);
}

struct ServeOptions {
  ChipSwitches chip;
  std::string folder;  // empty: the built-in default card
  std::string vpcd = "localhost:" + std::to_string(cccd::sim::kVpcdDefaultPort);
  // Tearing, for tests: the card leaves the field at these APDU indexes and comes back after a pause.
  std::vector<std::uint64_t> remove_at;
  unsigned reinsert_after_ms = 500;
  // An inherited socket already connected to the driver (-1: connect to `vpcd`).
  int vpcd_fd = -1;
};

int serve(const ServeOptions& options) {
  const std::size_t colon = options.vpcd.rfind(':');
  const std::string host = colon == std::string::npos ? std::string() : options.vpcd.substr(0, colon);
  const std::string port_text = colon == std::string::npos ? std::string() : options.vpcd.substr(colon + 1);
  const bool digits = !port_text.empty() && port_text.size() <= 5 &&
                      port_text.find_first_not_of("0123456789") == std::string::npos;
  const long port = digits ? std::stol(port_text) : 0;
  if (options.vpcd_fd < 0 && (host.empty() || port < 1 || port > 65535)) {
    std::cerr << "cccd-sim serve: --vpcd: expected HOST:PORT with a port 1-65535 (e.g. localhost:35963)\n";
    return kExitUsage;
  }

  cccd::sim::CardData data = options.folder.empty() ? cccd::sim::default_card()
                                                    : cccd::sim::load_card_folder(fs::path(options.folder));
  options.chip.apply(data.secrets);
  cccd::sim::VirtualCard card(data);

  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  cccd::sim::VpcdLink link;
  try {
    if (options.vpcd_fd >= 0) {
      link.attach(options.vpcd_fd);
    } else {
      link.connect(host, static_cast<std::uint16_t>(port));
    }
    std::cout << "Serving " << (options.folder.empty() ? "the built-in virtual CCCD" : shown(options.folder))
              << " to the vpcd driver at "
              << (options.vpcd_fd >= 0 ? "socket " + std::to_string(options.vpcd_fd) : shown(options.vpcd))
              << " (Ctrl-C to stop)" << std::endl;
    std::vector<std::uint64_t> removals = options.remove_at;
    std::sort(removals.begin(), removals.end());
    std::size_t next_removal = 0;
    for (;;) {
      const std::uint64_t leave_at =
          next_removal < removals.size() ? removals[next_removal] : cccd::sim::kNeverLeave;
      const cccd::sim::VpcdServeEnd end = link.serve(card, stop_serving, leave_at);
      if (end == cccd::sim::VpcdServeEnd::card_left) {
        ++next_removal;
        std::cout << "The card left the field at APDU " << leave_at << std::endl;
        // Out of the field for a while, then back (a new connection is a card put on the reader).
        for (unsigned waited = 0; waited < options.reinsert_after_ms && !stop_serving.load(); waited += 10) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        // An inherited socket cannot be opened again: the card stays away.
        if (stop_serving.load() || options.vpcd_fd >= 0) break;
        link.connect(host, static_cast<std::uint16_t>(port));
        std::cout << "The card is back" << std::endl;
        continue;
      }
      std::cout << (end == cccd::sim::VpcdServeEnd::stopped ? "Stopped"
                                                            : "The vpcd driver closed the connection")
                << std::endl;
      break;
    }
  } catch (const Error& e) {
    if (e.code() != ErrorCode::transport && e.code() != ErrorCode::timeout &&
        e.code() != ErrorCode::limit_exceeded) {
      throw;
    }
    std::cerr << "cccd-sim serve: " << cccd::to_string(e.code()) << ": " << shown_error(e) << "\n";
    return kExitCommunication;
  }
  return kExitOk;
}

// `serve-pn532 [DIR]`: the card in the field of an emulated PN532 on a new pseudo-terminal, for libnfc's
// pn532_uart driver. The connstring is the only line on stdout (flushed), so a script can read it.
int serve_pn532(const std::string& folder) {
  const cccd::sim::CardData data =
      folder.empty() ? cccd::sim::default_card() : cccd::sim::load_card_folder(fs::path(folder));
  cccd::sim::VirtualCard card(data);

  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  cccd::sim::Pn532Emulator emulator(card);
  try {
    emulator.start();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::transport) throw;
    std::cerr << "cccd-sim serve-pn532: " << shown_error(e) << "\n";
    return kExitCommunication;
  }
  std::cout << emulator.connstring() << std::endl;
  std::cerr << "Serving " << (folder.empty() ? "the built-in virtual CCCD" : shown(folder))
            << " on an emulated PN532 (Ctrl-C to stop)" << std::endl;
  while (!stop_serving.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  emulator.stop();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cccd-sim: virtual CCCD cards for development and tests (test PKI, not real documents)"};
  app.require_subcommand(0, 1);
  bool list_faults = false;
  app.add_flag("--list-faults", list_faults,
               "List the hostile card's faults (personalise --fault NAME): name, what the card does, and "
               "the outcome libcccd must give");

  PersonaliseOptions options;
  CLI::App* personalise_command =
      app.add_subcommand("personalise", "Write a virtual card folder (EF files, access data, test CSCA)");
  personalise_command->add_option("DIR", options.folder, "The card folder to write (created 0700)")
      ->required();
  personalise_command->add_option("--id", options.id, "12-digit personal identification number");
  personalise_command->add_option("--name", options.name, "Full name in Vietnamese (UTF-8)");
  personalise_command->add_option("--birth", options.birth, "Date of birth: YYYY-MM-DD, YYYY-MM or YYYY");
  personalise_command->add_option("--expiry", options.expiry, "Date of expiry: YYYY-MM-DD, or none");
  personalise_command->add_option("--issue", options.issue, "Date of issue: YYYY-MM-DD");
  personalise_command->add_option("--sex", options.sex, "M or F");
  personalise_command
      ->add_option("--seed", options.seed, "Seed of the keys, the face and the other variations")
      ->capture_default_str();
  personalise_command->add_option("--signer", options.signer, "Signature algorithm of the test PKI")
      ->check(CLI::IsMember({"ecdsa", "rsa"}))
      ->capture_default_str();
  personalise_command
      ->add_option("--face", options.face,
                   "DG2's face image: JPEG (as on the CCCD) or lossless JPEG 2000 (jp2)")
      ->check(CLI::IsMember({"jpeg", "jp2"}))
      ->capture_default_str();
  personalise_command->add_option(
      "--pace", options.pace,
      "PACE offered in EF.CardAccess: MAPPING:PARAM:CIPHER with MAPPING gm|im|cam, PARAM 0-2 (DH) or 8-18 "
      "(ECDH), CIPHER 3des|aes128|aes192|aes256 (e.g. im:16:aes256); none: no EF.CardAccess (BAC only). "
      "Default: the CCCD profile's (gm:13:aes128 with CA and TA entries)");
  personalise_command
      ->add_option("--ca", options.ca,
                   "Chip Authentication key in DG14: v1 (MSE:Set KAT, 3DES), v2 (MSE:Set AT + General "
                   "Authenticate, AES-128), both ECDH brainpoolP256r1; none: no CA key but PACE-CAM's")
      ->check(CLI::IsMember({"none", "v1", "v2"}))
      ->capture_default_str();
  personalise_command
      ->add_option("--aa", options.aa,
                   "Active Authentication key in DG15: rsa (RSA-2048, ISO/IEC 9796-2, SHA-1), ecdsa "
                   "(brainpoolP256r1, SHA-256, named in DG14); none")
      ->check(CLI::IsMember({"none", "rsa", "ecdsa"}))
      ->capture_default_str();
  personalise_command->add_option(
      "--fault", options.fault,
      "A hostile card: the chip misbehaves as this fault of the catalogue says (see --list-faults); "
      "`serve` serves it so. The link faults (chip_stops_answering, chip_too_slow) need the in-process "
      "FaultyCardChannel and do nothing through serve");

  personalise_command->add_flag(
      "--card-access-extras", options.card_access_extras,
      "EF.CardAccess also holds what other chips put there: a ChipAuthenticationDomainParameterInfo with "
      "standardized domain parameters, a ChipAuthenticationInfo, a Restricted Identification info and a "
      "PACEInfo this library cannot use");
  options.chip.add_to(personalise_command);

  std::string clone_source, clone_target;
  CLI::App* clone_command = app.add_subcommand(
      "clone", "Copy a card folder as a cloned chip would hold it: same files, new wrong private keys");
  clone_command->add_option("SRC", clone_source, "The card folder to clone")->required();
  clone_command->add_option("DST", clone_target, "The clone's folder (created 0700)")->required();

  std::string show_folder;
  std::string qr_folder;
  CLI::App* qr_command =
      app.add_subcommand("qr", "Print the line the card's printed QR code gives (what a USB scanner types)");
  qr_command->add_option("DIR", qr_folder, "The card folder (default: the built-in card)");

  CLI::App* show_command = app.add_subcommand("show", "List the files of a card folder and their sizes");
  show_command->add_option("DIR", show_folder, "The card folder")->required();

  ServeOptions serve_options;
  CLI::App* serve_command = app.add_subcommand(
      "serve", "Put a virtual card on the vsmartcard vpcd reader driver (pcscd) until SIGINT or SIGTERM");
  serve_command->add_option("DIR", serve_options.folder, "The card folder (default: the built-in card)");
  serve_command
      ->add_option("--remove-at", serve_options.remove_at,
                   "For tests: pull the card away at these command APDU indexes (0-based), answer lost")
      ->delimiter(',');
  serve_command->add_option("--reinsert-after-ms", serve_options.reinsert_after_ms,
                            "How long a pulled card stays away (default 500)");
  CLI::Option* vpcd_address =
      serve_command->add_option("--vpcd", serve_options.vpcd, "The vpcd driver's HOST:PORT")
          ->capture_default_str();
  serve_command
      ->add_option("--vpcd-fd", serve_options.vpcd_fd,
                   "Serve on this inherited file descriptor, a stream socket already connected to the driver "
                   "(a parent process that plays the reader), instead of connecting to --vpcd")
      ->check(CLI::NonNegativeNumber)
      ->excludes(vpcd_address);
  serve_options.chip.add_to(serve_command);

  std::string serve_pn532_folder;
  CLI::App* serve_pn532_command = app.add_subcommand(
      "serve-pn532",
      "Put a virtual card on an emulated PN532 on a pseudo-terminal for libnfc until SIGINT or SIGTERM; "
      "prints the connstring (pn532_uart:/dev/pts/N)");
  serve_pn532_command->add_option("DIR", serve_pn532_folder, "The card folder (default: the built-in card)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (list_faults) {
    for (const cccd::sim::CardFaultInfo& info : cccd::sim::card_fault_catalogue()) {
      std::cout << info.name << "\t" << info.description << "\t"
                << cccd::sim::fault_outcome_text(info.outcome) << "\n";
    }
    return kExitOk;
  }
  if (app.get_subcommands().empty()) {
    std::cerr
        << "cccd-sim: a command is required (personalise, clone, show, qr, serve, serve-pn532); see --help\n";
    return kExitUsage;
  }
  try {
    if (*personalise_command) return personalise(options);
    if (*serve_command) return serve(serve_options);
    if (*serve_pn532_command) return serve_pn532(serve_pn532_folder);
    if (*clone_command) return clone(clone_source, clone_target);
    if (*qr_command) return print_qr_line(qr_folder);
    return show(show_folder);
  } catch (const Error& e) {
    std::cerr << "cccd-sim: " << cccd::to_string(e.code()) << ": " << shown_error(e) << "\n";
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::cerr << "cccd-sim: internal error: " << shown_error(e) << "\n";
    return kExitInternal;
  }
}
