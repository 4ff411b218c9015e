// The C API's transports: the caller's callbacks, or a PC/SC or libnfc reader named for later reads.
#include "capi/capi_internal.hpp"
#include "transport/callback_channel.hpp"

using cccd::capi::guarded;
using cccd::capi::require;

cccd_transport::~cccd_transport() {
  const cccd_transport_callbacks& callbacks = source.callbacks;
  if (source.kind == cccd::CardSource::Kind::custom && callbacks.release != nullptr)
    callbacks.release(source.user);
}

namespace {

cccd_status new_reader_transport(const char* function, cccd::CardSource::Kind kind, const char* name,
                                 cccd_transport** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(out, (std::string(function) + ": NULL argument").c_str());
    const bool built = kind == cccd::CardSource::Kind::pcsc ? CCCD_WITH_PCSC : CCCD_WITH_NFC;
    if (!built) {
      throw cccd::Error(cccd::ErrorCode::not_supported,
                        std::string("this libcccd was built without ") +
                            (kind == cccd::CardSource::Kind::pcsc ? "PC/SC" : "libnfc"));
    }
    auto* transport = new cccd_transport{};
    transport->source.kind = kind;
    transport->source.reader = name != nullptr ? name : "";
    *out = transport;
  });
}

}  // namespace

extern "C" {

cccd_status cccd_transport_new(const cccd_transport_callbacks* callbacks, void* user, cccd_transport** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(callbacks && out, "cccd_transport_new: NULL argument");
    auto* transport = new cccd_transport{};
    try {
      transport->source.kind = cccd::CardSource::Kind::custom;
      transport->source.callbacks = cccd::transport::normalise_callbacks(*callbacks);
    } catch (...) {
      delete transport;  // its callbacks were not taken: no release
      throw;
    }
    transport->source.user = user;
    *out = transport;
  });
}

cccd_status cccd_transport_pcsc_new(const char* reader_name, cccd_transport** out) {
  return new_reader_transport("cccd_transport_pcsc_new", cccd::CardSource::Kind::pcsc, reader_name, out);
}

cccd_status cccd_transport_nfc_new(const char* connstring, cccd_transport** out) {
  return new_reader_transport("cccd_transport_nfc_new", cccd::CardSource::Kind::nfc, connstring, out);
}

void cccd_transport_free(cccd_transport* transport) {
  delete transport;
}

}  // extern "C"
