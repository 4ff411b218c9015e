// cccd-server: the KYC verification service (docs/server.md). A program on the library's public C++ API
// (cccd/cccd.hpp over libcccd.so), like any bank's service would be: it hands out Active Authentication
// challenges, judges the evidence a phone uploads against one of them, once, and keeps an audit trail.
#include "config.hpp"
#include "http.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "service.hpp"
#include "store.hpp"
#include "tls_credentials.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <CLI/CLI.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace cccd::server;

namespace {

// Every connection is a descriptor: lift the soft limit to the hard one so that max_connections, not
// the default 1024, is what bounds them.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// glibc hands the heap's free top back to the kernel whenever it passes 128 KiB, which after a 45 KB upload
// is nearly every request; the next request then faults the pages in again (1.3 page faults and a brk a
// request: 4 % of the server's CPU in its profile under load, docs/PERFORMANCE.md). Freed memory up to
// 64 MiB stays in the heap instead, and the purge tick below returns it with malloc_trim once a minute;
// blocks of 4 MiB and more are still mapped and unmapped on their own.
void keep_freed_heap_between_requests() {
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
}

std::unique_ptr<Database> open_database(const Config& config) {
  if (config.database == DatabaseKind::sqlite)
    return open_sqlite(config.database_target, config.sqlite_full_sync);
  return open_postgresql(config.database_target, config.database_connections);
}

// Writes the port atomically (a temporary file renamed), so that a script waiting for it never reads half.
void write_port_file(const std::string& path, std::uint16_t port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("cccd-server: verifies CCCD evidence uploaded by phone apps against server challenges");
  std::string config_path;
  std::string port_file;
  bool check_only = false;
  app.add_option("--config", config_path, "The configuration file (TOML; docs/server.md)")->required();
  app.add_option("--port-file", port_file, "Write the port listened on to this file once listening");
  app.add_flag("--check-config", check_only, "Load the configuration and the trust store, then exit");
  CLI11_PARSE(app, argc, argv);
  keep_freed_heap_between_requests();

  Config config;
  std::unique_ptr<TrustHolder> trust;
  try {
    config = load_config(config_path);
    trust = std::make_unique<TrustHolder>(config);
  } catch (const std::exception& e) {
    log_line({{"event", "start_failed"}, {"error", e.what()}});
    return 2;
  }
  if (check_only) {
    std::cout << "config: " << config_path << " is valid\n";
    return 0;
  }

  std::unique_ptr<Database> database;
  try {
    database = open_database(config);
  } catch (const std::exception& e) {
    log_line({{"event", "start_failed"}, {"error", e.what()}});
    return 3;
  }
  raise_descriptor_limit();

  Metrics metrics;
  Service service(config, *database, *trust, metrics);
  net::io_context io(static_cast<int>(config.workers));
  HttpSettings settings;
  settings.max_connections = config.max_connections;
  settings.max_body_bytes = config.max_body_bytes;
  settings.read_timeout = config.read_timeout;
  settings.idle_timeout = config.idle_timeout;
  settings.write_timeout = config.write_timeout;
  // TLS when configured (TLS 1.2 and 1.3): the certificate chain and key, read again on SIGHUP.
  std::optional<TlsCredentials> tls;
  if (!config.tls_certificate.empty()) {
    try {
      tls.emplace(config.tls_certificate, config.tls_private_key);
    } catch (const std::exception& e) {
      log_line({{"event", "start_failed"}, {"error", std::string("tls: ") + e.what()}});
      return 2;
    }
  }
  HttpServer server(io, service, metrics, settings, tls ? &*tls : nullptr);
  std::uint16_t port = 0;
  try {
    port = server.listen(config.listen, config.port);
    if (!port_file.empty()) write_port_file(port_file, port);
  } catch (const std::exception& e) {
    log_line({{"event", "start_failed"}, {"error", std::string("listen: ") + e.what()}});
    return 4;
  }
  log_line({{"event", "listening"},
            {"address", config.listen},
            {"tls", tls.has_value()},
            {"port", port},
            {"database", database->kind()},
            {"node", config.node_id},
            {"workers", config.workers},
            {"policy",
             {{"require_chip_authenticity", config.require_chip_authenticity},
              {"accept_expired", config.accept_expired}}}});

  // SIGHUP reloads the trust store from the config file's [trust], and the TLS certificate and key from
  // the files named at start; the rest of the config stays as started.
  net::signal_set reload_signal(io, SIGHUP);
  std::function<void()> wait_for_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      // On one of the workers; the others go on serving with the store they hold.
      std::optional<std::string> why;
      try {
        why = trust->reload(load_config(config_path));
      } catch (const std::exception& e) {
        why = e.what();
      }
      metrics.trust_reload(!why);
      if (why) {
        log_line({{"event", "trust_reload_failed"}, {"error", *why}, {"kept", "the previous trust store"}});
      } else {
        log_line({{"event", "trust_reloaded"}});
      }
      if (tls) {
        // New connections get the new certificate; open ones keep theirs.
        const std::optional<std::string> tls_why = tls->reload();
        metrics.tls_reload(!tls_why);
        if (tls_why) {
          log_line({{"event", "tls_reload_failed"},
                    {"error", *tls_why},
                    {"kept", "the previous certificate and key"}});
        } else {
          log_line({{"event", "tls_reloaded"}});
        }
      }
      wait_for_reload();
    });
  };
  wait_for_reload();

  // Expired challenges are kept an hour (to answer 410 rather than 404), then removed. The same minute's
  // tick hands memory freed after a burst (uploads queued on many connections) back to the system: glibc
  // keeps it in its arenas otherwise, and the resident size would stay at the burst's peak.
  net::steady_timer purge_timer(io);
  std::function<void()> schedule_purge = [&] {
    purge_timer.expires_after(std::chrono::minutes(1));
    purge_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      try {
        database->purge_expired(3600 * 1000);
      } catch (const std::exception& e) {
        log_line({{"event", "purge_failed"}, {"error", e.what()}});
      }
      malloc_trim(0);
      schedule_purge();
    });
  };
  schedule_purge();

  // SIGTERM / SIGINT: stop accepting, let requests in flight finish (up to drain_timeout), then stop.
  net::signal_set stop_signals(io, SIGTERM, SIGINT);
  net::steady_timer drain_timer(io);
  std::chrono::steady_clock::time_point drain_deadline;
  std::function<void()> watch_drain = [&] {
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](const boost::system::error_code&) {
      if (server.open_connections() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
        log_line({{"event", "stopped"}, {"connections_left", server.open_connections()}});
        io.stop();
        return;
      }
      watch_drain();
    });
  };
  stop_signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_line({{"event", "draining"}, {"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    reload_signal.cancel();
    purge_timer.cancel();
    drain_deadline = std::chrono::steady_clock::now() + config.drain_timeout;
    server.drain();
    watch_drain();
  });

  // The workers: this thread and workers - 1 more, all running the io_context.
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < config.workers; ++i) workers.emplace_back([&] { io.run(); });
  io.run();
  for (auto& thread : workers) thread.join();
  return 0;
}
