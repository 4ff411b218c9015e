/* libcccd C API: read and verify the chip of a Vietnamese citizen identity card (CCCD).
 *
 * Conventions (in the manner of sqlite3 and libcurl):
 *  - objects are opaque handles, created by cccd_*_new / cccd_read_* and freed by the matching
 *    cccd_*_free, which accept NULL;
 *  - every call that can fail returns a cccd_status; on failure the message of the calling thread's last
 *    error is cccd_last_error() (never personal data);
 *  - no C++ exception crosses this boundary;
 *  - strings returned by the library stay owned by the object they came from and live as long as it;
 *  - sizes, counts and milliseconds are fixed-width integers (uint32_t, size_t for buffer lengths).
 *
 * Threading contract, handle by handle:
 *  - cccd_credentials: immutable once made; any number of threads may read with it at once.
 *  - cccd_trust: safe for any mix of calls from any number of threads, cccd_trust_add_* included: a
 *    server may add CSCAs and CRLs while other threads verify with the same handle. Each verification
 *    works on one immutable snapshot of the store taken when it starts (an add publishes a new snapshot
 *    atomically; it never changes or frees what a running verification reads), so it sees the store
 *    wholly before or wholly after an add. Adds are serialised with each other; what an add brings
 *    applies to verifications that start after it returned. An add copies the store's index: load a
 *    large store with a few cccd_trust_add_path calls on folders or bundles, not certificate by
 *    certificate.
 *  - cccd_credentials, cccd_trust: free only when no call uses the handle.
 *  - cccd_read_options: set up before the reads; any number of reads may share it while none changes it.
 *  - cccd_transport: one read at a time per transport (a card serves one session); different transports
 *    on different threads are independent. cccd_cancel may stop its read from any thread.
 *  - cccd_cancel_token: cccd_cancel and cccd_cancel_requested are safe from any thread at any time while
 *    the token lives.
 *  - cccd_result: immutable; any number of threads may read it at once (its JSON is built on the first
 *    cccd_result_json, once, whichever thread asks); free it once.
 *  - cccd_last_error / cccd_last_error_json: per thread; the pointer stays valid until the same thread's
 *    next call into libcccd.
 *  - The library's only global mutable state, besides those per-thread errors, is a cache of parsed
 *    document signer certificates shared by all threads (a bounded, locked LRU); OpenSSL 3 is thread-safe
 *    without set-up.
 */
#ifndef CCCD_CCCD_H
#define CCCD_CCCD_H

#include <cccd/version.h> /* CCCD_VERSION_MAJOR, _MINOR, _PATCH, _NUMBER, _STRING */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CCCD_API __attribute__((visibility("default")))
#else
#define CCCD_API
#endif

/* The values equal the C++ cccd::ErrorCode values. */
typedef enum cccd_status {
  CCCD_OK = 0,
  CCCD_ERR_INVALID_ARGUMENT = 1,
  CCCD_ERR_IO = 2,
  CCCD_ERR_TRANSPORT = 3,
  CCCD_ERR_NO_READER = 4,
  CCCD_ERR_NO_CARD = 5,
  CCCD_ERR_CARD_REMOVED = 6,
  CCCD_ERR_TIMEOUT = 7,
  CCCD_ERR_CANCELLED = 8,
  CCCD_ERR_ACCESS_DENIED = 9,
  CCCD_ERR_SECURE_MESSAGING = 10,
  CCCD_ERR_CARD_ERROR = 11,
  CCCD_ERR_FILE_NOT_FOUND = 12,
  CCCD_ERR_MALFORMED_DATA = 13,
  CCCD_ERR_CRYPTO = 14,
  CCCD_ERR_NOT_SUPPORTED = 15,
  CCCD_ERR_LIMIT_EXCEEDED = 16,
  CCCD_ERR_INTERNAL = 17
} cccd_status;

typedef struct cccd_credentials cccd_credentials;
typedef struct cccd_trust cccd_trust;
typedef struct cccd_result cccd_result;

/* The library's version, "MAJOR.MINOR.PATCH": the CCCD_VERSION_STRING the library was built with (a
 * program compares it with the CCCD_VERSION_STRING it was compiled against to detect a mismatch). */
CCCD_API const char* cccd_version(void);
/* CCCD_VERSION_NUMBER of the library: MAJOR * 10000 + MINOR * 100 + PATCH. */
CCCD_API uint32_t cccd_version_number(void);
/* "ok", "access_denied" ... (the names of the JSON "error.code"). */
CCCD_API const char* cccd_status_name(cccd_status status);
/* The message of this thread's last failed call ("" if none): at most 1 KiB; a long path or other long
 * word in it keeps its first and last 60 bytes with "..." between. */
CCCD_API const char* cccd_last_error(void);
/* The same failure as the JSON error document of docs/schema/cccd-result.schema.json ("error": code and
 * message; "verdict": not_verified), as `cccd-verify --json` prints it; "" after a call that succeeded. */
CCCD_API const char* cccd_last_error_json(void);

/* Credentials. birth / expiry: "YYYY-MM-DD", "YYMMDD" or as the card prints them, "dd/mm/yyyy" (birth may
 * be "YYYY" or "YYYY-MM" / "mm/yyyy" when not on record; expiry "none" or "Không thời hạn" for a card
 * without expiry; "" for both: the CAN alone). Wiped when freed.
 * id_number: the 12-digit ID number, or the line the QR code on the card's front gives (what a counter's
 * USB scanner types: "ID|former ID|name|ddmmyyyy|Nam/Nữ|residence|ddmmyyyy", a trailing newline allowed);
 * with a QR line the result's verdict has the finding qr_consistency (the printed QR against the chip).
 * A line from a scanner set to another keyboard layout is refused (CCCD_ERR_INVALID_ARGUMENT, "check the
 * scanner's keyboard layout"). */
CCCD_API cccd_status cccd_credentials_from_id(const char* id_number, const char* birth, const char* expiry,
                                              cccd_credentials** out);
CCCD_API cccd_status cccd_credentials_from_mrz(const char* mrz_text, cccd_credentials** out);
/* The card access number alone (6 digits, printed on the card; on a CCCD the last 6 digits of the ID
 * number): enough for PACE, which every CCCD offers; a chip that offers only BAC cannot be opened with it. */
CCCD_API cccd_status cccd_credentials_from_can(const char* can, cccd_credentials** out);
CCCD_API void cccd_credentials_free(cccd_credentials* credentials);

/* Trust store of CSCA certificates: PEM or DER files, or folders of them; PEM/DER CRLs found there are
 * added as CRLs. A master list found by cccd_trust_add_path needs cccd_trust_add_master_list instead. */
CCCD_API cccd_status cccd_trust_new(cccd_trust** out);
CCCD_API cccd_status cccd_trust_add_path(cccd_trust* trust, const char* path);
/* An ICAO CSCA master list (DER CMS SignedData): its signature is checked and its signer must chain to
 * the certificate(s) in `root_path` (a PEM/DER file or a folder), then every CSCA of the list is added.
 * An altered list, or one whose signer does not chain to the root: CCCD_ERR_CRYPTO, nothing added. */
CCCD_API cccd_status cccd_trust_add_master_list(cccd_trust* trust, const char* path, const char* root_path);
/* One or more CSCA certificates (or CRLs) from memory: PEM or DER bytes, as a file would hold them. */
CCCD_API cccd_status cccd_trust_add_data(cccd_trust* trust, const uint8_t* data, size_t size);
/* A CRL file (DER, or PEM with one or more CRLs); a document signer it lists fails signer trust. */
CCCD_API cccd_status cccd_trust_add_crl(cccd_trust* trust, const char* path);
/* The same from memory (nothing is read from or written to a file): CRLs as cccd_trust_add_crl takes them
 * (DER, or PEM with one or more CRLs), and a master list as cccd_trust_add_master_list takes it, with the
 * root certificate(s) its signer must chain to as PEM or DER bytes. */
CCCD_API cccd_status cccd_trust_add_crl_data(cccd_trust* trust, const uint8_t* data, size_t size);
CCCD_API cccd_status cccd_trust_add_master_list_data(cccd_trust* trust, const uint8_t* list, size_t list_size,
                                                     const uint8_t* roots, size_t roots_size);
CCCD_API void cccd_trust_free(cccd_trust* trust);

/* Verifies a dump folder offline (passive authentication and consistency). */
CCCD_API cccd_status cccd_verify_dump(const char* folder, const cccd_trust* trust, cccd_result** out);
/* The same for a server that chose the Active Authentication challenge (`challenge_length` must be 8, else
 * CCCD_ERR_INVALID_ARGUMENT): chip authenticity passes only when the dump's signature is the chip's over
 * that very challenge, so a replayed dump fails. */
CCCD_API cccd_status cccd_verify_dump_with_challenge(const char* folder, const cccd_trust* trust,
                                                     const uint8_t* challenge, size_t challenge_length,
                                                     cccd_result** out);

/* The verification policy: what "verified" requires beyond the checks every verdict makes, and the moment
 * the verdict is judged at. Every result reports the policy it was judged under (JSON "verdict.policy").
 * An opaque handle with one setter per rule, so that later versions add rules without changing any
 * caller; a new policy has the defaults (chip authenticity not required, expired cards not verified,
 * judged now). Set it up before the reads and verifications that use it; they copy it. */
typedef struct cccd_policy cccd_policy;
CCCD_API cccd_status cccd_policy_new(cccd_policy** out);
CCCD_API void cccd_policy_free(cccd_policy* policy);
/* Non-zero: chip authenticity must pass; a chip (or a dump) that offers neither Chip nor Active
 * Authentication fails it, with the reason. A server that sent an Active Authentication challenge sets it. */
CCCD_API cccd_status cccd_policy_set_require_chip_authenticity(cccd_policy* policy, int require);
/* Non-zero: an expired card may be verified (its document_validity finding still says it expired). */
CCCD_API cccd_status cccd_policy_set_accept_expired(cccd_policy* policy, int accept);
/* The judgement date: "YYYY-MM-DD" or "dd/mm/yyyy" (the card's own form); the card's expiry is judged
 * against it and the certificates at noon that day in Vietnam. NULL: now (the default). Another form, or
 * a day that does not exist: CCCD_ERR_INVALID_ARGUMENT, the policy unchanged. */
CCCD_API cccd_status cccd_policy_set_judgement_date(cccd_policy* policy, const char* date);
/* The same as a moment (seconds since 1970-01-01 UTC). */
CCCD_API cccd_status cccd_policy_set_judgement_time(cccd_policy* policy, int64_t unix_seconds);

/* Verifies a dump folder offline under `policy` (NULL: the defaults), with the server's Active
 * Authentication challenge when `challenge` is not NULL (then `challenge_length` must be 8). */
CCCD_API cccd_status cccd_verify_dump_with_policy(const char* folder, const cccd_trust* trust,
                                                  const cccd_policy* policy, const uint8_t* challenge,
                                                  size_t challenge_length, cccd_result** out);
/* Evidence: everything a read acquired (the dump of docs/dump-format.md), in memory.
 *
 * A server verifies what a phone read without writing it anywhere: build the evidence from buffers (each
 * elementary file by its name, the Active Authentication challenge and signature, how the chip was
 * opened) or from one evidence document (JSON, docs/dump-format.md "The evidence document"), then
 * cccd_verify_evidence. The verdict and its JSON are those of cccd_verify_dump on the same dump folder.
 * Nothing on this path opens or creates a file.
 *
 * Evidence is data, never proof: a Chip Authentication or PACE-CAM result it records is the reading
 * app's statement and never makes chip authenticity "passed"; offline only an Active Authentication
 * signature over the verifier's own challenge (cccd_verify_options_set_challenge) proves the chip.
 *
 * Threading: set an evidence object up on one thread; any number of threads may then verify it at once
 * (cccd_verify_evidence takes it const). cccd_evidence_document and the setters change it. */
typedef struct cccd_evidence cccd_evidence;

/* Empty evidence (no file, nothing recorded). */
CCCD_API cccd_status cccd_evidence_new(cccd_evidence** out);
/* An evidence document (UTF-8 JSON, files in base64; docs/schema/cccd-evidence.schema.json). Bounds as for
 * a dump folder; a violation is CCCD_ERR_MALFORMED_DATA or CCCD_ERR_LIMIT_EXCEEDED naming the field. */
CCCD_API cccd_status cccd_evidence_from_document(const uint8_t* document, size_t size, cccd_evidence** out);
/* A dump folder, read as cccd_verify_dump reads it. */
CCCD_API cccd_status cccd_evidence_from_folder(const char* folder, cccd_evidence** out);
/* What a read (cccd_read) acquired, e.g. to send it to a server as a document. */
CCCD_API cccd_status cccd_evidence_from_result(const cccd_result* result, cccd_evidence** out);
CCCD_API void cccd_evidence_free(cccd_evidence* evidence);

/* One elementary file's raw bytes, as the chip returned them, by its dump name: "EF.CardAccess",
 * "EF.COM", "EF.SOD", "DG1" ... "DG16" (another name: CCCD_ERR_INVALID_ARGUMENT). At most 1 MiB
 * (CCCD_ERR_LIMIT_EXCEEDED). Replaces the file when set before; size 0 removes it. */
CCCD_API cccd_status cccd_evidence_set_file(cccd_evidence* evidence, const char* name, const uint8_t* data,
                                            size_t size);
/* The file of that name, owned by the evidence (valid until it changes or is freed); CCCD_ERR_FILE_NOT_FOUND
 * when the evidence holds none. */
CCCD_API cccd_status cccd_evidence_file(const cccd_evidence* evidence, const char* name, const uint8_t** data,
                                        size_t* size);
/* Active Authentication as the reading app ran it: the challenge sent with INTERNAL AUTHENTICATE (8 bytes;
 * the server's) and the chip's answer (at most 1024 bytes). */
CCCD_API cccd_status cccd_evidence_set_active_authentication(cccd_evidence* evidence,
                                                             const uint8_t* challenge,
                                                             size_t challenge_length,
                                                             const uint8_t* signature,
                                                             size_t signature_length);
/* How the chip was opened: "BAC", "PACE-GM", "PACE-IM", "PACE-CAM" (printable ASCII, at most 64), and why
 * when not the protocol it offered first (`note`, may be NULL; at most 512). */
CCCD_API cccd_status cccd_evidence_set_access(cccd_evidence* evidence, const char* protocol,
                                              const char* note);
/* The app's record of Chip Authentication (`result` "passed", "failed" or ""; `note` may be NULL). A record
 * only: checked for consistency, never counted as proof. */
CCCD_API cccd_status cccd_evidence_set_chip_authentication(cccd_evidence* evidence, const char* protocol,
                                                           const char* result, const char* note);
/* The app's record of PACE-CAM: CA_IC and PK_Map,IC (each at most 1024 bytes). Never counted as proof. */
CCCD_API cccd_status cccd_evidence_set_pace_cam(cccd_evidence* evidence,
                                                const uint8_t* chip_authentication_data,
                                                size_t chip_authentication_data_length,
                                                const uint8_t* mapping_public_key,
                                                size_t mapping_public_key_length);
/* A file EF.COM lists that the chip refused (denied) or does not hold (absent), by name. */
CCCD_API cccd_status cccd_evidence_add_denied(cccd_evidence* evidence, const char* name);
CCCD_API cccd_status cccd_evidence_add_absent(cccd_evidence* evidence, const char* name);

/* The evidence as one document (UTF-8 JSON, NUL-terminated; `size` excludes the NUL, may be NULL), owned by
 * the evidence: valid until the evidence changes or is freed. */
CCCD_API cccd_status cccd_evidence_document(cccd_evidence* evidence, const char** document, size_t* size);
/* The evidence as a new dump folder, written as cccd_result_write_dump writes one (an existing folder is
 * refused). */
CCCD_API cccd_status cccd_evidence_write_folder(const cccd_evidence* evidence, const char* folder);

/* How to verify: the verifier's own Active Authentication challenge and the verification policy (what
 * "verified" requires and the moment it is judged at). NULL options: the defaults. Set up before
 * verifying; any number of verifications may share one while none changes it. */
typedef struct cccd_verify_options cccd_verify_options;
CCCD_API cccd_status cccd_verify_options_new(cccd_verify_options** out);
CCCD_API void cccd_verify_options_free(cccd_verify_options* options);
/* The challenge this verifier chose (8 bytes, else CCCD_ERR_INVALID_ARGUMENT) and gave to the reading app:
 * chip authenticity passes only for the chip's signature over it; NULL clears it. */
CCCD_API cccd_status cccd_verify_options_set_challenge(cccd_verify_options* options, const uint8_t* challenge,
                                                       size_t challenge_length);
/* Certificates must be valid at `unix_time` (seconds since 1970, UTC) and the card unexpired on its date in
 * Vietnam; the default is now. The same as cccd_policy_set_judgement_time on the options' policy. */
CCCD_API cccd_status cccd_verify_options_set_time(cccd_verify_options* options, int64_t unix_time);
/* The verification policy (a copy; NULL: the default policy). It replaces the whole policy, its judgement
 * time included: set the time after it, or on the policy. */
CCCD_API cccd_status cccd_verify_options_set_policy(cccd_verify_options* options, const cccd_policy* policy);

/* Verifies evidence offline against `trust` (NULL: no CSCA, never verified): the result of
 * cccd_verify_dump_with_challenge on the same dump, JSON included. */
CCCD_API cccd_status cccd_verify_evidence(const cccd_evidence* evidence, const cccd_trust* trust,
                                          const cccd_verify_options* options, cccd_result** out);

/* Transports: how APDUs reach the card.
 *
 * A transport carries command APDUs to a card and its responses back. The library does everything above
 * that for every transport alike: 61xx (GET RESPONSE) and 6Cxx (resend with the right Le), extended or
 * short length as the transport's limits allow, secure messaging, access control, resuming a read after
 * the card was pulled away and put back, the read's limits, counting APDUs and bytes.
 *
 * Bring your own (a phone's NFC stack, a reader vendor's SDK, a card served by another process): fill in
 * a cccd_transport_callbacks and call cccd_transport_new. PC/SC and libnfc readers are transports made
 * by cccd_transport_pcsc_new and cccd_transport_nfc_new. */
typedef struct cccd_transport cccd_transport;

typedef struct cccd_transport_callbacks {
  /* sizeof(cccd_transport_callbacks) as the caller compiled it. Later versions add fields at the end
   * only; the library reads no further than struct_size, so an older caller's struct stays valid. */
  size_t struct_size;
  /* Required. Sends one command APDU (ISO/IEC 7816-4 encoding: header, Lc and data, Le; short or extended
   * as the library chose within max_command_data / max_response_data) and writes the card's response,
   * data then SW1 SW2, into `response` (room for `response_capacity` bytes, always at least
   * max_response_data + 2), its length into *response_length. Returns CCCD_OK, or:
   * CCCD_ERR_CARD_REMOVED when the card left the field (the read can resume: see `reconnect`),
   * CCCD_ERR_TIMEOUT when the card did not answer in time, CCCD_ERR_CANCELLED after `cancel`,
   * CCCD_ERR_TRANSPORT for any other failure of the link. Anything else counts as CCCD_ERR_TRANSPORT.
   * A response shorter than 2 bytes or longer than the capacity is a transport error. */
  cccd_status (*transmit)(void* user, const uint8_t* command, size_t command_length, uint8_t* response,
                          size_t response_capacity, size_t* response_length);
  /* Optional (NULL: the card must be in the field when the read starts). Waits up to `timeout_ms` for a
   * card and connects to it: CCCD_OK, CCCD_ERR_TIMEOUT, CCCD_ERR_CANCELLED or CCCD_ERR_TRANSPORT. Called
   * before the first APDU when the read options ask to wait for a card; with 0 it tells whether a card
   * is there now (CCCD_OK) or not (CCCD_ERR_NO_CARD). */
  cccd_status (*wait_for_card)(void* user, uint32_t timeout_ms);
  /* Optional (NULL: a card pulled away ends the read with CCCD_ERR_CARD_REMOVED). After a transmit gave
   * CCCD_ERR_CARD_REMOVED and the read options ask to resume: waits up to `timeout_ms` for a card on the
   * same reader and connects to it afresh (powered up again: nothing selected, no secure messaging).
   * Also called once at the start of every read, with the card still there, so that the read starts
   * from the card's power-up state whatever an earlier session left selected (a power cycle or a reset
   * of the card does), and once when the link refuses an extended APDU under secure messaging, to read
   * on with short ones. CCCD_OK, CCCD_ERR_TIMEOUT, CCCD_ERR_CANCELLED or CCCD_ERR_TRANSPORT. */
  cccd_status (*reconnect)(void* user, uint32_t timeout_ms);
  /* Optional. Called by cccd_cancel, on the cancelling thread, while a read on this transport runs: it
   * must make a blocking transmit / wait_for_card / reconnect return CCCD_ERR_CANCELLED soon, and be safe
   * to call from any thread. Without it a cancelled read stops before its next APDU. */
  void (*cancel)(void* user);
  /* Optional. Called once by cccd_transport_free, to release `user`. */
  void (*release)(void* user);
  /* The largest command data (Nc) and response data (Ne) one APDU may carry on this link: 255 and 256
   * for short APDUs only; up to 65535 and 65536 when the reader and the card take extended length.
   * 0 means the short-APDU value. The library never sends more, and with a secure channel it sizes its
   * READ BINARY commands so the protected answer fits. */
  uint32_t max_command_data;
  uint32_t max_response_data;
} cccd_transport_callbacks;

/* A transport over the caller's callbacks (copied; `user` is passed back unchanged). When this call fails
 * the callbacks were not taken: release is not called and `user` stays the caller's. The library never
 * calls wait_for_card unless the read options ask to wait for a card. */
CCCD_API cccd_status cccd_transport_new(const cccd_transport_callbacks* callbacks, void* user,
                                        cccd_transport** out);
/* The card on the PC/SC reader whose name contains `reader_name` (NULL or "": the reader that holds a
 * card; with a wait for a card, the first reader one is placed on). The reader is opened at each read:
 * CCCD_ERR_NO_READER when the PC/SC service is not running or no reader is there (with a wait, none came
 * in the time), CCCD_ERR_NO_CARD when none holds a card; CCCD_ERR_NOT_SUPPORTED when the library was
 * built without PC/SC. */
CCCD_API cccd_status cccd_transport_pcsc_new(const char* reader_name, cccd_transport** out);
/* The card on a libnfc (PN53x) reader: `connstring` as libnfc writes it, e.g. "pn532_uart:/dev/ttyUSB0";
 * NULL or "": the first device libnfc finds. Short APDUs only (a PN53x carries at most 262 bytes).
 * CCCD_ERR_NOT_SUPPORTED when the library was built without libnfc. */
CCCD_API cccd_status cccd_transport_nfc_new(const char* connstring, cccd_transport** out);
/* Calls the callbacks' release. NULL is ignored. Not while a read uses the transport. */
CCCD_API void cccd_transport_free(cccd_transport* transport);

/* Read options for kiosks and desks: progress, waiting for a card, a card pulled away and put back, a
 * server's Active Authentication challenge, limits, and cancelling from another thread.
 *
 * Thread safety: set an options object up before the read and do not change or free it while a read
 * that uses it runs; one options object may serve several reads one after the other, or at the same
 * time when none of them changes it. The progress callback runs on the thread that reads, between
 * APDUs: it must return quickly and must not free the options or the cancel token. cccd_cancel() is
 * the one call that is safe from any thread (or a signal-watching thread) at any time while the token
 * lives. A token, once cancelled, stays cancelled: make a new one for the next read. */
typedef struct cccd_read_options cccd_read_options;
typedef struct cccd_cancel_token cccd_cancel_token;

typedef struct cccd_progress {
  const char* file;     /* "EF.COM", "DG1", "DG2" ...; valid during the callback only */
  size_t file_bytes;    /* bytes of this file read so far */
  size_t file_size;     /* its size; 0 until its header was read */
  uint32_t files_done;  /* files finished */
  uint32_t files_total; /* files to read; 0 until EF.COM was read */
} cccd_progress;
typedef void (*cccd_progress_callback)(const cccd_progress* progress, void* user);

CCCD_API cccd_status cccd_read_options_new(cccd_read_options** out);
CCCD_API void cccd_read_options_free(cccd_read_options* options);
/* Called after every chunk read; NULL removes it. `user` is passed back unchanged. */
CCCD_API cccd_status cccd_read_options_set_progress(cccd_read_options* options,
                                                    cccd_progress_callback callback, void* user);
/* Wait up to `timeout_ms` for a card to be presented (0, the default: it must be there already). No
 * card in time: CCCD_ERR_TIMEOUT. On PC/SC the wait covers the PC/SC service starting and a reader being
 * plugged in too; no reader at the end of it: CCCD_ERR_NO_READER. A custom transport needs its
 * wait_for_card callback for this. */
CCCD_API cccd_status cccd_read_options_set_wait_for_card(cccd_read_options* options, uint32_t timeout_ms);
/* `resume` non-zero: a card pulled away during the read is waited for up to `wait_ms`, then read on from
 * where it stopped; 0 (the default): the read fails with CCCD_ERR_CARD_REMOVED. A custom transport needs
 * its reconnect callback for this. */
CCCD_API cccd_status cccd_read_options_set_resume(cccd_read_options* options, int resume, uint32_t wait_ms);
/* The Active Authentication challenge (8 bytes, else CCCD_ERR_INVALID_ARGUMENT) a server chose, so that it
 * can check the dump with cccd_verify_dump_with_challenge; NULL: a random one (the default). */
CCCD_API cccd_status cccd_read_options_set_challenge(cccd_read_options* options, const uint8_t* challenge,
                                                     size_t challenge_length);
/* The ceilings of one read, so that a slow or hostile card cannot hold a kiosk: the read fails with
 * CCCD_ERR_TIMEOUT once `time_limit_ms` have passed since its first APDU (waits for a removed card
 * included), and with CCCD_ERR_LIMIT_EXCEEDED before APDU number `max_apdus + 1`. 0 keeps the default
 * (60000 ms, 4000 APDUs; a CCCD read takes a few seconds and under 200 APDUs). */
CCCD_API cccd_status cccd_read_options_set_limits(cccd_read_options* options, uint32_t time_limit_ms,
                                                  uint32_t max_apdus);
/* Reads with these options can be stopped by cccd_cancel(token) (CCCD_ERR_CANCELLED); NULL detaches.
 * The token is not owned and must outlive the reads. */
CCCD_API cccd_status cccd_read_options_set_cancel(cccd_read_options* options, cccd_cancel_token* token);
/* The policy the read's verdict is judged under (copied; NULL: the defaults again). */
CCCD_API cccd_status cccd_read_options_set_policy(cccd_read_options* options, const cccd_policy* policy);

CCCD_API cccd_status cccd_cancel_new(cccd_cancel_token** out);
/* Stops the read (before its next APDU, or at once through the transport's cancel) or the wait for a card
 * that uses this token. Safe from any thread; idempotent; NULL is ignored. */
CCCD_API void cccd_cancel(cccd_cancel_token* token);
/* 1 once cccd_cancel was called on the token, else 0. */
CCCD_API int cccd_cancel_requested(const cccd_cancel_token* token);
CCCD_API void cccd_cancel_free(cccd_cancel_token* token);

/* Reads the card on `transport` and verifies what was read against `trust` (NULL: no CSCA, so signer
 * trust is unknown and the card cannot be "verified"), with `options` (NULL: the defaults). Failures of
 * the read itself (a wrong CAN: CCCD_ERR_ACCESS_DENIED; the card pulled away: CCCD_ERR_CARD_REMOVED; ...)
 * return their status and no result; a card that reads but does not verify is a result whose
 * cccd_result_verified is 0, with the reasons in its JSON. */
CCCD_API cccd_status cccd_read(cccd_transport* transport, const cccd_credentials* credentials,
                               const cccd_trust* trust, const cccd_read_options* options, cccd_result** out);

/* Returns once the card on the PC/SC reader whose name contains `reader_name` (NULL: the first) is gone,
 * at once if there is none: a kiosk calls it before it asks for the next card. CCCD_ERR_TIMEOUT when the
 * card is still there after `timeout_ms`; CCCD_ERR_CANCELLED when `token` (may be NULL) is cancelled. */
CCCD_API cccd_status cccd_wait_for_card_removal(const char* reader_name, uint32_t timeout_ms,
                                                cccd_cancel_token* token);

/* 1 when every applicable finding passed, 0 otherwise. */
CCCD_API int cccd_result_verified(const cccd_result* result);
/* The verdict's findings one by one, in the JSON's order ("access", "chip_authenticity", "consistency",
 * "data_integrity", "document_validity", "qr_consistency" when a QR line was given, "signer_trust"): the
 * name of finding `index`, NULL past the last. A caller that needs the verdict per finding (an audit row,
 * a kiosk's screen) reads it here instead of parsing the JSON. */
CCCD_API const char* cccd_result_finding_name(const cccd_result* result, size_t index);
/* The status of the finding `name`, as the JSON writes it ("passed", "failed", "unknown",
 * "not_supported", "not_checked"); NULL when the verdict has no finding of that name. The strings of both
 * functions are static: they outlive the result. */
CCCD_API const char* cccd_result_finding_status(const cccd_result* result, const char* name);
/* The result as JSON (docs/json-schema.md), UTF-8, owned by the result. Built on the first call (a caller
 * that needs only cccd_result_verified never pays for it); "" if memory runs out. */
CCCD_API const char* cccd_result_json(const cccd_result* result);
/* The same document on one line, without the indentation (a third fewer bytes): for a program that sends
 * it on, as cccd-server answers. Built on its own first call, owned by the result; "" as above. */
CCCD_API const char* cccd_result_json_compact(const cccd_result* result);
/* The face image bytes as stored on the chip (JPEG or JPEG 2000), owned by the result.
 * CCCD_ERR_FILE_NOT_FOUND when the card gave no photo. */
CCCD_API cccd_status cccd_result_photo(const cccd_result* result, const uint8_t** data, size_t* size);
/* Writes the files read to a new dump folder (mode 0700, files 0600): everything is written and fsync'ed
 * in a private temporary folder beside it, which is then renamed to `folder`; after a failure nothing is
 * left behind. An existing `folder` (even an empty one) is refused with CCCD_ERR_IO and left untouched:
 * this function never replaces a folder (remove it first, or choose a new name). docs/dump-format.md. */
CCCD_API cccd_status cccd_result_write_dump(const cccd_result* result, const char* folder);
CCCD_API void cccd_result_free(cccd_result* result);

#ifdef __cplusplus
}
#endif

#endif /* CCCD_CCCD_H */
