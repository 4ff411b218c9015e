/* libcccd C API: read and verify the chip of a Vietnamese citizen identity card (CCCD).
 *
 * Conventions (in the manner of sqlite3 and libcurl):
 *  - objects are opaque handles, created by cccd_*_new / cccd_read_* and freed by the matching
 *    cccd_*_free, which accept NULL;
 *  - every call that can fail returns a cccd_status; on failure the message of the calling thread's last
 *    error is cccd_last_error() (never personal data);
 *  - no C++ exception crosses this boundary;
 *  - strings returned by the library stay owned by the object they came from and live as long as it.
 */
#ifndef CCCD_CCCD_H
#define CCCD_CCCD_H

#include <stddef.h>

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

CCCD_API const char* cccd_version(void);
/* "ok", "access_denied" ... (the names of the JSON "error.code"). */
CCCD_API const char* cccd_status_name(cccd_status status);
/* The message of this thread's last failed call ("" if none). */
CCCD_API const char* cccd_last_error(void);
/* The same failure as the JSON error document of docs/schema/cccd-result.schema.json ("error": code and
 * message; "verdict": not_verified), as `cccd-verify --json` prints it; "" after a call that succeeded. */
CCCD_API const char* cccd_last_error_json(void);

/* Credentials. birth / expiry: "YYYY-MM-DD" or "YYMMDD" (birth may be "YYYY" or "YYYY-MM" when not on
 * record; expiry "none" for a card without expiry). Wiped when freed. */
CCCD_API cccd_status cccd_credentials_from_id(const char* id_number, const char* birth, const char* expiry,
                                              cccd_credentials** out);
CCCD_API cccd_status cccd_credentials_from_mrz(const char* mrz_text, cccd_credentials** out);
CCCD_API void cccd_credentials_free(cccd_credentials* credentials);

/* Trust store of CSCA certificates: PEM or DER files, or folders of them; PEM/DER CRLs found there are
 * added as CRLs. A master list found by cccd_trust_add_path needs cccd_trust_add_master_list instead. */
CCCD_API cccd_status cccd_trust_new(cccd_trust** out);
CCCD_API cccd_status cccd_trust_add_path(cccd_trust* trust, const char* path);
/* An ICAO CSCA master list (DER CMS SignedData): its signature is checked and its signer must chain to
 * the certificate(s) in `root_path` (a PEM/DER file or a folder), then every CSCA of the list is added.
 * An altered list, or one whose signer does not chain to the root: CCCD_ERR_CRYPTO, nothing added. */
CCCD_API cccd_status cccd_trust_add_master_list(cccd_trust* trust, const char* path, const char* root_path);
/* A CRL file (DER, or PEM with one or more CRLs); a document signer it lists fails signer trust. */
CCCD_API cccd_status cccd_trust_add_crl(cccd_trust* trust, const char* path);
CCCD_API void cccd_trust_free(cccd_trust* trust);

/* Reads and verifies a virtual card: `folder` NULL or "" for the built-in virtual CCCD. With `trust`
 * NULL, the virtual card's own test CSCA is trusted and the result says so ("test_csca": true). */
CCCD_API cccd_status cccd_read_virtual(const char* folder, const cccd_credentials* credentials,
                                       const cccd_trust* trust, cccd_result** out);
/* Reads and verifies the card on a PC/SC reader whose name contains `reader_name` (NULL: the first).
 * With `trust` NULL signer trust is unknown and the card cannot be "verified". */
CCCD_API cccd_status cccd_read_pcsc(const char* reader_name, const cccd_credentials* credentials,
                                    const cccd_trust* trust, cccd_result** out);
/* Reads and verifies the card on a libnfc (PN53x) reader: `connstring` as libnfc writes it, e.g.
 * "pn532_uart:/dev/ttyUSB0"; NULL or "": the first device libnfc finds. `trust` as for cccd_read_pcsc. */
CCCD_API cccd_status cccd_read_nfc(const char* connstring, const cccd_credentials* credentials,
                                   const cccd_trust* trust, cccd_result** out);
/* Verifies a dump folder offline (passive authentication and consistency). */
CCCD_API cccd_status cccd_verify_dump(const char* folder, const cccd_trust* trust, cccd_result** out);
/* The same for a server that chose the Active Authentication challenge (`challenge_length` must be 8, else
 * CCCD_ERR_INVALID_ARGUMENT): chip authenticity passes only when the dump's signature is the chip's over
 * that very challenge, so a replayed dump fails. */
CCCD_API cccd_status cccd_verify_dump_with_challenge(const char* folder, const cccd_trust* trust,
                                                     const unsigned char* challenge, size_t challenge_length,
                                                     cccd_result** out);

/* Read options for kiosks and desks: progress, waiting for a card, a card pulled away and put back, a
 * server's Active Authentication challenge, and cancelling from another thread.
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
  const char* file;   /* "EF.COM", "DG1", "DG2" ...; valid during the callback only */
  size_t file_bytes;  /* bytes of this file read so far */
  size_t file_size;   /* its size; 0 until its header was read */
  size_t files_done;  /* files finished */
  size_t files_total; /* files to read; 0 until EF.COM was read */
} cccd_progress;
typedef void (*cccd_progress_callback)(const cccd_progress* progress, void* user);

CCCD_API cccd_status cccd_read_options_new(cccd_read_options** out);
CCCD_API void cccd_read_options_free(cccd_read_options* options);
/* Called after every chunk read; NULL removes it. `user` is passed back unchanged. */
CCCD_API cccd_status cccd_read_options_set_progress(cccd_read_options* options,
                                                    cccd_progress_callback callback, void* user);
/* PC/SC: wait up to `timeout_ms` for a card to be presented (0, the default: it must be there already).
 * No card in time: CCCD_ERR_TIMEOUT. */
CCCD_API cccd_status cccd_read_options_set_wait_for_card(cccd_read_options* options,
                                                         unsigned long timeout_ms);
/* `resume` non-zero: a card pulled away during the read is waited for up to `wait_ms`, then read on from
 * where it stopped; 0 (the default): the read fails with CCCD_ERR_CARD_REMOVED. */
CCCD_API cccd_status cccd_read_options_set_resume(cccd_read_options* options, int resume,
                                                  unsigned long wait_ms);
/* The Active Authentication challenge (8 bytes, else CCCD_ERR_INVALID_ARGUMENT) a server chose, so that it
 * can check the dump with cccd_verify_dump_with_challenge; NULL: a random one (the default). */
CCCD_API cccd_status cccd_read_options_set_challenge(cccd_read_options* options,
                                                     const unsigned char* challenge, size_t challenge_length);
/* The ceilings of one read, so that a slow or hostile card cannot hold a kiosk: the read fails with
 * CCCD_ERR_TIMEOUT once `time_limit_ms` have passed since its first APDU (waits for a removed card
 * included), and with CCCD_ERR_LIMIT_EXCEEDED before APDU number `max_apdus + 1`. 0 keeps the default
 * (60000 ms, 4000 APDUs; a CCCD read takes a few seconds and under 200 APDUs). */
CCCD_API cccd_status cccd_read_options_set_limits(cccd_read_options* options, unsigned long time_limit_ms,
                                                  unsigned long max_apdus);
/* Reads with these options can be stopped by cccd_cancel(token) (CCCD_ERR_CANCELLED); NULL detaches.
 * The token is not owned and must outlive the reads. */
CCCD_API cccd_status cccd_read_options_set_cancel(cccd_read_options* options, cccd_cancel_token* token);

CCCD_API cccd_status cccd_cancel_new(cccd_cancel_token** out);
/* Stops the read (before its next APDU) or the wait for a card that uses this token, at once. Safe from any
 * thread; idempotent; NULL is ignored. */
CCCD_API void cccd_cancel(cccd_cancel_token* token);
/* 1 once cccd_cancel was called on the token, else 0. */
CCCD_API int cccd_cancel_requested(const cccd_cancel_token* token);
CCCD_API void cccd_cancel_free(cccd_cancel_token* token);

/* cccd_read_pcsc / cccd_read_virtual with options (NULL: the defaults). A virtual card ignores the wait
 * for a card and the resume. */
CCCD_API cccd_status cccd_read_pcsc_with_options(const char* reader_name, const cccd_credentials* credentials,
                                                 const cccd_trust* trust, const cccd_read_options* options,
                                                 cccd_result** out);
CCCD_API cccd_status cccd_read_virtual_with_options(const char* folder, const cccd_credentials* credentials,
                                                    const cccd_trust* trust, const cccd_read_options* options,
                                                    cccd_result** out);
/* Returns once the card on the PC/SC reader whose name contains `reader_name` (NULL: the first) is gone,
 * at once if there is none: a kiosk calls it before it asks for the next card. CCCD_ERR_TIMEOUT when the
 * card is still there after `timeout_ms`; CCCD_ERR_CANCELLED when `token` (may be NULL) is cancelled. */
CCCD_API cccd_status cccd_wait_for_card_removal(const char* reader_name, unsigned long timeout_ms,
                                                cccd_cancel_token* token);

/* 1 when every applicable finding passed, 0 otherwise. */
CCCD_API int cccd_result_verified(const cccd_result* result);
/* The result as JSON (docs/json-schema.md), UTF-8, owned by the result. */
CCCD_API const char* cccd_result_json(const cccd_result* result);
/* The face image bytes as stored on the chip (JPEG or JPEG 2000), owned by the result.
 * CCCD_ERR_FILE_NOT_FOUND when the card gave no photo. */
CCCD_API cccd_status cccd_result_photo(const cccd_result* result, const unsigned char** data, size_t* size);
/* Writes the files read to a dump folder (mode 0700, files 0600). */
CCCD_API cccd_status cccd_result_write_dump(const cccd_result* result, const char* folder);
CCCD_API void cccd_result_free(cccd_result* result);

#ifdef __cplusplus
}
#endif

#endif /* CCCD_CCCD_H */
