#include <cccd/document.hpp>
#include <cccd/error.hpp>

#include "lds/lds.hpp"

namespace cccd {

std::string Mrz::cccd_id_number() const {
  if (optional_data_1.size() < 12) return {};
  for (std::size_t i = 0; i < 12; ++i) {
    if (optional_data_1[i] < '0' || optional_data_1[i] > '9') return {};
  }
  return optional_data_1.substr(0, 12);
}

const Dg13Field* PersonalData::field(int number) const {
  for (const Dg13Field& f : fields) {
    if (f.number == number) return &f;
  }
  return nullptr;
}

std::string PersonalData::text(int number) const {
  const Dg13Field* f = field(number);
  return f == nullptr || f->values.empty() ? std::string() : f->values.front();
}

// Field 13 holds the parents in order: father first, mother second (the CCCD chip profile).
std::string PersonalData::father_name() const {
  return text(13);
}

std::string PersonalData::mother_name() const {
  const Dg13Field* f = field(13);
  return f == nullptr || f->values.size() < 2 ? std::string() : f->values[1];
}

std::string_view format_name(FaceImage::Format format) noexcept {
  switch (format) {
    case FaceImage::Format::jpeg:
      return "jpeg";
    case FaceImage::Format::jpeg2000:
      return "jpeg2000";
    case FaceImage::Format::unknown:
      break;
  }
  return "unknown";
}

namespace lds {
namespace {

// Runs one parser; its failure becomes a line of parse_errors (the message already names the file).
template <class Result, class Parse>
void parse_part(const ChipDump& dump, FileId id, std::optional<Result>& into, Parse parse,
                std::vector<std::string>& errors) {
  const Bytes* bytes = dump.file(id);
  if (bytes == nullptr) return;
  try {
    into = parse(ByteView(*bytes));
  } catch (const Error& e) {
    std::string message = e.what();
    std::string prefix = std::string(file_name(id)) + ": ";
    errors.push_back(message.rfind(prefix, 0) == 0 ? message : prefix + message);
  }
}

}  // namespace

Document parse_document(const ChipDump& dump) {
  Document document;
  parse_part(dump, FileId::com, document.com, parse_ef_com, document.parse_errors);
  parse_part(dump, FileId::dg1, document.mrz, parse_dg1, document.parse_errors);
  parse_part(dump, FileId::dg2, document.face, parse_dg2, document.parse_errors);
  parse_part(dump, FileId::dg13, document.personal, parse_dg13, document.parse_errors);
  return document;
}

}  // namespace lds
}  // namespace cccd
