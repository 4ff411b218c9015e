#include "reader/file_reader.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "util/bytes.hpp"

#include <algorithm>

namespace cccd::reader {
namespace {

namespace sw = apdu::sw;
constexpr std::uint8_t kInsReadBinary = 0xB0;
constexpr std::uint8_t kInsReadBinaryOdd = 0xB1;
constexpr std::size_t kMaxEvenInsOffset = 0x7FFF;  // P1P2 offsets of INS B0 are 15 bits
constexpr std::size_t kMaxDo53Header = 4;          // 53 82 xx xx: responses are at most 65 536 bytes

bool data_returned(std::uint16_t status) {
  return status == sw::kOk || status == sw::kEndOfFileBeforeLe;
}

[[noreturn]] void card_refused(FileId file, std::uint16_t status) {
  throw Error(ErrorCode::card_error, std::string("reading ") + std::string(file_name(file)) +
                                         ": the card answered " + apdu::sw_hex(status));
}

}  // namespace

FileReader::FileReader(transport::Channel& channel, bool extended_length, FileAddressing* addressing)
    : channel_(channel), addressing_(addressing) {
  transport::ChannelCapabilities caps = channel.capabilities();
  bool extended = extended_length && caps.extended_length;
  // At least room for a DO'53' header and some data: a link that carries less is not a link to use.
  std::size_t floor = kMaxDo53Header + 1;
  short_chunk_ = std::clamp<std::size_t>(caps.max_short_response_data, floor, apdu::kMaxShortLe);
  chunk_ =
      extended ? std::clamp<std::size_t>(caps.max_response_data, floor, apdu::kMaxExtendedLe) : short_chunk_;
}

apdu::ResponseApdu FileReader::sized_read(const std::function<apdu::ResponseApdu()>& send) {
  apdu::ResponseApdu response = send();
  if (response.sw == sw::kWrongLength && chunk_ > short_chunk_) {
    extended_length_refused_ = true;
    throw Error(ErrorCode::card_error, "the card refused an extended-length READ BINARY (6700)");
  }
  return response;
}

std::optional<FileOutcome> FileReader::refusal(std::uint16_t status) const {
  if (status == sw::kFileNotFound) return FileOutcome::absent;
  if (status == sw::kSecurityStatusNotSatisfied) return FileOutcome::denied;
  return std::nullopt;
}

apdu::ResponseApdu FileReader::read_binary(std::size_t offset, std::size_t length) {
  if (offset <= kMaxEvenInsOffset) {
    apdu::CommandApdu command{
        0x00, kInsReadBinary, static_cast<std::uint8_t>(offset >> 8), static_cast<std::uint8_t>(offset),
        {},   length};
    return channel_.transmit(command);
  }
  // Beyond 32 767 the offset travels in DO'54' of READ BINARY with odd INS; the data come back in
  // DO'53', whose header takes a few bytes of the response: ask for less data so the whole still fits.
  Bytes offset_object = asn1::tlv(0x54, be_bytes(offset, offset > 0xFFFF ? 3 : 2));
  std::size_t fits = chunk_ - 2;  // the largest n with 53 || length(n) || n bytes <= chunk_
  while (1 + asn1::encode_length(fits).size() + fits > chunk_) --fits;
  length = std::min(length, fits);
  std::size_t header = 1 + asn1::encode_length(length).size();
  apdu::CommandApdu command{0x00, kInsReadBinaryOdd, 0x00, 0x00, offset_object, length + header};
  apdu::ResponseApdu response = channel_.transmit(command);
  if (data_returned(response.sw)) {
    asn1::Tlv wrapped = asn1::parse_one(response.data, 0x53);
    response.data.assign(wrapped.value.begin(), wrapped.value.end());
  }
  return response;
}

apdu::ResponseApdu FileReader::read_first(FileId file, std::size_t offset) {
  // The first READ BINARY selects the file by its short identifier (P1 = 80 | SFI, offset in P2) and
  // returns the header and as much data as one response carries: no SELECT, no separate header read.
  const bool by_sfi = offset <= 0xFF && (addressing_ == nullptr || !addressing_->select_by_fid);
  bool sfi_refused = false;
  if (by_sfi) {
    apdu::ResponseApdu response = sized_read([&] {
      apdu::CommandApdu first{0x00,
                              kInsReadBinary,
                              static_cast<std::uint8_t>(0x80 | file_sfi(file)),
                              static_cast<std::uint8_t>(offset),
                              {},
                              chunk_};
      return channel_.transmit(first);
    });
    if (data_returned(response.sw) || response.sw == sw::kSecurityStatusNotSatisfied) return response;
    // 6A82 is "absent" on a chip that takes SFIs, but also what some chips answer to any SFI under secure
    // messaging: with the session's addressing, the file identifier has the last word.
    if (response.sw == sw::kFileNotFound && addressing_ == nullptr) return response;
    sfi_refused = true;
  }
  // Chips without SFI addressing (under secure messaging, or at all), and offsets past 255, which do not
  // fit P2: SELECT by file identifier (never the MF), then read at the offset.
  apdu::CommandApdu select{0x00, 0xA4, 0x02, 0x0C, be_bytes(file_fid(file), 2), apdu::kNoLe};
  apdu::ResponseApdu selected = channel_.transmit(select);
  if (!selected.ok()) return selected;
  if (sfi_refused && addressing_ != nullptr)
    addressing_->select_by_fid = true;  // for the rest of the session
  return sized_read([&] { return read_binary(offset, chunk_); });
}

FileResult FileReader::read(FileId file, const Progress& progress) {
  Bytes content;
  return read(file, progress, content);
}

FileResult FileReader::read(FileId file, const Progress& progress, Bytes& content) {
  // Resuming needs the header of the file to know its size; a piece shorter than that is read again.
  std::optional<std::size_t> total = asn1::encoded_length_from_header(content);
  if (!total) content.clear();

  apdu::ResponseApdu response = read_first(file, content.size());
  if (std::optional<FileOutcome> refused = refusal(response.sw)) return {*refused, {}};
  if (!data_returned(response.sw)) card_refused(file, response.sw);
  if (response.data.size() > chunk_) {
    throw Error(ErrorCode::card_error,
                std::string(file_name(file)) + ": the card returned more bytes than asked");
  }
  if (response.data.empty()) {
    throw Error(ErrorCode::malformed_data, std::string(file_name(file)) + ": the card returned no data");
  }
  append(content, response.data);

  total = asn1::encoded_length_from_header(content);
  if (!total) {
    throw Error(ErrorCode::malformed_data,
                std::string(file_name(file)) + ": the file does not start with a TLV header");
  }
  if (*total > kMaxFileSize) {
    throw Error(ErrorCode::limit_exceeded,
                std::string(file_name(file)) + ": the file claims more than 1 MiB");
  }
  if (progress) progress(std::min(content.size(), *total), *total);

  // Each further command asks for what is left, up to one response's worth; a card that stops making
  // progress or drags the read out beyond what the size needs is cut off.
  // (Counted with the data a B1 response carries at the smaller of the two sizes a command may ask for:
  // a link can carry less than a short APDU, and a card that refuses extended length gets short ones.)
  std::size_t payload = std::min(chunk_, short_chunk_) - kMaxDo53Header;
  std::size_t budget = (*total + payload - 1) / payload + kMaxExtraApdusPerFile;
  while (content.size() < *total) {
    if (budget-- == 0) {
      throw Error(ErrorCode::limit_exceeded,
                  std::string(file_name(file)) + ": too many READ BINARY commands");
    }
    std::size_t wanted = 0;
    apdu::ResponseApdu part = sized_read([&] {
      wanted = std::min(chunk_, *total - content.size());
      return read_binary(content.size(), wanted);
    });
    if (!data_returned(part.sw)) card_refused(file, part.sw);
    if (part.data.size() > wanted) {
      throw Error(ErrorCode::card_error,
                  std::string(file_name(file)) + ": the card returned more bytes than asked");
    }
    if (part.data.empty()) {
      throw Error(ErrorCode::malformed_data,
                  std::string(file_name(file)) + ": the file ends before its TLV length");
    }
    append(content, part.data);
    if (progress) progress(std::min(content.size(), *total), *total);
  }
  content.resize(*total);
  return {FileOutcome::read, std::move(content)};
}

}  // namespace cccd::reader
