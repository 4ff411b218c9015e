/* A self-service kiosk on the libcccd C API: wait for a card, show the progress of the read, give up
 * when nobody presents a card in time (a timer thread cancels the wait), go on when the card is pulled
 * away and put back, and wait for the card to be taken before the next customer.
 *
 *   kiosk ID_NUMBER BIRTH EXPIRY READER TIMEOUT_SECONDS [CSCA_FILE_OR_FOLDER]
 *
 * READER is (part of) a PC/SC reader name. The read itself waits for a card without its own limit; the
 * kiosk's timer thread is what ends it, through a cancel token, as a kiosk's screen timeout would.
 * Exit status: 0 verified, 1 read but not verified, 3 no card in time (cancelled), 4 the card was
 * pulled away and not put back, 2 any other failure. */
#include <cccd/cccd.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The timer thread: cancels the token when `seconds` pass before the main thread says the read ended. */
struct timer {
  pthread_mutex_t lock;
  pthread_cond_t done_changed;
  int done;
  int fired;
  unsigned seconds;
  cccd_cancel_token* token;
};

static void* timer_main(void* argument) {
  struct timer* t = argument;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += (time_t)t->seconds;
  pthread_mutex_lock(&t->lock);
  int rc = 0;
  while (!t->done && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&t->done_changed, &t->lock, &deadline);
  if (!t->done) {
    t->fired = 1;
    printf("kiosk: no card within %u s, cancelling\n", t->seconds);
    fflush(stdout);
    cccd_cancel(t->token); /* safe from any thread: ends the wait in pcscd at once */
  }
  pthread_mutex_unlock(&t->lock);
  return NULL;
}

static void on_progress(const cccd_progress* progress, void* user) {
  unsigned* calls = user;
  ++*calls;
  /* A real kiosk would move a bar on its screen; one line per file start and end keeps the log short. */
  if (progress->file_bytes == 0 || progress->file_bytes == progress->file_size) {
    printf("progress: %s %zu/%zu bytes, %u/%u files\n", progress->file, progress->file_bytes,
           progress->file_size, (unsigned)progress->files_done, (unsigned)progress->files_total);
  }
}

int main(int argc, char** argv) {
  if (argc < 6 || argc > 7) {
    fprintf(stderr, "usage: %s ID_NUMBER BIRTH EXPIRY READER TIMEOUT_SECONDS [CSCA]\n", argv[0]);
    return 2;
  }
  const char* reader = argv[4];
  const unsigned timeout_seconds = (unsigned)strtoul(argv[5], NULL, 10);

  cccd_credentials* credentials = NULL;
  cccd_trust* trust = NULL;
  cccd_read_options* options = NULL;
  cccd_cancel_token* token = NULL;
  cccd_status status = cccd_credentials_from_id(argv[1], argv[2], argv[3], &credentials);
  if (status == CCCD_OK && argc == 7) {
    status = cccd_trust_new(&trust);
    if (status == CCCD_OK) status = cccd_trust_add_path(trust, argv[6]);
  }
  unsigned progress_calls = 0;
  if (status == CCCD_OK) status = cccd_read_options_new(&options);
  if (status == CCCD_OK) status = cccd_cancel_new(&token);
  if (status == CCCD_OK) status = cccd_read_options_set_progress(options, on_progress, &progress_calls);
  /* Wait for the card for as long as the timer allows: the timer, not this limit, ends the wait. */
  if (status == CCCD_OK) status = cccd_read_options_set_wait_for_card(options, 24u * 3600 * 1000);
  if (status == CCCD_OK) status = cccd_read_options_set_resume(options, 1, 20000);
  if (status == CCCD_OK) status = cccd_read_options_set_cancel(options, token);
  if (status != CCCD_OK) {
    fprintf(stderr, "setup: %s: %s\n", cccd_status_name(status), cccd_last_error());
    return 2;
  }

  struct timer t = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, timeout_seconds, token};
  pthread_t timer_thread;
  if (pthread_create(&timer_thread, NULL, timer_main, &t) != 0) return 2;

  printf("kiosk: place your card on the reader\n");
  fflush(stdout);
  cccd_result* result = NULL;
  cccd_transport* transport = NULL;
  status = cccd_transport_pcsc_new(reader, &transport);
  if (status == CCCD_OK) status = cccd_read(transport, credentials, trust, options, &result);
  cccd_transport_free(transport);

  pthread_mutex_lock(&t.lock);
  t.done = 1;
  pthread_cond_signal(&t.done_changed);
  pthread_mutex_unlock(&t.lock);
  pthread_join(timer_thread, NULL);
  cccd_credentials_free(credentials);

  int exit_status = 2;
  if (status == CCCD_OK) {
    const int verified = cccd_result_verified(result);
    printf("kiosk: read with %u progress reports: %s\n", progress_calls,
           verified ? "verified" : "not verified");
    exit_status = verified ? 0 : 1;
    cccd_result_free(result);
    /* The next customer only once this card is gone (at most 10 s here). */
    printf("kiosk: please take your card\n");
    fflush(stdout);
    status = cccd_wait_for_card_removal(reader, 10000, NULL);
    printf("kiosk: card %s\n", status == CCCD_OK ? "taken" : "still there");
  } else if (status == CCCD_ERR_CANCELLED && t.fired) {
    printf("kiosk: cancelled, no card was presented\n");
    exit_status = 3;
  } else if (status == CCCD_ERR_CARD_REMOVED || (status == CCCD_ERR_TIMEOUT && progress_calls > 0)) {
    printf("kiosk: the card was pulled away: %s\n", cccd_last_error());
    exit_status = 4;
  } else {
    printf("kiosk: %s: %s\n", cccd_status_name(status), cccd_last_error());
  }
  cccd_read_options_free(options);
  cccd_cancel_free(token);
  cccd_trust_free(trust);
  return exit_status;
}
