// The chip's side of PACE for the virtual card: MSE:Set AT and the four GENERAL AUTHENTICATE steps,
// answering with the status words a chip gives (6A80 for data it cannot use, 6300 for a wrong password,
// 6985 for a step out of order). The computations are the same crypto:: functions the terminal uses.
#pragma once

#include "access/pace.hpp"
#include "apdu/apdu.hpp"
#include "sim/card_folder.hpp"

#include <optional>

namespace cccd::sim {

class PaceChip {
 public:
  // `infos` is what the card's EF.CardAccess offers; the passwords come from the card's secrets.
  PaceChip(lds::SecurityInfos infos, const CardSecrets& secrets);

  apdu::ResponseApdu set_authentication_template(const apdu::CommandApdu& command);
  apdu::ResponseApdu general_authenticate(const apdu::CommandApdu& command);

  // The secure messaging keys once the last step succeeded (then the protocol starts over).
  std::optional<sm::SessionKeys> take_session();
  // Forgets a protocol run in progress (the card was reset, or a step failed).
  void reset();
  // Failed password attempts since the last success (tests check there is no retry storm).
  int failed_attempts() const noexcept { return failed_attempts_; }

 private:
  struct Run;
  apdu::ResponseApdu step(const apdu::CommandApdu& command);

  lds::SecurityInfos infos_;
  SecureString mrz_information_;
  SecureString can_;
  SecureBytes chip_authentication_key_;  // static CA private key (PACE-CAM), may be empty
  std::shared_ptr<Run> run_;             // the protocol in progress, after MSE:Set AT
  std::optional<sm::SessionKeys> session_;
  int failed_attempts_ = 0;
};

}  // namespace cccd::sim
