#include "cli/policy_options.hpp"

#include <cccd/error.hpp>

namespace cccd::cli {

void add_policy_options(CLI::App& command, PolicyArguments& arguments, bool vietnamese) {
  command.add_flag("--require-chip-authenticity", arguments.require_chip_authenticity,
                   vietnamese ? "Chỉ xác thực khi chip chứng minh được là chip thật (Chip/Active "
                                "Authentication); thẻ hoặc bản sao không có bằng chứng thì không đạt"
                              : "Verified only when the chip proves it is genuine (Chip/Active "
                                "Authentication); a card or dump without such a proof fails");
  command.add_flag("--accept-expired", arguments.accept_expired,
                   vietnamese ? "Chấp nhận thẻ đã hết hạn (kết quả vẫn ghi thẻ đã hết hạn)"
                              : "Accept an expired card (the result still says it expired)");
  command
      .add_option("--at", arguments.at,
                  vietnamese
                      ? "Ngày xét hiệu lực thẻ và chứng thư: YYYY-MM-DD hoặc dd/mm/yyyy (mặc định: hôm nay)"
                      : "The day the card's expiry and the certificates are judged at: YYYY-MM-DD or "
                        "dd/mm/yyyy (default: today)")
      ->type_name(vietnamese ? "NGÀY" : "DATE");
}

VerificationPolicy policy_from(const PolicyArguments& arguments) {
  VerificationPolicy policy;
  policy.require_chip_authenticity = arguments.require_chip_authenticity;
  policy.accept_expired = arguments.accept_expired;
  if (!arguments.at.empty()) {
    const std::optional<CalendarDate> day = parse_calendar_date(arguments.at);
    if (!day) throw Error(ErrorCode::invalid_argument, "--at: give a real day as YYYY-MM-DD or dd/mm/yyyy");
    policy.at = judgement_time_of(*day);
  }
  return policy;
}

}  // namespace cccd::cli
