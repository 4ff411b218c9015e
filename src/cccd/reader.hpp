// Reading a chip: the access credentials, the read options, and the entry points that acquire a
// ChipDump over a transport: the caller's own (cccd_transport_callbacks), a PC/SC or a libnfc reader.
// (Internal C++ interface of the core; the installed API is cccd.h and cccd.hpp.)
#pragma once

#include <cccd/cccd.h>
#include <cccd/cancel.hpp>
#include <cccd/card_qr.hpp>
#include <cccd/dump.hpp>
#include <cccd/policy.hpp>
#include <cccd/verify.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cccd {

// What opens the chip. The CCCD is opened with its 12-digit ID number (document number = last 9 digits,
// CAN = last 6) with the birth and expiry dates, or with the MRZ text. Strings are wiped on destruction.
struct Credentials {
  std::string document_number;  // as in the MRZ, without filler
  std::string date_of_birth;    // YYMMDD; '<' for an unknown day or month
  std::string date_of_expiry;   // YYMMDD; 991231 for a card without expiry
  std::string can;              // card access number (PACE), may be empty
  // The QR code printed on the card, when the caller gave its line instead of the ID number: the verdict
  // then compares it with the chip (qr_consistency).
  std::optional<CardQr> printed_qr;

  // `birth` and `expiry` as YYYY-MM-DD or YYMMDD; birth may be YYYY or YYYY-MM when day or month is not
  // on record; expiry may be "none" for a card that does not expire. Both empty: only the CAN is known
  // (enough for PACE, which the CCCD offers). Throws Error(invalid_argument).
  static Credentials from_id_number(std::string_view id_number, std::string_view birth = {},
                                    std::string_view expiry = {});
  // `text` is the ID number or the line the card's QR code gives (lds/qr_line.hpp), which is kept as
  // printed_qr; the dates as for from_id_number. Throws Error(invalid_argument), for a QR line from a
  // scanner set to another keyboard layout too.
  static Credentials from_id_or_qr_line(std::string_view text, std::string_view birth = {},
                                        std::string_view expiry = {});
  // The card access number alone (6 digits): PACE only.
  static Credentials from_can(std::string_view can);
  // From the MRZ text (TD1 or TD3). Throws Error(invalid_argument), also when a check digit is wrong.
  static Credentials from_mrz(std::string_view mrz_text);

  Credentials() = default;
  Credentials(const Credentials&) = default;
  Credentials(Credentials&&) = default;
  Credentials& operator=(const Credentials&) = default;
  Credentials& operator=(Credentials&&) = default;
  ~Credentials();
};

struct ReadProgress {
  FileId file = FileId::com;
  std::size_t file_bytes = 0;   // bytes of this file read so far
  std::size_t file_size = 0;    // its size, once its header was read (0 before)
  std::size_t files_done = 0;   // files finished
  std::size_t files_total = 0;  // files to read (known after EF.COM)
};

// How the chip is opened: PACE when EF.CardAccess offers it and BAC otherwise (a chip that declines
// PACE may be read with BAC; a wrong password, an invalid key or a bad token never are), or one only.
enum class AccessMode { automatic, pace_only, bac_only };

struct ReadOptions {
  AccessMode access = AccessMode::automatic;
  bool extended_length = true;  // use extended length APDUs when the link supports them
  bool read_photo = true;       // DG2, the largest file
  std::function<void(const ReadProgress&)> progress;
  // Active Authentication when the chip has DG15: INTERNAL AUTHENTICATE with this challenge (a server's,
  // so that it can verify the dump later) or a fresh random one; the dump keeps both challenge and signature.
  bool active_authentication = true;
  std::optional<std::array<std::uint8_t, 8>> active_authentication_challenge;

  // When the card leaves the field during the read: false ends the read with Error(card_removed); true
  // waits up to `resume_wait` for it to come back, opens the chip again (access control anew) and goes
  // on from the file and offset where it stopped, reading nothing twice. At most kMaxReopenings times.
  bool resume_after_removal = false;
  std::chrono::milliseconds resume_wait{30000};
  // Lets another thread stop the read (Error(cancelled)); not owned, must outlive the read.
  const Cancellation* cancellation = nullptr;
  // Before connecting to a reader: wait this long for a card to be presented (0: the card must be there).
  std::chrono::milliseconds wait_for_card{0};
  // Ceilings of one read, whatever the card does (docs/ARCHITECTURE.md, "Bounds"), checked before every
  // command: its total time from the first APDU (Error(timeout)), waits for a removed card included, and
  // its APDUs on the wire, GET RESPONSE included (Error(limit_exceeded)). A CCCD read takes a few seconds
  // and under 200 short APDUs.
  std::chrono::milliseconds time_limit{60000};
  std::uint64_t max_apdus = 4000;
  // What the verdict of read_and_verify requires (cccd/policy.hpp); the read itself ignores it.
  VerificationPolicy policy;
};

// How often one read may open the chip again (card put back, or a link that refused extended length).
inline constexpr int kMaxReopenings = 8;

// Reads the card behind the caller's transport callbacks (include/cccd/cccd.h): any transport, exactly as
// a reader's, with the same options (a wait for a card needs wait_for_card, a resume reconnect). Throws
// Error(invalid_argument) for callbacks without transmit or with a struct_size too small.
// Each read_* function hands `proof`, when given, what the session proved with the chip itself
// (LiveChipProof), for read_and_verify's verdict.
ChipDump read_card(const cccd_transport_callbacks& callbacks, void* user, const Credentials& credentials,
                   const ReadOptions& options = {}, std::optional<LiveChipProof>* proof = nullptr);

// Reads the card on a PC/SC reader: the first reader whose name contains `reader_name`, or with an empty
// name the reader that holds a card (with `wait_for_card`, the first to get one). Error(no_reader) when
// the PC/SC service is not running or no reader is there (with `wait_for_card`, once that time is up:
// a service or a reader that appears during the wait counts), Error(no_card) when no card is.
ChipDump read_pcsc_card(std::string_view reader_name, const Credentials& credentials,
                        const ReadOptions& options = {}, std::optional<LiveChipProof>* proof = nullptr);
std::vector<std::string> list_pcsc_readers();
// Returns once the card on the PC/SC reader (the first whose name contains `reader_name`; empty: every
// reader) is gone, at once when there is none; a desk loop calls it between cards. Error(timeout) when the
// card is still there after `timeout`; Error(cancelled) at once when `cancellation` (may be null) is
// cancelled.
void wait_for_card_removal(std::string_view reader_name, std::chrono::milliseconds timeout,
                           const Cancellation* cancellation = nullptr);

// Reads the card on a reader driven by libnfc (PN53x): `connstring` as libnfc writes it, e.g.
// "pn532_uart:/dev/ttyUSB0"; empty: the first device libnfc finds. Short APDUs only (a PN53x carries
// no more than 262 bytes per exchange).
ChipDump read_nfc_card(std::string_view connstring, const Credentials& credentials,
                       const ReadOptions& options = {}, std::optional<LiveChipProof>* proof = nullptr);
// The connstrings of the devices libnfc finds (configured ones, and USB readers when auto-scan is on).
std::vector<std::string> list_nfc_devices();

}  // namespace cccd
