// cccd-verify: read and verify a CCCD at the desk, or verify a dump offline. See docs/cli.md.
#include "cli/citizen_prompt.hpp"
#include "cli/evidence_files.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/human_output.hpp"
#include "cli/messages.hpp"
#include "cli/policy_options.hpp"
#include "cli/progress_bar.hpp"
#include "cli/redact.hpp"
#include "cli/terminal_text.hpp"
#include "lds/face_image_codec.hpp"
#include "sim/virtual_card_source.hpp"
#include "util/message_text.hpp"
#include "util/private_file.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/version.h>
#include <cccd/report.hpp>

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace {

using namespace cccd;

struct ReadArguments {
  std::string sim_folder;
  std::string reader;
  std::string id_number;  // --id: on the command line, which every local user can read
  bool id_stdin = false;  // --id-stdin: the first line of stdin
  std::string id_file;    // --id-file FILE: the first line of a private file
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
  std::string evidence;       // --evidence FILE: the evidence document of the read
  bool replace_dump = false;  // --replace-dump: an existing --dump DIR (or --evidence FILE) is replaced
  bool json = false;
  bool short_apdus = false;
  bool no_photo = false;
  std::string challenge;      // --challenge: 16 hex digits
  unsigned wait_seconds = 0;  // --wait [SECONDS]: wait for a card first
  bool resume = false;        // --resume: a card pulled away and put back is read on
  bool loop = false;          // --loop: card after card until Ctrl-C (with --wait)
  cli::PolicyArguments policy;
};

// How results and errors are printed: --lang, --redact, --json.
struct Output {
  const cli::Messages* text = &cli::messages(cli::Language::vi);
  cli::Redactor redactor{false};
  bool json = false;
};
Output style;  // set once in main() from the command line

struct VerifyArguments {
  std::string folder;
  std::string challenge;
  std::vector<std::string> trust;
  std::vector<std::string> ml_roots;  // --ml-root: what a master list's signer must chain to
  bool json = false;
  cli::PolicyArguments policy;
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

// The longest line an ID number or a QR line is read from (--id-stdin, --id-file); an ID has 12 digits,
// a CCCD's QR line under 300 bytes.
constexpr std::size_t kMaxIdLine = 1024;

// The first line of `text` without its line end (LF, CR LF or CR).
SecureString first_line(const SecureString& text) {
  SecureString line(text.substr(0, text.find_first_of("\r\n")));
  return line;
}

// --id-stdin: the first line of stdin, read byte by byte with read(2) so that no stdio buffer keeps it.
SecureString id_number_from_stdin() {
  SecureString text;
  text.reserve(kMaxIdLine);
  char c = 0;
  while (text.size() < kMaxIdLine) {
    const ssize_t got = ::read(STDIN_FILENO, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      throw Error(ErrorCode::io, std::string("--id-stdin: cannot read stdin: ") + std::strerror(errno));
    if (got == 0 || c == '\n') break;
    text.push_back(c);
  }
  secure_wipe(&c, sizeof c);
  SecureString line = first_line(text);
  if (line.empty())
    throw Error(ErrorCode::invalid_argument, "--id-stdin: stdin gave no ID number on its first line");
  return line;
}

// --id-file FILE: the first line of FILE, which must be a regular file of this user that no one else may
// read or write (mode 0600 or stricter), and not a symbolic link.
SecureString id_number_from_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ELOOP)
      throw Error(ErrorCode::io, "--id-file: " + path + " is a symbolic link: name the file itself");
    throw Error(ErrorCode::io, "--id-file: cannot open " + path + ": " + std::strerror(error));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw Error(ErrorCode::io, "--id-file: cannot examine " + path);
  if (!S_ISREG(info.st_mode)) throw Error(ErrorCode::io, "--id-file: " + path + " is not a regular file");
  if (info.st_uid != ::geteuid())
    throw Error(ErrorCode::io, "--id-file: " + path + " belongs to another user");
  if ((info.st_mode & 077) != 0) {
    throw Error(ErrorCode::io,
                "--id-file: " + path + " may be read or written by others: make it private (chmod 600)");
  }
  SecureString text(kMaxIdLine, '\0');
  std::size_t size = 0;
  while (size < text.size()) {
    const ssize_t got = ::read(fd, text.data() + size, text.size() - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error(ErrorCode::io, "--id-file: cannot read " + path + ": " + std::strerror(errno));
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
  }
  text.resize(size);
  SecureString line = first_line(text);
  if (line.empty())
    throw Error(ErrorCode::invalid_argument, "--id-file: " + path + " has no ID number on its first line");
  return line;
}

// The ID number (or the card's QR line) from --id, --id-stdin, --id-file or, when no credential is given
// on the command line, the environment variable CCCD_ID; empty when none. Kept in a buffer that is wiped
// when released.
SecureString id_number_of(const ReadArguments& args) {
  if (args.id_stdin) return id_number_from_stdin();
  if (!args.id_file.empty()) return id_number_from_file(args.id_file);
  if (!args.id_number.empty()) return SecureString(args.id_number.begin(), args.id_number.end());
  if (args.mrz.empty() && args.can.empty()) {
    if (const char* from_environment = std::getenv("CCCD_ID"); from_environment != nullptr)
      return SecureString(from_environment);
  }
  return {};
}

Credentials credentials_from(const ReadArguments& args, std::string_view id_number) {
  if (!args.mrz.empty() && !id_number.empty()) {
    throw Error(ErrorCode::invalid_argument, "give either --mrz or an ID number (--id...), not both");
  }
  Credentials credentials;
  if (!args.mrz.empty()) {
    credentials = Credentials::from_mrz(args.mrz);
  } else if (!id_number.empty()) {
    if (args.birth.empty() != args.expiry.empty()) {
      throw Error(ErrorCode::invalid_argument,
                  "give --birth and --expiry together (or neither: the CAN opens a CCCD)");
    }
    credentials = Credentials::from_id_or_qr_line(id_number, args.birth, args.expiry);
  } else if (args.can.empty()) {
    throw Error(ErrorCode::invalid_argument,
                "give the 12-digit ID number (--id-stdin, --id-file, CCCD_ID or --id), --can or --mrz");
  }
  if (!args.can.empty()) credentials.can = Credentials::from_can(args.can).can;
  return credentials;
}

// Whether the command line (or CCCD_ID) names the card: otherwise the citizen's ID or QR line is asked for.
bool credentials_given(const ReadArguments& args) {
  return args.id_stdin || !args.id_file.empty() || !args.id_number.empty() || !args.mrz.empty() ||
         !args.can.empty() || std::getenv("CCCD_ID") != nullptr;
}

// A --trust or --ml-root input that failed its checks (a master list that does not verify, a malformed
// certificate or CRL): exit 7 like any other local file that cannot be used, not 8 (internal).
class TrustInputRefused : public Error {
 public:
  explicit TrustInputRefused(const Error& e) : Error(e.code(), e.what()) {}
};

// The --trust paths (certificates, folders, CRLs, master lists); a master list is accepted only when its
// signer chains to one of the --ml-root certificates.
std::optional<TrustStore> trust_from(const std::vector<std::string>& paths,
                                     const std::vector<std::string>& ml_roots) {
  if (paths.empty()) return std::nullopt;
  TrustStore store;
  try {
    for (const std::string& root : ml_roots) store.add_master_list_roots(root);
    for (const std::string& path : paths) store.add_path(path);
  } catch (const Error& e) {
    // A usage error (a master list without --ml-root) stays exit 2, a bug stays exit 8.
    if (e.code() == ErrorCode::invalid_argument || e.code() == ErrorCode::internal) throw;
    throw TrustInputRefused(e);
  }
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
  const cli::Messages& text = *style.text;
  std::cout << text.csca_certificates << summary.csca_certificates << text.from
            << summary.csca_by_country.size()
            << (summary.csca_by_country.size() == 1 ? text.country : text.countries) << '\n';
  std::cout << text.master_list_roots << summary.master_list_roots << '\n';
  std::cout << text.master_lists << summary.master_lists.size() << '\n';
  for (const TrustStore::MasterListInfo& list : summary.master_lists) {
    std::cout << "  " << cli::terminal_safe(list.source) << ": " << list.certificates << text.certificates
              << " (" << list.added << text.certificates_new << "), " << text.signed_on
              << (list.signing_time.empty() ? text.signed_at_no_time : cli::terminal_safe(list.signing_time))
              << text.signed_by << cli::terminal_safe(list.signer) << '\n';
  }
  std::cout << text.crls << summary.crls.size() << '\n';
  for (const TrustStore::CrlInfo& crl : summary.crls) {
    std::cout << "  " << cli::terminal_safe(crl.issuer) << ": " << crl.revoked << text.revoked_issued
              << cli::terminal_safe(crl.this_update)
              << (crl.next_update.empty() ? "" : text.next_update + cli::terminal_safe(crl.next_update))
              << (crl.verified ? text.crl_verified : text.crl_not_verified) << '\n';
  }
  if (!summary.csca_by_country.empty()) std::cout << text.by_country << '\n';
  for (const auto& [country, count] : summary.csca_by_country)
    std::cout << "  " << cli::terminal_safe(country) << ' ' << count << '\n';
  return 0;
}

int finish(const Report& report, bool json) {
  style.redactor.learn(report);
  if (json) {
    std::cout << style.redactor.json(report) << '\n';
  } else {
    const Report shown = style.redactor.redact(report);
    std::ostringstream text;
    cli::print_report(text, shown, *style.text);
    std::cout << style.redactor.scrub(text.str());
  }
  std::cout.flush();
  return report.verdict.verified ? cli::kExitVerified : cli::kExitNotVerified;
}

void print_failure(const Error& error) {
  // Bounded like the C API's errors: a long path given on the command line is shortened in the middle.
  const Error e(error.code(), bounded_message(error.what()));
  if (style.json) {
    std::cout << style.redactor.scrub(error_json(e)) << '\n';
    std::cout.flush();
  } else {
    std::ostringstream text;
    cli::print_error(text, e, *style.text);
    std::cerr << style.redactor.scrub(text.str());
  }
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
// `read --reader NAME`. Exit 9 (no reader) when there is none of either.
int run_readers() {
  std::vector<std::string> pcsc;
  std::string pcsc_problem = style.text->none;
  try {
    pcsc = list_pcsc_readers();
  } catch (const Error& e) {
    pcsc_problem = style.text->library_text(e.what());
  }
  std::vector<std::string> nfc;
  std::string nfc_problem = style.text->nfc_none_hint;
  try {
    nfc = list_nfc_devices();
  } catch (const Error& e) {
    nfc_problem = style.text->library_text(e.what());
  }
  std::cout << style.text->pcsc_readers << '\n';
  for (const std::string& name : pcsc) std::cout << "  " << cli::terminal_safe(name) << "\n";
  if (pcsc.empty()) std::cout << "  (" << cli::terminal_safe(pcsc_problem) << ")\n";
  std::cout << style.text->nfc_devices << '\n';
  for (const std::string& connstring : nfc) std::cout << "  nfc:" << cli::terminal_safe(connstring) << "\n";
  if (nfc.empty()) std::cout << "  (" << cli::terminal_safe(nfc_problem) << ")\n";
  return pcsc.empty() && nfc.empty() ? cli::kExitNoReader : 0;
}

// Ctrl-C (SIGINT) and SIGTERM for --loop: the signals are blocked in every thread and a watcher thread
// takes them with sigwait and cancels the read or wait in progress, which a handler could not do safely
// (cancelling locks a mutex and calls into pcscd).
class StopOnSignal {
 public:
  StopOnSignal() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    watcher_ = std::thread([this] {
      int received = 0;
      sigwait(&signals_, &received);
      cancellation_.cancel();
    });
  }
  ~StopOnSignal() {
    // Wake the watcher if no signal came (the loop ended on an error), then let signals through again.
    if (!cancellation_.cancelled()) pthread_kill(watcher_.native_handle(), SIGTERM);
    watcher_.join();
    pthread_sigmask(SIG_UNBLOCK, &signals_, nullptr);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  const Cancellation& cancellation() const { return cancellation_; }

 private:
  sigset_t signals_{};
  Cancellation cancellation_;
  std::thread watcher_;
};

// The language --lang asks for ("--lang en", "--lang=en"), before CLI11 parses the command line, so that
// --help and the errors of the command line itself are in it too. Vietnamese unless it says en.
cli::Language language_of_command_line(int argc, char** argv) {
  cli::Language language = cli::Language::vi;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    std::string_view value;
    if (argument == "--lang" && i + 1 < argc) value = argv[i + 1];
    if (argument.starts_with("--lang=")) value = argument.substr(7);
    if (value == "en") language = cli::Language::en;
    if (value == "vi") language = cli::Language::vi;
  }
  return language;
}

// Reads one card with the progress bar on a terminal's stderr (not with --json).
Report read_with_progress(const CardSource& source, const Credentials& credentials, const TrustStore* trust,
                          ReadOptions options, bool* progressed = nullptr) {
  cli::ProgressBar bar(stderr, !style.json && isatty(STDERR_FILENO) != 0, *style.text);
  // Test-only slow-down of a virtual card so that tests/progress_tmux_test.sh can watch the bar move.
  const std::chrono::milliseconds delay =
      source.label == "virtual" ? cli::test_read_delay() : std::chrono::milliseconds(0);
  options.progress = [&bar, delay, progressed](const ReadProgress& progress) {
    if (progressed != nullptr) *progressed = true;
    bar.update(progress);
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
  };
  try {
    Report report = read_and_verify(source, credentials, trust, options);
    bar.clear();
    return report;
  } catch (...) {
    bar.clear();
    throw;
  }
}

// The next citizen's credentials, asked on the terminal (stdin): the ID number or the card's QR line, as
// the officer types or the QR scanner types it. A line that is not usable is refused with its reason and
// asked again. Nothing when the input ends or `stop` is cancelled.
std::optional<Credentials> ask_for_citizen(const ReadArguments& args, const Cancellation* stop) {
  const cli::Messages& text = *style.text;
  for (;;) {
    std::cerr << text.ask_citizen << std::endl;
    std::optional<SecureString> line;
    try {
      line = cli::read_citizen_line(STDIN_FILENO, stop);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::invalid_argument) throw;
      std::cerr << text.entry_refused << e.what() << std::endl;
      continue;
    }
    if (isatty(STDIN_FILENO) != 0) std::cerr << '\n';  // the Enter that echo-off swallowed
    if (!line) return std::nullopt;
    try {
      Credentials credentials = Credentials::from_id_or_qr_line(*line, args.birth, args.expiry);
      style.redactor.learn(credentials);
      std::cerr << text.received_id << "***" << cli::mask_id_number(credentials.document_number)
                << (credentials.printed_qr ? text.received_qr : "") << std::endl;
      return credentials;
    } catch (const Error& e) {
      // The reasons name the field, never its value.
      std::cerr << text.entry_refused << cli::terminal_safe(e.what()) << std::endl;
      if (std::string_view(e.what()).find("keyboard layout") != std::string_view::npos)
        std::cerr << text.check_scanner_layout << std::endl;
    }
  }
}

// `read --wait --loop`: a desk that reads card after card. Each card: its citizen's ID number or QR line
// asked on the terminal (unless the command line gave credentials, which then serve every card: the
// same card again, as in tests), the previous card's removal awaited, then the new card awaited, read and
// shown (or its error: wrong ID, pulled away...). The question comes before the card is placed: the
// officer scans the QR code on the card's front first, and the read starts the moment the card lands.
// Without a reader (or PC/SC service) it waits for one. Ctrl-C ends the loop at once, whatever it is
// waiting for, with exit 0.
int run_read_loop(const ReadArguments& args, const CardSource& source,
                  const std::optional<Credentials>& given, const TrustStore* trust, ReadOptions options) {
  StopOnSignal stop;
  options.cancellation = &stop.cancellation();
  // Short rounds of waiting: a read that is cancelled just before its wait begins ends within one round.
  constexpr std::chrono::milliseconds kRound{2000};
  options.wait_for_card = kRound;
  const cli::Messages& text = *style.text;
  int cards = 0;
  bool card_was_read = false;  // a card is (or was) on the reader and must be gone before the next
  while (!stop.cancellation().cancelled()) {
    std::optional<Credentials> credentials = given;
    if (!credentials) credentials = ask_for_citizen(args, &stop.cancellation());
    if (!credentials) break;
    for (; card_was_read && !stop.cancellation().cancelled();) {
      try {
        wait_for_card_removal(source.reader, kRound, &stop.cancellation());
        card_was_read = false;
      } catch (const Error& e) {
        if (e.code() != ErrorCode::timeout) card_was_read = false;  // cancelled, or the reader went away
      }
    }
    if (stop.cancellation().cancelled()) break;
    if (!style.json) std::cerr << text.place_card << std::endl;
    bool said_no_reader = false;
    std::optional<Report> report;
    std::optional<Error> failure;
    while (!stop.cancellation().cancelled()) {
      bool progressed = false;
      try {
        report = read_with_progress(source, *credentials, trust, options, &progressed);
        break;
      } catch (const Error& e) {
        if (e.code() == ErrorCode::cancelled && stop.cancellation().cancelled()) break;
        if (e.code() == ErrorCode::timeout && !progressed) continue;  // no card yet: wait another round
        if (e.code() == ErrorCode::no_reader && !progressed) {
          // No PC/SC service or no reader: the desk waits for one to be connected.
          if (!said_no_reader && !style.json) std::cerr << text.waiting_for_reader << std::endl;
          said_no_reader = true;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        if (e.code() == ErrorCode::no_card && !progressed) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        failure = e;
        break;
      }
    }
    if (!report && !failure) break;  // stopped
    ++cards;
    if (!style.json) std::cout << "\n===== " << text.card_number << cards << " =====\n" << std::flush;
    if (report) {
      finish(*report, style.json);
    } else {
      print_failure(*failure);
    }
    if (!style.json) std::cerr << text.remove_card << std::endl;
    card_was_read = true;
  }
  if (!style.json) std::cerr << text.stopped << cards << std::endl;
  return 0;
}

// A read that found no reader: said plainly, in the output's language (the JSON's message in English).
[[noreturn]] void no_reader_error(const Error& e) {
  const cli::Messages& text = style.json ? cli::messages(cli::Language::en) : *style.text;
  throw Error(ErrorCode::no_reader, std::string(text.no_reader) + " (" + e.what() + ")");
}

int run_read(const ReadArguments& args, bool sim_requested, bool reader_requested) {
  // What the redactor must hide even in a refusal of the credentials themselves.
  style.redactor.add_id_number(args.can);
  style.redactor.add_date(args.birth);
  style.redactor.add_date(args.expiry);
  // Credentials from the command line; without any, the citizen's ID or QR line is asked on the terminal
  // (for each card in --loop, once for a read on a terminal).
  const bool ask = !credentials_given(args) && (args.loop || isatty(STDIN_FILENO) != 0);
  std::optional<Credentials> given;
  if (!ask) {
    const SecureString id_number = id_number_of(args);
    style.redactor.add_id_number(id_number);
    given = credentials_from(args, id_number);
    style.redactor.learn(*given);
  }
  if (!args.photo.empty()) photo_output_for(args.photo);  // a bad name fails before the card is touched
  const std::optional<std::array<std::uint8_t, 8>> challenge = challenge_from(args.challenge);
  // The card is read where the command line says: --sim (the virtual card, never chosen by itself: a
  // desk must not show a virtual card's "verified" because its reader is unplugged), --reader NAME, or
  // else any PC/SC reader, the one that holds a card.
  CardSource source;
  source.kind = CardSource::Kind::pcsc;
  if (reader_requested) {
    // A libnfc connstring (or "nfc[:CONNSTRING]") names a libnfc device; anything else a PC/SC reader.
    const std::optional<std::string> nfc = nfc_connstring_of(args.reader);
    source.kind = nfc ? CardSource::Kind::nfc : CardSource::Kind::pcsc;
    source.reader = nfc ? *nfc : args.reader;
  }
  // The virtual card is a transport of the simulator library, read like any integrator's.
  std::optional<sim::VirtualCardSource> virtual_card;
  if (sim_requested) {
    virtual_card.emplace(args.sim_folder);
    source = virtual_card->source();
  }

  ReadOptions options;
  options.extended_length = !args.short_apdus;
  options.access = args.pace_only  ? AccessMode::pace_only
                   : args.bac_only ? AccessMode::bac_only
                                   : AccessMode::automatic;
  options.read_photo = !args.no_photo || !args.photo.empty();
  options.active_authentication_challenge = challenge;
  options.wait_for_card = std::chrono::seconds(args.wait_seconds);
  options.resume_after_removal = args.resume;
  options.policy = cli::policy_from(args.policy);
  std::optional<TrustStore> trust = trust_from(args.trust, args.ml_roots);
  if (virtual_card && !trust) {
    // Without --trust, the demo trusts the virtual card's own test CSCA, explicitly here in the program;
    // the verdict and every output then say that trust rests on a test CSCA.
    trust.emplace();
    virtual_card->trust_test_csca(*trust);
  }
  if (args.loop) {
    if (source.kind != CardSource::Kind::pcsc) {
      throw Error(ErrorCode::invalid_argument,
                  "--loop reads card after card on a PC/SC reader, not a virtual card");
    }
    if (!args.dump.empty() || !args.evidence.empty() || !args.photo.empty()) {
      throw Error(ErrorCode::invalid_argument,
                  "--loop writes no --dump or --photo (each card would overwrite it)");
    }
    return run_read_loop(args, source, given, trust ? &*trust : nullptr, options);
  }
  if (!given) {
    StopOnSignal stop;  // Ctrl-C at the question ends it with the terminal's echo restored
    given = ask_for_citizen(args, &stop.cancellation());
    if (!given) throw Error(ErrorCode::cancelled, "no ID number or QR line was given");
  }
  std::optional<Report> report;
  try {
    report = read_with_progress(source, *given, trust ? &*trust : nullptr, options);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::no_reader && source.kind != CardSource::Kind::custom) no_reader_error(e);
    throw;
  }

  if (!args.dump.empty()) write_dump(report->dump, args.dump, args.replace_dump);
  if (!args.evidence.empty()) cli::write_evidence_document(report->dump, args.evidence, args.replace_dump);
  // The photo is an extra: a photo that cannot be written (no face, a folder that does not exist, a full
  // disk) does not take the verdict away. The result is printed as it is, the photo's error after it
  // (stderr), and the exit code is then the file error's (7), so that a script sees the photo missing.
  std::optional<Error> photo_error;
  if (!args.photo.empty()) {
    try {
      if (!report->document.face) throw Error(ErrorCode::file_not_found, "the card gave no photo to write");
      write_photo(args.photo, *report->document.face);
    } catch (const Error& e) {
      // A name that does not fit the chip's format is a usage error like any other (exit 2).
      if (e.code() == ErrorCode::invalid_argument) throw;
      photo_error = e;
    }
  }
  const int verdict_exit = finish(*report, args.json);
  if (!photo_error) return verdict_exit;
  std::cerr << style.redactor.scrub(std::string(style.text->photo_error) +
                                    style.text->error_kind(photo_error->code()) + ": " +
                                    cli::terminal_safe(style.text->library_text(photo_error->what())))
            << '\n';
  return cli::kExitFile;
}

int run_verify(const VerifyArguments& args) {
  std::optional<TrustStore> trust = trust_from(args.trust, args.ml_roots);
  TrustStore none;
  VerifyOptions options;
  options.policy = cli::policy_from(args.policy);
  options.active_authentication_challenge = challenge_from(args.challenge);
  // A dump folder or an evidence document: the same verdict either way.
  return finish(verify_evidence(cli::load_evidence(args.folder), trust ? *trust : none, options), args.json);
}

}  // namespace

int main(int argc, char** argv) {
  // --help and the command line's errors come before --lang is parsed: look for it first.
  const cccd::cli::Language help_language = language_of_command_line(argc, argv);
  const auto H = [help_language](std::string_view english) {
    return cccd::cli::help_text(english, help_language);
  };
  CLI::App app{H("cccd-verify: read and verify the chip of a Vietnamese citizen identity card (CCCD)")};
  cccd::cli::use_language(app, help_language);
  app.set_version_flag("--version", std::string("cccd-verify ") + CCCD_VERSION_STRING,
                       H("Print the version and exit"));
  app.require_subcommand(1);
  app.footer(H(
      "Exit codes: 0 verified, 1 not verified, 2 usage, 3 access denied (wrong ID/dates/MRZ), 4 no card,\n"
      "5 communication (card removed, timeout, cancelled), 6 the card misbehaved (secure messaging,\n"
      "malformed data), 7 local file error or a --trust input refused, 8 internal, 9 no reader (no PC/SC\n"
      "service or no reader). read --loop exits 0 on Ctrl-C; each card's own error is printed and the\n"
      "loop goes on. The virtual card is read only with --sim.\n"
      "JSON (--json): JSON Schema docs/schema/cccd-result.schema.json, described in\n"
      "docs/json-schema.md; the JSON is the same in every --lang.\n"
      "--redact masks ID numbers (*********345), names (N. T. T. H.), dates (**/**/1990) and addresses\n"
      "(***, Tỉnh Thái Bình) in everything printed.\n"
      "Environment: CCCD_ID, the ID number for read when no --id, --id-stdin, --id-file, --can or --mrz is\n"
      "given (unlike --id, it is not visible to other users). Wherever an ID number is taken, the line of\n"
      "the card's QR code is taken too (ID|former ID|name|ddmmyyyy|sex|residence|ddmmyyyy): the verdict\n"
      "then compares it with the chip. Without any, read asks for it on the terminal (--loop: for each\n"
      "card). See docs/cli.md and man cccd-verify."));

  ReadArguments read_args;
  CLI::App* read = app.add_subcommand("read", H("Read a card and verify it"));
  CLI::Option* sim =
      read->add_option("--sim", read_args.sim_folder,
                       H("Read a virtual card: the built-in CCCD, or the card folder DIR (never "
                         "read without --sim)"))
          ->expected(0, 1)
          ->type_name("[DIR]");
  CLI::Option* reader =
      read->add_option("--reader", read_args.reader,
                       H("Read the card on this reader: a PC/SC reader name (or part of it), or a "
                         "libnfc device: nfc (the first), nfc:CONNSTRING, pn532_uart:/dev/ttyUSB0"));
  sim->excludes(reader);
  CLI::Option* id_option = read->add_option(
      "--id", read_args.id_number,
      H("The 12-digit personal identification number (its last 6 digits are the CAN for PACE), or the card's "
        "QR line. Any local user can read a command line (ps, /proc/PID/cmdline): prefer --id-stdin, "
        "--id-file, CCCD_ID or the question on the terminal (no ID option)"));
  CLI::Option* id_stdin =
      read->add_flag("--id-stdin", read_args.id_stdin,
                     H("Read the ID number from the first line of stdin (not visible to ps)"));
  CLI::Option* id_file =
      read->add_option("--id-file", read_args.id_file,
                       H("Read the ID number from the first line of FILE, a regular file of yours with mode "
                         "0600 (not a symbolic link)"))
          ->type_name("FILE");
  id_option->excludes(id_stdin);
  id_option->excludes(id_file);
  id_stdin->excludes(id_file);
  read->add_option("--birth", read_args.birth,
                   H("Date of birth: YYYY-MM-DD or dd/mm/yyyy as on the card (YYYY or YYYY-MM if not on "
                     "record) or YYMMDD"));
  read->add_option("--expiry", read_args.expiry,
                   H("Date of expiry: YYYY-MM-DD, dd/mm/yyyy as on the card or YYMMDD; 'none' or \"Không "
                     "thời hạn\" if the "
                     "card has none"));
  read->add_option("--mrz", read_args.mrz, H("The MRZ text instead of --id (lines separated by newlines)"));
  read->add_option("--can", read_args.can,
                   H("The card access number (6 digits; on a CCCD the ID number's last 6)"));
  CLI::Option* pace_only =
      read->add_flag("--pace-only", read_args.pace_only, H("Open the chip with PACE only"));
  CLI::Option* bac_only = read->add_flag("--bac-only", read_args.bac_only, H("Open the chip with BAC only"));
  pace_only->excludes(bac_only);
  read->add_option("--trust", read_args.trust,
                   H("CSCA certificates, CRLs or an ICAO master list (PEM/DER file or folder); repeatable"));
  read->add_option("--ml-root", read_args.ml_roots,
                   H("Certificate a master list's signer must chain to (for --trust); repeatable"));
  read->add_flag("--json", read_args.json, H("Print the result as JSON (docs/json-schema.md)"));
  read->add_option("--photo", read_args.photo,
                   H("Write the face image to FILE (mode 0600): FILE.png converted from JPEG or JPEG 2000; "
                     "FILE.jpg/.jpeg or FILE.jp2/.j2k as stored on the chip, when it stores that format"))
      ->type_name("FILE");
  read->add_option(
          "--dump", read_args.dump,
          H("Write the files read to the new folder DIR (mode 0700/0600); an existing DIR is refused"))
      ->type_name("DIR");
  read->add_option("--evidence", read_args.evidence,
                   H("Write the files read as one evidence document FILE (JSON, mode 0600, atomically; "
                     "docs/dump-format.md); an existing FILE is refused"))
      ->type_name("FILE");
  read->add_flag("--replace-dump", read_args.replace_dump,
                 H("With --dump / --evidence: replace an existing folder DIR / file FILE (atomically, in one "
                   "rename)"));
  read->add_flag("--short-apdus", read_args.short_apdus, H("Do not use extended length APDUs"));
  read->add_option("--wait", read_args.wait_seconds,
                   H("Wait up to SECONDS (default 60) for a card to be placed on the reader"))
      ->expected(0, 1)
      ->default_str("60")
      ->type_name("[SECONDS]");
  read->add_flag(
      "--resume", read_args.resume,
      H("If the card is pulled away during the read, wait up to 30 s for it to come back and go on"));
  read->add_flag("--no-photo", read_args.no_photo, H("Do not read DG2 (faster)"));
  CLI::Option* loop_option = read->add_flag(
      "--loop", read_args.loop,
      H("With --wait: read card after card (ask the citizen's ID number or QR line on the terminal, wait "
        "for the card, read, show, wait for its removal) until Ctrl-C, then exit 0"));
  read->add_option("--challenge", read_args.challenge,
                   H("Active Authentication challenge, 16 hex digits (a server's; default: random)"))
      ->type_name("HEX");

  CLI::App* readers =
      app.add_subcommand("readers", H("List the PC/SC readers and the libnfc devices (nfc:CONNSTRING)"));

  VerifyArguments verify_args;
  CLI::App* verify = app.add_subcommand(
      "verify", H("Verify a dump folder or an evidence document offline (passive authentication)"));
  verify->add_option("PATH", verify_args.folder, H("The dump folder, or the evidence document file"))
      ->required();
  verify->add_option(
      "--trust", verify_args.trust,
      H("CSCA certificates, CRLs or an ICAO master list (PEM/DER file or folder); repeatable"));
  verify->add_option("--ml-root", verify_args.ml_roots,
                     H("Certificate a master list's signer must chain to (for --trust); repeatable"));

  TrustArguments trust_args;
  CLI::App* trust_command = app.add_subcommand(
      "trust", H("Load a trust store and print what it holds (CSCAs by country, master lists, CRLs)"));
  trust_command->add_option(
      "--trust", trust_args.trust,
      H("CSCA certificates, CRLs or an ICAO master list (PEM/DER file or folder); repeatable"));
  trust_command->add_option("--ml-root", trust_args.ml_roots,
                            H("Certificate a master list's signer must chain to; repeatable"));
  verify->add_flag("--json", verify_args.json, H("Print the result as JSON"));
  verify
      ->add_option("--challenge", verify_args.challenge,
                   H("The Active Authentication challenge the dump must be signed over, 16 hex digits"))
      ->type_name("HEX");

  const bool vietnamese_help = help_language == cccd::cli::Language::vi;
  cccd::cli::add_policy_options(*read, read_args.policy, vietnamese_help);
  cccd::cli::add_policy_options(*verify, verify_args.policy, vietnamese_help);

  // pack / unpack: the dump folder and the evidence document, one into the other (cli/evidence_files).
  std::string pack_folder, pack_file, unpack_file, unpack_folder;
  bool pack_replace = false, unpack_replace = false;
  CLI::App* pack = app.add_subcommand("pack", H("Write a dump folder as one evidence document (JSON)"));
  pack->add_option("DIR", pack_folder, H("The dump folder"))->required();
  pack->add_option("FILE", pack_file, H("The evidence document to write (mode 0600; default: stdout)"));
  pack->add_flag("--replace", pack_replace, H("Replace an existing FILE (atomically)"));
  CLI::App* unpack = app.add_subcommand("unpack", H("Write an evidence document as a new dump folder"));
  unpack->add_option("FILE", unpack_file, H("The evidence document (- : stdin)"))->required();
  unpack->add_option("DIR", unpack_folder, H("The dump folder to create (mode 0700, files 0600)"))
      ->required();
  unpack->add_flag("--replace", unpack_replace, H("Replace an existing folder DIR (atomically)"));

  std::string language = "vi";
  bool redact = false;
  for (CLI::App* command : {readers, trust_command}) {
    command->add_option("--lang", language, H("Language of the human output: vi (default, Tiếng Việt) or en"))
        ->type_name("vi|en");
  }
  for (CLI::App* command : {read, verify}) {
    command->add_option("--lang", language, H("Language of the human output: vi (default, Tiếng Việt) or en"))
        ->type_name("vi|en");
    command->add_flag("--redact", redact,
                      H("Mask ID numbers (last 3 digits kept), names (initials), dates (year kept) and "
                        "addresses in everything printed, JSON and errors included"));
  }

  try {
    app.parse(argc, argv);
    if (loop_option->count() > 0 && read->get_option("--wait")->count() == 0) {
      throw CLI::ValidationError("--loop", "--loop needs --wait [SECONDS]");
    }
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; an error of the command line is said in the language asked.
    if (e.get_exit_code() == 0) return app.exit(e);
    const cccd::cli::Messages& text = cccd::cli::messages(help_language);
    std::cerr << text.error << text.library_text(e.what()) << '\n' << text.usage_hint << '\n';
    return cccd::cli::kExitUsage;
  }

  bool json = read->parsed() ? read_args.json : verify_args.json;
  style.json = json;
  style.redactor = cccd::cli::Redactor(redact);
  try {
    style.text = &cccd::cli::messages(cccd::cli::language_from(language));
    if (read->parsed()) return run_read(read_args, sim->count() > 0, reader->count() > 0);
    if (readers->parsed()) return run_readers();
    if (trust_command->parsed()) return run_trust(trust_args);
    if (pack->parsed()) return cccd::cli::run_pack(pack_folder, pack_file, pack_replace);
    if (unpack->parsed()) return cccd::cli::run_unpack(unpack_file, unpack_folder, unpack_replace);
    return run_verify(verify_args);
  } catch (const TrustInputRefused& e) {
    print_failure(e);
    return cccd::cli::kExitFile;
  } catch (const cccd::Error& e) {
    print_failure(e);
    return cccd::cli::exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::cerr << style.redactor.scrub(
                     std::string(style.text->internal_error) +
                     cccd::cli::terminal_safe(cccd::bounded_message(style.text->library_text(e.what()))))
              << '\n';
    return cccd::cli::kExitInternal;
  }
}
