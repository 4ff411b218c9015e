// server_bench: cccd-server's throughput and latency next to the in-process verification rate of the same
// uploads, measured in one run (docs/PERFORMANCE.md, "Server"; bench/server_bench.sh runs it).
//
// The bank's mix: a card with the real CCCD's profile (Chip Authentication in DG14, Active Authentication
// RSA-2048 in DG15, a 20 KB face), its EF.SOD signed by one of --signers document signers under three
// CSCAs (brainpoolP256r1, P-256, RSA-2048); every request carries its own challenge, issued by the server
// and signed by the card's AA key, all prepared before the timed runs.
//
// Runs, in order, each on uploads never sent before:
//   1. after one warm-up verification per signer on each side (not measured), --rounds rounds of
//      a. in process: cccd::Evidence::from_document + cccd::verify (public API) of a slice of the uploads,
//         on one thread pinned to the server's CPU while the server is idle, its CPU time;
//      b. the server's maximum: a slice of the requests, closed loop, --connections keep-alive
//         connections, the server's CPU time.
//      The ratio is the sums' (server requests per its CPU second over in-process verifications per CPU
//      second). Alternating slices on the same CPU keeps a machine whose speed drifts (a shared virtual
//      machine's can change by half within a minute) from favouring either side; each round's ratio is
//      printed as well, so the drift shows;
//   2. 50 % and 90 % of that maximum, open loop (requests at fixed intervals; latency counted from the
//      moment a request was due, so that a server falling behind is not hidden by a waiting client);
//      right after the 50 % step, the machine's floor under its tail: a stand-in server on the same CPUs
//      with the real one's CPU time per request, at that step's request times (stand_in_server).
// With --memory-requests N, only this instead: N requests closed loop, prepared in batches (--batch) while
// the previous batch is sent, the server's resident memory reported as the count grows (1 000, 2 000,
// 5 000, 10 000 ...): the bench then holds two batches of uploads, not N.
// The server runs with one worker (and its WAL checkpointer thread) pinned to --server-cpu, this program on
// --client-cpu; the server's CPU time is the sum of its threads' (server_cpu), so "per core" is requests
// per second of its CPU.
// With --realtime (root or CAP_SYS_NICE), the 50 % step and its stand-in run with the server's threads and
// the load generator at SCHED_FIFO, the load generator waiting on its sockets instead of polling: no
// process or kernel thread at normal priority then takes their CPUs. On the 2-vCPU VM of
// docs/PERFORMANCE.md the VM's own agent (PID 1, nice -10) and DAMON's kdamond took a CPU for 2-11 ms
// several times a second, most of the half-load tail of any server there, the stand-in's too. Only that
// step: at 90 % a real-time server would meet the kernel's real-time throttling (95 % of each second),
// which is not the server's either.
// --latencies FILE writes the 50 % step's requests out in the order due, "due_ms latency_ms" a line. With
// SQLite each open-loop step also reports how many times the WAL started again during it (wal_restarts).
#include "asn1/der.hpp"
#include "crypto/crypto.hpp"
#include "sim/active_authentication_chip.hpp"
#include "sim/generator.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card_source.hpp"
#include "util/bytes.hpp"

#include "bench/server_bench_in_process.hpp"
#include "bench/thread_cpu_clock.hpp"

#include <cccd/evidence.hpp>
#include <cccd/reader.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

struct Options {
  std::string server;
  std::size_t signers = 100;
  std::size_t inprocess = 1500;  // uploads verified in process
  std::size_t max_requests = 3000;
  std::size_t step_requests = 1500;  // at 50 % and at 90 %
  std::size_t connections = 16;
  std::size_t rounds = 5;  // in-process and closed-loop slices, alternated
  int server_cpu = 0;
  int client_cpu = 1;
  std::string postgresql;  // empty: SQLite in the work folder
  std::string sqlite_synchronous = "full";
  bool json_output = false;
  bool realtime = false;  // the 50 % step and its stand-in at SCHED_FIFO
  std::string latencies;  // where the 50 % step's requests are written out, one a line (--latencies)
  // Instead of the runs above: this many requests, closed loop, prepared in batches of `batch` while the
  // previous batch is sent, the server's RSS reported after each batch (--memory-requests).
  std::size_t memory_requests = 0;
  std::size_t batch = 1000;
};

[[noreturn]] void usage() {
  std::cerr << "usage: server_bench --server CCCD_SERVER [--signers N] [--inprocess N] [--max-requests N]\n"
               "                    [--rounds N] [--step-requests N] [--connections N] [--server-cpu N] "
               "[--client-cpu N]\n"
               "                    [--postgresql CONNINFO | --sqlite-synchronous full|normal] [--json] "
               "[--realtime]\n"
               "                    [--latencies FILE]\n"
               "                    [--memory-requests N [--batch N]]\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (arg == "--server") {
      o.server = value();
    } else if (arg == "--signers") {
      o.signers = std::stoul(value());
    } else if (arg == "--inprocess") {
      o.inprocess = std::stoul(value());
    } else if (arg == "--max-requests") {
      o.max_requests = std::stoul(value());
    } else if (arg == "--step-requests") {
      o.step_requests = std::stoul(value());
    } else if (arg == "--rounds") {
      o.rounds = std::stoul(value());
    } else if (arg == "--connections") {
      o.connections = std::stoul(value());
    } else if (arg == "--server-cpu") {
      o.server_cpu = std::stoi(value());
    } else if (arg == "--client-cpu") {
      o.client_cpu = std::stoi(value());
    } else if (arg == "--postgresql") {
      o.postgresql = value();
    } else if (arg == "--sqlite-synchronous") {
      o.sqlite_synchronous = value();
    } else if (arg == "--json") {
      o.json_output = true;
    } else if (arg == "--realtime") {
      o.realtime = true;
    } else if (arg == "--latencies") {
      o.latencies = value();
    } else if (arg == "--memory-requests") {
      o.memory_requests = std::stoul(value());
    } else if (arg == "--batch") {
      o.batch = std::stoul(value());
    } else {
      usage();
    }
  }
  if (o.server.empty() || o.signers == 0 || o.connections == 0 || o.batch == 0 || o.rounds == 0 ||
      o.inprocess < o.rounds || o.max_requests < o.rounds)
    usage();
  // Both act on the 50 % step, which a memory run does not make: said, rather than left without effect.
  if (o.memory_requests > 0 && (!o.latencies.empty() || o.realtime)) {
    std::cerr << "server_bench: --latencies and --realtime act on the 50 % step, which --memory-requests "
                 "does not run\n";
    std::exit(2);
  }
  return o;
}

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);  // best effort: a machine with one CPU runs unpinned
}

// SCHED_FIFO at priority 10 for the thread `tid` (0: the calling thread), or back to SCHED_OTHER; false
// when the system refuses (no root or CAP_SYS_NICE).
bool set_realtime(pid_t tid, bool on) noexcept {
  sched_param param{};
  param.sched_priority = on ? 10 : 0;
  return sched_setscheduler(tid, on ? SCHED_FIFO : SCHED_OTHER, &param) == 0;
}

// The calling thread and every thread of the server `pid`, for --realtime, but for those the server runs as
// background work itself (SCHED_IDLE: its WAL checkpointer), which stay below everything.
void set_realtime_step(pid_t pid, bool on) {
  bool done = set_realtime(0, on);
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    const auto tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
    if (sched_getscheduler(tid) != SCHED_IDLE) done &= set_realtime(tid, on);
  }
  if (on && !done) {
    throw std::runtime_error(
        std::string("--realtime: cannot run at SCHED_FIFO (needs root or CAP_SYS_NICE): ") +
        std::strerror(errno));
  }
}

std::string hex(const cccd::Bytes& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// The uploads' material: the card, its EF.SOD under each signer, the trust store's CSCAs.
struct Material {
  cccd::sim::CardData card;
  cccd::ChipDump base;            // the card read once: files and the read record
  std::vector<cccd::Bytes> sods;  // one per signer
  std::string csca_pem;           // the issuing CSCAs
  std::unique_ptr<cccd::sim::ActiveAuthenticationChip> chip;
};

cccd::Bytes name_der(const X509_NAME* name) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_NAME(name, &der);
  if (length <= 0) throw std::runtime_error("i2d_X509_NAME");
  cccd::Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Material make_material(std::size_t signers) {
  using namespace cccd;
  Material m;
  m.card = sim::generate_card(sim::cccd_profile_options());
  m.base = sim::read_card_data(
      m.card, Credentials::from_id_number(sim::Holder{}.id_number, "1990-05-17", "2030-05-17"));
  m.chip = std::make_unique<sim::ActiveAuthenticationChip>(m.card.secrets.active_authentication_private_key,
                                                           m.card.secrets.active_authentication_hash);
  std::map<int, Bytes> hashed;
  for (const auto& [file, content] : m.base.files) {
    if (const int number = data_group_number(file); number > 0) hashed[number] = content;
  }
  const std::time_t now = std::time(nullptr);
  const std::array<std::pair<const char*, const char*>, 3> types{
      {{"EC", "brainpoolP256r1"}, {"EC", "prime256v1"}, {"RSA", "2048"}}};
  std::vector<sim::IssuedCertificate> issuing;
  for (std::size_t i = 0; i < types.size(); ++i) {
    sim::CertificateProfile profile;
    profile.common_name = "Server bench CSCA " + std::to_string(i);
    profile.key_type = types[i].first;
    profile.key_parameter = types[i].second;
    profile.not_before = now - 2 * 365 * 86400;
    profile.not_after = now + 10 * 365 * 86400;
    issuing.push_back(sim::issue_test_certificate(profile, nullptr));
    m.csca_pem += sim::certificate_pem(issuing.back().der());
  }
  std::tm signing{};
  const std::time_t signed_at = now - 30 * 86400;
  gmtime_r(&signed_at, &signing);
  const Bytes signing_time = sim::der_time(signing.tm_year + 1900, signing.tm_mon + 1, signing.tm_mday);
  for (std::size_t s = 0; s < signers; ++s) {
    const sim::IssuedCertificate& issuer = issuing[s % issuing.size()];
    sim::TestKey ds_key =
        sim::TestKey::derive(sim::SignerAlgorithm::ecdsa_brainpool_p256r1, 9000 + s, "server bench DS");
    sim::CertificateProfile profile;
    profile.common_name = "Server bench DS " + std::to_string(s);
    profile.ca = false;
    profile.serial = static_cast<long>(200000 + s);
    profile.not_before = now - 365 * 86400;
    profile.not_after = now + 5 * 365 * 86400;
    const sim::IssuedCertificate ds = sim::issue_test_certificate(profile, &issuer, ds_key.pkey());
    const sim::TestPki pki{
        sim::TestKey::derive(sim::SignerAlgorithm::ecdsa_brainpool_p256r1, 1, "unused CSCA"),
        std::move(ds_key),
        issuer.der(),
        ds.der(),
        name_der(X509_get_subject_name(issuer.certificate.get())),
        asn1::der_integer(static_cast<std::uint64_t>(profile.serial))};
    m.sods.push_back(sim::build_sod(hashed, pki, signing_time));
  }
  return m;
}

// The evidence document of upload `i`: signer i % signers, the chip's signature over `challenge`.
std::string evidence_for(const Material& m, std::size_t i, const cccd::Bytes& challenge) {
  cccd::ChipDump dump = m.base;
  dump.files[cccd::FileId::sod] = m.sods[i % m.sods.size()];
  cccd::apdu::CommandApdu command;
  command.ins = cccd::sim::kInsInternalAuthenticate;
  command.data = challenge;
  command.le = 256;
  const cccd::apdu::ResponseApdu answer = m.chip->internal_authenticate(command);
  if (!answer.ok()) throw std::runtime_error("the chip refused INTERNAL AUTHENTICATE");
  dump.aa_challenge = challenge;
  dump.aa_signature = answer.data;
  return cccd::evidence_document(dump);
}

// ---------------------------------------------------------------------------------------------------
// The server process.

// The server this bench started; stopped (SIGTERM, then waited for) when it goes out of scope, so that an
// error in the bench leaves no server behind.
struct ServerProcess {
  ServerProcess(pid_t started, std::uint16_t listening) : pid(started), port(listening) {}
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { stop(); }
  void stop() noexcept {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
  }

  pid_t pid = -1;
  std::uint16_t port = 0;
};

ServerProcess start_server(const Options& o, const std::filesystem::path& work) {
  const std::filesystem::path port_file = work / "port";
  const std::string config = (work / "server.toml").string();
  const std::string log = (work / "server.log").string();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    pin_to(o.server_cpu);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) dup2(fd, 2);
    const std::string port_path = port_file.string();
    execl(o.server.c_str(), o.server.c_str(), "--config", config.c_str(), "--port-file", port_path.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 400; ++i) {
    std::ifstream in(port_file);
    unsigned port = 0;
    if (in >> port && port != 0) return {pid, static_cast<std::uint16_t>(port)};
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
      throw std::runtime_error("cccd-server exited at start: see " + log);
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill(pid, SIGKILL);
  throw std::runtime_error("cccd-server wrote no port within 10 s");
}

// The server's CPU time, in seconds: all of it, and its background threads' (those at SCHED_IDLE: the WAL
// checkpointer), each thread's from /proc/PID/task/TID/schedstat, in nanoseconds. /proc/PID/stat counts in
// 10 ms steps, 1-2 % of a round's slice, and its split into user and kernel time is sampled at the timer
// tick (CONFIG_TICK_CPU_ACCOUNTING), which misses a thread that wakes on a timer and sleeps again before the
// next tick, as the checkpointer does. The server's threads live as long as it does, so none is lost.
struct ServerCpu {
  double total = 0;
  double background = 0;
};

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ServerCpu server_cpu(pid_t pid) {
  ServerCpu cpu;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    // schedstat: time on the CPU (ns), time waiting to run, slices.
    const double seconds = std::stod(read_text(task.path() / "schedstat")) / 1e9;
    cpu.total += seconds;
    // stat: the scheduling policy is field 41 of proc(5), the 39th after the command's closing ')'.
    const std::string stat = read_text(task.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    for (int i = 0; i < 39; ++i) fields >> field;
    if (fields && std::stoi(field) == SCHED_IDLE) cpu.background += seconds;
  }
  return cpu;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// How many times the SQLite WAL at `wal` has started again from its beginning: its header's checkpoint
// sequence number (bytes 12-15, big-endian), one more at each restart. -1 without a WAL (PostgreSQL).
// Under steady load the server's WAL starts again only at its safety net, holding the writer for three
// flushes (sqlite_store.cpp): a step's count says whether its tail met one.
long wal_restarts(const std::filesystem::path& wal) {
  std::ifstream in(wal, std::ios::binary);
  unsigned char header[16];
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return -1;
  return (long{header[12]} << 24) | (long{header[13]} << 16) | (long{header[14]} << 8) | long{header[15]};
}

// ---------------------------------------------------------------------------------------------------
// A small blocking client for the challenges.

class BlockingClient {
 public:
  BlockingClient(std::uint16_t port, std::string key) : stream_(io_), key_(std::move(key)) {
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  json post(const std::string& target) {
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set("X-API-Key", key_);
    request.prepare_payload();
    http::write(stream_, request);
    http::response<http::string_body> response;
    http::read(stream_, buffer_, response);
    if (response.result_int() != 201) throw std::runtime_error("POST " + target + ": " + response.body());
    return json::parse(response.body());
  }

 private:
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string key_;
};

// ---------------------------------------------------------------------------------------------------
// The uploads: a fresh challenge from the server for each, signed by the card's AA key.

struct Uploads {
  std::vector<std::string> bodies;
  std::vector<std::string>
      documents;  // the first `keep_documents` evidence documents, for the in-process run
  std::vector<std::array<std::uint8_t, 8>> challenges;
};

Uploads prepare_uploads(std::uint16_t port, const std::string& key, const Material& material,
                        std::size_t first, std::size_t count, std::size_t keep_documents) {
  Uploads out;
  BlockingClient client(port, key);
  for (std::size_t i = 0; i < count; ++i) {
    const json issued = client.post("/v1/challenges");
    const auto bytes = cccd::from_hex(issued.at("challenge").get<std::string>());
    std::string document = evidence_for(material, first + i, bytes);
    out.bodies.push_back("{\"challenge_id\":\"" + issued.at("id").get<std::string>() +
                         "\",\"evidence\":" + document + "}");
    if (i < keep_documents) {
      out.documents.push_back(std::move(document));
      std::array<std::uint8_t, 8> challenge{};
      std::copy(bytes.begin(), bytes.end(), challenge.begin());
      out.challenges.push_back(challenge);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The load: bodies sent once each over a pool of keep-alive connections.

struct RunResult {
  double wall_seconds = 0;
  double server_cpu_seconds = 0;
  double server_background_seconds = 0;  // of which in its background threads
  std::vector<double> latencies_ms;
  std::vector<double> due_ms;  // when each of those requests was due, from the run's start
  Clock::time_point start{};   // when the run began (--latencies)
  std::map<unsigned, std::size_t> statuses;
  std::size_t errors = 0;
  long rss_kib_after = 0;  // the server's resident memory after the run
};

class Load {
 public:
  // `poll`: see finish(). Only on a CPU of its own: the memory run prepares the next batch on the same
  // CPU, and on a one-CPU machine the server shares it.
  Load(std::uint16_t port, const std::string& key, const std::vector<std::string>& bodies, bool poll = true)
      : endpoint_(net::ip::make_address("127.0.0.1"), port),
        key_(key),
        bodies_(bodies),
        poll_(poll),
        timer_(io_) {}

  // Closed loop: every body due now, `connections` connections busy until the last.
  RunResult closed(std::size_t first, std::size_t count, std::size_t connections) {
    const auto start = result_.start = Clock::now();
    for (std::size_t i = 0; i < count; ++i) queue_.push_back({first + i, start});
    max_connections_ = connections;
    closed_loop_ = true;
    for (std::size_t c = 0; c < connections; ++c) open_connection();
    return finish(start, count);
  }

  // Open loop: body k due at start + k / rate; connections opened as needed (up to 512).
  RunResult open(std::size_t first, std::size_t count, double rate) {
    const auto start = result_.start = Clock::now();
    max_connections_ = 512;
    const auto interval = std::chrono::duration<double>(1.0 / rate);
    schedule(first, count, start, interval, 0);
    return finish(start, count);
  }

 private:
  struct Pending {
    std::size_t index;
    Clock::time_point due;
  };
  struct Connection {
    explicit Connection(net::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    Pending pending{};
  };

  void schedule(std::size_t first, std::size_t count, Clock::time_point start,
                std::chrono::duration<double> interval, std::size_t k) {
    if (k == count) return;
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(k));
    timer_.expires_at(due);
    timer_.async_wait([this, first, count, start, interval, k, due](beast::error_code) {
      queue_.push_back({first + k, due});
      dispatch();
      schedule(first, count, start, interval, k + 1);
    });
  }

  void dispatch() {
    while (!queue_.empty() && !idle_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      send(c, queue_.front());
      queue_.pop_front();
    }
    if (!queue_.empty() && connections_.size() < max_connections_ && connecting_ == 0) open_connection();
  }

  void open_connection() {
    connections_.push_back(std::make_unique<Connection>(io_));
    Connection* c = connections_.back().get();
    ++connecting_;
    c->stream.async_connect(endpoint_, [this, c](beast::error_code ec) {
      --connecting_;
      if (ec) throw std::runtime_error("connect: " + ec.message());
      idle_.push_back(c);
      dispatch();
    });
  }

  void send(Connection* c, Pending pending) {
    // Closed loop: a request is due when a connection is free to send it.
    if (closed_loop_) pending.due = Clock::now();
    c->pending = pending;
    c->request = {http::verb::post, "/v1/verifications", 11};
    c->request.set(http::field::host, "127.0.0.1");
    c->request.set(http::field::content_type, "application/json");
    c->request.set("X-API-Key", key_);
    c->request.body() = bodies_[pending.index];
    c->request.prepare_payload();
    http::async_write(c->stream, c->request, [this, c](beast::error_code ec, std::size_t) {
      if (ec) return failed(c);
      c->response = {};
      http::async_read(c->stream, c->buffer, c->response, [this, c](beast::error_code read_ec, std::size_t) {
        if (read_ec) return failed(c);
        result_.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - c->pending.due).count());
        result_.due_ms.push_back(
            std::chrono::duration<double, std::milli>(c->pending.due - result_.start).count());
        ++result_.statuses[c->response.result_int()];
        ++done_;
        idle_.push_back(c);
        dispatch();
      });
    });
  }

  void failed(Connection*) {
    ++result_.errors;
    ++done_;
  }

  RunResult finish(Clock::time_point start, std::size_t count) {
    // The load generator polls its sockets instead of sleeping on them. Over loopback, the server's send
    // runs the client's TCP receive and, when the client sleeps, its wake-up (an IPI to the client's CPU),
    // all charged to the server's CPU time; across a real network that work happens on the client's
    // machine. Polling keeps the wake-up out of the server's figures (its share in a profile of the
    // closed loop: 5.4 % of the server's CPU with a sleeping client, 2.8 % with a polling one).
    if (poll_) {
      while (done_ < count && !io_.stopped()) io_.poll_one();
    } else {
      while (done_ < count && io_.run_one() > 0) {
      }
    }
    result_.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (auto& c : connections_) {
      beast::error_code ignored;
      c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      c->stream.socket().close(ignored);
    }
    return result_;
  }

  net::io_context io_;
  tcp::endpoint endpoint_;
  std::string key_;
  const std::vector<std::string>& bodies_;
  bool poll_;
  net::steady_timer timer_;
  std::deque<Pending> queue_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
  std::size_t max_connections_ = 0;
  bool closed_loop_ = false;
  std::size_t connecting_ = 0;
  std::size_t done_ = 0;
  RunResult result_;
};

// --latencies: each request of a run, in the order they were due, as "due_ms latency_ms" (due from the
// run's start), for taking a tail apart against a scheduler trace of the same moments: the first line gives
// the start on CLOCK_MONOTONIC (perf's -k CLOCK_MONOTONIC). They are recorded as answered, which is not
// always the order they were due in: the server may read, and answer, a later request on another
// connection first (seen with an ASan build on a busy machine).
void write_latencies(const std::string& path, const RunResult& run) {
  std::vector<std::size_t> order(run.latencies_ms.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return run.due_ms[a] < run.due_ms[b]; });
  std::ofstream out(path, std::ios::trunc);
  out << std::fixed << std::setprecision(3) << "# start_monotonic_ms "
      << std::chrono::duration<double, std::milli>(run.start.time_since_epoch()).count() << '\n';
  for (const std::size_t i : order) out << run.due_ms[i] << ' ' << run.latencies_ms[i] << '\n';
  if (!out) throw std::runtime_error("cannot write " + path);
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t index =
      std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())));
  return values[index];
}

// A stand-in for the server, run with the server idle: a thread on the server's CPU that waits on a
// socket, spends `service_s` of CPU time (the server's per request at its maximum) on each byte it reads
// and answers with one byte, and a client on this thread (on the load generator's CPU, polling like
// Load, or with `realtime` both at SCHED_FIFO and the client waiting like Load then) that sends a byte
// every `interval_s` for `duration_s` whether or not the answers came, counting
// each one's latency from its due time. No HTTP, no batches, no database, no verification: its latencies
// are what a server of that constant cost would show on this machine at this load, both CPUs' stalls
// included (a stall of a virtual CPU, a kernel thread such as kdamond, the wake-up of a halted CPU): the
// machine's floor under the real server's tail, measured in the same run.
struct StandIn {
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::size_t requests = 0;
};

StandIn stand_in_server(int server_cpu, double interval_s, double duration_s, double service_s,
                        bool realtime) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) throw std::runtime_error("socketpair failed");
  const auto requests = static_cast<std::size_t>(duration_s / interval_s);
  std::thread server([fd = pair[1], server_cpu, service_s, requests, realtime] {
    pin_to(server_cpu);
    if (realtime) set_realtime(0, true);  // the client's thread is already: this one can be too
    char byte = 0;
    for (std::size_t i = 0; i < requests && read(fd, &byte, 1) == 1; ++i) {
      const double served = cccd::bench::thread_cpu_seconds() + service_s;
      while (cccd::bench::thread_cpu_seconds() < served) {
      }
      if (send(fd, &byte, 1, MSG_NOSIGNAL) != 1) break;
    }
  });
  fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK);
  const auto interval = std::chrono::nanoseconds(static_cast<long long>(interval_s * 1e9));
  std::vector<std::chrono::steady_clock::time_point> due;
  std::vector<double> latency_ms;
  due.reserve(requests);
  latency_ms.reserve(requests);
  auto next = std::chrono::steady_clock::now() + interval;
  const auto give_up = next + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::duration<double>(duration_s * 4 + 5));
  while (latency_ms.size() < requests && std::chrono::steady_clock::now() < give_up) {
    const auto now = std::chrono::steady_clock::now();
    if (due.size() < requests && now >= next) {
      const char byte = 1;
      if (send(pair[0], &byte, 1, MSG_NOSIGNAL) == 1) due.push_back(next);
      next += interval;
    }
    if (realtime) {  // wait for an answer or the next request's time, whichever comes first
      const auto wait = due.size() < requests ? std::max(next - std::chrono::steady_clock::now(),
                                                         std::chrono::steady_clock::duration::zero())
                                              : std::chrono::milliseconds(100);
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
      const timespec timeout{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
      pollfd readable{pair[0], POLLIN, 0};
      ppoll(&readable, 1, &timeout, nullptr);
    }
    char answers[64];
    const ssize_t n = read(pair[0], answers, sizeof answers);
    for (ssize_t k = 0; k < n && latency_ms.size() < due.size(); ++k) {
      const auto done = std::chrono::steady_clock::now();
      latency_ms.push_back(std::chrono::duration<double, std::milli>(done - due[latency_ms.size()]).count());
    }
  }
  close(pair[0]);  // ends the server thread's read if it is still waiting
  server.join();
  close(pair[1]);
  StandIn result;
  result.requests = latency_ms.size();
  result.p50_ms = percentile(latency_ms, 0.5);
  result.p99_ms = percentile(latency_ms, 0.99);
  if (!latency_ms.empty()) result.max_ms = *std::max_element(latency_ms.begin(), latency_ms.end());
  return result;
}

RunResult measured(pid_t server, const std::function<RunResult()>& run) {
  const ServerCpu before = server_cpu(server);
  RunResult result = run();
  const ServerCpu after = server_cpu(server);
  result.server_cpu_seconds = after.total - before.total;
  result.server_background_seconds = after.background - before.background;
  result.rss_kib_after = rss_kib(server);
  return result;
}

// Adds one slice of a run to the whole.
void add_to(RunResult& total, const RunResult& slice) {
  total.wall_seconds += slice.wall_seconds;
  total.server_cpu_seconds += slice.server_cpu_seconds;
  total.server_background_seconds += slice.server_background_seconds;
  total.latencies_ms.insert(total.latencies_ms.end(), slice.latencies_ms.begin(), slice.latencies_ms.end());
  for (const auto& [status, count] : slice.statuses) total.statuses[status] += count;
  total.errors += slice.errors;
  total.rss_kib_after = slice.rss_kib_after;
}

json describe(const std::string& name, const RunResult& r, std::size_t count) {
  return {{"run", name},
          {"requests", count},
          {"ok", r.statuses.count(200) ? r.statuses.at(200) : 0},
          {"errors", r.errors + count - (r.statuses.count(200) ? r.statuses.at(200) : 0)},
          {"throughput_per_s", static_cast<double>(count) / r.wall_seconds},
          {"server_cpu_s", r.server_cpu_seconds},
          {"server_background_cpu_s", r.server_background_seconds},
          {"per_server_core_per_s",
           r.server_cpu_seconds > 0 ? static_cast<double>(count) / r.server_cpu_seconds : 0},
          {"p50_ms", percentile(r.latencies_ms, 0.50)},
          {"p90_ms", percentile(r.latencies_ms, 0.90)},
          {"p99_ms", percentile(r.latencies_ms, 0.99)},
          {"server_rss_kib_after", r.rss_kib_after}};
}

// --memory-requests: the server's resident memory over many requests, without the bench holding them all.
// Each batch of uploads (fresh challenges, each AA-signed by the card) is prepared on a second thread
// while the previous batch is sent, closed loop; the uploads of a batch are dropped after it.
json memory_run(const Options& o, const ServerProcess& server, const std::string& key,
                const Material& material) {
  auto prepare = [&](std::size_t first) {
    const std::size_t count = std::min(o.batch, o.memory_requests - first);
    return std::async(std::launch::async, [&, first, count] {
      return prepare_uploads(server.port, key, material, first, count, 0);
    });
  };
  const long rss_start = rss_kib(server.pid);
  std::fprintf(stderr, "server_bench: %zu requests in batches of %zu; server RSS at start %ld KiB\n",
               o.memory_requests, o.batch, rss_start);
  auto is_milestone = [](std::size_t n) {
    while (n >= 10 && n % 10 == 0) n /= 10;
    return n == 1 || n == 2 || n == 5;
  };
  json steps = json::array();
  std::size_t done = 0, ok = 0, errors = 0;
  const auto start = Clock::now();
  std::future<Uploads> next = prepare(0);
  while (done < o.memory_requests) {
    const Uploads batch = next.get();
    const std::size_t count = batch.bodies.size();
    if (done + count < o.memory_requests) next = prepare(done + count);
    Load load(server.port, key, batch.bodies, false);
    const RunResult run = load.closed(0, count, o.connections);
    done += count;
    ok += run.statuses.count(200) ? run.statuses.at(200) : 0;
    errors += run.errors;
    const long rss = rss_kib(server.pid);
    if (is_milestone(done) || done == o.memory_requests) {
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      std::fprintf(stderr,
                   "server_bench: after %7zu requests (%zu answered 200): server RSS %ld KiB (%.0f s)\n",
                   done, ok, rss, seconds);
      steps.push_back({{"requests", done}, {"ok", ok}, {"server_rss_kib", rss}});
    }
  }
  if (ok != done) std::fprintf(stderr, "server_bench: %zu requests not answered 200\n", done - ok);
  return {{"database", o.postgresql.empty() ? "sqlite" : "postgresql"},
          {"requests", done},
          {"ok", ok},
          {"errors", errors},
          {"server_rss_kib_at_start", rss_start},
          {"steps", steps}};
}
}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse_options(argc, argv);
  pin_to(o.client_cpu);
#ifdef __GLIBC__
  // The allocator settings cccd-server starts with (keep_freed_heap_between_requests), so that the
  // in-process side is not measured with page faults the server does not have.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
  char pattern[] = "/tmp/cccd-server-bench.XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  const std::filesystem::path work = pattern;

  std::cerr << "server_bench: the card, " << o.signers << " document signers ...\n";
  const Material material = make_material(o.signers);
  { std::ofstream(work / "csca.pem") << material.csca_pem; }
  const std::string key = "bench-key";
  const cccd::Bytes digest =
      cccd::crypto::hash(cccd::crypto::HashAlgorithm::sha256,
                         cccd::ByteView(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
  std::ofstream(work / "server.toml")
      << "[server]\nport = 0\nworkers = 1\nmax_connections = 1024\nchallenge_ttl_seconds = "
         "3600\n"
      << "[database]\n"
      << (o.postgresql.empty()
              ? "sqlite = \"state.db\"\nsqlite_synchronous = \"" + o.sqlite_synchronous + "\"\n"
              : "postgresql = \"" + o.postgresql + "\"\n")
      << "[trust]\ncsca = [\"csca.pem\"]\n[[api_keys]]\nid = \"bench\"\nsha256 = \"" << hex(digest) << "\"\n";

  ServerProcess server = start_server(o, work);
  // The in-process uploads, one warm-up upload per signer, then the measured runs'.
  const std::size_t total = o.inprocess + o.signers + o.max_requests + 2 * o.step_requests;
  if (o.memory_requests > 0) {
    const json report = memory_run(o, server, key, material);
    server.stop();
    std::filesystem::remove_all(work);
    if (o.json_output) std::cout << report.dump(2) << '\n';
    return 0;
  }
  std::cerr << "server_bench: " << total << " challenges and uploads ...\n";
  const Uploads uploads = prepare_uploads(server.port, key, material, 0, total, o.inprocess);
  const std::vector<std::string>& bodies = uploads.bodies;

  // Warm-up, not measured: each signer's certificate checked once on each side, so that both are measured
  // in the steady state of a running service.
  cccd::bench::InProcessVerifier in_process((work / "csca.pem").string(), uploads.documents,
                                            uploads.challenges, o.signers);
  std::size_t next = o.inprocess;
  {
    Load load(server.port, key, bodies, o.client_cpu != o.server_cpu);
    const RunResult warm = load.closed(next, o.signers, o.connections);
    if (warm.errors != 0 || warm.statuses.size() != 1 || warm.statuses.count(200) == 0)
      throw std::runtime_error("the warm-up requests were not all answered 200");
  }
  next += o.signers;
  const std::size_t first_measured = next;
  const long rss_before = rss_kib(server.pid);

  // 1. Rounds: a slice in process on the server's CPU, then a slice of the server's maximum.
  cccd::bench::InProcessSample in_process_total;
  RunResult max_run;
  json rounds = json::array();
  for (std::size_t r = 0; r < o.rounds; ++r) {
    const std::size_t in_first = r * (o.inprocess / o.rounds);
    const std::size_t in_count = r + 1 == o.rounds ? o.inprocess - in_first : o.inprocess / o.rounds;
    const std::size_t max_count =
        r + 1 == o.rounds ? o.max_requests - r * (o.max_requests / o.rounds) : o.max_requests / o.rounds;
    pin_to(o.server_cpu);
    const cccd::bench::InProcessSample sample = in_process.measure(in_first, in_count);
    pin_to(o.client_cpu);
    const RunResult slice = measured(server.pid, [&] {
      Load load(server.port, key, bodies, o.client_cpu != o.server_cpu);
      return load.closed(next, max_count, o.connections);
    });
    next += max_count;
    in_process_total.count += sample.count;
    in_process_total.verify_seconds += sample.verify_seconds;
    in_process_total.verify_and_json_seconds += sample.verify_and_json_seconds;
    add_to(max_run, slice);
    const double in_rate = static_cast<double>(sample.count) / sample.verify_seconds;
    const double server_rate = static_cast<double>(max_count) / slice.server_cpu_seconds;
    rounds.push_back({{"in_process_per_core_per_s", in_rate},
                      {"server_per_core_per_s", server_rate},
                      {"ratio", server_rate / in_rate}});
  }
  const double in_process_verify =
      static_cast<double>(in_process_total.count) / in_process_total.verify_seconds;
  const double in_process_verify_and_json =
      static_cast<double>(in_process_total.count) / in_process_total.verify_and_json_seconds;
  const double max_rate = static_cast<double>(o.max_requests) / max_run.wall_seconds;

  // 2. 50 % and 90 % of it, open loop.
  json runs = json::array();
  runs.push_back(describe("max (closed loop, " + std::to_string(o.connections) + " connections)", max_run,
                          o.max_requests));
  const double service_s = max_run.server_cpu_seconds / static_cast<double>(o.max_requests);
  StandIn stand_in;
  for (const double fraction : {0.5, 0.9}) {
    const bool realtime = o.realtime && fraction == 0.5;
    const long restarts_before = wal_restarts(work / "state.db-wal");
    if (realtime) set_realtime_step(server.pid, true);
    const RunResult run = measured(server.pid, [&] {
      Load load(server.port, key, bodies, o.client_cpu != o.server_cpu && !realtime);
      return load.open(next, o.step_requests, fraction * max_rate);
    });
    if (realtime) set_realtime_step(server.pid, false);
    const long restarts_after = wal_restarts(work / "state.db-wal");
    if (fraction == 0.5 && !o.latencies.empty()) write_latencies(o.latencies, run);
    next += o.step_requests;
    json row = describe(std::to_string(static_cast<int>(fraction * 100)) + " % of max (open loop)", run,
                        o.step_requests);
    row["offered_per_s"] = fraction * max_rate;
    if (restarts_before >= 0 && restarts_after >= 0) row["wal_restarts"] = restarts_after - restarts_before;
    runs.push_back(row);
    if (fraction == 0.5) {
      if (realtime) set_realtime(0, true);  // allowed: the step just ran so
      stand_in =
          stand_in_server(o.server_cpu, 1 / (fraction * max_rate), run.wall_seconds, service_s, realtime);
      if (realtime) set_realtime(0, false);
    }
  }
  const long rss_after = rss_kib(server.pid);
  server.stop();

  const double per_core = runs[0]["per_server_core_per_s"].get<double>();
  const json report = {
      {"in_process_per_core_per_s", in_process_verify},
      {"in_process_with_json_per_core_per_s", in_process_verify_and_json},
      {"server_per_core_per_s", per_core},
      {"ratio", per_core / in_process_verify},
      {"ratio_to_with_json", per_core / in_process_verify_and_json},
      {"rounds", rounds},
      {"p99_over_p50_at_50", runs[1]["p99_ms"].get<double>() / runs[1]["p50_ms"].get<double>()},
      {"wal_restarts_at_50", runs[1].value("wal_restarts", -1L)},
      {"realtime_at_50", o.realtime},
      {"stand_in_at_50",
       {{"service_ms", service_s * 1000},
        {"requests", stand_in.requests},
        {"p50_ms", stand_in.p50_ms},
        {"p99_ms", stand_in.p99_ms},
        {"max_ms", stand_in.max_ms},
        {"p99_over_p50", stand_in.p99_ms / stand_in.p50_ms}}},
      {"server_rss_kib_before", rss_before},
      {"server_rss_kib_after", rss_after},
      {"requests_served", next - first_measured},
      {"signers", o.signers},
      {"database", o.postgresql.empty() ? "sqlite" : "postgresql"},
      {"runs", runs}};
  std::filesystem::remove_all(work);
  if (o.json_output) {
    std::cout << report.dump(2) << '\n';
    return 0;
  }
  std::printf(
      "in process: %.0f verifications per CPU second (public API: from_document + verify); %.0f with "
      "the result's JSON\n",
      in_process_verify, in_process_verify_and_json);
  std::printf("%-40s %8s %10s %10s %9s %9s %9s %6s %9s\n", "run", "requests", "req/s", "per core", "p50 ms",
              "p90 ms", "p99 ms", "errors", "RSS KiB");
  for (const json& row : runs) {
    std::printf("%-40s %8zu %10.0f %10.0f %9.2f %9.2f %9.2f %6zu %9ld\n",
                row["run"].get<std::string>().c_str(), row["requests"].get<std::size_t>(),
                row["throughput_per_s"].get<double>(), row["per_server_core_per_s"].get<double>(),
                row["p50_ms"].get<double>(), row["p90_ms"].get<double>(), row["p99_ms"].get<double>(),
                row["errors"].get<std::size_t>(), row["server_rss_kib_after"].get<long>());
  }
  std::printf("rounds (in process per CPU s, server per CPU s, ratio):");
  for (const json& round : rounds) {
    std::printf(" %.0f/%.0f/%.2f", round["in_process_per_core_per_s"].get<double>(),
                round["server_per_core_per_s"].get<double>(), round["ratio"].get<double>());
  }
  std::printf("\n");
  std::printf(
      "the server's CPU in the closed loop: %.1f %% in its background threads (SCHED_IDLE: the WAL "
      "checkpointer)\n",
      100 * max_run.server_background_seconds / max_run.server_cpu_seconds);
  if (o.realtime) std::printf("the 50 %% step and the stand-in ran at SCHED_FIFO (--realtime)\n");
  if (runs[1].contains("wal_restarts")) {
    std::printf("the SQLite WAL started again %ld times in the 50 %% step, %ld in the 90 %% step\n",
                runs[1]["wal_restarts"].get<long>(), runs[2].value("wal_restarts", -1L));
  }
  std::printf(
      "stand-in at 50 %% (%.3f ms of CPU a request, in order, on the same CPUs, server idle): p50 %.2f "
      "ms, p99 %.2f ms (p99/p50 %.2f), at most %.2f ms\n",
      service_s * 1000, stand_in.p50_ms, stand_in.p99_ms, stand_in.p99_ms / stand_in.p50_ms, stand_in.max_ms);
  std::printf(
      "server per core / in process: %.2f (%.2f against verify + JSON); p99 / p50 at 50 %%: %.2f; "
      "server RSS %ld KiB -> %ld KiB\n",
      report["ratio"].get<double>(), report["ratio_to_with_json"].get<double>(),
      report["p99_over_p50_at_50"].get<double>(), rss_before, rss_after);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "server_bench: " << e.what() << '\n';
  return 1;
}
