// JsonWriter and the result JSON it writes: byte for byte what nlohmann::json's dump() writes for the same
// document, which is what the result JSON was before the writer (and what integrators have parsed since).
#include "test_support.hpp"

#include "util/json_writer.hpp"

#include <cccd/report.hpp>
#include "sim/generator.hpp"
#include "sim/virtual_card_source.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

namespace cccd {
namespace {

using nlohmann::json;

std::string nlohmann_string(const std::string& text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string written_string(const std::string& text) {
  std::string out = "x";  // appended to what is there, never replacing it
  append_json_string(out, text);
  return out.substr(1);
}

TEST(JsonString, EveryByteAloneIsWrittenAsNlohmannWritesIt) {
  for (int c = 0; c < 256; ++c) {
    const std::string text(1, static_cast<char>(c));
    EXPECT_EQ(written_string(text), nlohmann_string(text)) << "byte " << c;
  }
}

TEST(JsonString, WellFormedAndIllFormedUtf8) {
  const std::vector<std::string> cases = {
      "",
      "Nguyễn Văn An",
      "Thành phố Hồ Chí Minh\nQuận 1\t\"số 5\" \\",
      "\xF0\x9F\x98\x80 emoji, \xEF\xBF\xBD replacement itself",
      "\xC0\x80",              // overlong NUL
      "\xE0\x80\x80",          // overlong
      "\xED\xA0\x80",          // a surrogate
      "\xF4\x90\x80\x80",      // past U+10FFFF
      "\xF5\x80\x80\x80",      // no such lead byte
      "ab\xC3",                // cut short at the end
      "\xE1\x80x",             // cut short in the middle
      "\x80\x80\xBF",          // continuation bytes alone
      "\xC3\xA9\xFF\xC3\xA9",  // one bad byte between good ones
      std::string("nul\0inside", 10),
  };
  for (const std::string& text : cases) EXPECT_EQ(written_string(text), nlohmann_string(text)) << text;
}

TEST(JsonString, RandomBytesNearUtf8BoundariesMatchNlohmann) {
  // Bytes drawn mostly from where UTF-8's rules change, so that most strings hold a boundary case.
  const std::vector<unsigned char> pool = {0x00, 0x09, 0x1F, 0x20, '"',  '\\', 'a',  0x7F, 0x80, 0x8F,
                                           0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
                                           0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  std::mt19937 random(20261206);
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1), length(0, 12);
  for (int round = 0; round < 50000; ++round) {
    std::string text(length(random), '\0');
    for (char& c : text) c = static_cast<char>(pool[pick(random)]);
    ASSERT_EQ(written_string(text), nlohmann_string(text)) << "round " << round;
  }
}

TEST(JsonWriter, NestingAndIndentsMatchNlohmann) {
  const json expected = {{"a", json::array()},
                         {"b", json::object()},
                         {"c", {{"d", {1, -2, true, false, "x"}}, {"e", 18446744073709551615u}}},
                         {"f", 0.25},
                         {"g", 3.0},
                         {"h", 1e-05}};
  for (const int indent : {-1, 0, 2, 4}) {
    JsonWriter w(indent);
    w.begin_object();
    w.key("a").begin_array().end_array();
    w.key("b").begin_object().end_object();
    w.key("c").begin_object().key("d").begin_array();
    w.value(1).value(-2).value(true).value(false).value("x").end_array();
    w.key("e").value(std::uint64_t{18446744073709551615u}).end_object();
    w.key("f").value(0.25).key("g").value(3.0).key("h").value(1e-05);
    w.end_object();
    EXPECT_EQ(w.text(), expected.dump(indent)) << "indent " << indent;
  }
}

// The result JSON is a fixed point of nlohmann's parse and dump: keys in its order, its spacing, its
// escapes and numbers. (The values themselves are checked by the tests of each finding.)
void expect_nlohmann_form(const std::string& text, int indent) {
  const json parsed = json::parse(text);
  EXPECT_EQ(text, parsed.dump(indent, ' ', false, json::error_handler_t::replace)) << "indent " << indent;
}

Report full_report() {
  sim::VirtualCardSource card(sim::generate_card(sim::cccd_profile_options()));
  TrustStore trust;
  card.trust_test_csca(trust);
  return read_and_verify(card.source(), test::default_credentials(), &trust);
}

TEST(ResultJson, AVerifiedCardsResultIsWrittenInNlohmannsForm) {
  const Report report = full_report();
  ASSERT_TRUE(report.verdict.verified);
  ASSERT_TRUE(report.document.personal.has_value());
  ASSERT_TRUE(report.document.face.has_value());
  for (const int indent : {-1, 2}) {
    const std::string text = to_json(report, indent);
    expect_nlohmann_form(text, indent);
    const json parsed = json::parse(text);
    EXPECT_EQ(parsed["verdict"]["overall"], "verified");
    EXPECT_EQ(parsed["document"]["personal_data"]["id_number"], "001099012345");
    EXPECT_EQ(parsed["document"]["photo"]["size"], report.document.face->data.size());
    EXPECT_EQ(parsed["files"]["read"].size(), report.dump.files.size());
    EXPECT_EQ(parsed["verdict"]["data_integrity"]["data_groups"].size(), report.verdict.hashes.size());
  }
}

TEST(ResultJson, HostileTextIsEscapedAsNlohmannEscapesIt) {
  Report report = full_report();
  report.verdict.signer_trust.detail = "line\nbreak \"quoted\" \x01\x1F and \xFF\xFE bad bytes";
  report.verdict.qr_consistency = Finding{FindingStatus::failed, "QR \xC3 cut"};
  report.document.parse_errors = {"DG13: \xED\xA0\x80 surrogate", "tab\there"};
  report.document.personal->fields.push_back({99, {"\xF4\x90\x80\x80", "ok", ""}, {}});
  report.dump.stats.seconds = 0.123456789;
  report.source = "custom\\label";
  for (const int indent : {-1, 2}) {
    const std::string text = to_json(report, indent);
    expect_nlohmann_form(text, indent);
    const json parsed = json::parse(text);
    EXPECT_EQ(parsed["verdict"]["qr_consistency"]["status"], "failed");
    EXPECT_EQ(parsed["parse_errors"][1], "tab\there");
    EXPECT_EQ(parsed["stats"]["seconds"], 0.123456789);
  }
}

TEST(ResultJson, AnEmptyReportAndAnErrorAreWrittenInNlohmannsForm) {
  for (const int indent : {-1, 2}) {
    expect_nlohmann_form(to_json(Report{}, indent), indent);
    const std::string error = error_json(Error(ErrorCode::access_denied, "wrong \"CAN\"\n"), indent);
    expect_nlohmann_form(error, indent);
    EXPECT_EQ(json::parse(error)["error"]["code"], "access_denied");
    EXPECT_EQ(json::parse(error)["verdict"]["overall"], "not_verified");
  }
}

}  // namespace
}  // namespace cccd
