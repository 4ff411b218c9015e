#include "reader/session.hpp"

#include "access/bac.hpp"
#include "access/pace.hpp"
#include "crypto/pace_mapping.hpp"
#include "lds/lds.hpp"
#include "lds/mrz.hpp"
#include "lds/security_infos.hpp"
#include "reader/active_authentication_step.hpp"
#include "reader/chip_authentication_step.hpp"
#include "reader/extended_length.hpp"
#include "reader/file_reader.hpp"
#include "sm/secure_messaging.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace cccd::reader {
namespace {

constexpr std::uint8_t kEmrtdAid[] = {0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};

// How long the card may take to come back from the reset at the start of a read.
constexpr std::chrono::milliseconds kCardResetTimeout{5000};

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
  return lds::mrz_information({c.document_number, c.date_of_birth, c.date_of_expiry});
}

// SELECT of the MF by its file identifier 3F00. The CCCD refuses it (6D00); chips that resolve short file
// identifiers relative to the current DF allow it.
bool select_master_file(transport::Channel& channel) {
  apdu::CommandApdu select{0x00, 0xA4, 0x00, 0x0C, Bytes{0x3F, 0x00}, apdu::kNoLe};
  return channel.transmit(select).ok();
}

// One unprotected read of EF.CardAccess by its short identifier. While the chip's extended length is
// unknown this READ BINARY is sent extended and is the probe (extended_length.hpp): a 6700 or a transmit
// error marks it refused and the file is read again on a short APDU; data mark it supported.
FileResult read_card_access_once(transport::Channel& channel, bool extended_length,
                                 ChipExtendedLength& chip) {
  const bool probing = extended_length && chip.state() == ChipExtendedLength::State::unknown;
  FileReader reader(channel, extended_length);
  try {
    FileResult result = reader.read(FileId::card_access);
    if (probing && result.outcome == FileOutcome::read && reader.uses_extended_length()) chip.supported();
    return result;
  } catch (const Error& e) {
    const bool refused = reader.extended_length_refused() ||
                         (e.code() == ErrorCode::transport && reader.uses_extended_length());
    if (!refused) throw;
    chip.refused();
  }
  return FileReader(channel, false).read(FileId::card_access);
}

// EF.CardAccess, read unprotected by its short identifier before anything is selected (it lives in the
// MF, which the CCCD does not let anyone select). A 6A82 is not yet "no EF.CardAccess": a chip resolving
// short file identifiers relative to the current DF answers it while an earlier session's application is
// still selected, so the MF is selected and the file asked for again before concluding. Nothing when the
// card has none or it does not parse.
std::optional<lds::SecurityInfos> read_card_access(transport::Channel& channel, bool extended_length,
                                                   ChipDump& dump, ChipExtendedLength& chip) {
  FileResult card_access = read_card_access_once(channel, extended_length, chip);
  if (card_access.outcome == FileOutcome::absent && select_master_file(channel))
    card_access = read_card_access_once(channel, extended_length, chip);
  if (card_access.outcome != FileOutcome::read) {
    dump.access_note = "the chip has no EF.CardAccess, so it offers no PACE";
    return std::nullopt;
  }
  dump.files[FileId::card_access] = card_access.content;
  try {
    return lds::parse_security_infos(card_access.content);
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
                          const ReadOptions& options, ChipDump& dump, ChipExtendedLength& chip) {
  std::optional<lds::SecurityInfos> infos;
  if (options.access != AccessMode::bac_only)
    infos = read_card_access(channel, options.extended_length, dump, chip);
  std::optional<lds::PaceInfo> pace = infos ? access::choose_pace_info(*infos) : std::nullopt;
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
  // DG14 first: Chip Authentication runs as soon as it is read, and the rest is read under its keys.
  for (FileId preferred : {FileId::dg14, FileId::dg1, FileId::dg13, FileId::dg2}) {
    if (preferred == FileId::dg2 && !read_photo) continue;
    if (std::find(listed.begin(), listed.end(), preferred) != listed.end()) order.push_back(preferred);
  }
  for (FileId file : listed) {
    if (file == FileId::dg2 && !read_photo) continue;
    if (std::find(order.begin(), order.end(), file) == order.end()) order.push_back(file);
  }
  return order;
}

namespace {

// The ceilings of one read (ReadOptions::time_limit, max_apdus), checked before every command whatever
// layer sends it: a card that answers slowly or makes the read ask again and again is cut off. Its
// capabilities are the link's narrowed to what the chip said of extended length, for every layer above.
class BoundedChannel : public transport::Channel {
 public:
  BoundedChannel(transport::Channel& inner, const ReadOptions& options)
      : inner_(inner),
        first_apdu_(inner.stats().apdus),
        max_apdus_(options.max_apdus),
        deadline_(deadline_after(options.time_limit)) {}

  apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
    if (std::chrono::steady_clock::now() >= deadline_)
      throw Error(ErrorCode::timeout, "the read took longer than its time limit");
    if (inner_.stats().apdus - first_apdu_ >= max_apdus_)
      throw Error(ErrorCode::limit_exceeded, "the read needed more APDUs than its limit");
    return inner_.transmit(command);
  }
  transport::ChannelCapabilities capabilities() const override {
    return chip_extended_length_.apply(inner_.capabilities());
  }
  transport::TransferStats stats() const override { return inner_.stats(); }
  // What this read learnt of the chip's extended length: kept for the session, reopenings included.
  ChipExtendedLength& chip_extended_length() noexcept { return chip_extended_length_; }

 private:
  // now + limit, saturating: a caller may pass a huge limit (ULONG_MAX ms from C) to mean "no limit",
  // and the plain sum would overflow the clock's signed count.
  static std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds limit) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point now = Clock::now();
    if (limit.count() <= 0) return now;
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now);
    return limit >= room ? Clock::time_point::max() : now + limit;
  }

  transport::Channel& inner_;
  ChipExtendedLength chip_extended_length_;
  std::uint64_t first_apdu_;
  std::uint64_t max_apdus_;
  std::chrono::steady_clock::time_point deadline_;
};

// One read of a chip, kept as a plan and a position so that it can go on after the chip was opened
// again: the files done are in the dump, `next_` is the file being read and `partial_` its bytes so far.
class ChipRead {
 public:
  ChipRead(transport::Channel& channel, transport::Reconnectable* link, const Credentials& credentials,
           const ReadOptions& options)
      : bounded_(channel, options),
        channel_(bounded_),
        link_(link),
        credentials_(credentials),
        options_(options),
        extended_length_(options.extended_length) {}

  ChipDump run() {
    const auto started = std::chrono::steady_clock::now();
    // A known state first: an earlier session (another program, an earlier read of this card) may have
    // left an application selected or secure messaging running, which changes what the chip answers.
    if (link_ != nullptr) link_->reset_card(kCardResetTimeout);
    const transport::TransferStats before = channel_.stats();
    for (int reopenings = 0;; ++reopenings) {
      try {
        open();
        read_files();
        break;
      } catch (const Error& e) {
        if (reopenings >= kMaxReopenings || !may_reopen_after(e)) throw;
      }
    }
    const transport::TransferStats stats = channel_.stats();
    dump_.stats.apdus = stats.apdus - before.apdus;
    dump_.stats.bytes_sent = stats.bytes_sent - before.bytes_sent;
    dump_.stats.bytes_received = stats.bytes_received - before.bytes_received;
    dump_.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::move(dump_);
  }

 private:
  // Decides whether the read can go on after `e`, and prepares the link for it.
  bool may_reopen_after(const Error& e) {
    // A card that refused an extended READ BINARY, or a reader that could not carry one: the command
    // may or may not have reached the chip's secure messaging, so the send sequence counters can no
    // longer be trusted. Open the chip again and read the rest on short APDUs.
    const bool extended_refused =
        files_ && (files_->extended_length_refused() ||
                   (e.code() == ErrorCode::transport && files_->uses_extended_length()));
    if (extended_refused) {
      extended_length_ = false;
      bounded_.chip_extended_length().refused();
      return true;
    }
    if (e.code() != ErrorCode::card_removed || !options_.resume_after_removal || link_ == nullptr)
      return false;
    link_->reconnect(options_.resume_wait);
    return true;
  }

  // Access control and the eMRTD application: a new secure channel, a new file reader. The first
  // opening decides what the dump says about access; later ones (after the card came back) only
  // restore a session to read the rest with.
  void open() {
    files_.reset();
    secure_.reset();
    ChipDump scratch;
    ChipDump& access_record = opened_ ? scratch : dump_;
    ChipExtendedLength& chip = bounded_.chip_extended_length();
    // Once per session, before anything is selected: what the chip says of extended length.
    if (!opened_ && extended_length_ && channel_.capabilities().extended_length)
      read_atr_info(channel_, chip);
    secure_.emplace(channel_, open_chip(channel_, credentials_, options_, access_record, chip));
    opened_ = true;
    // After BAC the application is already selected; after PACE it is selected under secure messaging.
    if (access_record.access_protocol != "BAC") select_application(*secure_);
    files_.emplace(*secure_, extended_length_, &addressing_);
    if (chip_authentication_.due(dump_)) authenticate_chip();  // again, after the card came back
  }

  // Chip Authentication (reader/chip_authentication_step.hpp): secure messaging restarts with the keys
  // agreed with DG14's key. A chip that cannot answer under them (a clone) has dropped the session: it
  // is opened again to read the rest, and the dump says Chip Authentication failed.
  void authenticate_chip() {
    std::optional<sm::SessionKeys> keys = chip_authentication_.agree(*secure_, dump_);
    if (!keys) return;
    files_.reset();
    secure_.emplace(channel_, std::move(*keys));
    files_.emplace(*secure_, extended_length_, &addressing_);
    if (!chip_authentication_.confirm(*files_, dump_)) open();
  }

  FileReader::Progress report(FileId file) {
    return [this, file](std::size_t done, std::size_t size) {
      if (!options_.progress) return;
      progress_.file = file;
      progress_.file_bytes = done;
      progress_.file_size = size;
      options_.progress(progress_);
    };
  }

  // After a file: one more report with it counted among the files done, so that the last report of a
  // read says every file is done (100 %), and a file that was absent or denied still moves the count.
  void report_done(FileId file) {
    if (!options_.progress) return;
    const Bytes* content = dump_.file(file);
    progress_.file = file;
    progress_.file_bytes = content != nullptr ? content->size() : 0;
    progress_.file_size = progress_.file_bytes;
    options_.progress(progress_);
  }

  bool finished(FileId file) const {
    return dump_.files.count(file) != 0 ||
           std::find(dump_.denied.begin(), dump_.denied.end(), file) != dump_.denied.end() ||
           std::find(dump_.absent.begin(), dump_.absent.end(), file) != dump_.absent.end();
  }

  void read_files() {
    if (!planned_) {
      FileResult com = files_->read(FileId::com, report(FileId::com), partial_);
      partial_.clear();
      std::vector<FileId> listed = kCccdDataGroups;
      if (com.outcome == FileOutcome::read) {
        dump_.files[FileId::com] = com.content;
        try {
          listed = lds::parse_ef_com(com.content).data_groups;
        } catch (const Error&) {
          // EF.COM is not signed; a broken one must not stop the read. The SOD decides what is genuine.
        }
      }
      order_ = reading_order(listed, options_.read_photo);
      progress_.files_done = 1;
      progress_.files_total = order_.size() + 1;
      planned_ = true;
      report_done(FileId::com);
    }

    for (; next_ < order_.size(); ++next_) {
      const FileId file = order_[next_];
      if (finished(file)) continue;
      FileResult result = files_->read(file, report(file), partial_);
      partial_.clear();
      switch (result.outcome) {
        case FileOutcome::read:
          dump_.files[file] = std::move(result.content);
          break;
        case FileOutcome::absent:
          dump_.absent.push_back(file);
          break;
        case FileOutcome::denied:
          dump_.denied.push_back(file);
          break;  // DG3 without TA: skipped quietly
      }
      ++progress_.files_done;
      report_done(file);
      if (file == FileId::dg14 && chip_authentication_.due(dump_)) authenticate_chip();
    }
    // Active Authentication once DG15 is in (reader/active_authentication_step.hpp), once per read.
    if (dump_.aa_challenge.empty()) perform_active_authentication(*secure_, options_, dump_);
  }

  BoundedChannel bounded_;
  transport::Channel& channel_;  // bounded_
  transport::Reconnectable* link_;
  const Credentials& credentials_;
  const ReadOptions& options_;
  bool extended_length_;

  ChipDump dump_;
  bool opened_ = false;
  std::optional<sm::SecureChannel> secure_;
  std::optional<FileReader> files_;
  FileAddressing addressing_;  // SFI or SELECT, for every FileReader of this read
  ReadProgress progress_;
  bool planned_ = false;
  std::vector<FileId> order_;
  std::size_t next_ = 0;
  Bytes partial_;
  ChipAuthenticationStep chip_authentication_;
};

}  // namespace

// The reader's side of LiveChipProof: the dump it reads is the one this session produced, so what it says
// about Chip Authentication and PACE-CAM was set by the live steps above, never loaded from anywhere.
class LiveProofIssuer {
 public:
  static LiveChipProof issue(const ChipDump& dump) {
    return LiveChipProof(dump.chip_authentication_result == "passed",
                         !dump.cam_chip_authentication_data.empty());
  }
};

ChipDump read_chip(transport::Channel& channel, const Credentials& credentials, const ReadOptions& options,
                   transport::Reconnectable* link, std::optional<LiveChipProof>* proof) {
  ChipDump dump = ChipRead(channel, link, credentials, options).run();
  if (proof != nullptr) *proof = LiveProofIssuer::issue(dump);
  return dump;
}

}  // namespace cccd::reader
