// `--redact`: cccd-verify prints no ID number, name, date or address in full, in the human output, the
// JSON and error messages alike, so that a screen, a log or a support ticket can be shared.
//   ID numbers   all but the last 3 digits:          001099012345      -> *********345
//   names        initials:                           Nguyễn Thị Thu Hà -> N. T. T. H.
//   dates        all but the year:                   17/05/1990 -> **/**/1990, 1990-05-17 -> 1990-**-**,
//                                                    900517 (MRZ) -> 90****
//   addresses    all but the last part (the province): "Xã A, Huyện B, Tỉnh C" -> "***, Tỉnh C"
//   ethnicity, religion, identifying marks, the MRZ text: masked whole (***)
// The report is redacted field by field before it is printed, and every printed line also passes
// through a scrubber that replaces what it learnt (the card's values and the credentials given on the
// command line) wherever else it may appear.
#pragma once

#include <cccd/reader.hpp>
#include <cccd/report.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cccd::cli {

std::string mask_id_number(std::string_view id_number);
std::string mask_name(std::string_view name);
std::string mask_date(std::string_view date);
std::string mask_address(std::string_view address);

class Redactor {
 public:
  explicit Redactor(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }

  // Learns the secrets of the credentials (ID number, document number, CAN, dates) and of a report.
  void learn(const Credentials& credentials);
  void learn(const Report& report);
  void add_id_number(std::string_view id_number);
  void add_name(std::string_view name);
  void add_date(std::string_view date);  // dd/mm/yyyy, yyyy-mm-dd, yyyymmdd or yymmdd
  // A copy of `report` with its personal fields masked (as the table above).
  Report redact(const Report& report) const;
  // The JSON of `report` (docs/json-schema.md) redacted: the fields masked as redact() does, the MRZ's ID
  // number masked too (a masked MRZ no longer holds a 12-digit number to derive it from), then scrubbed.
  std::string json(const Report& report) const;
  // `text` with every learnt secret replaced by its mask (unchanged when redaction is off).
  std::string scrub(std::string text) const;

 private:
  void add(std::string plain, std::string masked);

  bool enabled_;
  std::vector<std::pair<std::string, std::string>> secrets_;  // longest first
};

}  // namespace cccd::cli
