// cccd-bench: reads the default virtual card through the library under each bit rate, with and without
// extended length, times every exchange with the link model (sim/link_model.hpp) and compares the read
// with its physical lower bound: the fewest exchanges that open the chip and carry the same files with
// the largest responses the card allows. `--pcsc READER` also reads a card through pcscd and reports the
// wall time. docs/PERFORMANCE.md explains the model and the figures.
#include "access/pace.hpp"
#include "lds/security_infos.hpp"
#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "sim/link_model.hpp"

#include <cccd/error.hpp>
#include <cccd/reader.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace cccd;

const char* kind_name(sim::CommandKind kind) {
  switch (kind) {
    case sim::CommandKind::select:
      return "select";
    case sim::CommandKind::read_binary:
      return "read_binary";
    case sim::CommandKind::get_response:
      return "get_response";
    case sim::CommandKind::mse:
      return "mse";
    case sim::CommandKind::pace_nonce:
      return "pace_nonce";
    case sim::CommandKind::pace_map:
      return "pace_map";
    case sim::CommandKind::pace_key_agreement:
      return "pace_key_agreement";
    case sim::CommandKind::pace_mutual_auth:
      return "pace_mutual_auth";
    case sim::CommandKind::chip_authentication:
      return "chip_authentication";
    case sim::CommandKind::get_challenge:
      return "get_challenge";
    case sim::CommandKind::external_authenticate:
      return "external_authenticate";
    case sim::CommandKind::internal_authenticate:
      return "internal_authenticate";
    case sim::CommandKind::other:
      return "other";
  }
  return "other";
}

// The secure messaging cipher's block: from the PACE EF.CardAccess offers, 3DES (8) after BAC.
std::size_t cipher_block_of(const ChipDump& dump) {
  auto card_access = dump.files.find(FileId::card_access);
  if (dump.access_protocol == "BAC" || card_access == dump.files.end()) return 8;
  std::optional<lds::PaceInfo> pace =
      access::choose_pace_info(lds::parse_security_infos(card_access->second));
  return pace ? crypto::block_length(pace->cipher) : 8;
}

struct Totals {
  std::size_t apdus = 0;
  double us = 0;
};

std::map<std::string, Totals> by_kind(const std::vector<sim::ExchangeRecord>& records) {
  std::map<std::string, Totals> totals;
  for (const sim::ExchangeRecord& record : records) {
    Totals& t = totals[kind_name(record.kind)];
    ++t.apdus;
    t.us += record.time.total_us();
  }
  return totals;
}

struct Setting {
  int bitrate_kbps = 424;
  bool extended_length = true;
};

nlohmann::json trace_of(const std::vector<sim::ExchangeRecord>& records) {
  nlohmann::json trace = nlohmann::json::array();
  for (const sim::ExchangeRecord& record : records) {
    trace.push_back({{"kind", kind_name(record.kind)},
                     {"sm", record.secure_messaging},
                     {"command_bytes", record.command_bytes},
                     {"response_bytes", record.response_bytes},
                     {"us", record.time.total_us()}});
  }
  return trace;
}

nlohmann::json run_setting(const Setting& setting, const Credentials& credentials, bool with_trace) {
  const sim::CardData& data = sim::default_card();
  sim::VirtualCard card(data);
  sim::LinkParameters params;
  params.bitrate_kbps = setting.bitrate_kbps;
  sim::ModelledLinkChannel channel(card, params);
  ReadOptions options;
  options.extended_length = setting.extended_length;
  ChipDump dump = reader::read_chip(channel, credentials, options);

  const std::size_t block = cipher_block_of(dump);
  const bool extended = setting.extended_length && data.secrets.extended_length;
  sim::BoundSettings bound_settings{extended ? data.secrets.max_response_data : apdu::kMaxShortLe, extended,
                                    block};
  sim::ReadBound bound = sim::read_bound(dump, channel.records(), bound_settings, params);
  // The bound of the card's largest APDUs whatever the setting: what short APDUs give away.
  sim::BoundSettings card_max{
      data.secrets.extended_length ? data.secrets.max_response_data : apdu::kMaxShortLe,
      data.secrets.extended_length, block};
  sim::ReadBound best = sim::read_bound(dump, channel.records(), card_max, params);

  std::size_t sent = 0;
  std::size_t received = 0;
  double air = 0;
  for (const sim::ExchangeRecord& record : channel.records()) {
    sent += record.command_bytes;
    received += record.response_bytes;
    air += record.time.air_us;
  }
  nlohmann::json result;
  result["bitrate_kbps"] = setting.bitrate_kbps;
  result["extended_length"] = setting.extended_length;
  result["apdus"] = channel.records().size();
  result["bytes_sent"] = sent;
  result["bytes_received"] = received;
  result["air_ms"] = air / 1000;
  result["modelled_ms"] = channel.modelled_us() / 1000;
  result["bound_apdus"] = bound.exchanges.size();
  result["bound_bytes_sent"] = bound.bytes_sent;
  result["bound_bytes_received"] = bound.bytes_received;
  result["bound_ms"] = bound.modelled_us / 1000;
  result["ratio"] = channel.modelled_us() / bound.modelled_us;
  result["card_max_bound_ms"] = best.modelled_us / 1000;
  result["ratio_to_card_max"] = channel.modelled_us() / best.modelled_us;
  // Where the distance is: APDUs and modelled time per command kind, read and bound.
  std::map<std::string, Totals> read_kinds = by_kind(channel.records());
  std::map<std::string, Totals> bound_kinds = by_kind(bound.exchanges);
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [name, totals] : read_kinds) {
    const Totals bound_totals = bound_kinds.count(name) != 0 ? bound_kinds.at(name) : Totals{};
    kinds[name] = {{"apdus", totals.apdus},
                   {"ms", totals.us / 1000},
                   {"bound_apdus", bound_totals.apdus},
                   {"bound_ms", bound_totals.us / 1000}};
  }
  result["by_kind"] = kinds;
  if (with_trace) {
    result["trace"] = trace_of(channel.records());
    result["bound_trace"] = trace_of(bound.exchanges);
  }
  return result;
}

void print_table(const nlohmann::json& runs) {
  std::printf("%8s %4s %6s %8s %9s %11s %8s %9s %7s %12s %9s\n", "kbit/s", "ext", "apdus", "sent", "received",
              "modelled_ms", "b_apdus", "bound_ms", "ratio", "card_max_ms", "ratio_max");
  for (const nlohmann::json& run : runs) {
    std::printf("%8d %4s %6zu %8zu %9zu %11.1f %8zu %9.1f %7.3f %12.1f %9.3f\n",
                run["bitrate_kbps"].get<int>(), run["extended_length"].get<bool>() ? "yes" : "no",
                run["apdus"].get<std::size_t>(), run["bytes_sent"].get<std::size_t>(),
                run["bytes_received"].get<std::size_t>(), run["modelled_ms"].get<double>(),
                run["bound_apdus"].get<std::size_t>(), run["bound_ms"].get<double>(),
                run["ratio"].get<double>(), run["card_max_bound_ms"].get<double>(),
                run["ratio_to_card_max"].get<double>());
  }
}

nlohmann::json pcsc_read(const std::string& reader_name, const Credentials& credentials, bool extended) {
  ReadOptions options;
  options.extended_length = extended;
  const auto started = std::chrono::steady_clock::now();
  ChipDump dump = read_pcsc_card(reader_name, credentials, options);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {{"reader", reader_name},
          {"extended_length", extended},
          {"apdus", dump.stats.apdus},
          {"bytes_sent", dump.stats.bytes_sent},
          {"bytes_received", dump.stats.bytes_received},
          {"wall_ms", wall * 1000}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cccd-bench: a read of the default virtual card against the physical limit of the link"};
  bool json = false;
  std::vector<int> bitrates{106, 212, 424, 848};
  std::string pcsc_reader;
  bool with_trace = false;
  app.add_flag("--json", json, "JSON instead of a table");
  app.add_flag("--trace", with_trace, "with --json: every exchange of the read and of its bound");
  app.add_option("--bitrate", bitrates, "bit rates in kbit/s (106, 212, 424, 848); default all");
  app.add_option("--pcsc", pcsc_reader, "also read the card on this PC/SC reader and report the wall time");
  CLI11_PARSE(app, argc, argv);

  try {
    // The default card's holder: CAN for PACE, the MRZ key in reserve.
    Credentials credentials =
        Credentials::from_id_number(sim::Holder{}.id_number, "1990-05-17", "2030-05-17");
    nlohmann::json runs = nlohmann::json::array();
    for (int bitrate : bitrates) {
      for (bool extended : {true, false})
        runs.push_back(run_setting({bitrate, extended}, credentials, with_trace));
    }
    nlohmann::json pcsc = nlohmann::json::array();
    if (!pcsc_reader.empty()) {
      for (bool extended : {true, false}) pcsc.push_back(pcsc_read(pcsc_reader, credentials, extended));
    }
    if (json) {
      nlohmann::json out{{"card", "default virtual card"}, {"settings", runs}};
      if (!pcsc.empty()) out["pcsc"] = pcsc;
      std::cout << out.dump(2) << "\n";
      return 0;
    }
    print_table(runs);
    for (const nlohmann::json& read : pcsc) {
      std::printf("pcsc %s ext=%s: %zu APDUs, %zu bytes sent, %zu received, wall %.1f ms\n",
                  read["reader"].get<std::string>().c_str(),
                  read["extended_length"].get<bool>() ? "yes" : "no", read["apdus"].get<std::size_t>(),
                  read["bytes_sent"].get<std::size_t>(), read["bytes_received"].get<std::size_t>(),
                  read["wall_ms"].get<double>());
    }
    return 0;
  } catch (const Error& e) {
    std::cerr << "cccd-bench: " << e.what() << "\n";
    return 1;
  }
}
