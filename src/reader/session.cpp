#include "reader/session.hpp"

#include "access/bac.hpp"
#include "access/mrz.hpp"
#include "access/pace.hpp"
#include "access/security_infos.hpp"
#include "crypto/pace_mapping.hpp"
#include "lds/lds.hpp"
#include "reader/active_authentication_step.hpp"
#include "reader/file_reader.hpp"
#include "sm/secure_messaging.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace cccd::reader {
namespace {

constexpr std::uint8_t kEmrtdAid[] = {0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};

// The files of the CCCD profile, for a card whose EF.COM does not parse.
const std::vector<FileId> kCccdDataGroups{FileId::dg1, FileId::dg2, FileId::dg13, FileId::dg14, FileId::dg15};

void select_application(transport::Channel& channel) {
  apdu::CommandApdu select{0x00,       0xA4, 0x04, 0x0C, Bytes(std::begin(kEmrtdAid), std::end(kEmrtdAid)),
                           apdu::kNoLe};
  apdu::ResponseApdu response = channel.transmit(select);
  if (!response.ok()) {
    throw Error(ErrorCode::card_error,
                "the card has no eMRTD application (SELECT answered " + apdu::sw_hex(response.sw) + ")");
  }
}

bool has_mrz_key(const Credentials& c) {
  return !c.document_number.empty() && !c.date_of_birth.empty() && !c.date_of_expiry.empty();
}

SecureString mrz_information_of(const Credentials& c) {
  return access::mrz_information({c.document_number, c.date_of_birth, c.date_of_expiry});
}

// EF.CardAccess, read unprotected by its short identifier before anything is selected (it lives in the
// MF, which the CCCD does not let anyone select). Nothing when the card has none or it does not parse.
std::optional<access::SecurityInfos> read_card_access(transport::Channel& channel, ChipDump& dump) {
  FileResult card_access = FileReader(channel, false).read(FileId::card_access);
  if (card_access.outcome != FileOutcome::read) {
    dump.access_note = "the chip has no EF.CardAccess, so it offers no PACE";
    return std::nullopt;
  }
  dump.files[FileId::card_access] = card_access.content;
  try {
    return access::parse_security_infos(card_access.content);
  } catch (const Error& e) {
    dump.access_note = std::string("EF.CardAccess does not parse (") + e.what() + ")";
    return std::nullopt;
  }
}

// PACE with the CAN when the caller has it (the CCCD's everyday password), else with the MRZ key.
access::PacePassword pace_password(const Credentials& credentials) {
  if (!credentials.can.empty()) {
    return {crypto::PacePasswordType::can, SecureString(credentials.can.begin(), credentials.can.end())};
  }
  if (!has_mrz_key(credentials))
    throw Error(ErrorCode::invalid_argument, "PACE needs the CAN or the MRZ key");
  return {crypto::PacePasswordType::mrz, mrz_information_of(credentials)};
}

// Opens the chip: PACE when EF.CardAccess offers it (and the caller allows it), BAC otherwise. Only a
// chip that declines PACE is read with BAC instead (and the dump says so); a wrong password, an invalid
// key or a proof that does not verify end the read.
sm::SessionKeys open_chip(transport::Channel& channel, const Credentials& credentials,
                          const ReadOptions& options, ChipDump& dump) {
  std::optional<access::SecurityInfos> infos;
  if (options.access != AccessMode::bac_only) infos = read_card_access(channel, dump);
  std::optional<access::PaceInfo> pace = infos ? access::choose_pace_info(*infos) : std::nullopt;
  if (infos && !pace && dump.access_note.empty())
    dump.access_note = "EF.CardAccess offers no PACE this library supports";
  if (!pace && options.access == AccessMode::pace_only) {
    throw Error(ErrorCode::not_supported, "PACE was required, but the card does not offer it");
  }
  if (pace) {
    try {
      access::PaceResult result = access::perform_pace(channel, *pace, access::pace_domain(*pace, *infos),
                                                       pace_password(credentials));
      dump.access_protocol = access::pace_protocol_name(pace->mapping);
      if (result.encrypted_chip_authentication_data) {
        // PACE-CAM: decrypt the chip's proof now, while KSenc is at hand; it is checked against DG14's
        // key once DG14 is read and covered by the SOD (verify), so a dump carries it in clear.
        try {
          SecureBytes ca_ic = crypto::cam_decrypt_chip_authentication_data(
              pace->cipher, view(result.session.k_enc), *result.encrypted_chip_authentication_data);
          dump.cam_chip_authentication_data.assign(ca_ic.begin(), ca_ic.end());
        } catch (const Error& e) {
          throw Error(ErrorCode::crypto,
                      std::string("PACE-CAM: ") + e.what());  // a broken proof: no fall back
        }
        dump.cam_mapping_public_key = result.chip_mapping_public_key;
      }
      return std::move(result.session);
    } catch (const Error& e) {
      // Only a chip that declines PACE (a refused step, parameters it or we do not support) may be read
      // with BAC instead. A wrong password, an invalid key or a token that does not verify stop the
      // read: falling back there would let an attacker in the middle downgrade the protocol.
      bool declined = e.code() == ErrorCode::card_error || e.code() == ErrorCode::not_supported;
      bool fall_back = declined && options.access != AccessMode::pace_only && has_mrz_key(credentials);
      if (!fall_back) throw;
      dump.access_note = std::string("PACE failed (") + e.what() + "); BAC used";
    }
  }
  if (!has_mrz_key(credentials)) {
    throw Error(ErrorCode::invalid_argument, "the card needs BAC, which needs the birth and expiry dates");
  }
  select_application(channel);
  access::BacKeys bac_keys = access::derive_bac_keys(mrz_information_of(credentials));
  dump.access_protocol = "BAC";
  return access::perform_bac(channel, bac_keys);
}

}  // namespace

std::vector<FileId> reading_order(const std::vector<FileId>& listed, bool read_photo) {
  // Verdict first (SOD, MRZ, personal data), then the photo, then the rest the card lists.
  std::vector<FileId> order{FileId::sod};
  for (FileId preferred : {FileId::dg1, FileId::dg13, FileId::dg2}) {
    if (preferred == FileId::dg2 && !read_photo) continue;
    if (std::find(listed.begin(), listed.end(), preferred) != listed.end()) order.push_back(preferred);
  }
  for (FileId file : listed) {
    if (file == FileId::dg2 && !read_photo) continue;
    if (std::find(order.begin(), order.end(), file) == order.end()) order.push_back(file);
  }
  return order;
}

ChipDump read_chip(transport::Channel& channel, const Credentials& credentials, const ReadOptions& options) {
  auto started = std::chrono::steady_clock::now();
  const transport::TransferStats before = channel.stats();
  ChipDump dump;

  sm::SecureChannel secure(channel, open_chip(channel, credentials, options, dump));
  // After BAC the application is already selected; after PACE it is selected under secure messaging.
  if (dump.access_protocol != "BAC") select_application(secure);

  FileReader files(secure, options.extended_length);
  ReadProgress progress;
  auto report = [&](FileId file) {
    return [&, file](std::size_t done, std::size_t size) {
      if (!options.progress) return;
      progress.file = file;
      progress.file_bytes = done;
      progress.file_size = size;
      options.progress(progress);
    };
  };

  FileResult com = files.read(FileId::com, report(FileId::com));
  std::vector<FileId> listed = kCccdDataGroups;
  if (com.outcome == FileOutcome::read) {
    dump.files[FileId::com] = com.content;
    try {
      listed = lds::parse_ef_com(com.content).data_groups;
    } catch (const Error&) {
      // EF.COM is not signed; a broken one must not stop the read. The SOD decides what is genuine.
    }
  }
  std::vector<FileId> order = reading_order(listed, options.read_photo);
  progress.files_done = 1;
  progress.files_total = order.size() + 1;

  for (FileId file : order) {
    FileResult result = files.read(file, report(file));
    switch (result.outcome) {
      case FileOutcome::read:
        dump.files[file] = std::move(result.content);
        break;
      case FileOutcome::absent:
        dump.absent.push_back(file);
        break;
      case FileOutcome::denied:
        dump.denied.push_back(file);
        break;  // DG3 without TA: skipped quietly
    }
    ++progress.files_done;
  }
  // Active Authentication once DG15 is in (reader/active_authentication_step.hpp).
  perform_active_authentication(secure, options, dump);

  transport::TransferStats stats = channel.stats();
  dump.stats.apdus = stats.apdus - before.apdus;
  dump.stats.bytes_sent = stats.bytes_sent - before.bytes_sent;
  dump.stats.bytes_received = stats.bytes_received - before.bytes_received;
  dump.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return dump;
}

}  // namespace cccd::reader
