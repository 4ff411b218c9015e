#include "asn1/tlv.hpp"
#include "lds/lds.hpp"
#include "lds/parse_context.hpp"

#include <vector>

namespace cccd::lds {
namespace {

constexpr const char* kFile = "DG13";
// SEQUENCEs nested inside one field (a parent inside field 13 is one level).
constexpr std::size_t kMaxNesting = 4;
constexpr std::uint64_t kMaxFieldNumber = 255;

[[noreturn]] void malformed(const std::string& what) {
  detail::malformed(kFile, what);
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF, no cut sequences.
std::string checked_utf8(ByteView value) {
  std::size_t i = 0;
  while (i < value.size()) {
    std::uint8_t lead = value[i];
    std::size_t extra = 0;
    std::uint8_t low = 0x80;
    std::uint8_t high = 0xBF;  // allowed range of the second byte
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
    } else if (lead == 0xE0) {
      extra = 2;
      low = 0xA0;
    } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
      extra = 2;
    } else if (lead == 0xED) {
      extra = 2;
      high = 0x9F;
    } else if (lead == 0xF0) {
      extra = 3;
      low = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
      extra = 3;
    } else if (lead == 0xF4) {
      extra = 3;
      high = 0x8F;
    } else {
      malformed("text value is not valid UTF-8");
    }
    if (value.size() - i - 1 < extra) malformed("text value is not valid UTF-8 (cut sequence)");
    if (value[i + 1] < low || value[i + 1] > high) malformed("text value is not valid UTF-8");
    for (std::size_t k = 2; k <= extra; ++k) {
      if ((value[i + k] & 0xC0) != 0x80) malformed("text value is not valid UTF-8");
    }
    i += extra + 1;
  }
  return std::string(value.begin(), value.end());
}

// BMPString is UTF-16BE here (surrogate pairs accepted, lone surrogates rejected).
std::string utf16be_to_utf8(ByteView value) {
  if (value.size() % 2 != 0) malformed("BMPString of odd length");
  std::string out;
  for (std::size_t i = 0; i < value.size(); i += 2) {
    std::uint32_t unit = (static_cast<std::uint32_t>(value[i]) << 8) | value[i + 1];
    if (unit >= 0xDC00 && unit <= 0xDFFF) malformed("BMPString with a lone low surrogate");
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 3 >= value.size()) malformed("BMPString with a lone high surrogate");
      std::uint32_t next = (static_cast<std::uint32_t>(value[i + 2]) << 8) | value[i + 3];
      if (next < 0xDC00 || next > 0xDFFF) malformed("BMPString with a lone high surrogate");
      unit = 0x10000 + ((unit - 0xD800) << 10) + (next - 0xDC00);
      i += 2;
    }
    append_utf8(out, unit);
  }
  return out;
}

bool is_text_tag(asn1::Tag tag) noexcept {
  return tag == 0x0C || tag == 0x13 || tag == 0x14 || tag == 0x16 || tag == 0x1E;
}
bool is_container_tag(asn1::Tag tag) noexcept {
  return tag == 0x30 || tag == 0x31;
}

std::string decode_text(const asn1::Tlv& element) {
  return element.tag == 0x1E ? utf16be_to_utf8(element.value) : checked_utf8(element.value);
}

void add_value(Dg13Field& field, std::string value) {
  if (field.values.size() >= kMaxDg13ValuesPerField) {
    throw Error(ErrorCode::limit_exceeded, std::string(kFile) + ": too many values in one field");
  }
  field.values.push_back(std::move(value));
}

// Collects the text values inside one nested SEQUENCE, in order, walking deeper SEQUENCEs with an
// explicit stack of readers (never recursion: the depth comes from the card).
void collect_nested(ByteView contents, Dg13Field& field) {
  std::vector<asn1::TlvReader> stack;
  stack.emplace_back(contents);
  while (!stack.empty()) {
    if (stack.back().empty()) {
      stack.pop_back();
      continue;
    }
    asn1::Tlv element = stack.back().next();
    if (is_text_tag(element.tag)) {
      add_value(field, decode_text(element));
    } else if (is_container_tag(element.tag)) {
      if (stack.size() >= kMaxNesting) malformed("field nested deeper than 4 SEQUENCEs");
      stack.emplace_back(element.value);
    }
    // Any other element (an INTEGER, a date as OCTET STRING ...) carries no text: skipped.
  }
}

Dg13Field parse_field(const asn1::Tlv& sequence) {
  Dg13Field field;
  field.raw.assign(sequence.encoded.begin(), sequence.encoded.end());
  asn1::TlvReader reader(sequence.value);
  asn1::Tlv number = reader.next();
  if (number.tag != 0x02) malformed("field does not start with its number (INTEGER)");
  std::uint64_t n = asn1::decode_unsigned(number);
  if (n == 0 || n > kMaxFieldNumber) malformed("field number out of range");
  field.number = static_cast<int>(n);
  while (!reader.empty()) {
    asn1::Tlv element = reader.next();
    if (is_text_tag(element.tag)) {
      add_value(field, decode_text(element));
    } else if (is_container_tag(element.tag)) {
      // A parent or the spouse in its own SEQUENCE. One that holds no text still takes its place, so
      // that father stays first and mother second when the father is left empty.
      std::size_t before = field.values.size();
      collect_nested(element.value, field);
      if (field.values.size() == before) add_value(field, std::string());
    }
  }
  return field;
}

}  // namespace

// DG13 of the CCCD: 6D { 30 { 02 version, 06 OID (optional), 31 (or 30) { 30 { 02 n, values } ... } } }.
PersonalData parse_dg13(ByteView file) {
  return detail::in_file(kFile, [file] {
    asn1::Tlv outer = asn1::parse_first(file);
    if (outer.tag != 0x6D) malformed("not a DG13 (outer tag is not 6D)");
    asn1::TlvReader outer_reader(outer.value);
    asn1::Tlv body = outer_reader.expect(0x30);

    PersonalData data;
    asn1::TlvReader reader(body.value);
    asn1::Tlv version = reader.next();
    if (version.tag != 0x02) malformed("no version INTEGER");
    std::uint64_t version_value = asn1::decode_unsigned(version);
    if (version_value > 255) malformed("version out of range");
    data.version = static_cast<int>(version_value);
    if (std::optional<asn1::Tlv> oid = reader.next_if(0x06)) asn1::decode_oid(*oid);  // checked, not kept

    std::optional<asn1::Tlv> set = reader.next_if(0x31);
    if (!set) set = reader.next_if(0x30);
    if (!set) malformed("no SET of fields");
    asn1::TlvReader fields(set->value);
    while (!fields.empty()) {
      asn1::Tlv field = fields.next();
      if (field.tag != 0x30) malformed("field is not a SEQUENCE");
      if (data.fields.size() >= kMaxDg13Fields) {
        throw Error(ErrorCode::limit_exceeded, std::string(kFile) + ": more fields than allowed");
      }
      data.fields.push_back(parse_field(field));
    }
    return data;
  });
}

}  // namespace cccd::lds
