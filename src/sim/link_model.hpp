// A model of the contactless link (ISO/IEC 14443-2/-3/-4) that turns one APDU exchange into the time it
// takes: bits on the air, block framing and chaining, the turnarounds of both sides, the chip's
// processing and the reader's per-APDU overhead. Every parameter and its source is in
// docs/PERFORMANCE.md. The virtual card reports its air time through ModelledLinkChannel, and
// cccd-bench compares a read against the fewest exchanges that can carry the same files (read_bound).
#pragma once

#include "sim/virtual_card_link.hpp"

#include <cccd/dump.hpp>

#include <cstddef>
#include <vector>

namespace cccd::sim {

inline constexpr double kCarrierMhz = 13.56;  // fc (ISO/IEC 14443-2)

enum class CardType { a, b };

// What the chip does with a command, for its processing time.
enum class CommandKind {
  select,
  read_binary,
  get_response,
  mse,                  // MSE:Set AT / KAT (PACE, Chip Authentication)
  pace_nonce,           // General Authenticate step 1: the encrypted nonce
  pace_map,             // step 2: the mapping (key generation and one scalar multiplication on the chip)
  pace_key_agreement,   // step 3: the ephemeral key agreement (the same again on the mapped generator)
  pace_mutual_auth,     // step 4: the authentication tokens
  chip_authentication,  // General Authenticate under secure messaging (CA v2): one scalar multiplication
  get_challenge,        // BAC
  external_authenticate,
  internal_authenticate,  // Active Authentication: a signature
  other,
};

// The chip's processing time per command, in microseconds (estimates; docs/PERFORMANCE.md).
struct ChipProcessing {
  double select_us = 2000;
  double read_binary_us = 2000;
  double per_response_byte_us = 0.5;  // secure messaging (encrypt + MAC) of the data sent back
  double get_response_us = 1000;
  double mse_us = 2000;
  double pace_nonce_us = 5000;
  double pace_map_us = 80000;
  double pace_key_agreement_us = 80000;
  double pace_mutual_auth_us = 5000;
  double chip_authentication_us = 50000;
  double get_challenge_us = 2000;
  double external_authenticate_us = 5000;
  double internal_authenticate_us = 100000;
  double other_us = 2000;

  double of(CommandKind kind, std::size_t response_bytes) const;
};

struct LinkParameters {
  int bitrate_kbps = 424;  // 106, 212, 424 or 848, the same in both directions
  CardType card_type = CardType::a;
  // Frame sizes with PCB, CID, NAD and CRC: the card's (FSC, from FSCI in the ATS) bounds what the
  // reader sends in one block, the reader's (FSD, from FSDI in RATS) what the card sends. FSCI/FSDI 8.
  std::size_t fsc = 256;
  std::size_t fsd = 256;
  bool cid = false;  // a CID byte in every block (a single card in the field needs none)
  bool nad = false;  // a NAD byte in every I-block
  // Type B: extra guard time between characters, in etu (0 to 2 from the card, 0 to 57 from the reader).
  double type_b_egt_etu = 0;
  // Minimum frame delay times: the card's turnaround after a reader frame (FDT PCD->PICC) and the
  // reader's after a card frame (FDT PICC->PCD), both 1172/fc (ISO/IEC 14443-3, 6.2.1.1 and 6.2.2).
  double card_turnaround_us = 1172 / kCarrierMhz;
  double reader_turnaround_us = 1172 / kCarrierMhz;
  double reader_overhead_us = 1000;  // per APDU: the host-reader round trip (USB CCID)
  ChipProcessing processing;
};

// One elementary time unit (one bit) at the bit rate: 128/fc at 106 kbit/s, 64/fc, 32/fc, 16/fc.
// Throws Error(invalid_argument) for any other rate.
double bit_time_us(int bitrate_kbps);
// The air time of one frame of `bytes` bytes (block header, INF and CRC): type A 9 bits a byte (8 data
// + odd parity) plus start and end of communication; type B 10 bits a character (start, 8 data, stop)
// plus EGT between characters, SOF (12 etu) and EOF (10 etu).
double frame_air_us(std::size_t bytes, const LinkParameters& params);
// PCB, optional CID and NAD, CRC: the bytes an I-block adds to its INF.
std::size_t i_block_overhead(const LinkParameters& params);
// An R(ACK) block: PCB, optional CID, CRC.
std::size_t r_block_bytes(const LinkParameters& params);
// The I-blocks that carry `apdu_bytes` in frames of `frame_size` (chaining when more than one).
// Throws Error(invalid_argument) when the frame cannot hold a byte of INF.
std::size_t blocks_for(std::size_t apdu_bytes, std::size_t frame_size, const LinkParameters& params);

struct ExchangeTime {
  std::size_t command_blocks = 0;
  std::size_t response_blocks = 0;
  double air_us = 0;         // every frame: I-blocks both ways and the R(ACK)s of chaining
  double turnaround_us = 0;  // frame delay times of both sides
  double processing_us = 0;  // the chip's work on the command
  double reader_us = 0;      // the per-APDU reader overhead
  double total_us() const { return air_us + turnaround_us + processing_us + reader_us; }
};

// One command APDU of `command_bytes` and its response of `response_bytes` (data and status word),
// with `processing_us` of chip time between them.
ExchangeTime modelled_exchange_time(std::size_t command_bytes, std::size_t response_bytes,
                                    const LinkParameters& params, double processing_us);
// The same, with the processing time of the command's kind from params.processing.
ExchangeTime modelled_exchange_time(std::size_t command_bytes, std::size_t response_bytes,
                                    const LinkParameters& params, CommandKind kind = CommandKind::other);

// What a command APDU asks the chip to do (from its INS, and for PACE the tag inside its data).
// Never throws: anything undecodable is `other`.
CommandKind classify_command(ByteView command);

struct ExchangeRecord {
  std::size_t command_bytes = 0;
  std::size_t response_bytes = 0;
  CommandKind kind = CommandKind::other;
  bool secure_messaging = false;  // CLA with the SM bits: the command was protected
  ExchangeTime time;
};

// The virtual card's link with the model applied: every exchange that reaches the card is recorded with
// its modelled time. Keeps VirtualCardChannel's tearing switch and Reconnectable.
class ModelledLinkChannel : public VirtualCardChannel {
 public:
  ModelledLinkChannel(VirtualCard& card, LinkParameters params) : VirtualCardChannel(card), params_(params) {}

  const LinkParameters& parameters() const noexcept { return params_; }
  const std::vector<ExchangeRecord>& records() const noexcept { return records_; }
  double modelled_us() const noexcept { return modelled_us_; }

 protected:
  Bytes exchange(ByteView command) override;

 private:
  LinkParameters params_;
  std::vector<ExchangeRecord> records_;
  double modelled_us_ = 0;
};

// The physical lower bound of a read: the fewest exchanges that can open the chip and carry the files of
// `dump`, each with the largest response the card allows, timed by the same model.
struct BoundSettings {
  // The largest protected response body one READ BINARY may bring: the card's extended-length limit,
  // or 256 on short APDUs.
  std::size_t max_response_data = 256;
  bool extended_length = false;
  std::size_t cipher_block = 16;  // of the secure messaging cipher: 16 (AES), 8 (3DES)
};

struct ReadBound {
  std::vector<ExchangeRecord> exchanges;
  double modelled_us = 0;
  std::size_t bytes_sent = 0;
  std::size_t bytes_received = 0;
};

// The largest plaintext one protected response of at most `max_response_data` bytes carries.
std::size_t max_plain_per_response(std::size_t max_response_data, std::size_t cipher_block);
// Sizes of a protected READ BINARY (SFI or offset in P1-P2 when `odd_offset_bytes` is 0, else INS B1
// with an offset DO'54' of that many value bytes): the command, and its response for `plain` bytes.
std::size_t protected_read_command_bytes(std::size_t le, bool extended, std::size_t cipher_block,
                                         std::size_t odd_offset_bytes = 0);
std::size_t protected_response_bytes(std::size_t plain, std::size_t cipher_block);

// With extended length, one plain question of the chip about it (EF.ATR/INFO, at least a status word
// back). Files: EF.CardAccess (plain, short) and every other file of the dump but EF.COM (the SOD lists the
// data groups); protocol: one of each access-control step the trace holds (PACE: MSE:Set AT and the four
// General Authenticate steps, or BAC's two), one SELECT of the application when the trace used PACE, and
// Chip/Active Authentication exchanges as recorded. `trace` is a read of the same card.
ReadBound read_bound(const ChipDump& dump, const std::vector<ExchangeRecord>& trace,
                     const BoundSettings& settings, const LinkParameters& params);

}  // namespace cccd::sim
