// Text that came from a card, a dump or a certificate, made safe to print on a terminal: a hostile DG13
// or certificate subject must not be able to move the cursor, clear the screen, recolour the output,
// reorder it (bidi overrides) or hide characters. Every such value passes through terminal_safe() before
// the human output prints it; the JSON output needs no such step (its strings are escaped already).
#pragma once

#include <string>
#include <string_view>

namespace cccd::cli {

// `text` with everything a terminal would act on, or that a reader would not see, shown as a visible
// escape instead:
//   C0 controls (ESC, CR, LF, TAB, BEL...) and DEL   \x1b  \x0d  \x7f
//   C1 controls U+0080..U+009F                       \u009b
//   bidi embeddings, overrides and isolates,         \u202e  \u2066
//   zero-width and other invisible format characters \u200b  \ufeff  \u2028
//   bytes that are not valid UTF-8                   \xff
//   a backslash (so that an escape cannot be faked)  \\ (two backslashes)
// Everything else, Vietnamese letters and combining marks included, is unchanged.
std::string terminal_safe(std::string_view text);

}  // namespace cccd::cli
