#include "sim/link_model.hpp"

#include "apdu/apdu.hpp"

#include <algorithm>
#include <map>

namespace cccd::sim {
namespace {

constexpr std::size_t kCrcBytes = 2;   // CRC_A / CRC_B
constexpr std::size_t kMacDo = 2 + 8;  // 8E 08 MAC
constexpr std::size_t kStatusDo = 4;   // 99 02 SW1 SW2
constexpr std::size_t kStatusWord = 2;
constexpr double kTypeASofEofEtu = 2;  // start (1 etu) and end (1 etu) of communication
constexpr double kTypeBSofEtu = 12;    // 10 etu low + 2 etu high (minimum)
constexpr double kTypeBEofEtu = 10;    // 10 etu low (minimum)
constexpr std::size_t kMaxEvenInsOffset = 0x7FFF;

std::size_t length_field(std::size_t length) {
  return length < 0x80 ? 1 : length <= 0xFF ? 2 : 3;
}

// A cryptogram of `plain` bytes: padded to the next whole block, always at least one padding byte.
std::size_t padded(std::size_t plain, std::size_t block) {
  return (plain / block + 1) * block;
}

// DO'87' (87 L 01 cryptogram) or, for odd INS, DO'85' (85 L cryptogram) of `plain` bytes; 0 for none.
std::size_t cryptogram_do(std::size_t plain, std::size_t block, bool odd_ins) {
  if (plain == 0) return 0;
  std::size_t value = padded(plain, block) + (odd_ins ? 0 : 1);
  return 1 + length_field(value) + value;
}

}  // namespace

double ChipProcessing::of(CommandKind kind, std::size_t response_bytes) const {
  switch (kind) {
    case CommandKind::select:
      return select_us;
    case CommandKind::read_binary:
      return read_binary_us + per_response_byte_us * static_cast<double>(response_bytes);
    case CommandKind::get_response:
      return get_response_us + per_response_byte_us * static_cast<double>(response_bytes);
    case CommandKind::mse:
      return mse_us;
    case CommandKind::pace_nonce:
      return pace_nonce_us;
    case CommandKind::pace_map:
      return pace_map_us;
    case CommandKind::pace_key_agreement:
      return pace_key_agreement_us;
    case CommandKind::pace_mutual_auth:
      return pace_mutual_auth_us;
    case CommandKind::chip_authentication:
      return chip_authentication_us;
    case CommandKind::get_challenge:
      return get_challenge_us;
    case CommandKind::external_authenticate:
      return external_authenticate_us;
    case CommandKind::internal_authenticate:
      return internal_authenticate_us;
    case CommandKind::other:
      return other_us;
  }
  return other_us;
}

double bit_time_us(int bitrate_kbps) {
  // fc/128 is "106 kbit/s"; each doubling of the rate halves the etu.
  switch (bitrate_kbps) {
    case 106:
      return 128 / kCarrierMhz;
    case 212:
      return 64 / kCarrierMhz;
    case 424:
      return 32 / kCarrierMhz;
    case 848:
      return 16 / kCarrierMhz;
    default:
      throw Error(ErrorCode::invalid_argument, "bit rate must be 106, 212, 424 or 848 kbit/s");
  }
}

double frame_air_us(std::size_t bytes, const LinkParameters& params) {
  const double etu = bit_time_us(params.bitrate_kbps);
  const auto n = static_cast<double>(bytes);
  if (params.card_type == CardType::a) return (9 * n + kTypeASofEofEtu) * etu;
  const double guard = bytes > 1 ? (n - 1) * params.type_b_egt_etu : 0;
  return (kTypeBSofEtu + 10 * n + guard + kTypeBEofEtu) * etu;
}

std::size_t i_block_overhead(const LinkParameters& params) {
  return 1 + (params.cid ? 1 : 0) + (params.nad ? 1 : 0) + kCrcBytes;
}

std::size_t r_block_bytes(const LinkParameters& params) {
  return 1 + (params.cid ? 1 : 0) + kCrcBytes;
}

std::size_t blocks_for(std::size_t apdu_bytes, std::size_t frame_size, const LinkParameters& params) {
  const std::size_t overhead = i_block_overhead(params);
  if (frame_size <= overhead) throw Error(ErrorCode::invalid_argument, "frame size leaves no room for data");
  const std::size_t inf = frame_size - overhead;
  return std::max<std::size_t>(1, (apdu_bytes + inf - 1) / inf);
}

ExchangeTime modelled_exchange_time(std::size_t command_bytes, std::size_t response_bytes,
                                    const LinkParameters& params, double processing_us) {
  ExchangeTime time;
  // The reader sends the command in blocks of at most FSC, the card in blocks of at most FSD. Every
  // chained block but the last is acknowledged by an R(ACK) from the other side.
  time.command_blocks = blocks_for(command_bytes, params.fsc, params);
  time.response_blocks = blocks_for(response_bytes, params.fsd, params);
  const std::size_t overhead = i_block_overhead(params);
  const std::size_t acks = time.command_blocks - 1 + time.response_blocks - 1;
  const std::size_t command_inf = params.fsc - overhead;
  const std::size_t response_inf = params.fsd - overhead;

  double air = 0;
  for (std::size_t left = command_bytes, i = 0; i < time.command_blocks; ++i) {
    std::size_t inf = std::min(left, command_inf);
    air += frame_air_us(inf + overhead, params);
    left -= inf;
  }
  for (std::size_t left = response_bytes, i = 0; i < time.response_blocks; ++i) {
    std::size_t inf = std::min(left, response_inf);
    air += frame_air_us(inf + overhead, params);
    left -= inf;
  }
  air += static_cast<double>(acks) * frame_air_us(r_block_bytes(params), params);
  time.air_us = air;

  // Each frame is followed by the other side's turnaround: the card's after every reader frame (command
  // blocks and the ACKs it sends for response blocks), the reader's after every card frame (ACKs for
  // command blocks, response blocks; the last one before the next command).
  const auto frames_each_way = static_cast<double>(time.command_blocks + time.response_blocks - 1);
  time.turnaround_us = frames_each_way * (params.card_turnaround_us + params.reader_turnaround_us);
  time.processing_us = processing_us;
  time.reader_us = params.reader_overhead_us;
  return time;
}

ExchangeTime modelled_exchange_time(std::size_t command_bytes, std::size_t response_bytes,
                                    const LinkParameters& params, CommandKind kind) {
  return modelled_exchange_time(command_bytes, response_bytes, params,
                                params.processing.of(kind, response_bytes));
}

CommandKind classify_command(ByteView command) {
  if (command.size() < 4) return CommandKind::other;
  const bool protected_command = (command[0] & 0x0C) != 0;
  switch (command[1]) {
    case 0xA4:
      return CommandKind::select;
    case 0xB0:
    case 0xB1:
      return CommandKind::read_binary;
    case 0xC0:
      return CommandKind::get_response;
    case 0x22:
      return CommandKind::mse;
    case 0x84:
      return CommandKind::get_challenge;
    case 0x82:
      return CommandKind::external_authenticate;
    case 0x88:
      return CommandKind::internal_authenticate;
    case 0x86:
      break;
    default:
      return CommandKind::other;
  }
  // General Authenticate: under secure messaging it is Chip Authentication; in plain it is a PACE step,
  // told by the first data object inside the dynamic authentication data (7C).
  if (protected_command) return CommandKind::chip_authentication;
  apdu::CommandApdu decoded;
  try {
    decoded = apdu::CommandApdu::decode(command);
  } catch (const Error&) {
    return CommandKind::other;
  }
  const Bytes& data = decoded.data;
  if (data.size() < 2 || data[0] != 0x7C) return CommandKind::other;
  std::size_t header = 2;
  if (data[1] == 0x81) header = 3;
  if (data[1] == 0x82) header = 4;
  if (data.size() <= header) return CommandKind::pace_nonce;  // 7C 00: asks for the encrypted nonce
  switch (data[header]) {
    case 0x81:
      return CommandKind::pace_map;
    case 0x83:
      return CommandKind::pace_key_agreement;
    case 0x85:
      return CommandKind::pace_mutual_auth;
    default:
      return CommandKind::other;
  }
}

Bytes ModelledLinkChannel::exchange(ByteView command) {
  Bytes response = VirtualCardChannel::exchange(command);
  ExchangeRecord record;
  record.command_bytes = command.size();
  record.response_bytes = response.size();
  record.kind = classify_command(command);
  record.secure_messaging = !command.empty() && (command[0] & 0x0C) != 0;
  record.time = modelled_exchange_time(record.command_bytes, record.response_bytes, params_, record.kind);
  modelled_us_ += record.time.total_us();
  records_.push_back(record);
  return response;
}

std::size_t max_plain_per_response(std::size_t max_response_data, std::size_t cipher_block) {
  // The largest whole-block cryptogram whose DO'87' with DO'99' and DO'8E' fits, less its padding byte.
  const std::size_t trailer = kStatusDo + kMacDo;
  for (std::size_t cryptogram = max_response_data / cipher_block * cipher_block; cryptogram >= cipher_block;
       cryptogram -= cipher_block) {
    if (cryptogram_do(cryptogram - 1, cipher_block, false) + trailer <= max_response_data)
      return cryptogram - 1;
  }
  return 0;
}

std::size_t protected_read_command_bytes(std::size_t le, bool extended, std::size_t cipher_block,
                                         std::size_t odd_offset_bytes) {
  // CLA INS P1 P2, Lc, [DO'85' offset], DO'97' Le, DO'8E' MAC, Le.
  const std::size_t offset_do =
      odd_offset_bytes == 0 ? 0 : cryptogram_do(2 + odd_offset_bytes, cipher_block, true);
  const std::size_t le_do = 2 + (le <= apdu::kMaxShortLe ? 1 : 2);
  const std::size_t data = offset_do + le_do + kMacDo;
  return 4 + (extended ? 3 + 2 : 1 + 1) + data;
}

std::size_t protected_response_bytes(std::size_t plain, std::size_t cipher_block) {
  return cryptogram_do(plain, cipher_block, false) + kStatusDo + kMacDo + kStatusWord;
}

namespace {

bool access_step(CommandKind kind) {
  switch (kind) {
    case CommandKind::mse:
    case CommandKind::pace_nonce:
    case CommandKind::pace_map:
    case CommandKind::pace_key_agreement:
    case CommandKind::pace_mutual_auth:
    case CommandKind::get_challenge:
    case CommandKind::external_authenticate:
      return true;
    default:
      return false;
  }
}

class BoundBuilder {
 public:
  BoundBuilder(ReadBound& bound, const LinkParameters& params) : bound_(bound), params_(params) {}

  void add(std::size_t command, std::size_t response, CommandKind kind, bool secure) {
    ExchangeRecord record;
    record.command_bytes = command;
    record.response_bytes = response;
    record.kind = kind;
    record.secure_messaging = secure;
    record.time = modelled_exchange_time(command, response, params_, kind);
    bound_.modelled_us += record.time.total_us();
    bound_.bytes_sent += command;
    bound_.bytes_received += response;
    bound_.exchanges.push_back(record);
  }

 private:
  ReadBound& bound_;
  const LinkParameters& params_;
};

}  // namespace

ReadBound read_bound(const ChipDump& dump, const std::vector<ExchangeRecord>& trace,
                     const BoundSettings& settings, const LinkParameters& params) {
  ReadBound bound;
  BoundBuilder builder(bound, params);

  // A reader that would use extended length has to learn whether the chip takes it: one plain READ
  // BINARY with an extended Le (EF.ATR/INFO, reader/extended_length.hpp), at least a status word back.
  if (settings.extended_length && settings.max_response_data > apdu::kMaxShortLe)
    builder.add(4 + 3, kStatusWord, CommandKind::read_binary, false);

  // EF.CardAccess tells which PACE the chip runs: one plain READ BINARY by SFI (several if it were longer
  // than a short response, which the reader cannot know to be otherwise before PACE).
  auto card_access = dump.files.find(FileId::card_access);
  if (card_access != dump.files.end()) {
    std::size_t left = card_access->second.size();
    do {
      const std::size_t part = std::min(left, apdu::kMaxShortLe);
      builder.add(5, part + kStatusWord, CommandKind::read_binary, false);
      left -= part;
    } while (left > 0);
  }

  // Access control: each step once, with the sizes the protocol gave them (fixed by the domain
  // parameters and the cipher, not by the reader). Chip and Active Authentication as recorded.
  std::map<CommandKind, const ExchangeRecord*> steps;
  bool pace = false;
  for (const ExchangeRecord& record : trace) {
    if (access_step(record.kind) && !record.secure_messaging) {
      steps.emplace(record.kind, &record);
      pace = pace || record.kind == CommandKind::pace_nonce;
    }
  }
  for (const auto& [kind, record] : steps)
    builder.add(record->command_bytes, record->response_bytes, kind, false);
  for (const ExchangeRecord& record : trace) {
    const bool authentication = record.kind == CommandKind::chip_authentication ||
                                record.kind == CommandKind::internal_authenticate ||
                                (record.kind == CommandKind::mse && record.secure_messaging);
    if (authentication) builder.add(record.command_bytes, record.response_bytes, record.kind, true);
  }

  // After PACE the eMRTD application is selected under secure messaging (7-byte AID, P2 0C, Le 00).
  // After BAC it is selected before, in plain.
  const std::size_t aid = 7;
  if (pace) {
    builder.add(4 + 1 + cryptogram_do(aid, settings.cipher_block, false) + kMacDo + 1,
                protected_response_bytes(0, settings.cipher_block), CommandKind::select, true);
  } else if (!steps.empty()) {
    builder.add(4 + 1 + aid, kStatusWord, CommandKind::select, false);
  }

  // Every file the verdict uses (EF.COM is not: the SOD lists the data groups), read from the start by
  // SFI with the largest response, then at offsets in P1-P2, and past 32 767 with INS B1.
  const std::size_t plain_max = max_plain_per_response(settings.max_response_data, settings.cipher_block);
  if (plain_max == 0) throw Error(ErrorCode::invalid_argument, "the response size leaves no room for data");
  // Responses longer than a short Le allows need an extended command (Lc in 3 bytes, Le in 2).
  const bool extended = settings.extended_length && settings.max_response_data > apdu::kMaxShortLe;
  for (const auto& [file, content] : dump.files) {
    if (file == FileId::card_access || file == FileId::com) continue;
    std::size_t offset = 0;
    while (offset < content.size()) {
      std::size_t odd_offset_bytes = 0;
      std::size_t carried = plain_max;
      if (offset > kMaxEvenInsOffset) {
        odd_offset_bytes = offset > 0xFFFF ? 3 : 2;
        carried = plain_max - 1 - length_field(plain_max);  // DO'53' wraps the data
      }
      const std::size_t part = std::min(carried, content.size() - offset);
      const std::size_t plain = odd_offset_bytes == 0 ? part : 1 + length_field(part) + part;
      builder.add(protected_read_command_bytes(plain_max, extended, settings.cipher_block, odd_offset_bytes),
                  protected_response_bytes(plain, settings.cipher_block), CommandKind::read_binary, true);
      offset += part;
    }
  }
  return bound;
}

}  // namespace cccd::sim
