// Stopping a read or a wait from another thread: a kiosk gives up on a card after a timeout, a desk
// program quits on Ctrl-C. The read ends with Error(cancelled) before its next APDU, and a wait for a
// card ends at once.
#pragma once

#include <functional>
#include <memory>

namespace cccd {

class Cancellation {
 public:
  Cancellation();
  ~Cancellation();
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  // Thread-safe and idempotent. Also interrupts a blocking wait that registered an interrupter.
  void cancel() noexcept;
  bool cancelled() const noexcept;

  // For transports: while a blocking wait runs, `interrupt` is what ends it (SCardCancel,
  // nfc_abort_command). Called at once if cancel() came first. The guard unregisters it.
  class Registration {
   public:
    Registration() = default;
    explicit Registration(const Cancellation* owner) : owner_(owner) {}
    Registration(Registration&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Registration& operator=(Registration&&) = delete;
    ~Registration();

   private:
    const Cancellation* owner_ = nullptr;
  };
  [[nodiscard]] Registration on_cancel(std::function<void()> interrupt) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cccd
