#include "apdu/apdu.hpp"

#include "util/bytes.hpp"

namespace cccd::apdu {
namespace {

[[noreturn]] void malformed(const char* what) {
  throw Error(ErrorCode::malformed_data, std::string("APDU: ") + what);
}

void check_sizes(const CommandApdu& c) {
  if (c.data.size() > kMaxExtendedLc) throw Error(ErrorCode::invalid_argument, "APDU: command data too long");
  if (c.le > kMaxExtendedLe) throw Error(ErrorCode::invalid_argument, "APDU: Le too large");
}

}  // namespace

Bytes CommandApdu::encode() const {
  if (needs_extended()) return encode_extended();
  check_sizes(*this);
  Bytes out{cla, ins, p1, p2};
  if (!data.empty()) {
    out.push_back(static_cast<std::uint8_t>(data.size()));
    append(out, data);
  }
  if (le != kNoLe) out.push_back(static_cast<std::uint8_t>(le == kMaxShortLe ? 0 : le));
  return out;
}

Bytes CommandApdu::encode_extended() const {
  check_sizes(*this);
  Bytes out{cla, ins, p1, p2};
  if (!data.empty()) {
    out.push_back(0x00);
    out.push_back(static_cast<std::uint8_t>(data.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(data.size()));
    append(out, data);
  }
  if (le != kNoLe) {
    std::size_t encoded_le = le == kMaxExtendedLe ? 0 : le;
    if (data.empty()) out.push_back(0x00);  // case 2E: the extended marker precedes Le
    out.push_back(static_cast<std::uint8_t>(encoded_le >> 8));
    out.push_back(static_cast<std::uint8_t>(encoded_le));
  }
  return out;
}

CommandApdu CommandApdu::decode(ByteView in, bool* was_extended) {
  if (in.size() < 4) malformed("shorter than a header");
  CommandApdu c{in[0], in[1], in[2], in[3], {}, kNoLe};
  ByteView body = in.subspan(4);
  bool extended = false;
  if (body.empty()) {
    // case 1
  } else if (body.size() == 1) {  // case 2S
    c.le = body[0] == 0 ? kMaxShortLe : body[0];
  } else if (body[0] != 0) {  // case 3S or 4S
    std::size_t lc = body[0];
    if (body.size() == 1 + lc) {
      c.data.assign(body.begin() + 1, body.end());
    } else if (body.size() == 2 + lc) {
      c.data.assign(body.begin() + 1, body.begin() + 1 + static_cast<std::ptrdiff_t>(lc));
      c.le = body.back() == 0 ? kMaxShortLe : body.back();
    } else {
      malformed("short Lc does not match the command length");
    }
  } else {
    extended = true;
    if (body.size() == 3) {  // case 2E
      std::size_t le = (std::size_t{body[1]} << 8) | body[2];
      c.le = le == 0 ? kMaxExtendedLe : le;
    } else if (body.size() >= 3) {
      std::size_t lc = (std::size_t{body[1]} << 8) | body[2];
      if (lc == 0) malformed("extended Lc of zero");
      if (body.size() == 3 + lc) {
        c.data.assign(body.begin() + 3, body.end());
      } else if (body.size() == 5 + lc) {
        c.data.assign(body.begin() + 3, body.begin() + 3 + static_cast<std::ptrdiff_t>(lc));
        std::size_t le = (std::size_t{body[3 + lc]} << 8) | body[4 + lc];
        c.le = le == 0 ? kMaxExtendedLe : le;
      } else {
        malformed("extended Lc does not match the command length");
      }
    } else {
      malformed("truncated extended length");
    }
  }
  if (was_extended != nullptr) *was_extended = extended;
  return c;
}

Bytes ResponseApdu::encode() const {
  Bytes out = data;
  out.push_back(sw1());
  out.push_back(sw2());
  return out;
}

ResponseApdu ResponseApdu::decode(ByteView in) {
  if (in.size() < 2) malformed("response shorter than a status word");
  ResponseApdu r;
  r.data.assign(in.begin(), in.end() - 2);
  r.sw = static_cast<std::uint16_t>((in[in.size() - 2] << 8) | in[in.size() - 1]);
  return r;
}

std::string sw_hex(std::uint16_t sw) {
  return to_hex(be_bytes(sw, 2));
}

}  // namespace cccd::apdu
