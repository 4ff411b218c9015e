#include "agent/reads.hpp"

#include "agent/access_policy.hpp"
#include "cli/translate.hpp"
#include "lds/face_image_codec.hpp"

#include <cccd/error.hpp>
#include <cccd/files.hpp>
#include <cccd/report.hpp>

#include <boost/asio/post.hpp>

#include <nlohmann/json.hpp>

#include <openssl/crypto.h>

#include <utility>

namespace cccd::agent {

namespace {

// Personal data leaves memory as well as the map: overwrite before the allocator gets the buffer back.
void wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

// The Vietnamese the page shows beside the JSON: each finding's detail (the library writes English, as
// the JSON must stay language-neutral) through the same phrase table as cccd-verify's output, and the
// error's message. The finding details never hold personal data (verdict.hpp).
std::string explain(const std::string& result_json) {
  const nlohmann::json result = nlohmann::json::parse(result_json);
  nlohmann::json out = {{"findings", nlohmann::json::object()}};
  if (const auto verdict = result.find("verdict"); verdict != result.end() && verdict->is_object()) {
    for (const auto& [name, finding] : verdict->items()) {
      if (finding.is_object() && finding.contains("detail") && finding["detail"].is_string()) {
        out["findings"][name] = cli::to_vietnamese(finding["detail"].get<std::string>());
      }
    }
  }
  if (const auto error = result.find("error"); error != result.end() && error->is_object()) {
    out["error"] = cli::to_vietnamese(error->value("message", std::string()));
  }
  return out.dump();
}

}  // namespace

Read::~Read() {
  for (std::string& event : events) wipe(event);
  wipe(result_json);
  wipe(explain_json);
  if (face_png && !face_png->empty()) OPENSSL_cleanse(face_png->data(), face_png->size());
}

const char* Read::state_name() const noexcept {
  switch (state) {
    case State::waiting:
      return "waiting";
    case State::reading:
      return "reading";
    case State::done:
      return "done";
    case State::failed:
      return "failed";
  }
  return "failed";
}

Reads::Reads(boost::asio::io_context& io, ReadSettings settings)
    : io_(io), settings_(std::move(settings)), timer_(io) {
  tick();
}

Reads::~Reads() {
  if (running_) running_->cancellation.cancel();
  if (worker_.joinable()) worker_.join();
  for (auto& [id, read] : reads_) read->sinks.clear();
}

bool Reads::running() const noexcept {
  return running_ != nullptr;
}

std::shared_ptr<Read> Reads::find(std::string_view id) const {
  const auto it = reads_.find(id);
  return it == reads_.end() ? nullptr : it->second;
}

std::shared_ptr<Read> Reads::start(Credentials credentials, const std::string& reader) {
  if (running_) return nullptr;
  // The previous worker posted its last step before it ended: joining here waits microseconds at most.
  if (worker_.joinable()) worker_.join();
  auto read = std::make_shared<Read>(random_hex(16));
  read->last_activity = std::chrono::steady_clock::now();
  reads_.emplace(read->id, read);
  running_ = read;
  append(*read, "state", nlohmann::json{{"state", "waiting"}}.dump());
  worker_ = std::thread(&Reads::work, this, read, std::move(credentials),
                        reader.empty() ? settings_.default_reader : reader);
  return read;
}

// Within the wait for the card, as cccd-verify read --loop does between citizens: a reader that still
// shows the previous citizen's card for a moment after it was taken (pcscd polls its readers), or no
// reader or PC/SC service yet, is no failure before anything was read; the wait goes on until its end.
Report Reads::read_until_placed(const CardSource& source, const Credentials& credentials, ReadOptions options,
                                const bool& progressed, const Cancellation& cancellation) {
  const auto deadline = std::chrono::steady_clock::now() + settings_.wait_for_card;
  for (;;) {
    try {
      return read_and_verify(source, credentials, settings_.trust, options);
    } catch (const Error& e) {
      // DELETE while the agent waited between attempts: the read ends as cancelled, not with the
      // no-reader error of the attempt before.
      if (cancellation.cancelled()) throw Error(ErrorCode::cancelled, "the read was cancelled");
      const bool retry = (e.code() == ErrorCode::no_card || e.code() == ErrorCode::no_reader) && !progressed;
      const auto now = std::chrono::steady_clock::now();
      if (!retry || now + std::chrono::milliseconds(200) >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      options.wait_for_card =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    }
  }
}

// On the worker thread: the card is read and judged exactly as cccd-verify read --resume does it; every
// result goes back to the I/O thread.
void Reads::work(std::shared_ptr<Read> read, Credentials credentials, std::string reader) {
  CardSource source;
  source.kind = CardSource::Kind::pcsc;
  source.reader = std::move(reader);
  ReadOptions options;
  options.wait_for_card = settings_.wait_for_card;
  options.resume_after_removal = true;  // a card pulled away and put back is read on, as --resume
  options.cancellation = &read->cancellation;
  options.policy = settings_.policy;
  // No reader (or no PC/SC service) yet is said at once, so that the page can ask for the reader to be
  // plugged in; the read itself waits for it within its wait for the card.
  bool reader_there = false;
  try {
    for (const std::string& name : list_pcsc_readers()) {
      if (name.find(source.reader) != std::string::npos) reader_there = true;
    }
  } catch (const Error&) {
    reader_there = false;
  }
  if (!reader_there) {
    boost::asio::post(io_, [this, read] {
      if (!read->finished) append(*read, "state", nlohmann::json{{"state", "no_reader"}}.dump());
    });
  }
  bool progressed = false;  // this thread only: the progress callback runs on it
  options.progress = [this, read, &progressed](const ReadProgress& step) {
    progressed = true;
    boost::asio::post(io_, [this, read, step] { progress(read, step); });
  };
  std::string result;
  std::optional<Bytes> face;
  bool ok = false;
  try {
    Report report = read_until_placed(source, credentials, options, progressed, read->cancellation);
    result = to_json(report, -1);
    if (report.document.face) {
      // Always re-encoded as PNG by the library's bounded decoders: a JPEG 2000 face (which browsers do
      // not show) becomes displayable, and whatever else the chip put in the file (metadata, a second
      // image) never reaches the browser's own decoders.
      try {
        face = lds::face_image_png(*report.document.face);
      } catch (const Error&) {
        face.reset();  // the page says "no photo"; the verdict still stands
      }
    }
    ok = true;
  } catch (const Error& e) {
    result = error_json(e, -1);
  } catch (const std::exception& e) {
    result = error_json(Error(ErrorCode::internal, e.what()), -1);
  }
  std::string explained = explain(result);
  boost::asio::post(
      io_, [this, read, result = std::move(result), explained = std::move(explained), face = std::move(face),
            ok]() mutable { finish(read, std::move(result), std::move(explained), std::move(face), ok); });
}

void Reads::progress(const std::shared_ptr<Read>& read, const ReadProgress& step) {
  if (read->finished) return;
  read->last_activity = std::chrono::steady_clock::now();
  if (read->state == Read::State::waiting) {
    read->state = Read::State::reading;
    append(*read, "state", nlohmann::json{{"state", "reading"}}.dump());
  }
  if (read->stalled) {
    read->stalled = false;
    append(*read, "state", nlohmann::json{{"state", "resumed"}}.dump());
  }
  append(*read, "progress",
         nlohmann::json{{"file", std::string(file_name(step.file))},
                        {"file_bytes", step.file_bytes},
                        {"file_size", step.file_size},
                        {"files_done", step.files_done},
                        {"files_total", step.files_total}}
             .dump());
}

void Reads::finish(const std::shared_ptr<Read>& read, std::string result_json, std::string explain_json,
                   std::optional<Bytes> face_png, bool ok) {
  read->finished = true;
  read->state = ok ? Read::State::done : Read::State::failed;
  read->finished_at = std::chrono::steady_clock::now();
  read->result_json = std::move(result_json);
  read->explain_json = std::move(explain_json);
  read->face_png = std::move(face_png);
  if (running_ == read) running_.reset();
  if (worker_.joinable()) worker_.join();
  // The verdict's Vietnamese first, so that a page has it when the result arrives.
  append(*read, "explain", read->explain_json);
  read->result_event = read->events.size();
  append(*read, ok ? "result" : "failed", read->result_json);
  // The caller asked to forget it: streams still open get the end from their own reference; nobody can
  // ask for it again.
  if (read->forget) drop(read->id);
}

void Reads::append(Read& read, std::string_view name, const std::string& data) {
  // One JSON document per event, dumped on one line: a frame's data cannot hold a line break.
  std::string frame = "event: ";
  frame.append(name).append("\ndata: ").append(data).append("\n\n");
  read.events.push_back(std::move(frame));
  notify(read);
}

void Reads::notify(Read& read) {
  // A copy: a sink may unsubscribe while it is pumped.
  const std::vector<std::shared_ptr<EventSink>> sinks = read.sinks;
  for (const std::shared_ptr<EventSink>& sink : sinks) sink->pump();
}

void Reads::subscribe(const std::shared_ptr<Read>& read, std::shared_ptr<EventSink> sink) {
  read->sinks.push_back(std::move(sink));
}

void Reads::unsubscribe(const std::shared_ptr<Read>& read, const EventSink* sink) {
  std::erase_if(read->sinks, [sink](const std::shared_ptr<EventSink>& held) { return held.get() == sink; });
}

void Reads::cancel_or_drop(const std::shared_ptr<Read>& read) {
  if (!read->finished) {
    read->forget = true;
    read->cancellation.cancel();
    return;
  }
  drop(read->id);
}

void Reads::result_delivered(const std::shared_ptr<Read>& read) {
  read->result_delivered = true;
  drop_if_delivered(read);
}

void Reads::face_delivered(const std::shared_ptr<Read>& read) {
  read->face_delivered = true;
  drop_if_delivered(read);
}

void Reads::drop_if_delivered(const std::shared_ptr<Read>& read) {
  if (read->finished && read->result_delivered && (read->face_delivered || !read->face_png)) drop(read->id);
}

void Reads::drop(const std::string& id) {
  const auto it = reads_.find(id);
  if (it == reads_.end()) return;
  // A stream still writing holds the read until its last write; the buffers are wiped when it lets go.
  reads_.erase(it);
}

// Twice a second: drop finished reads past their time to live, say "stalled" when a read stopped
// moving (the card was pulled away: the library waits for it to come back), keep idle streams open.
void Reads::tick() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> expired;
  for (auto& [id, read] : reads_) {
    if (read->finished) {
      if (now - read->finished_at > settings_.result_ttl) expired.push_back(id);
      continue;
    }
    if (read->state == Read::State::reading && !read->stalled &&
        now - read->last_activity > settings_.stall) {
      read->stalled = true;
      append(*read, "state", nlohmann::json{{"state", "stalled"}}.dump());
    } else if (now - read->last_activity > settings_.keepalive) {
      read->last_activity = now;
      append(*read, "keepalive", "{}");
    }
  }
  for (const std::string& id : expired) drop(id);
  timer_.expires_after(std::chrono::milliseconds(500));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace cccd::agent
