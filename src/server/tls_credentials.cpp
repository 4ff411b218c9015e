#include "tls_credentials.hpp"

#include <boost/system/system_error.hpp>

#include <openssl/ssl.h>

#include <stdexcept>
#include <utility>

namespace cccd::server {

namespace ssl = boost::asio::ssl;

TlsCredentials::TlsCredentials(std::string certificate_path, std::string private_key_path)
    : certificate_path_(std::move(certificate_path)), private_key_path_(std::move(private_key_path)) {
  context_ = load();
}

std::shared_ptr<ssl::context> TlsCredentials::load() const {
  // TLS 1.2 and 1.3 only.
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  try {
    context->use_certificate_chain_file(certificate_path_);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("the certificate chain " + certificate_path_ + ": " + e.code().message());
  }
  try {
    context->use_private_key_file(private_key_path_, ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("the private key " + private_key_path_ + " (for the certificate " +
                             certificate_path_ + "): " + e.code().message());
  }
  // OpenSSL refuses most mismatches when the key is set; checked here so that none gets through to the
  // first handshake, where every client would fail instead.
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    throw std::runtime_error("the private key " + private_key_path_ + " does not belong to the certificate " +
                             certificate_path_);
  return context;
}

std::shared_ptr<ssl::context> TlsCredentials::current() const {
  const std::lock_guard lock(mutex_);
  return context_;
}

std::optional<std::string> TlsCredentials::reload() {
  std::shared_ptr<ssl::context> next;
  try {
    next = load();
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  const std::lock_guard lock(mutex_);
  context_ = std::move(next);
  return std::nullopt;
}

}  // namespace cccd::server
