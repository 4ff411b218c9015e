#include <cccd/cancel.hpp>

#include <atomic>
#include <mutex>

namespace cccd {

struct Cancellation::State {
  std::atomic<bool> cancelled{false};
  // Held while an interrupter runs or changes, so cancel() never calls one that is being unregistered.
  std::mutex mutex;
  std::function<void()> interrupt;
};

Cancellation::Cancellation() : state_(std::make_unique<State>()) {}
Cancellation::~Cancellation() = default;

void Cancellation::cancel() noexcept {
  state_->cancelled.store(true);
  std::lock_guard lock(state_->mutex);
  if (state_->interrupt) {
    try {
      state_->interrupt();
    } catch (...) {  // an interrupter that fails leaves the flag, which the read checks anyway
    }
  }
}

bool Cancellation::cancelled() const noexcept {
  return state_->cancelled.load();
}

Cancellation::Registration Cancellation::on_cancel(std::function<void()> interrupt) const {
  {
    std::lock_guard lock(state_->mutex);
    state_->interrupt = std::move(interrupt);
  }
  // A cancel() that came before the wait began must still end it.
  if (cancelled()) {
    std::lock_guard lock(state_->mutex);
    if (state_->interrupt) state_->interrupt();
  }
  return Registration(this);
}

Cancellation::Registration::~Registration() {
  if (owner_ == nullptr) return;
  std::lock_guard lock(owner_->state_->mutex);
  owner_->state_->interrupt = nullptr;
}

}  // namespace cccd
