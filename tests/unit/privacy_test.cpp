// Privacy: with default settings nothing the library or the programs print or log holds the holder's ID
// number, name, dates, address, CAN or a key; error messages never echo them; a dump's read.json holds no
// access data; and keys, passwords and session secrets live in buffers that are wiped on release.
#include "access/bac.hpp"
#include "access/pace.hpp"
#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"
#include "sim/virtual_card_source.hpp"
#include "sm/secure_messaging.hpp"
#include "test_support.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <type_traits>

namespace cccd {
namespace {

using test::default_credentials;

// Every spelling of the default holder's data and access data a program could print.
std::vector<std::string> personal_strings() {
  const sim::Holder holder;
  return {holder.id_number,
          "099012345",  // document number
          "012345",     // CAN
          holder.full_name,
          "NGUYEN<<THI",
          "NGUYEN THI",
          "THI THU HA",
          "17/05/1990",
          "1990-05-17",
          "900517",
          "300517",
          holder.place_of_residence,
          holder.place_of_origin,
          holder.father_name,
          holder.mother_name,
          holder.former_id_number};
}

void expect_nothing_personal(const std::string& text, const std::string& where) {
  for (const std::string& secret : personal_strings()) {
    EXPECT_EQ(text.find(secret), std::string::npos) << where << " holds '" << secret << "':\n" << text;
  }
}

// What the library itself prints while it works: nothing at all, on either stream.
template <class Body>
void expect_silent(const std::string& what, Body&& body) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  std::string error_message;
  try {
    body();
  } catch (const Error& e) {
    error_message = e.what();
  }
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "") << what << " printed on stdout";
  EXPECT_EQ(err, "") << what << " printed on stderr";
  expect_nothing_personal(error_message, what + ": its error message");
}

TEST(Privacy, TheLibraryPrintsNothingWhileReadingAndVerifying) {
  expect_silent("a PACE read and its verdict", [] {
    Report report = sim::read_and_verify_virtual({}, default_credentials(), nullptr);
    EXPECT_TRUE(report.verdict.verified);
  });
  expect_silent("a BAC read", [] {
    ReadOptions options;
    options.access = AccessMode::bac_only;
    sim::read_virtual_card({}, default_credentials(), options);
  });
  expect_silent("a read with a wrong CAN", [] {
    sim::read_virtual_card({}, Credentials::from_id_number("001099012399", "1990-05-17", "2030-05-17"));
  });
  expect_silent("a BAC read with wrong dates", [] {
    ReadOptions options;
    options.access = AccessMode::bac_only;
    sim::read_virtual_card({}, Credentials::from_id_number("001099012345", "1990-05-18", "2030-05-17"),
                           options);
  });
  expect_silent("a read whose card is pulled away", [] {
    sim::VirtualCard card(sim::default_card());
    sim::VirtualCardChannel channel(card);
    channel.remove_card_at({30});
    reader::read_chip(channel, default_credentials(), {}, &channel);
  });
}

TEST(Privacy, ErrorMessagesNeverEchoTheCredentials) {
  const std::vector<std::function<void()>> refused{
      [] { Credentials::from_id_number("00109901234X", "1990-05-17", "2030-05-17"); },
      [] { Credentials::from_id_number("001099012345", "1990-13-17", "2030-05-17"); },
      [] { Credentials::from_id_number("001099012345", "1990-05-17", "2030-02-30"); },
      [] { Credentials::from_can("01234"); },
      [] {
        // A TD1 MRZ of the default card with one check digit wrong.
        Credentials::from_mrz(
            "IDVNM0990123454001099012345<<<\n9005171F3005178VNM<<<<<<<<<<<1\nNGUYEN<<THI<THU<HA<<<<<<<<<<<<");
      },
      [] {
        sim::read_virtual_card({}, Credentials::from_id_number("001099012399", "1990-05-17", "2030-05-17"));
      },
  };
  for (std::size_t i = 0; i < refused.size(); ++i) {
    try {
      refused[i]();
      ADD_FAILURE() << "case " << i << " was accepted";
    } catch (const Error& e) {
      expect_nothing_personal(e.what(), "error message " + std::to_string(i));
      EXPECT_EQ(std::string(e.what()).find("00109901234X"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("01234"), std::string::npos) << e.what();
    }
  }
}

TEST(Privacy, TheProgramsPrintNothingPersonalOnStderrAndInErrors) {
  const std::string verify = std::string(CCCD_BINARY_DIR) + "/cccd-verify ";
  const std::string credentials = " --id 001099012345 --birth 1990-05-17 --expiry 2030-05-17";
  test::TempDir dir;
  const std::string err = (dir.path() / "stderr").string();
  auto stderr_of = [&] {
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };

  // A verified read: the result goes to stdout by request; stderr (default logging) holds nothing personal.
  test::ProgramRun read = test::run_program(verify + "read --sim" + credentials + " --json 2>" + err);
  EXPECT_EQ(read.exit_code, 0);
  expect_nothing_personal(stderr_of(), "cccd-verify read: stderr");

  // Refusals: the error, on stdout as JSON and on stderr as text, never repeats what was typed.
  for (const std::string& arguments :
       {std::string("read --sim --id 001099012399 --birth 1990-05-17 --expiry 2030-05-17"),
        std::string("read --sim --id 00109901234X"), std::string("read --sim --can 01234"),
        std::string("read --sim --bac-only --id 001099012345 --birth 1990-05-18 --expiry 2030-05-17")}) {
    for (const char* format : {"", " --json"}) {
      test::ProgramRun refused = test::run_program(verify + arguments + format + " 2>" + err);
      EXPECT_NE(refused.exit_code, 0) << arguments;
      for (const std::string& text : {refused.out, stderr_of()}) {
        expect_nothing_personal(text, arguments + format);
        EXPECT_EQ(text.find("001099012399"), std::string::npos) << text;
        EXPECT_EQ(text.find("00109901234X"), std::string::npos) << text;
        EXPECT_EQ(text.find("01234 "), std::string::npos) << text;
      }
    }
  }
}

TEST(Privacy, ADumpKeepsNoAccessDataBesideTheFilesRead) {
  test::TempDir dir;
  const ChipDump dump = sim::read_virtual_card({}, default_credentials());
  write_dump(dump, dir.path() / "dump");
  std::ifstream in(dir.path() / "dump" / "read.json");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  expect_nothing_personal(text.str(), "read.json");
}

// The types that hold keys, passwords and session secrets are the wiping ones.
static_assert(std::is_same_v<decltype(sm::SessionKeys::k_enc), SecureBytes>);
static_assert(std::is_same_v<decltype(sm::SessionKeys::k_mac), SecureBytes>);
static_assert(std::is_same_v<decltype(sm::SessionKeys::ssc), SecureBytes>);
static_assert(std::is_same_v<decltype(access::BacKeys::k_enc), SecureBytes>);
static_assert(std::is_same_v<decltype(access::BacKeys::k_mac), SecureBytes>);
static_assert(std::is_same_v<decltype(access::PacePassword::value), SecureString>);
static_assert(std::is_same_v<SecureBytes::allocator_type, WipingAllocator<std::uint8_t>>);
static_assert(std::is_same_v<SecureString::allocator_type, WipingAllocator<char>>);

TEST(Privacy, WipingClearsTheBytesItIsGiven) {
  std::vector<std::uint8_t> buffer(64, 0xA5);
  secure_wipe(buffer.data(), buffer.size());
  EXPECT_EQ(buffer, std::vector<std::uint8_t>(64, 0));
}

}  // namespace
}  // namespace cccd
