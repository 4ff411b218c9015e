#include "transport/pcsc_channel.hpp"

#include <PCSC/reader.h>
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include <cccd/error.hpp>

#include <algorithm>
#include <cstring>
#include <thread>

namespace cccd::transport {
namespace {

// Maps a PC/SC result to the library's error classes (no personal data is involved here).
[[noreturn]] void fail(LONG rv, const char* during) {
  ErrorCode code = ErrorCode::transport;
  std::string hint;
  switch (rv) {
    case static_cast<LONG>(SCARD_E_NO_SERVICE):
    case static_cast<LONG>(SCARD_E_SERVICE_STOPPED):
    case static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE):
    case static_cast<LONG>(SCARD_E_UNKNOWN_READER):
    case static_cast<LONG>(SCARD_E_READER_UNAVAILABLE):
      code = ErrorCode::no_reader;
      break;
    case static_cast<LONG>(SCARD_E_NO_SMARTCARD):
    case static_cast<LONG>(SCARD_W_UNRESPONSIVE_CARD):
    case static_cast<LONG>(SCARD_W_UNPOWERED_CARD):
      code = ErrorCode::no_card;
      break;
    case static_cast<LONG>(SCARD_W_REMOVED_CARD):
    case static_cast<LONG>(SCARD_W_RESET_CARD):
      code = ErrorCode::card_removed;
      break;
    case static_cast<LONG>(SCARD_E_TIMEOUT):
      code = ErrorCode::timeout;
      break;
    case static_cast<LONG>(SCARD_E_CANCELLED):
      code = ErrorCode::cancelled;
      break;
    case static_cast<LONG>(SCARD_E_SHARING_VIOLATION):
      hint = " (another program is using the card; close it and try again)";
      break;
    default:
      break;
  }
  throw Error(code, std::string("PC/SC ") + during + ": " + pcsc_stringify_error(rv) + hint);
}

SCARDCONTEXT as_context(std::intptr_t h) {
  return static_cast<SCARDCONTEXT>(h);
}

// The pseudo reader pcsc-lite reports reader arrivals and removals on.
constexpr const char* kPnpReader = "\\\\?PnP?\\Notification";

using Clock = std::chrono::steady_clock;

// Milliseconds left until `deadline`, rounded up so a wait never ends before it; 0 once it passed.
DWORD remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  // Bounded below INFINITE (0xFFFFFFFF), which pcsc-lite would take as "wait forever".
  return static_cast<DWORD>(std::min<long long>(left, 0x7FFFFFFF));
}

bool card_present(DWORD event_state) {
  return (event_state & SCARD_STATE_PRESENT) != 0 && (event_state & SCARD_STATE_MUTE) == 0;
}

bool card_gone(DWORD event_state) {
  return (event_state & (SCARD_STATE_EMPTY | SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE)) != 0;
}

// The state to wait from: what was seen, without the "changed" flag pcsc-lite would otherwise compare.
DWORD seen(DWORD event_state) {
  return event_state & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
}

// The end of a wait for a card: with no reader to place it on, the reader is what is missing.
[[noreturn]] void no_card_in_time(bool no_reader) {
  if (no_reader) {
    throw Error(ErrorCode::no_reader, "PC/SC: no card reader was connected in the time allowed");
  }
  throw Error(ErrorCode::timeout, "PC/SC: no card was presented in the time allowed");
}

}  // namespace

PcscContext::PcscContext() {
  SCARDCONTEXT context = 0;
  LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context);
  if (rv != SCARD_S_SUCCESS) fail(rv, "establishing a context (is pcscd running?)");
  context_ = static_cast<std::intptr_t>(context);
}

PcscContext::~PcscContext() {
  SCardReleaseContext(as_context(context_));
}

std::vector<std::string> PcscContext::readers() const {
  DWORD size = 0;
  LONG rv = SCardListReaders(as_context(context_), nullptr, nullptr, &size);
  if (rv == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) return {};
  if (rv != SCARD_S_SUCCESS) fail(rv, "listing readers");
  std::string buffer(size, '\0');
  rv = SCardListReaders(as_context(context_), nullptr, buffer.data(), &size);
  if (rv == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) return {};
  if (rv != SCARD_S_SUCCESS) fail(rv, "listing readers");
  buffer.resize(std::min<std::size_t>(size, buffer.size()));
  std::vector<std::string> names;
  for (std::size_t pos = 0; pos < buffer.size() && buffer[pos] != '\0';) {
    const std::size_t end = std::min(buffer.find('\0', pos), buffer.size());
    names.push_back(buffer.substr(pos, end - pos));
    pos = end + 1;
  }
  return names;
}

std::string PcscContext::wait_for_card(std::string_view reader_name_substring,
                                       std::chrono::milliseconds timeout) const {
  const Clock::time_point deadline = Clock::now() + timeout;
  DWORD pnp_seen = SCARD_STATE_UNAWARE;
  // Each round lists the matching readers afresh (one may have been plugged in), looks at their current
  // states, then sleeps in pcscd until a state changes, a reader comes or goes, or the time is up.
  for (;;) {
    std::vector<std::string> names;
    for (std::string& name : readers()) {
      if (reader_name_substring.empty() || name.find(reader_name_substring) != std::string::npos) {
        names.push_back(std::move(name));
      }
    }
    std::vector<SCARD_READERSTATE> states(names.size() + 1);
    for (std::size_t i = 0; i < names.size(); ++i) {
      states[i].szReader = names[i].c_str();
      states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    states.back().szReader = kPnpReader;
    states.back().dwCurrentState = pnp_seen;
    const auto count = static_cast<DWORD>(states.size());

    // UNAWARE makes this first call report the current states without waiting.
    LONG rv = SCardGetStatusChange(as_context(context_), 0, states.data(), count);
    if (rv != SCARD_S_SUCCESS && rv != static_cast<LONG>(SCARD_E_TIMEOUT)) fail(rv, "reading reader states");
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (card_present(states[i].dwEventState)) return names[i];
    }
    for (SCARD_READERSTATE& state : states) state.dwCurrentState = seen(state.dwEventState);
    if (rv == static_cast<LONG>(SCARD_E_TIMEOUT)) states.back().dwCurrentState = pnp_seen;

    const DWORD wait = remaining_ms(deadline);
    if (wait == 0) no_card_in_time(names.empty());
    rv = SCardGetStatusChange(as_context(context_), wait, states.data(), count);
    if (rv == static_cast<LONG>(SCARD_E_TIMEOUT)) no_card_in_time(names.empty());
    if (rv != SCARD_S_SUCCESS) fail(rv, "waiting for a card");
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (card_present(states[i].dwEventState)) return names[i];
    }
    pnp_seen = seen(states.back().dwEventState);
  }
}

void PcscContext::wait_for_removal(const std::string& reader, std::chrono::milliseconds timeout) const {
  const Clock::time_point deadline = Clock::now() + timeout;
  SCARD_READERSTATE state{};
  state.szReader = reader.c_str();
  state.dwCurrentState = SCARD_STATE_UNAWARE;
  // UNAWARE makes the first call report the current state at once; later calls sleep until it changes.
  DWORD wait = 0;
  for (;;) {
    const LONG rv = SCardGetStatusChange(as_context(context_), wait, &state, 1);
    // A reader that has gone away has taken its card with it.
    if (rv == static_cast<LONG>(SCARD_E_UNKNOWN_READER) ||
        rv == static_cast<LONG>(SCARD_E_READER_UNAVAILABLE)) {
      return;
    }
    if (rv == SCARD_S_SUCCESS) {
      if (card_gone(state.dwEventState)) return;
      state.dwCurrentState = seen(state.dwEventState);
    } else if (rv != static_cast<LONG>(SCARD_E_TIMEOUT)) {
      fail(rv, "waiting for the card to be removed");
    }
    wait = remaining_ms(deadline);
    if (wait == 0) throw Error(ErrorCode::timeout, "PC/SC: the card was not removed in the time allowed");
  }
}

void PcscContext::cancel() const noexcept {
  SCardCancel(as_context(context_));
}

ChannelCapabilities pcsc_capabilities(std::optional<std::size_t> reader_max_input) noexcept {
  ChannelCapabilities capabilities;  // short APDUs
  // A short case-4 APDU is at most 4 + 1 + 255 + 1 = 261 bytes; a reader that takes no more cannot
  // carry an extended one either.
  constexpr std::size_t kShortApduMax = 261;
  if (!reader_max_input) {
    capabilities.extended_length = true;
    capabilities.max_command_data = kUnreportedReaderData;
    capabilities.max_response_data = kUnreportedReaderData;
    return capabilities;
  }
  const std::size_t max_input = *reader_max_input;
  if (max_input <= kShortApduMax) return capabilities;
  // Extended case 4: header 4, Lc 3 (00 + 2), data, Le 2. The response is data + SW1 SW2 and is
  // bounded by the same reader buffer (a CCID reader reports one message size for both directions).
  capabilities.extended_length = true;
  capabilities.max_command_data = std::min<std::size_t>(max_input - 9, 65535);
  capabilities.max_response_data = std::min<std::size_t>(max_input - 2, 65536);
  return capabilities;
}

PcscChannel::PcscChannel(const PcscContext& context, std::string_view reader_name) : context_(context) {
  for (const std::string& name : context.readers()) {
    if (reader_name.empty() || name.find(reader_name) != std::string::npos) {
      reader_ = name;
      break;
    }
  }
  if (reader_.empty()) throw Error(ErrorCode::no_reader, "no PC/SC reader matches the name given");
  connect();
}

void PcscChannel::connect() {
  SCARDHANDLE card = 0;
  DWORD protocol = 0;
  LONG rv = SCardConnect(as_context(context_.handle()), reader_.c_str(), SCARD_SHARE_EXCLUSIVE,
                         SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
  if (rv != SCARD_S_SUCCESS) fail(rv, "connecting to the card");
  card_ = static_cast<std::intptr_t>(card);
  protocol_ = protocol;

  // The ATR, for callers that show it. SCardStatus reports it from pcscd's own reader state, so it works
  // with drivers that do not answer SCARD_ATTR_ATR_STRING.
  Bytes atr(MAX_ATR_SIZE);
  DWORD atr_length = static_cast<DWORD>(atr.size());
  DWORD reader_state = 0;
  DWORD active_protocol = 0;
  DWORD name_length = 0;
  atr_.clear();
  rv = SCardStatus(card, nullptr, &name_length, &reader_state, &active_protocol, atr.data(), &atr_length);
  if (rv == SCARD_S_SUCCESS && atr_length <= atr.size()) {
    atr.resize(atr_length);
    atr_ = std::move(atr);
  }
  // The reader's side: its input buffer size, when the driver reports it (the CCID driver does; a
  // driver that does not leaves us on short APDUs).
  std::optional<std::size_t> max_input;
  std::uint8_t value[4] = {};
  DWORD value_length = sizeof value;
  rv = SCardGetAttrib(card, SCARD_ATTR_MAXINPUT, value, &value_length);
  if (rv == SCARD_S_SUCCESS && value_length == sizeof value) {
    // pcsc-lite drivers return a host-order 32-bit integer here.
    std::uint32_t size = 0;
    static_assert(sizeof size == sizeof value);
    std::memcpy(&size, value, sizeof size);
    max_input = size;
  }
  capabilities_ = pcsc_capabilities(max_input);
}

void PcscChannel::disconnect() noexcept {
  if (card_ != 0) SCardDisconnect(static_cast<SCARDHANDLE>(card_), SCARD_LEAVE_CARD);
  card_ = 0;
}

PcscChannel::~PcscChannel() {
  disconnect();
}

bool PcscChannel::card_left_field() const {
  try {
    context_.wait_for_removal(reader_, kRemovalGrace);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void PcscChannel::reconnect(std::chrono::milliseconds timeout) {
  disconnect();
  const Clock::time_point deadline = Clock::now() + timeout;
  // pcscd may still show the card that just left (its driver polls for presence), so a connect that
  // finds no card is not final: wait again until the deadline.
  for (;;) {
    if (cancellation() != nullptr && cancellation()->cancelled()) {
      throw Error(ErrorCode::cancelled, "the read was cancelled");
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw Error(ErrorCode::timeout, "PC/SC: the card did not come back in time");
    context_.wait_for_card(reader_, left);
    try {
      connect();
      return;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::no_card && e.code() != ErrorCode::card_removed) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void PcscChannel::reset_card(std::chrono::milliseconds /*timeout*/) {
  DWORD protocol = 0;
  const LONG rv = SCardReconnect(static_cast<SCARDHANDLE>(card_), SCARD_SHARE_EXCLUSIVE,
                                 SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD, &protocol);
  if (rv != SCARD_S_SUCCESS) fail(rv, "resetting the card");
  protocol_ = protocol;
}

Bytes PcscChannel::exchange(ByteView command) {
  const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  Bytes response(65538);
  DWORD length = static_cast<DWORD>(response.size());
  LONG rv = SCardTransmit(static_cast<SCARDHANDLE>(card_), pci, command.data(),
                          static_cast<DWORD>(command.size()), nullptr, response.data(), &length);
  // No card during a transmit means the card left the field in the middle of the session.
  if (rv == static_cast<LONG>(SCARD_E_NO_SMARTCARD)) rv = static_cast<LONG>(SCARD_W_REMOVED_CARD);
  if (rv == static_cast<LONG>(SCARD_E_NOT_TRANSACTED) || rv == static_cast<LONG>(SCARD_F_COMM_ERROR) ||
      rv == static_cast<LONG>(SCARD_W_UNRESPONSIVE_CARD)) {
    // A failed exchange is what a card leaving the field looks like too, and the caller must know which
    // it was (a removal can be resumed). pcscd may take a polling interval to see the card gone.
    if (card_left_field()) rv = static_cast<LONG>(SCARD_W_REMOVED_CARD);
  }
  if (rv != SCARD_S_SUCCESS) fail(rv, "transmitting an APDU");
  if (length > response.size())
    throw Error(ErrorCode::transport, "PC/SC: the reader reported an impossible response length");
  // A contactless reader that got nothing back, not even a status word, lost the card: that is how
  // a card pulled away in the middle of an exchange looks (the vpcd driver reports exactly this).
  if (length < 2) throw Error(ErrorCode::card_removed, "PC/SC: the card did not answer; it left the field");
  response.resize(length);
  return response;
}

}  // namespace cccd::transport
