// The parsed contents of a CCCD: the MRZ (DG1), the Vietnamese personal data (DG13), the face (DG2).
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/files.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cccd {

// A machine readable zone (ICAO Doc 9303 Parts 4-6), TD1 (3 x 30, the CCCD) or TD3 (2 x 44, passports).
struct Mrz {
  enum class Format { td1, td3 };
  Format format = Format::td1;
  std::string document_code;         // "ID", "P<", "I<" ...
  std::string issuing_state;         // "VNM"
  std::string document_number;       // without filler, overflow (TD1 long numbers) joined back
  std::string optional_data_1;       // TD1 line 1 after the number; the CCCD's 12-digit ID number is here
  std::string optional_data_2;       // TD1 line 2 / TD3 personal number; fillers removed
  std::string date_of_birth;         // YYMMDD as printed; unknown day or month stays "<<"
  std::string sex;                   // "M", "F" or "<"
  std::string date_of_expiry;        // YYMMDD; "991231" for cards that no longer expire
  std::string nationality;           // "VNM"
  std::string primary_identifier;    // surname, fillers turned into spaces
  std::string secondary_identifier;  // given names, fillers turned into spaces
  std::string text;                  // the lines joined with '\n'
  bool check_digits_valid = false;   // every check digit (number, birth, expiry, composite) is right

  // The CCCD puts the 12-digit personal identification number in optional data 1 (empty otherwise).
  std::string cccd_id_number() const;
};

// One DG13 field, kept by its field number whatever it holds.
struct Dg13Field {
  int number = 0;
  std::vector<std::string> values;  // the text values in order (UTF-8); nested ones flattened
  Bytes raw;                        // the field's encoded SEQUENCE as it stands in DG13
};

// DG13 of the CCCD: Vietnamese personal data (see docs/ and the CCCD chip profile).
struct PersonalData {
  int version = 0;
  std::vector<Dg13Field> fields;  // every field, in file order, unknown numbers included

  // Convenience: the first text value of a field ("" when absent or empty).
  std::string text(int number) const;
  const Dg13Field* field(int number) const;
  std::string id_number() const { return text(1); }
  std::string full_name() const { return text(2); }
  std::string date_of_birth() const { return text(3); }  // dd/mm/yyyy
  std::string sex() const { return text(4); }
  std::string nationality() const { return text(5); }
  std::string ethnicity() const { return text(6); }
  std::string religion() const { return text(7); }
  std::string place_of_origin() const { return text(8); }
  std::string place_of_residence() const { return text(9); }
  std::string identification_marks() const { return text(10); }
  std::string date_of_issue() const { return text(11); }
  std::string date_of_expiry() const { return text(12); }
  std::string father_name() const;  // field 13, first parent
  std::string mother_name() const;  // field 13, second parent
  std::string spouse_name() const { return text(14); }
  std::string former_id_number() const { return text(15); }
};

// The facial image of DG2 (CBEFF + ISO/IEC 19794-5), as stored on the chip.
struct FaceImage {
  enum class Format { jpeg, jpeg2000, unknown };
  Format format = Format::unknown;
  int width = 0;
  int height = 0;
  Bytes data;  // the image file bytes (JPEG or JPEG 2000)
};

struct ComFile {
  std::string lds_version;      // "0107"
  std::string unicode_version;  // "040000"
  std::vector<FileId> data_groups;
};

// What parse() makes of a dump: each part present when its file was read and parsed.
struct Document {
  std::optional<ComFile> com;
  std::optional<Mrz> mrz;
  std::optional<PersonalData> personal;
  std::optional<FaceImage> face;
  std::vector<std::string> parse_errors;  // "DG13: TLV: length runs past the end of the data"
};

std::string_view format_name(FaceImage::Format format) noexcept;  // "jpeg", "jpeg2000", "unknown"

}  // namespace cccd
