#include "reader/session.hpp"

#include "access/bac.hpp"
#include "access/mrz.hpp"
#include "lds/lds.hpp"
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

  select_application(channel);
  SecureString mrz_information = access::mrz_information(
      {credentials.document_number, credentials.date_of_birth, credentials.date_of_expiry});
  access::BacKeys bac_keys = access::derive_bac_keys(mrz_information);
  sm::SecureChannel secure(channel, access::perform_bac(channel, bac_keys));
  dump.access_protocol = "BAC";

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

  transport::TransferStats stats = channel.stats();
  dump.stats.apdus = stats.apdus - before.apdus;
  dump.stats.bytes_sent = stats.bytes_sent - before.bytes_sent;
  dump.stats.bytes_received = stats.bytes_received - before.bytes_received;
  dump.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return dump;
}

}  // namespace cccd::reader
