// The server's TLS certificate chain and private key, read from their files at start and again on SIGHUP,
// so that a renewed certificate (certbot and the like rewrite the files in place) is served without a
// restart.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace cccd::server {

// A connection takes the current context when it is accepted and keeps it to its end; a reload builds the
// next context aside and swaps it in only when the chain and the key loaded and match, so a bad or
// half-written file keeps the old ones.
class TlsCredentials {
 public:
  // Throws std::runtime_error naming the file and OpenSSL's reason.
  TlsCredentials(std::string certificate_path, std::string private_key_path);
  std::shared_ptr<boost::asio::ssl::context> current() const;
  // Reads both files again; on failure keeps the current context and returns why.
  std::optional<std::string> reload();

 private:
  std::shared_ptr<boost::asio::ssl::context> load() const;

  const std::string certificate_path_;
  const std::string private_key_path_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
};

}  // namespace cccd::server
