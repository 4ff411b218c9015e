// Every user-facing string of cccd-verify's human output, one table per language: Vietnamese (with
// diacritics, the default at a Vietnamese desk) and English (`--lang en`). The JSON stays
// language-neutral; the finding details come from the library in English in both languages.
#pragma once

#include <cccd/verdict.hpp>

#include <string_view>

namespace cccd::cli {

enum class Language { vi, en };

// "vi" or "en"; throws Error(invalid_argument) for anything else.
Language language_from(std::string_view name);

struct Messages {
  // The verdict and its findings.
  const char* verified;
  const char* not_verified;
  const char* access;
  const char* data_integrity;
  const char* signer_trust;
  const char* chip_authenticity;
  const char* consistency;
  const char* passed;
  const char* failed;
  const char* unknown;
  const char* not_supported;
  const char* not_checked;
  const char* test_csca_note;

  // DG13 (Vietnamese personal data).
  const char* personal_heading;
  const char* id_number;
  const char* full_name;
  const char* date_of_birth;
  const char* sex;
  const char* nationality;
  const char* ethnicity;
  const char* religion;
  const char* place_of_origin;
  const char* place_of_residence;
  const char* identification_marks;
  const char* date_of_issue;
  const char* date_of_expiry;
  const char* father_name;
  const char* mother_name;
  const char* spouse_name;
  const char* former_id_number;

  // DG1, DG2, the read.
  const char* mrz_heading;
  const char* document_number;
  const char* mrz_name;
  const char* photo;
  const char* bytes;
  const char* parse_error;
  const char* denied;
  const char* read_stats;
  const char* bytes_sent;
  const char* bytes_received;

  // Errors and the desk loop.
  const char* error;
  const char* place_card;
  const char* remove_card;
  const char* card_number;  // followed by the number of the card in this session
  const char* stopped;      // followed by the number of cards read
  const char* files;        // the progress bar's "5/7 files"

  // The counter: where the card was read, no reader, a card per citizen (src/cli/citizen_prompt.cpp).
  const char* qr_consistency;  // the finding's label
  const char* source;          // label of the line that says where the card was read
  const char* source_pcsc;
  const char* source_nfc;
  const char* source_virtual;
  const char* source_custom;
  const char* source_dump;
  const char* no_reader;           // the error when there is no reader or no PC/SC service
  const char* waiting_for_reader;  // the loop while no reader is there
  const char* ask_citizen;         // the prompt for the next card's ID number or QR line
  const char* received_id;         // followed by the masked ID number
  const char* received_qr;         // after it, when a QR line was scanned
  const char* entry_refused;       // followed by why the line typed or scanned is not usable
  const char* check_scanner_layout;

  const char* source_name(std::string_view kind) const;  // "pcsc" ... as above

  const char* status(FindingStatus status) const;
};

const Messages& messages(Language language);

}  // namespace cccd::cli
