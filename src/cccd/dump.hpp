// ChipDump: everything read from a chip, as plain data. Verification and parsing are pure functions of
// a dump, so a card read a second ago and a dump uploaded by a phone app are judged by the same code.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/files.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cccd {

struct ReadStats {
  std::uint64_t apdus = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  double seconds = 0;
};

inline constexpr std::size_t kMaxUnknownDumpFiles = 16;

struct ChipDump {
  std::map<FileId, Bytes> files;  // raw bytes of every file read
  std::string access_protocol;    // "BAC", "PACE-GM" ...; empty for a dump that does not say
  std::string access_note;  // why PACE was not used when the card offered it (fallback, bad EF.CardAccess)
  // PACE-CAM: the chip's authentication data CA_IC (decrypted at read time) and its mapping public key
  // PK_Map,IC. Verification checks PK_Map,IC = CA_IC * PK_IC with the Chip Authentication key of DG14.
  Bytes cam_chip_authentication_data;
  Bytes cam_mapping_public_key;
  // Chip Authentication with the key of DG14, as the live read performed it: what ran
  // ("CA v2 ECDH-256 AES-128 GA keyId 1"), its result ("passed": secure messaging restarted with the
  // agreed keys and the chip answered under them, which only the holder of the private key can;
  // "failed": the chip refused, or did not answer under the new keys; empty: not performed), and a note
  // saying why it failed or was not performed. A dump can only repeat this: the proof was the live
  // exchange.
  std::string chip_authentication;
  std::string chip_authentication_result;
  std::string chip_authentication_note;
  // Active Authentication: the 8-byte challenge sent with INTERNAL AUTHENTICATE (random, or the one the
  // caller gave: a server's) and the chip's signature over it; both empty when AA was not run. Verification
  // checks the signature with DG15's key, so a server can check a dump made with its own challenge.
  Bytes aa_challenge;
  Bytes aa_signature;
  std::vector<FileId> denied;  // listed by EF.COM but refused by the chip (DG3 without TA)
  std::vector<FileId> absent;  // listed by EF.COM but not on the chip (6A82)
  ReadStats stats;
  // A dump folder's entries that are none of its files (a renamed "DG1.bin", a stray note): ignored, but
  // reported (verify_dump_folder adds them to the parse errors) so that a missing file has a visible
  // cause. Names as they are on disk, at most kMaxUnknownDumpFiles of them.
  std::vector<std::string> unknown_files;

  const Bytes* file(FileId id) const {
    auto it = files.find(id);
    return it == files.end() ? nullptr : &it->second;
  }
};

// The dump folder: one file per EF named as file_name() ("EF.COM", "DG1" ...) holding its raw bytes, and
// "read.json" with what only the live read knows (access protocol, denied and absent files, stats).
// Everything is written into a new private folder beside `folder` (mode 0700, files 0600, each fsync'ed),
// which is then renamed to `folder`: a reader never sees half a dump, and after a failure the temporary
// folder is removed and `folder` is as it was. An existing `folder` is refused (Error(io)) unless
// `replace`, which swaps a folder in place atomically and removes the old one.
void write_dump(const ChipDump& dump, const std::filesystem::path& folder, bool replace = false);
// Reads the EF files of a dump folder (a virtual card folder too: its secrets file is ignored). The folder
// and each file are opened without following symbolic links and without blocking; only regular files are
// read. Throws Error(io) when the folder cannot be opened or a file is anything but a regular file (one
// message, "NAME is not a usable file"), Error(limit_exceeded) for a file over 1 MiB.
ChipDump load_dump(const std::filesystem::path& folder);

}  // namespace cccd
