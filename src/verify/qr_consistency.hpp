// The QR code printed on the front of a CCCD against the chip's DG13: a forged front (another person's
// data printed over a genuine chip, or a genuine card's QR pasted on) disagrees with the chip.
#pragma once

#include <cccd/card_qr.hpp>
#include <cccd/document.hpp>
#include <cccd/verdict.hpp>

namespace cccd::verification {

// Compares ID number, former ID number, name, date of birth, sex, place of residence and date of issue.
// Text is compared canonically (Unicode NFC/NFD equivalence, runs of spaces as one); when the scanner
// typed the name or residence without any diacritics (plain ASCII), they are compared without them
// (and the detail says so). Dates compare as dates (17/5/1990 = 17/05/1990). A failure names the fields
// that differ, never their values.
Finding check_qr_consistency(const CardQr& qr, const PersonalData& personal);

}  // namespace cccd::verification
