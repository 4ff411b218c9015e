// The holder's fields as the card writes them, shared by the MRZ (holder_fields.cpp) and the files the
// generator builds (generator.cpp): dates that may be partial, the expiry "none", the document number.
#pragma once

#include "sim/generator.hpp"

#include <string>
#include <string_view>

namespace cccd::sim::holder_detail {

// A calendar date whose month or day may be unknown (0), as the population database has some.
struct PartialDate {
  int year = 0;
  int month = 0;  // 0: unknown
  int day = 0;    // 0: unknown
};

// "YYYY-MM-DD", or with `partial` also "YYYY-MM" and "YYYY". Years 1900-2099: the MRZ keeps two digits.
// Throws Error(invalid_argument) naming `field`.
PartialDate parse_date(std::string_view text, bool partial, const char* field);
// Whether the expiry is "none" (a card valid for life).
bool is_none(std::string_view expiry);
// dd/mm/yyyy as DG13 writes dates; only the known parts when the day or month is unknown.
std::string dg13_date(const PartialDate& date);
// The document number of the MRZ: the ID number without its first three digits.
std::string document_number(const Holder& holder);
// The expiry as the MRZ writes it (YYMMDD; 991231 for "none").
std::string expiry_mrz(const Holder& holder);

}  // namespace cccd::sim::holder_detail
