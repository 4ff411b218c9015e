// cccd-agent: the counter's local reader service (docs/counter.md). The officer's browser (its own page
// at /, or the counter's web application on an allowed origin) asks it to read the card on the reader
// beside it, follows the read as Server-Sent Events and gets the result JSON of cccd-verify read --json
// and the face. It reads PC/SC readers only: it never reads a virtual card (it does not link the
// simulator), so a counter whose reader is unplugged can never show a virtual card's "verified".
#include "agent/access_policy.hpp"
#include "agent/http_server.hpp"
#include "agent/reads.hpp"
#include "util/private_file.hpp"

#include <cccd/version.h>
#include <cccd/error.hpp>
#include <cccd/trust.hpp>

#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace cccd;

struct Arguments {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8787;
  std::vector<std::string> allow_origins;
  std::string allow_origins_file;
  std::string token_file;
  std::vector<std::string> trust;
  std::vector<std::string> ml_roots;
  std::string reader;
  unsigned wait_seconds = 60;
  unsigned result_ttl = 60;
  std::size_t max_connections = 32;
  std::size_t max_body = 4096;
};

std::string trimmed(std::string line) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!line.empty() && space(line.back())) line.pop_back();
  std::size_t start = 0;
  while (start < line.size() && space(line[start])) ++start;
  return line.substr(start);
}

// The allow-list: --allow-origin values and the lines of --allow-origins-file (# starts a comment).
std::vector<std::string> allowed_origins(const Arguments& args) {
  std::vector<std::string> raw = args.allow_origins;
  if (!args.allow_origins_file.empty()) {
    const std::optional<Bytes> file = read_bounded_file(args.allow_origins_file, 64 * 1024);
    if (!file) throw Error(ErrorCode::io, "the allow-list file does not exist");
    std::string line;
    for (const std::uint8_t byte : *file) {
      if (byte != '\n') {
        line.push_back(static_cast<char>(byte));
        continue;
      }
      raw.push_back(line);
      line.clear();
    }
    raw.push_back(line);
  }
  std::vector<std::string> origins;
  for (std::string entry : raw) {
    if (const std::size_t hash = entry.find('#'); hash != std::string::npos) entry.erase(hash);
    entry = trimmed(entry);
    if (entry.empty()) continue;
    const std::optional<std::string> origin = agent::normalise_origin(entry);
    if (!origin) {
      throw Error(ErrorCode::invalid_argument,
                  "allow-list: '" + entry + "' is not an origin (scheme://host[:port], no path)");
    }
    origins.push_back(*origin);
  }
  return origins;
}

// The bearer token: CCCD_AGENT_TOKEN when the service manager gives one (it stays off the command line,
// which every local user can read), else a new random one for this run, written 0600 to the token file
// for the programs of this user that call the agent.
std::string bearer_token(const Arguments& args, std::filesystem::path& written_to) {
  if (const char* given = std::getenv("CCCD_AGENT_TOKEN"); given != nullptr && *given != '\0') {
    const std::string token = trimmed(given);
    if (token.size() < 32)
      throw Error(ErrorCode::invalid_argument, "CCCD_AGENT_TOKEN must be at least 32 characters");
    return token;
  }
  std::filesystem::path path = args.token_file;
  if (path.empty()) {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    const char* home = std::getenv("HOME");
    if (runtime != nullptr && *runtime != '\0') {
      path = std::filesystem::path(runtime) / "cccd-agent.token";
    } else if (home != nullptr && *home != '\0') {
      path = std::filesystem::path(home) / ".cccd-agent.token";
    } else {
      throw Error(ErrorCode::invalid_argument, "no XDG_RUNTIME_DIR or HOME: give --token-file");
    }
  }
  const std::string token = agent::random_hex(32);
  write_private_file(path, ByteView(reinterpret_cast<const std::uint8_t*>(token.data()), token.size()));
  written_to = path;
  return token;
}

int run(const Arguments& args) {
  std::optional<TrustStore> trust;
  if (!args.trust.empty()) {
    trust.emplace();
    for (const std::string& root : args.ml_roots) trust->add_master_list_roots(root);
    for (const std::string& path : args.trust) trust->add_path(path);
  }
  agent::Agent agent;
  agent.http.max_connections = args.max_connections;
  agent.http.max_body_bytes = args.max_body;
  agent.access.allowed_origins = allowed_origins(args);
  std::filesystem::path token_path;
  agent.access.token = bearer_token(args, token_path);

  boost::asio::io_context io;
  agent::ReadSettings read_settings;
  read_settings.default_reader = args.reader;
  read_settings.wait_for_card = std::chrono::seconds(args.wait_seconds);
  read_settings.result_ttl = std::chrono::seconds(args.result_ttl);
  read_settings.trust = trust ? &*trust : nullptr;
  agent::Reads reads(io, read_settings);
  agent.reads = &reads;

  agent::HttpServer server(io, agent);
  const std::uint16_t port = server.listen(args.listen, args.port);
  // The agent's own page is one of the allowed origins, by every name the officer's browser may use.
  const std::string port_text = std::to_string(port);
  const std::string listen_host =
      args.listen.find(':') != std::string::npos ? "[" + args.listen + "]" : args.listen;
  for (const std::string& host :
       {std::string("127.0.0.1"), std::string("localhost"), std::string("[::1]"), listen_host}) {
    agent.access.allowed_hosts.push_back(host + ":" + port_text);
    agent.access.allowed_origins.push_back("http://" + host + ":" + port_text);
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.close();
    io.stop();
  });
  std::cout << "cccd-agent " << CCCD_VERSION_STRING << ": listening on http://" << listen_host << ':' << port
            << "/";
  if (!token_path.empty()) std::cout << " (token in " << token_path.string() << ")";
  std::cout << std::endl;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  CLI::App app{
      "cccd-agent: the counter's local card-reading service and the officer's page (docs/counter.md)"};
  app.set_version_flag("--version", std::string("cccd-agent ") + CCCD_VERSION_STRING);
  app.add_option("--listen", args.listen, "Address to listen on (default 127.0.0.1: this machine only)");
  app.add_option("--port", args.port, "TCP port (default 8787; 0: any free port, printed at start)");
  app.add_option("--allow-origin", args.allow_origins,
                 "A web origin (scheme://host[:port]) whose pages may call the agent; repeatable");
  app.add_option("--allow-origins-file", args.allow_origins_file,
                 "A file of allowed origins, one per line (# comments)");
  app.add_option("--token-file", args.token_file,
                 "Where to write this run's bearer token for programs, mode 0600 (default "
                 "$XDG_RUNTIME_DIR/cccd-agent.token); CCCD_AGENT_TOKEN gives one instead");
  app.add_option("--trust", args.trust,
                 "CSCA certificates, CRLs, master lists or a folder of them; repeatable");
  app.add_option("--ml-root", args.ml_roots,
                 "A certificate a master list's signer must chain to; repeatable");
  app.add_option("--reader", args.reader, "The PC/SC reader whose name contains this (default: any reader)");
  app.add_option("--wait", args.wait_seconds, "Seconds a read waits for the card to be placed (default 60)");
  app.add_option("--result-ttl", args.result_ttl,
                 "Seconds a finished read's result is kept when nobody fetches it (default 60)");
  app.add_option("--max-connections", args.max_connections, "Open connections at most (default 32)");
  app.add_option("--max-body", args.max_body, "Request body bytes at most (default 4096)");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(args);
  } catch (const Error& e) {
    std::cerr << "cccd-agent: " << e.what() << std::endl;
    return e.code() == ErrorCode::invalid_argument ? 2 : 7;
  } catch (const std::exception& e) {
    std::cerr << "cccd-agent: " << e.what() << std::endl;
    return 8;
  }
}
