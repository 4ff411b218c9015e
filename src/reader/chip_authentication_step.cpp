#include "reader/chip_authentication_step.hpp"

#include "access/chip_authentication.hpp"
#include "lds/security_infos.hpp"

#include <cccd/error.hpp>

namespace cccd::reader {

bool ChipAuthenticationStep::due(const ChipDump& dump) const {
  if (state_ != State::pending && state_ != State::passed) return false;
  // PACE-CAM proved the chip's key during access control already.
  if (dump.access_protocol == "PACE-CAM" || !dump.cam_chip_authentication_data.empty()) return false;
  return dump.file(FileId::dg14) != nullptr;
}

std::optional<sm::SessionKeys> ChipAuthenticationStep::agree(transport::Channel& secure, ChipDump& dump) {
  std::optional<access::ChipAuthenticationChoice> choice;
  try {
    choice = access::choose_chip_authentication(lds::parse_security_infos(*dump.file(FileId::dg14)));
  } catch (const Error& e) {
    // DG14 is covered by EF.SOD: a key there that does not decode is the chip's issuer's fault or
    // tampering, and no proof either way; a group this library lacks is ours.
    if (e.code() == ErrorCode::not_supported) {
      state_ = State::not_performed;
      dump.chip_authentication_note = std::string("Chip Authentication not performed: ") + e.what();
      return std::nullopt;
    }
    if (e.code() != ErrorCode::malformed_data && e.code() != ErrorCode::limit_exceeded) throw;
    state_ = State::failed;
    dump.chip_authentication_result = "failed";
    dump.chip_authentication_note =
        std::string("DG14 holds no usable Chip Authentication key (") + e.what() + ")";
    return std::nullopt;
  }
  if (!choice) {
    state_ = State::not_performed;  // DG14 without a Chip Authentication key (Active Authentication only)
    return std::nullopt;
  }
  dump.chip_authentication = choice->description();
  try {
    return access::perform_chip_authentication(secure, *choice);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::card_error || e.code() == ErrorCode::malformed_data ||
        e.code() == ErrorCode::not_supported) {
      // Refused, or answered with what Chip Authentication does not allow: the answer came under the
      // current keys, so the read goes on under them.
      state_ = State::failed;
      dump.chip_authentication_result = "failed";
      dump.chip_authentication_note = e.what();
      return std::nullopt;
    }
    throw;
  }
}

bool ChipAuthenticationStep::confirm(FileReader& files, ChipDump& dump) {
  const Bytes expected = *dump.file(FileId::dg14);
  std::string failure;
  try {
    FileResult again = files.read(FileId::dg14);
    if (again.outcome == FileOutcome::read && again.content == expected) {
      state_ = State::passed;
      dump.chip_authentication_result = "passed";
      dump.chip_authentication_note.clear();
      return true;
    }
    failure = "the chip answered differently under the agreed keys";
  } catch (const Error& e) {
    // A response whose MAC fails, or a bare 6987/6988: the chip's keys differ from ours.
    if (e.code() != ErrorCode::secure_messaging && e.code() != ErrorCode::card_error) throw;
    failure = "the chip did not answer under the agreed keys, so it lacks the private key of DG14";
  }
  state_ = State::failed;
  dump.chip_authentication_result = "failed";
  dump.chip_authentication_note = failure;
  return false;
}

}  // namespace cccd::reader
