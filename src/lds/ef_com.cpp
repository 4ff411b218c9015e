#include "asn1/tlv.hpp"
#include "lds/lds.hpp"
#include "lds/parse_context.hpp"

#include <algorithm>

namespace cccd::lds {
namespace {

constexpr const char* kFile = "EF.COM";

// The version fields are short runs of digits; anything else is not an LDS version.
std::string version_text(ByteView value, std::size_t length, const char* what) {
  if (value.size() != length) detail::malformed(kFile, std::string(what) + " has the wrong length");
  for (std::uint8_t b : value) {
    if (b < '0' || b > '9') detail::malformed(kFile, std::string(what) + " is not a run of digits");
  }
  return std::string(value.begin(), value.end());
}

}  // namespace

// EF.COM (ICAO Doc 9303 Part 10 section 4.6.1): 60 { 5F01 LDS version, 5F36 Unicode version, 5C tag list }.
ComFile parse_ef_com(ByteView file) {
  return detail::in_file(kFile, [file] {
    asn1::Tlv outer = asn1::parse_first(file);
    if (outer.tag != 0x60) detail::malformed(kFile, "not an EF.COM (outer tag is not 60)");
    ComFile com;
    bool have_tag_list = false;
    asn1::TlvReader reader(outer.value);
    while (!reader.empty()) {
      asn1::Tlv element = reader.next();
      switch (element.tag) {
        case 0x5F01:
          com.lds_version = version_text(element.value, 4, "LDS version");
          break;
        case 0x5F36:
          com.unicode_version = version_text(element.value, 6, "Unicode version");
          break;
        case 0x5C:
          if (have_tag_list) detail::malformed(kFile, "two tag lists");
          have_tag_list = true;
          for (std::uint8_t tag : element.value) {
            std::optional<FileId> group = data_group_from_tag(tag);
            if (!group) continue;  // a tag this library does not know: not an error, just not listed
            if (std::find(com.data_groups.begin(), com.data_groups.end(), *group) == com.data_groups.end()) {
              com.data_groups.push_back(*group);
            }
          }
          break;
        default:
          break;  // elements of later LDS versions
      }
    }
    if (!have_tag_list) detail::malformed(kFile, "no tag list (5C)");
    return com;
  });
}

}  // namespace cccd::lds
