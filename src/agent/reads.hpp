// The reads cccd-agent runs: one card at a time (a counter has one reader), each on a worker thread of
// its own that talks to the card through the library, while everything a request or an event stream
// sees lives on the I/O thread (the worker hands over each step with asio::post), so no lock guards it.
//
// What a read produced is personal data and is kept only until it was handed over: a read is dropped
// (and its buffers wiped) once its result was delivered (an event stream wrote it, or GET
// /v1/reads/{id} returned it) and its face fetched (or it has none), or `result_ttl` after it finished,
// whichever comes first, or when DELETE asks. Nothing is written to disk.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/cancel.hpp>
#include <cccd/policy.hpp>
#include <cccd/reader.hpp>
#include <cccd/report.hpp>
#include <cccd/trust.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cccd::agent {

// An event stream (GET /v1/reads/{id}/events) that wants to hear when a read has new events.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void pump() = 0;  // on the I/O thread
};

struct ReadSettings {
  std::string default_reader;              // substring of a PC/SC reader name; "": any reader
  std::chrono::seconds wait_for_card{60};  // how long a read waits for the card to be placed
  std::chrono::seconds result_ttl{60};     // a finished read not fetched is dropped after this
  // No progress this long while reading: "stalled". Longer than any one step of a read should take
  // (an RSA Active Authentication on a slow chip included), shorter than an officer's patience.
  std::chrono::milliseconds stall{2500};
  std::chrono::seconds keepalive{15};  // a "keepalive" event on a stream that has had nothing to say
  const TrustStore* trust = nullptr;   // CSCAs; null: signer trust unknown, never verified
  VerificationPolicy policy;
};

class Read {
 public:
  enum class State { waiting, reading, done, failed };
  explicit Read(std::string read_id) : id(std::move(read_id)) {}
  Read(const Read&) = delete;
  Read& operator=(const Read&) = delete;
  ~Read();  // wipes what the read produced

  const std::string id;
  State state = State::waiting;
  // The event stream's frames ("event: NAME\ndata: JSON\n\n"), in order; the last one is "result" or
  // "error". Each stream writes them from its own position, so one that connects late misses nothing.
  std::vector<std::string> events;
  std::size_t result_event = 0;  // index of the result (or error) frame, once finished
  bool finished = false;
  std::string result_json;   // the JSON cccd-verify read --json prints (or its error document), one line
  std::string explain_json;  // Vietnamese for the finding details and the error (the page shows them)
  std::optional<Bytes> face_png;
  bool result_delivered = false;
  bool face_delivered = false;
  std::chrono::steady_clock::time_point finished_at;
  std::chrono::steady_clock::time_point last_activity;
  bool stalled = false;
  bool forget = false;  // DELETE came while it ran: dropped as soon as it ends
  Cancellation cancellation;
  // The streams following the read. Held strongly: between two events a stream has no I/O pending, and
  // this is what keeps it alive; it unsubscribes when it ends.
  std::vector<std::shared_ptr<EventSink>> sinks;

  const char* state_name() const noexcept;
};

class Reads {
 public:
  Reads(boost::asio::io_context& io, ReadSettings settings);
  Reads(const Reads&) = delete;
  Reads& operator=(const Reads&) = delete;
  ~Reads();  // cancels the running read and waits for its worker

  // Starts reading with these credentials on `reader` ("" : the default). Nothing when a read is still
  // running (the caller answers 409).
  std::shared_ptr<Read> start(Credentials credentials, const std::string& reader);
  std::shared_ptr<Read> find(std::string_view id) const;
  // DELETE: a running read is cancelled (its stream then ends with the "cancelled" error and the read
  // is dropped after delivery or TTL); a finished one is dropped at once.
  void cancel_or_drop(const std::shared_ptr<Read>& read);
  void result_delivered(const std::shared_ptr<Read>& read);
  void face_delivered(const std::shared_ptr<Read>& read);
  void subscribe(const std::shared_ptr<Read>& read, std::shared_ptr<EventSink> sink);
  void unsubscribe(const std::shared_ptr<Read>& read, const EventSink* sink);
  bool running() const noexcept;

 private:
  void append(Read& read, std::string_view name, const std::string& data);
  void notify(Read& read);
  void progress(const std::shared_ptr<Read>& read, const ReadProgress& progress);
  void finish(const std::shared_ptr<Read>& read, std::string result_json, std::string explain_json,
              std::optional<Bytes> face_png, bool ok);
  void drop_if_delivered(const std::shared_ptr<Read>& read);
  void drop(const std::string& id);
  void tick();
  void work(std::shared_ptr<Read> read, Credentials credentials, std::string reader);
  Report read_until_placed(const CardSource& source, const Credentials& credentials, ReadOptions options,
                           const bool& progressed, const Cancellation& cancellation);

  boost::asio::io_context& io_;
  const ReadSettings settings_;
  std::map<std::string, std::shared_ptr<Read>, std::less<>> reads_;
  std::shared_ptr<Read> running_;
  std::thread worker_;
  boost::asio::steady_timer timer_;
};

}  // namespace cccd::agent
