// cccd-verify: read and verify a CCCD at the desk, or verify a dump offline. See docs/cli.md.
#include "api/read_nfc.hpp"
#include "cli/exit_codes.hpp"
#include "cli/human_output.hpp"
#include "lds/face_image_codec.hpp"
#include "util/private_file.hpp"

#include <cccd/report.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>

namespace {

using namespace cccd;

struct ReadArguments {
  std::string sim_folder;
  std::string reader;
  std::string id_number;
  std::string birth;
  std::string expiry;
  std::string mrz;
  std::string can;
  bool pace_only = false;
  bool bac_only = false;
  std::vector<std::string> trust;
  std::vector<std::string> ml_roots;  // --ml-root: what a master list's signer must chain to
  std::string photo;
  std::string dump;
  bool json = false;
  bool short_apdus = false;
  bool no_photo = false;
  std::string challenge;  // --challenge: 16 hex digits
};

struct VerifyArguments {
  std::string folder;
  std::string challenge;
  std::vector<std::string> trust;
  std::vector<std::string> ml_roots;  // --ml-root: what a master list's signer must chain to
  bool json = false;
};

// What `--photo FILE` writes, chosen by FILE's extension (any case): .png converts whatever the chip
// stores (JPEG or JPEG 2000) to PNG; .jpg / .jpeg and .jp2 / .j2k write the chip's bytes unchanged, and
// only when the chip stores that format: re-encoding JPEG 2000 as JPEG would lose detail and no longer
// be the bytes EF.SOD signs, so a mismatch is an error that names the extensions that work.
enum class PhotoOutput { png, stored_jpeg, stored_jpeg2000 };

PhotoOutput photo_output_for(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".png") return PhotoOutput::png;
  if (extension == ".jpg" || extension == ".jpeg") return PhotoOutput::stored_jpeg;
  if (extension == ".jp2" || extension == ".j2k") return PhotoOutput::stored_jpeg2000;
  throw Error(ErrorCode::invalid_argument,
              "--photo: name the file .png (converted), .jpg/.jpeg or .jp2/.j2k (as stored on the chip)");
}

void write_photo(const std::string& path, const FaceImage& face) {
  const PhotoOutput wanted = photo_output_for(path);
  if (wanted == PhotoOutput::png) {
    write_private_file(path, lds::face_image_png(face));
    return;
  }
  const bool matches = (wanted == PhotoOutput::stored_jpeg && face.format == FaceImage::Format::jpeg) ||
                       (wanted == PhotoOutput::stored_jpeg2000 && face.format == FaceImage::Format::jpeg2000);
  if (!matches) {
    throw Error(ErrorCode::invalid_argument,
                std::string("--photo: the chip stores the face as ") + std::string(format_name(face.format)) +
                    (face.format == FaceImage::Format::jpeg2000 ? ": name the file .jp2/.j2k or .png"
                                                                : ": name the file .jpg/.jpeg or .png"));
  }
  write_private_file(path, face.data);
}

// `--challenge HEX`: the 8-byte Active Authentication challenge a server chose; nothing when not given.
std::optional<std::array<std::uint8_t, 8>> challenge_from(const std::string& hex) {
  if (hex.empty()) return std::nullopt;
  const bool digits = hex.size() == 16 && std::all_of(hex.begin(), hex.end(), [](char c) {
                        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                      });
  if (!digits) throw Error(ErrorCode::invalid_argument, "--challenge: give 16 hex digits (8 bytes)");
  std::array<std::uint8_t, 8> challenge{};
  for (std::size_t i = 0; i < challenge.size(); ++i) {
    challenge[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
  return challenge;
}

Credentials credentials_from(const ReadArguments& args) {
  if (!args.mrz.empty() && !args.id_number.empty()) {
    throw Error(ErrorCode::invalid_argument, "give either --mrz or --id, not both");
  }
  Credentials credentials;
  if (!args.mrz.empty()) {
    credentials = Credentials::from_mrz(args.mrz);
  } else if (!args.id_number.empty()) {
    if (args.birth.empty() != args.expiry.empty()) {
      throw Error(ErrorCode::invalid_argument,
                  "give --birth and --expiry together (or neither: the CAN opens a CCCD)");
    }
    credentials = Credentials::from_id_number(args.id_number, args.birth, args.expiry);
  } else if (args.can.empty()) {
    throw Error(ErrorCode::invalid_argument, "give --id (the 12-digit ID number), --can or --mrz");
  }
  if (!args.can.empty()) credentials.can = Credentials::from_can(args.can).can;
  return credentials;
}

// The --trust paths (certificates, folders, CRLs, master lists); a master list is accepted only when its
// signer chains to one of the --ml-root certificates.
std::optional<TrustStore> trust_from(const std::vector<std::string>& paths,
                                     const std::vector<std::string>& ml_roots) {
  if (paths.empty()) return std::nullopt;
  TrustStore store;
  for (const std::string& root : ml_roots) store.add_master_list_roots(root);
  for (const std::string& path : paths) store.add_path(path);
  return store;
}

struct TrustArguments {
  std::vector<std::string> trust;
  std::vector<std::string> ml_roots;
};

// `trust`: what the store holds, CSCA certificates counted by the country of their subject.
int run_trust(const TrustArguments& args) {
  std::optional<TrustStore> store = trust_from(args.trust, args.ml_roots);
  TrustStore::Summary summary = store ? store->summary() : TrustStore::Summary{};
  std::cout << "CSCA certificates: " << summary.csca_certificates << " from "
            << summary.csca_by_country.size()
            << (summary.csca_by_country.size() == 1 ? " country\n" : " countries\n");
  std::cout << "master list roots: " << summary.master_list_roots << '\n';
  std::cout << "master lists: " << summary.master_lists.size() << '\n';
  for (const TrustStore::MasterListInfo& list : summary.master_lists) {
    std::cout << "  " << list.source << ": " << list.certificates << " certificates (" << list.added
              << " new), signed " << (list.signing_time.empty() ? "at no stated time" : list.signing_time)
              << " by " << list.signer << '\n';
  }
  std::cout << "CRLs: " << summary.crls.size() << '\n';
  for (const TrustStore::CrlInfo& crl : summary.crls) {
    std::cout << "  " << crl.issuer << ": " << crl.revoked << " revoked, issued " << crl.this_update
              << (crl.next_update.empty() ? "" : ", next " + crl.next_update)
              << (crl.verified ? ", signature verified by its CSCA"
                               : ", NOT verified by a CSCA of the store (ignored)")
              << '\n';
  }
  if (!summary.csca_by_country.empty()) std::cout << "by country:\n";
  for (const auto& [country, count] : summary.csca_by_country)
    std::cout << "  " << country << ' ' << count << '\n';
  return 0;
}

int finish(const Report& report, bool json) {
  if (json) {
    std::cout << to_json(report) << '\n';
  } else {
    cli::print_report(std::cout, report);
  }
  return report.verdict.verified ? cli::kExitVerified : cli::kExitNotVerified;
}

// A --reader NAME that names a libnfc device: "nfc" or "nfc:" (the first device libnfc finds),
// "nfc:CONNSTRING" (as `readers` lists them), or a connstring of a libnfc 1.8 driver such as
// "pn532_uart:/dev/ttyUSB0". Anything else is a PC/SC reader name. Gives the connstring ("": the first).
std::optional<std::string> nfc_connstring_of(const std::string& name) {
  if (name == "nfc" || name == "nfc:") return std::string();
  if (name.starts_with("nfc:")) return name.substr(4);
  static const char* const kLibnfcDrivers[] = {"pn532_uart", "pn532_spi", "pn532_i2c",   "pn53x_usb",
                                               "acr122_usb", "acr122s",   "acr122_pcsc", "arygon",
                                               "pcsc",       "pn71xx"};
  const std::string driver = name.substr(0, name.find(':'));
  if (driver.size() == name.size()) return std::nullopt;
  for (const char* known : kLibnfcDrivers) {
    if (driver == known) return name;
  }
  return std::nullopt;
}

// `readers`: the PC/SC readers by name and the libnfc devices as nfc:CONNSTRING, both usable as
// `read --reader NAME`. Exit 4 when there is none of either.
int run_readers() {
  std::vector<std::string> pcsc;
  std::string pcsc_problem = "none";
  try {
    pcsc = list_pcsc_readers();
  } catch (const Error& e) {
    pcsc_problem = e.what();
  }
  std::vector<std::string> nfc;
  std::string nfc_problem = "none; a serial PN532 is named directly: --reader pn532_uart:/dev/ttyUSB0";
  try {
    nfc = list_nfc_devices();
  } catch (const Error& e) {
    nfc_problem = e.what();
  }
  std::cout << "PC/SC readers:\n";
  for (const std::string& name : pcsc) std::cout << "  " << name << "\n";
  if (pcsc.empty()) std::cout << "  (" << pcsc_problem << ")\n";
  std::cout << "libnfc devices:\n";
  for (const std::string& connstring : nfc) std::cout << "  nfc:" << connstring << "\n";
  if (nfc.empty()) std::cout << "  (" << nfc_problem << ")\n";
  return pcsc.empty() && nfc.empty() ? cli::kExitNoCard : 0;
}

int run_read(const ReadArguments& args, bool sim_requested, bool reader_requested) {
  Credentials credentials = credentials_from(args);
  const std::optional<std::array<std::uint8_t, 8>> challenge = challenge_from(args.challenge);
  if (!args.photo.empty()) photo_output_for(args.photo);  // a bad name fails before the card is touched
  CardSource source;
  if (reader_requested) {
    source.kind = CardSource::Kind::pcsc;
    source.reader = args.reader;
  } else if (!sim_requested) {
    // No source named: the first physical reader if one is attached, otherwise the built-in virtual
    // CCCD. vsmartcard's "Virtual PCD" readers (a developer's tool, present whenever its driver is
    // installed) do not count as an attached reader.
    std::vector<std::string> readers;
    try {
      readers = list_pcsc_readers();
    } catch (const Error&) {
    }
    std::erase_if(readers, [](const std::string& name) { return name.starts_with("Virtual PCD"); });
    if (!readers.empty()) {
      source.kind = CardSource::Kind::pcsc;
      source.reader = readers.front();
    } else {
      std::cerr << "No PC/SC reader found: reading the built-in virtual CCCD.\n";
    }
  }
  source.folder = args.sim_folder;

  ReadOptions options;
  options.extended_length = !args.short_apdus;
  options.access = args.pace_only  ? AccessMode::pace_only
                   : args.bac_only ? AccessMode::bac_only
                                   : AccessMode::automatic;
  options.read_photo = !args.no_photo || !args.photo.empty();
  options.active_authentication_challenge = challenge;
  std::optional<TrustStore> trust = trust_from(args.trust, args.ml_roots);
  const std::optional<std::string> nfc = reader_requested ? nfc_connstring_of(args.reader) : std::nullopt;
  Report report = nfc ? api::read_and_verify_nfc(*nfc, credentials, trust ? &*trust : nullptr, options)
                      : read_and_verify(source, credentials, trust ? &*trust : nullptr, options);

  if (!args.dump.empty()) write_dump(report.dump, args.dump);
  if (!args.photo.empty()) {
    if (!report.document.face) throw Error(ErrorCode::file_not_found, "the card gave no photo to write");
    write_photo(args.photo, *report.document.face);
  }
  return finish(report, args.json);
}

int run_verify(const VerifyArguments& args) {
  std::optional<TrustStore> trust = trust_from(args.trust, args.ml_roots);
  TrustStore none;
  VerifyOptions options;
  options.active_authentication_challenge = challenge_from(args.challenge);
  return finish(verify_dump_folder(args.folder, trust ? *trust : none, options), args.json);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cccd-verify: read and verify the chip of a Vietnamese citizen identity card (CCCD)"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 verified, 1 not verified, 2 usage, 3 access denied (wrong ID/dates/MRZ), 4 no reader "
      "or\n"
      "card, 5 communication (card removed, timeout), 6 the card misbehaved (secure messaging, malformed\n"
      "data), 7 local file error, 8 internal. The JSON schema is docs/json-schema.md.");

  ReadArguments read_args;
  CLI::App* read = app.add_subcommand("read", "Read a card and verify it");
  CLI::Option* sim = read->add_option("--sim", read_args.sim_folder,
                                      "Read a virtual card: the built-in CCCD, or the card folder DIR")
                         ->expected(0, 1)
                         ->type_name("[DIR]");
  CLI::Option* reader =
      read->add_option("--reader", read_args.reader,
                       "Read the card on this reader: a PC/SC reader name (or part of it), or a "
                       "libnfc device: nfc (the first), nfc:CONNSTRING, pn532_uart:/dev/ttyUSB0");
  sim->excludes(reader);
  read->add_option("--id", read_args.id_number,
                   "The 12-digit personal identification number (its last 6 digits are the CAN for PACE)");
  read->add_option("--birth", read_args.birth,
                   "Date of birth, YYYY-MM-DD (YYYY or YYYY-MM if not on record) or YYMMDD");
  read->add_option("--expiry", read_args.expiry,
                   "Date of expiry, YYYY-MM-DD or YYMMDD, 'none' if the card has none");
  read->add_option("--mrz", read_args.mrz, "The MRZ text instead of --id (lines separated by newlines)");
  read->add_option("--can", read_args.can,
                   "The card access number (6 digits; on a CCCD the ID number's last 6)");
  CLI::Option* pace_only = read->add_flag("--pace-only", read_args.pace_only, "Open the chip with PACE only");
  CLI::Option* bac_only = read->add_flag("--bac-only", read_args.bac_only, "Open the chip with BAC only");
  pace_only->excludes(bac_only);
  read->add_option("--trust", read_args.trust,
                   "CSCA certificates, CRLs or an ICAO master list (PEM/DER file or folder); repeatable");
  read->add_option("--ml-root", read_args.ml_roots,
                   "Certificate a master list's signer must chain to (for --trust); repeatable");
  read->add_flag("--json", read_args.json, "Print the result as JSON (docs/json-schema.md)");
  read->add_option("--photo", read_args.photo,
                   "Write the face image to FILE (mode 0600): FILE.png converted from JPEG or JPEG 2000; "
                   "FILE.jpg/.jpeg or FILE.jp2/.j2k as stored on the chip, when it stores that format")
      ->type_name("FILE");
  read->add_option("--dump", read_args.dump, "Write the files read to the folder DIR (mode 0700/0600)");
  read->add_flag("--short-apdus", read_args.short_apdus, "Do not use extended length APDUs");
  read->add_flag("--no-photo", read_args.no_photo, "Do not read DG2 (faster)");
  read->add_option("--challenge", read_args.challenge,
                   "Active Authentication challenge, 16 hex digits (a server's; default: random)")
      ->type_name("HEX");

  CLI::App* readers =
      app.add_subcommand("readers", "List the PC/SC readers and the libnfc devices (nfc:CONNSTRING)");

  VerifyArguments verify_args;
  CLI::App* verify = app.add_subcommand("verify", "Verify a dump folder offline (passive authentication)");
  verify->add_option("DIR", verify_args.folder, "The dump folder")->required();
  verify->add_option("--trust", verify_args.trust,
                     "CSCA certificates, CRLs or an ICAO master list (PEM/DER file or folder); repeatable");
  verify->add_option("--ml-root", verify_args.ml_roots,
                     "Certificate a master list's signer must chain to (for --trust); repeatable");

  TrustArguments trust_args;
  CLI::App* trust_command = app.add_subcommand(
      "trust", "Load a trust store and print what it holds (CSCAs by country, master lists, CRLs)");
  trust_command->add_option(
      "--trust", trust_args.trust,
      "CSCA certificates, CRLs or an ICAO master list (PEM/DER file or folder); repeatable");
  trust_command->add_option("--ml-root", trust_args.ml_roots,
                            "Certificate a master list's signer must chain to; repeatable");
  verify->add_flag("--json", verify_args.json, "Print the result as JSON");
  verify
      ->add_option("--challenge", verify_args.challenge,
                   "The Active Authentication challenge the dump must be signed over, 16 hex digits")
      ->type_name("HEX");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : cccd::cli::kExitUsage;
  }

  bool json = read->parsed() ? read_args.json : verify_args.json;
  try {
    if (read->parsed()) return run_read(read_args, sim->count() > 0, reader->count() > 0);
    if (readers->parsed()) return run_readers();
    if (trust_command->parsed()) return run_trust(trust_args);
    return run_verify(verify_args);
  } catch (const cccd::Error& e) {
    if (json) {
      std::cout << cccd::error_json(e) << '\n';
    } else {
      cccd::cli::print_error(std::cerr, e);
    }
    return cccd::cli::exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << '\n';
    return cccd::cli::kExitInternal;
  }
}
