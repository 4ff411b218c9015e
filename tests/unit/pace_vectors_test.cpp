// The terminal's side of PACE (access::perform_pace) against ICAO Doc 9303 Part 11's worked examples,
// not against our own virtual card: a bug the reader and the virtual card share cannot pass here.
//
// A scripted channel holds, step by step, the command APDU the example's terminal sends and the chip's
// published answer. It checks every command perform_pace sends byte for byte and replays the answer;
// the terminal's random draws are fixed to the example's through the test seam of pace_test_hooks.hpp.
// Every run ends with the published session keys, after the terminal has checked the chip's published
// authentication token.
//
// The vector file prints most steps as data objects only (points as X||Y, DH values as |p| bytes); the
// full APDUs are put together here from them, in the form of Part 11 section 4.4.4 (GENERAL
// AUTHENTICATE: CLA 10 for the chained steps, 00 for the last, P1-P2 00 00, Le 00). Where the file
// gives a whole APDU or response, it is used as published.
#include "access/pace.hpp"
#include "access/pace_test_hooks.hpp"
#include "crypto/pace_domain.hpp"
#include "lds/security_infos.hpp"
#include "test_support.hpp"
#include "transport/channel.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cccd {
namespace {

using test::icao_hex;

// The terminal sent something other than the script's next command (or one command too many). Not a
// cccd::Error (nor a std::runtime_error), so perform_pace's own errors cannot be mistaken for it.
class ScriptDeviation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

struct ScriptStep {
  std::string name;  // "MSE:Set AT", "GA 1 (encrypted nonce)", ...
  Bytes command;     // the whole command APDU the terminal must send
  Bytes response;    // the chip's answer, data and status word
};

// A card that only knows the example's script.
class ScriptedChannel : public transport::Channel {
 public:
  explicit ScriptedChannel(std::vector<ScriptStep> steps) : steps_(std::move(steps)) {}

  apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
    const Bytes sent = command.encode();
    ++stats_.apdus;
    stats_.bytes_sent += sent.size();
    if (next_ >= steps_.size()) {
      throw ScriptDeviation("after the script's last step (" + std::to_string(steps_.size()) +
                            " steps) the terminal sent one more command: " + to_hex(sent));
    }
    const ScriptStep& step = steps_[next_];
    if (sent != step.command) {
      throw ScriptDeviation("step " + std::to_string(next_ + 1) + " (" + step.name +
                            "): the terminal's command differs from the example's\n  expected: " +
                            to_hex(step.command) + "\n  sent:     " + to_hex(sent));
    }
    ++next_;
    stats_.bytes_received += step.response.size();
    return apdu::ResponseApdu::decode(step.response);
  }

  // A plain contactless link: short APDUs only, as in the examples.
  transport::ChannelCapabilities capabilities() const override { return {}; }
  transport::TransferStats stats() const override { return stats_; }

  std::size_t steps_done() const { return next_; }
  std::size_t steps() const { return steps_.size(); }

 private:
  std::vector<ScriptStep> steps_;
  std::size_t next_ = 0;
  transport::TransferStats stats_;
};

// One published example: the terminal's inputs, the script, and the keys it must end with.
struct Example {
  lds::PaceInfo info;
  crypto::PaceDomain domain;
  access::PacePassword password;
  access::detail::PaceTestHooks hooks;
  std::vector<ScriptStep> script;
  Bytes ks_enc;
  Bytes ks_mac;
  Bytes chip_mapping_public_key;  // GM: what PaceResult must report (04||X||Y, or the DH value)
};

access::PacePassword password(crypto::PacePasswordType type, const std::string& value) {
  return {type, SecureString(value.begin(), value.end())};
}

Bytes hex(std::string_view text) {
  return from_hex(text);
}

const Bytes kOk = hex("9000");

// An EC point of the vector file (X||Y) as PACE encodes it (04||X||Y), checked for brainpoolP256r1's size.
Bytes ec_point(const std::string& section, const std::string& key) {
  Bytes xy = icao_hex(section, key);
  EXPECT_EQ(xy.size(), 64u) << section << "." << key;
  return concat({hex("04"), xy});
}

// A DH public value of the 1024-bit group: exactly |p| = 128 bytes.
Bytes dh_value(const std::string& section, const std::string& key) {
  Bytes value = icao_hex(section, key);
  EXPECT_EQ(value.size(), 128u) << section << "." << key;
  return value;
}

// The data object lengths are written out as in the example, not computed by the library's encoder:
// 65-byte EC points (41), 128-byte DH values (81 80) and the 7C templates around them.
ScriptStep ga_step(std::string name, std::string_view command_head, ByteView object,
                   std::string_view answer_head, ByteView answer_object) {
  return {std::move(name), concat({hex(command_head), object, hex("00")}),
          concat({hex(answer_head), answer_object, kOk})};
}

ScriptStep nonce_step(const std::string& section) {
  Bytes z = icao_hex(section, "encrypted_nonce");
  EXPECT_EQ(z.size(), 16u);
  // GENERAL AUTHENTICATE with an empty 7C; the chip answers 7C { 80 z }.
  return {"GA 1 (encrypted nonce)", hex("10860000027C0000"), concat({hex("7C128010"), z, kOk})};
}

// The last step: 7C { 85 T_IFD } out, 7C { 86 T_IC ... } back.
ScriptStep token_step(const std::string& section) {
  Bytes t_ifd = icao_hex(section, "t_ifd");
  Bytes t_ic = icao_hex(section, "t_ic");
  EXPECT_EQ(t_ifd.size(), 8u);
  EXPECT_EQ(t_ic.size(), 8u);
  return {"GA 4 (mutual authentication)", concat({hex("008600000C7C0A8508"), t_ifd, hex("00")}),
          concat({hex("7C0A8608"), t_ic, kOk})};
}

// The PACEInfo of a published EF.CardAccess, through the library's own parser and choice.
lds::PaceInfo card_access_pace_info(const std::string& section, lds::SecurityInfos& infos) {
  infos = lds::parse_security_infos(icao_hex(section, "ef_cardaccess"));
  std::optional<lds::PaceInfo> info = access::choose_pace_info(infos);
  if (!info) throw std::runtime_error(section + ": no usable PACEInfo in the published EF.CardAccess");
  return *info;
}

// MSE:Set AT as the terminal sends it: the published command plus the parameter id (84), which our
// terminal always sends when the PACEInfo names one (some chips insist; Part 11 makes it conditional).
// The example's own command omits 84; every byte it publishes is still checked: the header and its
// 80 (protocol) and 83 (password) objects, with Lc grown by the three bytes of 84 01 id.
Bytes set_at_with_parameter_id(ByteView published, std::uint8_t parameter_id) {
  EXPECT_GE(published.size(), 5u);
  EXPECT_EQ(published[4], published.size() - 5) << "the published MSE:Set AT is a case 3 short APDU";
  Bytes command(published.begin(), published.end());
  command[4] = static_cast<std::uint8_t>(command[4] + 3);
  append(command, Bytes{0x84, 0x01, parameter_id});
  return command;
}

// G.1: Generic Mapping, ECDH on brainpoolP256r1, AES-128, MRZ password. The vector file publishes the
// whole MSE:Set AT and last GENERAL AUTHENTICATE (command and answer).
Example appendix_g1() {
  const std::string s = "pace_gm_ecdh";
  lds::SecurityInfos infos;
  lds::PaceInfo info = card_access_pace_info(s, infos);
  Bytes final_command = icao_hex(s, "final_general_authenticate_command");
  Bytes final_response = icao_hex(s, "final_general_authenticate_response");
  // The published last step agrees with the pieces token_step builds from t_ifd and t_ic.
  ScriptStep built = token_step(s);
  EXPECT_EQ(to_hex(built.command), to_hex(final_command));
  EXPECT_EQ(to_hex(built.response), to_hex(final_response));
  return {info,
          access::pace_domain(info, infos),
          password(crypto::PacePasswordType::mrz, "T22000129364081251010318"),
          {secure_copy(icao_hex(s, "map_sk_ifd")), std::nullopt, secure_copy(icao_hex(s, "eph_sk_ifd"))},
          {
              {"MSE:Set AT", set_at_with_parameter_id(icao_hex(s, "mse_set_at_command"), 0x0D), kOk},
              nonce_step(s),
              ga_step("GA 2 (map nonce)", "10860000457C438141", ec_point(s, "map_pk_ifd"), "7C438241",
                      ec_point(s, "map_pk_ic")),
              ga_step("GA 3 (key agreement)", "10860000457C438341", ec_point(s, "eph_pk_ifd"), "7C438441",
                      ec_point(s, "eph_pk_ic")),
              {"GA 4 (mutual authentication)", final_command, final_response},
          },
          icao_hex(s, "ksenc"),
          icao_hex(s, "ksmac"),
          ec_point(s, "map_pk_ic")};
}

// G.2: Generic Mapping, DH on the RFC 5114 1024-bit group (id 0), AES-128, MRZ password. MSE:Set AT is
// not printed in the file: it is built from the published EF.CardAccess's protocol and id. The chip's
// last answer carries a certification authority reference (87) after its token, as published.
Example appendix_g2() {
  const std::string s = "pace_gm_dh";
  lds::SecurityInfos infos;
  lds::PaceInfo info = card_access_pace_info(s, infos);
  ScriptStep last = token_step(s);
  last.response = concat({icao_hex(s, "final_response_data_with_car"), kOk});
  return {info,
          access::pace_domain(info, infos),
          password(crypto::PacePasswordType::mrz, "T22000129364081251010318"),
          {secure_copy(icao_hex(s, "map_sk_ifd")), std::nullopt, secure_copy(icao_hex(s, "eph_sk_ifd"))},
          {
              {"MSE:Set AT",
               concat({hex("0022C1A412800A"), icao_hex(s, "protocol_oid"), hex("830101840100")}), kOk},
              nonce_step(s),
              ga_step("GA 2 (map nonce)", "10860000867C8183818180", dh_value(s, "map_pk_ifd"), "7C8183828180",
                      dh_value(s, "map_pk_ic")),
              ga_step("GA 3 (key agreement)", "10860000867C8183838180", dh_value(s, "eph_pk_ifd"),
                      "7C8183848180", dh_value(s, "eph_pk_ic")),
              last,
          },
          icao_hex(s, "ksenc"),
          icao_hex(s, "ksmac"),
          dh_value(s, "map_pk_ic")};
}

// The PACEInfo of the IM examples, which publish no EF.CardAccess: the protocol the example names on
// the parameters it uses (brainpoolP256r1 = 13, the 1024-bit DH group = 0).
lds::PaceInfo integrated_info(lds::KeyAgreement agreement, std::uint64_t parameter_id,
                              const std::string& section) {
  lds::PaceInfo info{lds::PaceMapping::integrated, agreement, crypto::CipherKind::aes128, 2, parameter_id};
  EXPECT_EQ(to_hex(access::oid_content(info.oid())), to_hex(icao_hex(section, "protocol_oid")));
  return info;
}

// IM's mapping step: 7C { 81 t } out, an empty 7C back (the chip sends no mapping data).
ScriptStep im_mapping_step(const std::string& section) {
  Bytes t = icao_hex(section, "nonce_t");
  EXPECT_EQ(t.size(), 16u);
  return {"GA 2 (map nonce: t)", concat({hex("10860000147C128110"), t, hex("00")}),
          concat({hex("7C00"), kOk})};
}

// H.1: Integrated Mapping, ECDH on brainpoolP256r1, AES-128 (the pseudo-random function with AES), CAN.
Example appendix_h1() {
  const std::string s = "pace_im_ecdh";
  lds::PaceInfo info = integrated_info(lds::KeyAgreement::ecdh, 13, s);
  return {info,
          crypto::PaceDomain::standardized(13),
          password(crypto::PacePasswordType::can, "123456"),
          {std::nullopt, secure_copy(icao_hex(s, "nonce_t")), secure_copy(icao_hex(s, "eph_sk_ifd"))},
          {
              {"MSE:Set AT",
               concat({hex("0022C1A412800A"), icao_hex(s, "protocol_oid"), hex("83010284010D")}), kOk},
              nonce_step(s),
              im_mapping_step(s),
              ga_step("GA 3 (key agreement)", "10860000457C438341", ec_point(s, "eph_pk_ifd"), "7C438441",
                      ec_point(s, "eph_pk_ic")),
              token_step(s),
          },
          icao_hex(s, "ksenc"),
          icao_hex(s, "ksmac"),
          {}};
}

// H.2: Integrated Mapping, DH on the 1024-bit group, AES-128, CAN. The terminal's key agreement private
// key of the example is a full 1024-bit exponent.
Example appendix_h2() {
  const std::string s = "pace_im_dh";
  lds::PaceInfo info = integrated_info(lds::KeyAgreement::dh, 0, s);
  return {info,
          crypto::PaceDomain::standardized(0),
          password(crypto::PacePasswordType::can, "123456"),
          {std::nullopt, secure_copy(icao_hex(s, "nonce_t")), secure_copy(icao_hex(s, "eph_sk_ifd"))},
          {
              {"MSE:Set AT",
               concat({hex("0022C1A412800A"), icao_hex(s, "protocol_oid"), hex("830102840100")}), kOk},
              nonce_step(s),
              im_mapping_step(s),
              ga_step("GA 3 (key agreement)", "10860000867C8183838180", dh_value(s, "eph_pk_ifd"),
                      "7C8183848180", dh_value(s, "eph_pk_ic")),
              token_step(s),
          },
          icao_hex(s, "ksenc"),
          icao_hex(s, "ksmac"),
          {}};
}

access::PaceResult run(ScriptedChannel& channel, const Example& example) {
  return access::detail::perform_pace_with_test_hooks(channel, example.info, example.domain, example.password,
                                                      example.hooks);
}

// The whole exchange, byte for byte, and the keys it ends with.
void expect_published_exchange(const Example& example) {
  ScriptedChannel channel(example.script);
  access::PaceResult result;
  try {
    result = run(channel, example);
  } catch (const ScriptDeviation& deviation) {
    FAIL() << deviation.what();
  }
  EXPECT_EQ(channel.steps_done(), channel.steps()) << "the terminal stopped before the script's end";
  EXPECT_EQ(result.mapping, example.info.mapping);
  EXPECT_EQ(result.session.cipher, crypto::CipherKind::aes128);
  EXPECT_EQ(to_hex(view(result.session.k_enc)), to_hex(example.ks_enc));
  EXPECT_EQ(to_hex(view(result.session.k_mac)), to_hex(example.ks_mac));
  EXPECT_EQ(to_hex(view(result.session.ssc)), std::string(32, '0'));
  EXPECT_EQ(to_hex(result.chip_mapping_public_key), to_hex(example.chip_mapping_public_key));
  EXPECT_FALSE(result.encrypted_chip_authentication_data.has_value());
}

// The chip's published token with one bit of one byte flipped: the terminal must refuse the chip.
void expect_flipped_token_refused(Example example, std::size_t token_offset) {
  ScriptStep& last = example.script.back();
  // The token is the value of the 86 object: 7C L 86 08 T ...
  ASSERT_EQ(last.response[2], 0x86);
  last.response[4 + token_offset] ^= 0x01;
  ScriptedChannel channel(example.script);
  EXPECT_EQ(test::error_of([&] { run(channel, example); }), ErrorCode::crypto);
  EXPECT_EQ(channel.steps_done(), channel.steps()) << "the refusal must come after the chip's answer";
}

TEST(PaceExchangeVectors, GenericMappingEcdhAppendixG1) {
  expect_published_exchange(appendix_g1());
}

TEST(PaceExchangeVectors, GenericMappingDhAppendixG2) {
  expect_published_exchange(appendix_g2());
}

TEST(PaceExchangeVectors, IntegratedMappingEcdhAppendixH1) {
  expect_published_exchange(appendix_h1());
}

TEST(PaceExchangeVectors, IntegratedMappingDhAppendixH2) {
  expect_published_exchange(appendix_h2());
}

TEST(PaceExchangeVectors, FlippedChipTokenIsACryptoError) {
  for (std::size_t offset : {std::size_t{0}, std::size_t{7}}) {
    SCOPED_TRACE("token byte " + std::to_string(offset));
    expect_flipped_token_refused(appendix_g1(), offset);
    expect_flipped_token_refused(appendix_g2(), offset);
    expect_flipped_token_refused(appendix_h1(), offset);
    expect_flipped_token_refused(appendix_h2(), offset);
  }
}

// The script itself must be able to fail: a terminal that deviates from the example is caught at the
// first command that differs, and the message names the step and both APDUs.
TEST(PaceExchangeVectors, WrongPasswordDeviatesAtKeyAgreement) {
  // A wrong MRZ check digit: another K_pi, another nonce s, so another mapped generator. The terminal's
  // mapping key does not depend on s, so the first command to differ is its key agreement key.
  Example example = appendix_g1();
  example.password = password(crypto::PacePasswordType::mrz, "T22000128364081251010318");
  ScriptedChannel channel(example.script);
  try {
    run(channel, example);
    ADD_FAILURE() << "the scripted channel accepted a terminal with the wrong password";
  } catch (const ScriptDeviation& deviation) {
    const std::string message = deviation.what();
    EXPECT_NE(message.find("step 4 (GA 3 (key agreement))"), std::string::npos) << message;
    EXPECT_NE(message.find("expected: " + to_hex(example.script[3].command)), std::string::npos) << message;
    EXPECT_NE(message.find("sent:     10860000457C4383410"), std::string::npos) << message;
  }
  EXPECT_EQ(channel.steps_done(), 3u);

  // The same with IM and the wrong CAN: the published t goes out unchanged, the key agreement differs.
  Example im = appendix_h1();
  im.password = password(crypto::PacePasswordType::can, "123457");
  ScriptedChannel im_channel(im.script);
  EXPECT_THROW(run(im_channel, im), ScriptDeviation);
  EXPECT_EQ(im_channel.steps_done(), 3u);
}

TEST(PaceExchangeVectors, OtherTerminalSecretsDeviate) {
  // Without the example's mapping key the terminal draws its own, and the map nonce step differs.
  Example g1 = appendix_g1();
  g1.hooks.mapping_private_key.reset();
  ScriptedChannel g1_channel(g1.script);
  EXPECT_THROW(run(g1_channel, g1), ScriptDeviation);
  EXPECT_EQ(g1_channel.steps_done(), 2u);

  // IM with another nonce t.
  Example h1 = appendix_h1();
  h1.hooks.nonce_t->back() ^= 0x01;
  ScriptedChannel h1_channel(h1.script);
  EXPECT_THROW(run(h1_channel, h1), ScriptDeviation);
  EXPECT_EQ(h1_channel.steps_done(), 2u);
}

TEST(PaceExchangeVectors, CommandsAfterTheScriptDeviate) {
  // A script cut after key agreement: the terminal's last command is one too many.
  Example example = appendix_h1();
  example.script.pop_back();
  ScriptedChannel channel(example.script);
  EXPECT_THROW(run(channel, example), ScriptDeviation);
  EXPECT_EQ(channel.steps_done(), 4u);
}

}  // namespace
}  // namespace cccd
