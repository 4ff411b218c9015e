#include "transport/pcsc_channel.hpp"

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include <cccd/error.hpp>

namespace cccd::transport {
namespace {

// Maps a PC/SC result to the library's error classes (no personal data is involved here).
[[noreturn]] void fail(LONG rv, const char* during) {
  ErrorCode code = ErrorCode::transport;
  switch (rv) {
    case static_cast<LONG>(SCARD_E_NO_SERVICE):
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
    default:
      break;
  }
  throw Error(code, std::string("PC/SC ") + during + ": " + pcsc_stringify_error(rv));
}

SCARDCONTEXT as_context(std::intptr_t h) {
  return static_cast<SCARDCONTEXT>(h);
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
  std::vector<std::string> names;
  for (std::size_t pos = 0; pos < buffer.size() && buffer[pos] != '\0';) {
    std::string name(buffer.c_str() + pos);
    pos += name.size() + 1;
    names.push_back(std::move(name));
  }
  return names;
}

PcscChannel::PcscChannel(const PcscContext& context, std::string_view reader_name) {
  for (const std::string& name : context.readers()) {
    if (reader_name.empty() || name.find(reader_name) != std::string::npos) {
      reader_ = name;
      break;
    }
  }
  if (reader_.empty()) throw Error(ErrorCode::no_reader, "no PC/SC reader matches the name given");
  SCARDHANDLE card = 0;
  DWORD protocol = 0;
  LONG rv = SCardConnect(as_context(context.handle()), reader_.c_str(), SCARD_SHARE_EXCLUSIVE,
                         SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
  if (rv != SCARD_S_SUCCESS) fail(rv, "connecting to the card");
  card_ = static_cast<std::intptr_t>(card);
  protocol_ = protocol;
  // Extended length is probed properly by the readers issue; until then the short-APDU profile is the
  // safe choice on a real reader.
  capabilities_ = ChannelCapabilities{};
}

PcscChannel::~PcscChannel() {
  SCardDisconnect(static_cast<SCARDHANDLE>(card_), SCARD_LEAVE_CARD);
}

Bytes PcscChannel::exchange(ByteView command) {
  const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  Bytes response(65538);
  DWORD length = static_cast<DWORD>(response.size());
  LONG rv = SCardTransmit(static_cast<SCARDHANDLE>(card_), pci, command.data(),
                          static_cast<DWORD>(command.size()), nullptr, response.data(), &length);
  if (rv != SCARD_S_SUCCESS) fail(rv, "transmitting an APDU");
  response.resize(length);
  return response;
}

}  // namespace cccd::transport
