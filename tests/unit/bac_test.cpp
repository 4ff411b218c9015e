#include "access/bac.hpp"
#include "crypto/crypto.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace cccd::access {
namespace {

using test::icao_hex;

// A channel that answers through a function and counts the commands by INS.
class ScriptedChannel : public transport::Channel {
 public:
  using Handler = std::function<apdu::ResponseApdu(const apdu::CommandApdu&)>;
  explicit ScriptedChannel(Handler handler) : handler_(std::move(handler)) {}

  apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
    if (command.ins == 0x84) ++get_challenge_count;
    if (command.ins == 0x82) ++external_authenticate_count;
    ++stats_.apdus;
    return handler_(command);
  }
  transport::ChannelCapabilities capabilities() const override { return {}; }
  transport::TransferStats stats() const override { return stats_; }

  int get_challenge_count = 0;
  int external_authenticate_count = 0;

 private:
  Handler handler_;
  transport::TransferStats stats_;
};

BacKeys icao_keys() {
  return BacKeys{secure_copy(icao_hex("bac", "kenc")), secure_copy(icao_hex("bac", "kmac"))};
}

BacTerminalRandoms icao_randoms() {
  return BacTerminalRandoms{icao_hex("bac", "rnd_ifd"), icao_hex("bac", "k_ifd")};
}

// Answers exactly like the chip of ICAO 9303 Part 11 Appendix D, and only to the published commands.
apdu::ResponseApdu icao_chip(const apdu::CommandApdu& command) {
  Bytes encoded = command.encode();
  if (encoded == icao_hex("bac", "get_challenge_command")) {
    return apdu::ResponseApdu::decode(icao_hex("bac", "get_challenge_response"));
  }
  if (encoded == icao_hex("bac", "external_authenticate_command")) {
    return apdu::ResponseApdu{icao_hex("bac", "external_authenticate_response_data"), 0x9000};
  }
  return apdu::ResponseApdu{{}, 0x6F00};
}

// A chip built on bac_chip_authenticate with the given keys and randoms; a rejected cryptogram is 6300.
ScriptedChannel::Handler simulated_chip(BacKeys keys, Bytes rnd_ic, Bytes k_ic,
                                        sm::SessionKeys* session_out) {
  return [keys = std::move(keys), rnd_ic = std::move(rnd_ic), k_ic = std::move(k_ic),
          session_out](const apdu::CommandApdu& command) {
    if (command.ins == 0x84) return apdu::ResponseApdu{rnd_ic, 0x9000};
    try {
      BacChipResult result = bac_chip_authenticate(keys, rnd_ic, k_ic, command.data);
      if (session_out != nullptr) *session_out = result.session;
      return apdu::ResponseApdu{result.response, 0x9000};
    } catch (const Error& e) {
      if (e.code() == ErrorCode::access_denied) return apdu::ResponseApdu{{}, 0x6300};
      throw;
    }
  };
}

template <class Action>
Error expect_error(ErrorCode code, Action action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorCode::internal, "none");
}

TEST(BacKeys, DerivedFromIcaoMrzInformation) {
  BacKeys keys = derive_bac_keys("L898902C<369080619406236");
  EXPECT_EQ(to_hex(view(keys.k_enc)), to_hex(icao_hex("bac", "kenc")));
  EXPECT_EQ(to_hex(view(keys.k_mac)), to_hex(icao_hex("bac", "kmac")));
  // K_seed is the first 16 bytes of SHA-1(MRZ_information).
  Bytes digest = crypto::hash(crypto::HashAlgorithm::sha1, as_bytes("L898902C<369080619406236"));
  EXPECT_EQ(to_hex(ByteView(digest).first(16)), to_hex(icao_hex("bac", "kseed")));
  expect_error(ErrorCode::invalid_argument, [] { derive_bac_keys(""); });
}

TEST(BacTerminal, IcaoMutualAuthenticationGivesThePublishedSessionKeys) {
  ScriptedChannel chip(icao_chip);
  sm::SessionKeys session = perform_bac(chip, icao_keys(), icao_randoms());
  EXPECT_EQ(session.cipher, crypto::CipherKind::tdes);
  EXPECT_EQ(to_hex(view(session.k_enc)), to_hex(icao_hex("bac", "ksenc")));
  EXPECT_EQ(to_hex(view(session.k_mac)), to_hex(icao_hex("bac", "ksmac")));
  EXPECT_EQ(to_hex(view(session.ssc)), to_hex(icao_hex("bac", "ssc")));
  EXPECT_EQ(chip.get_challenge_count, 1);
  EXPECT_EQ(chip.external_authenticate_count, 1);
}

TEST(BacChip, IcaoChipSideAnswersThePublishedResponse) {
  Bytes command = icao_hex("bac", "external_authenticate_command");
  Bytes data(command.begin() + 5, command.end() - 1);
  BacChipResult result =
      bac_chip_authenticate(icao_keys(), icao_hex("bac", "rnd_ic"), icao_hex("bac", "k_ic"), data);
  EXPECT_EQ(to_hex(result.response), to_hex(icao_hex("bac", "external_authenticate_response_data")));
  EXPECT_EQ(to_hex(view(result.session.k_enc)), to_hex(icao_hex("bac", "ksenc")));
  EXPECT_EQ(to_hex(view(result.session.k_mac)), to_hex(icao_hex("bac", "ksmac")));
  EXPECT_EQ(to_hex(view(result.session.ssc)), to_hex(icao_hex("bac", "ssc")));
}

TEST(BacChip, RejectsWrongMacWrongChallengeAndWrongLength) {
  Bytes command = icao_hex("bac", "external_authenticate_command");
  Bytes data(command.begin() + 5, command.end() - 1);
  Bytes rnd_ic = icao_hex("bac", "rnd_ic");
  Bytes k_ic = icao_hex("bac", "k_ic");

  Bytes bad_mac = data;
  bad_mac.back() ^= 0x01;
  expect_error(ErrorCode::access_denied, [&] { bac_chip_authenticate(icao_keys(), rnd_ic, k_ic, bad_mac); });

  Bytes other_challenge = rnd_ic;
  other_challenge[0] ^= 0x01;
  expect_error(ErrorCode::access_denied,
               [&] { bac_chip_authenticate(icao_keys(), other_challenge, k_ic, data); });

  expect_error(ErrorCode::malformed_data,
               [&] { bac_chip_authenticate(icao_keys(), rnd_ic, k_ic, ByteView(data).first(39)); });
  expect_error(ErrorCode::invalid_argument,
               [&] { bac_chip_authenticate(icao_keys(), ByteView(rnd_ic).first(7), k_ic, data); });
}

TEST(Bac, TerminalAndChipAgreeWithRandomRandoms) {
  BacKeys keys = derive_bac_keys("091005513456789012345678");
  sm::SessionKeys chip_session;
  ScriptedChannel chip(
      simulated_chip(keys, crypto::random_bytes(8), crypto::random_bytes(16), &chip_session));
  sm::SessionKeys terminal_session = perform_bac(chip, keys);
  EXPECT_EQ(terminal_session.k_enc, chip_session.k_enc);
  EXPECT_EQ(terminal_session.k_mac, chip_session.k_mac);
  EXPECT_EQ(terminal_session.ssc, chip_session.ssc);
  EXPECT_EQ(terminal_session.ssc.size(), 8u);

  // The two sides' codecs talk to each other.
  sm::SmCodec terminal(terminal_session);
  sm::SmCodec card(chip_session);
  apdu::CommandApdu read{0x00, 0xB0, 0x00, 0x00, {}, 4};
  apdu::CommandApdu received = card.unprotect_command(terminal.protect_command(read));
  EXPECT_EQ(received.encode(), read.encode());
  apdu::ResponseApdu answer =
      terminal.unprotect_response(card.protect_response({from_hex("60145F01"), 0x9000}));
  EXPECT_EQ(to_hex(answer.data), "60145F01");
}

TEST(Bac, WrongMrzKeyIsAccessDeniedAfterExactlyOneExternalAuthenticate) {
  BacKeys chip_keys = derive_bac_keys("L898902C<369080619406236");
  BacKeys typed_keys = derive_bac_keys("L898902C<369080619406244");  // a wrong expiry date
  ScriptedChannel chip(
      simulated_chip(chip_keys, icao_hex("bac", "rnd_ic"), icao_hex("bac", "k_ic"), nullptr));
  Error e = expect_error(ErrorCode::access_denied, [&] { perform_bac(chip, typed_keys); });
  EXPECT_STREQ(e.what(), "the chip rejected the MRZ key: check document number, birth and expiry");
  EXPECT_EQ(chip.get_challenge_count, 1);
  EXPECT_EQ(chip.external_authenticate_count, 1);
}

TEST(Bac, MapsExternalAuthenticateStatusWords) {
  for (std::uint16_t sw : {0x6300, 0x6982, 0x6985, 0x6988, 0x63C0, 0x63C2, 0x63CF}) {
    SCOPED_TRACE(apdu::sw_hex(sw));
    ScriptedChannel chip([sw](const apdu::CommandApdu& command) {
      if (command.ins == 0x84) return apdu::ResponseApdu{icao_hex("bac", "rnd_ic"), 0x9000};
      return apdu::ResponseApdu{{}, sw};
    });
    expect_error(ErrorCode::access_denied, [&] { perform_bac(chip, icao_keys(), icao_randoms()); });
    EXPECT_EQ(chip.external_authenticate_count, 1);
  }
  for (std::uint16_t sw : {0x6A80, 0x6D00, 0x6700, 0x6F00}) {
    SCOPED_TRACE(apdu::sw_hex(sw));
    ScriptedChannel chip([sw](const apdu::CommandApdu& command) {
      if (command.ins == 0x84) return apdu::ResponseApdu{icao_hex("bac", "rnd_ic"), 0x9000};
      return apdu::ResponseApdu{{}, sw};
    });
    Error e = expect_error(ErrorCode::card_error, [&] { perform_bac(chip, icao_keys(), icao_randoms()); });
    EXPECT_NE(std::string(e.what()).find(apdu::sw_hex(sw)), std::string::npos) << e.what();
  }
}

TEST(Bac, GetChallengeFailuresAreCardErrors) {
  ScriptedChannel refusing([](const apdu::CommandApdu&) { return apdu::ResponseApdu{{}, 0x6D00}; });
  Error e = expect_error(ErrorCode::card_error, [&] { perform_bac(refusing, icao_keys(), icao_randoms()); });
  EXPECT_NE(std::string(e.what()).find("6D00"), std::string::npos);
  EXPECT_EQ(refusing.external_authenticate_count, 0);

  ScriptedChannel short_challenge([](const apdu::CommandApdu&) {
    return apdu::ResponseApdu{from_hex("01020304050607"), 0x9000};
  });
  expect_error(ErrorCode::card_error, [&] { perform_bac(short_challenge, icao_keys(), icao_randoms()); });
  EXPECT_EQ(short_challenge.external_authenticate_count, 0);
}

TEST(Bac, ChipAnswerFailingItsMacLengthOrEchoIsSecureMessagingError) {
  Bytes good = icao_hex("bac", "external_authenticate_response_data");
  auto chip_answering = [](Bytes answer) {
    return [answer = std::move(answer)](const apdu::CommandApdu& command) {
      if (command.ins == 0x84) return apdu::ResponseApdu{icao_hex("bac", "rnd_ic"), 0x9000};
      return apdu::ResponseApdu{answer, 0x9000};
    };
  };

  Bytes flipped_mac = good;
  flipped_mac.back() ^= 0x80;
  ScriptedChannel bad_mac(chip_answering(flipped_mac));
  expect_error(ErrorCode::secure_messaging, [&] { perform_bac(bad_mac, icao_keys(), icao_randoms()); });

  Bytes flipped_cryptogram = good;
  flipped_cryptogram[0] ^= 0x01;
  ScriptedChannel bad_cryptogram(chip_answering(flipped_cryptogram));
  expect_error(ErrorCode::secure_messaging,
               [&] { perform_bac(bad_cryptogram, icao_keys(), icao_randoms()); });

  ScriptedChannel truncated(chip_answering(Bytes(good.begin(), good.end() - 1)));
  expect_error(ErrorCode::secure_messaging, [&] { perform_bac(truncated, icao_keys(), icao_randoms()); });

  // A correctly MACed answer that does not echo RND.IFD (a replay from another session).
  Bytes r = icao_hex("bac", "r");
  r[8] ^= 0x01;
  Bytes e_ic = crypto::tdes_cbc_encrypt(icao_hex("bac", "kenc"), Bytes(8, 0), r);
  Bytes m_ic = crypto::retail_mac(icao_hex("bac", "kmac"), crypto::pad_iso9797_m2(e_ic, 8));
  ScriptedChannel no_echo(chip_answering(concat({e_ic, m_ic})));
  Error e =
      expect_error(ErrorCode::secure_messaging, [&] { perform_bac(no_echo, icao_keys(), icao_randoms()); });
  EXPECT_NE(std::string(e.what()).find("echo"), std::string::npos);
}

TEST(Bac, RejectsBadlySizedInjectedRandomsAndKeys) {
  ScriptedChannel chip(icao_chip);
  expect_error(ErrorCode::invalid_argument, [&] {
    perform_bac(chip, icao_keys(), BacTerminalRandoms{Bytes(7), Bytes(16)});
  });
  expect_error(ErrorCode::invalid_argument, [&] {
    perform_bac(chip, icao_keys(), BacTerminalRandoms{Bytes(8), Bytes(15)});
  });
  expect_error(ErrorCode::invalid_argument, [&] {
    perform_bac(chip, BacKeys{SecureBytes(8), SecureBytes(16)}, icao_randoms());
  });
  EXPECT_EQ(chip.get_challenge_count, 0);
}

}  // namespace
}  // namespace cccd::access
