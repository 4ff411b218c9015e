// Unicode-normalised comparison of Latin text (the Vietnamese of DG13 and of the card's printed QR code):
// the same letter may come precomposed (ệ U+1EC7) or decomposed (e U+0323 U+0302, or e U+0302 U+0323)
// depending on who typed or encoded it, and all three spellings are one canonical character.
#pragma once

#include <string>
#include <string_view>

namespace cccd::lds {

// The canonical decomposition (Unicode NFD) of UTF-8 text, bounded to the Latin letters: every precomposed
// letter of U+00C0..U+024F and U+1E00..U+1EFF (Vietnamese and the other Latin-script languages) becomes
// its base letter and combining marks, and each run of combining marks U+0300..U+036F is put in
// canonical order. Other characters, and bytes that are not UTF-8, are kept as they are. Two texts are
// canonically equivalent (equal in NFC and in NFD) exactly when their decompositions are equal, as long
// as they stay within that repertoire, which DG13 and the QR code do.
std::string canonical_decomposition(std::string_view utf8);

// canonical_decomposition(a) == canonical_decomposition(b).
bool canonically_equal(std::string_view a, std::string_view b);

}  // namespace cccd::lds
