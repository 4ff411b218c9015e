/* A transport of your own: libcccd reads a card whose APDUs travel over a link the library knows nothing
 * about. Here the card is served by another process (cccd-sim serve) speaking the vsmartcard vpcd
 * protocol over TCP, and this program plays the reader driver's side of it:
 *
 *   custom_transport [--port N] [--short] [--resume] [--wait SECONDS] [--dump DIR] [--json]
 *                    (--can CAN | --id ID --birth YYYY-MM-DD --expiry YYYY-MM-DD) [--trust CSCA]
 *
 * It listens on 127.0.0.1:N (0, the default: any free port; the port is printed as "listening on
 * 127.0.0.1:PORT"), waits for the card to connect (`cccd-sim serve CARD --vpcd 127.0.0.1:PORT`), reads it
 * with the CAN or the ID number and dates, and verifies it against the CSCA certificate(s) given.
 * --short limits the link to short APDUs; --resume goes on with the read when the card is pulled away
 * and put back; SIGINT or SIGTERM cancels the read at once (through cccd_cancel and the transport's
 * cancel callback). Exit status: 0 verified, 1 read but not verified, 2 the read failed (or bad usage).
 *
 * The vpcd protocol: every message, both ways, is a 2-byte big-endian length and that many bytes. A
 * 1-byte message from the driver is a control command (0x00 power off, 0x01 power on, 0x02 reset: no
 * answer; 0x04 get ATR: answered with the ATR); a longer one is a command APDU, answered by the response
 * APDU. One TCP connection is one card in the field: the card leaving the field closes it, and a card
 * put back connects again. */
#define _POSIX_C_SOURCE 200809L

#include <cccd/cccd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* vpcd control commands (the single byte of a 1-byte message). */
enum { VPCD_POWER_OFF = 0x00, VPCD_POWER_ON = 0x01, VPCD_GET_ATR = 0x04 };

/* How long one exchange (an APDU and its answer, or power on and the ATR) may take. transmit() has no
 * timeout of its own, so the transport must bound it: a card that stops answering must not hold the
 * read forever. A real chip answers the largest READ BINARY in well under a second. */
enum { EXCHANGE_TIMEOUT_MS = 15000 };

/* The longest vpcd message: its length field is 16 bits. */
enum { VPCD_MAX_MESSAGE = 0xFFFF };

/* The transport's state: the `user` of the callbacks. */
struct vpcd_driver {
  int listen_fd;       /* where the card (the sim) connects */
  int card_fd;         /* the card in the field; -1 when there is none */
  int cancel_pipe[2];  /* self-pipe: cancel() writes a byte, every wait polls the read end */
  unsigned long apdus; /* command APDUs sent, for the log: how much a read costs on this link */
  char detail[160];    /* why the last callback failed, for the log (the library takes a status only) */
  uint8_t frame[2 + VPCD_MAX_MESSAGE]; /* one outgoing message, so that it goes out in a single send */
};

static void set_detail(struct vpcd_driver* d, const char* what, int error) {
  if (error != 0) {
    snprintf(d->detail, sizeof d->detail, "%s: %s", what, strerror(error));
  } else {
    snprintf(d->detail, sizeof d->detail, "%s", what);
  }
}

static struct timespec deadline_after(uint32_t ms) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += (time_t)(ms / 1000);
  t.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

/* Milliseconds left until `deadline`, 0 once it passed, rounded up so that poll() does not wake early. */
static int ms_left(const struct timespec* deadline) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long ns =
      (long long)(deadline->tv_sec - now.tv_sec) * 1000000000LL + (deadline->tv_nsec - now.tv_nsec);
  if (ns <= 0) return 0;
  const long long ms = (ns + 999999LL) / 1000000LL;
  return ms > 0x7FFFFFFF ? 0x7FFFFFFF : (int)ms;
}

/* Waits until `fd` is ready for `events`, the deadline passes, or the read is cancelled. The cancel pipe
 * is watched in the same poll(), so a cancel wakes a wait of any length at once. */
static cccd_status wait_ready(struct vpcd_driver* d, int fd, short events, const struct timespec* deadline) {
  for (;;) {
    struct pollfd fds[2] = {{d->cancel_pipe[0], POLLIN, 0}, {fd, events, 0}};
    const int ready = poll(fds, 2, ms_left(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue; /* a signal: the deadline is recomputed on the next turn */
      set_detail(d, "poll", errno);
      return CCCD_ERR_TRANSPORT;
    }
    /* Cancel first: a cancelled read must not go on even if the card answered at the same moment. */
    if (fds[0].revents != 0) {
      set_detail(d, "cancelled", 0);
      return CCCD_ERR_CANCELLED;
    }
    /* POLLHUP / POLLERR count as ready: the recv() or send() that follows tells what happened. */
    if (fds[1].revents != 0) return CCCD_OK;
    if (ready == 0 || ms_left(deadline) == 0) {
      set_detail(d, "no answer in time", 0);
      return CCCD_ERR_TIMEOUT;
    }
  }
}

static int is_gone(int error) {
  return error == ECONNRESET || error == EPIPE || error == ENOTCONN || error == ECONNABORTED;
}

/* Sends all `size` bytes: the socket is non-blocking, so a send may take only part of them. */
static cccd_status send_all(struct vpcd_driver* d, const uint8_t* data, size_t size,
                            const struct timespec* deadline) {
  size_t done = 0;
  while (done < size) {
    cccd_status status = wait_ready(d, d->card_fd, POLLOUT, deadline);
    if (status != CCCD_OK) return status;
    /* MSG_NOSIGNAL: a card that left must give EPIPE here, not a SIGPIPE that ends the program. */
    const ssize_t sent = send(d->card_fd, data + done, size - done, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      set_detail(d, "send", errno);
      return is_gone(errno) ? CCCD_ERR_CARD_REMOVED : CCCD_ERR_TRANSPORT;
    }
    done += (size_t)sent;
  }
  return CCCD_OK;
}

/* Receives exactly `size` bytes. The peer closing the connection is the card leaving the field. */
static cccd_status recv_all(struct vpcd_driver* d, uint8_t* into, size_t size,
                            const struct timespec* deadline) {
  size_t done = 0;
  while (done < size) {
    cccd_status status = wait_ready(d, d->card_fd, POLLIN, deadline);
    if (status != CCCD_OK) return status;
    const ssize_t got = recv(d->card_fd, into + done, size - done, 0);
    if (got == 0) {
      set_detail(d, "the card left the field (connection closed)", 0);
      return CCCD_ERR_CARD_REMOVED;
    }
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      set_detail(d, "recv", errno);
      return is_gone(errno) ? CCCD_ERR_CARD_REMOVED : CCCD_ERR_TRANSPORT;
    }
    done += (size_t)got;
  }
  return CCCD_OK;
}

static cccd_status send_message(struct vpcd_driver* d, const uint8_t* payload, size_t size,
                                const struct timespec* deadline) {
  if (size == 0 || size > VPCD_MAX_MESSAGE) {
    set_detail(d, "a message does not fit the vpcd length field", 0);
    return CCCD_ERR_TRANSPORT;
  }
  d->frame[0] = (uint8_t)(size >> 8);
  d->frame[1] = (uint8_t)(size & 0xFF);
  memcpy(d->frame + 2, payload, size);
  return send_all(d, d->frame, size + 2, deadline);
}

/* Receives one message into `into` (room for `capacity` bytes). A message that does not fit is a
 * transport error: it is never truncated, and the caller drops the connection since the stream cannot
 * be resynchronised. */
static cccd_status recv_message(struct vpcd_driver* d, uint8_t* into, size_t capacity, size_t* size,
                                const struct timespec* deadline) {
  uint8_t header[2];
  cccd_status status = recv_all(d, header, sizeof header, deadline);
  if (status != CCCD_OK) return status;
  const size_t length = (size_t)header[0] << 8 | header[1];
  if (length > capacity) {
    set_detail(d, "the card's answer is longer than the room for it", 0);
    return CCCD_ERR_TRANSPORT;
  }
  status = recv_all(d, into, length, deadline);
  if (status == CCCD_OK) *size = length;
  return status;
}

static void drop_card(struct vpcd_driver* d) {
  if (d->card_fd < 0) return;
  close(d->card_fd);
  d->card_fd = -1;
}

static int set_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Powers the card in the field up and reads its ATR, as a reader does when a card arrives. */
static cccd_status power_on(struct vpcd_driver* d) {
  const struct timespec deadline = deadline_after(EXCHANGE_TIMEOUT_MS);
  const uint8_t power_on_command = VPCD_POWER_ON, get_atr_command = VPCD_GET_ATR;
  cccd_status status = send_message(d, &power_on_command, 1, &deadline);
  if (status == CCCD_OK) status = send_message(d, &get_atr_command, 1, &deadline);
  uint8_t atr[33]; /* ISO/IEC 7816-3: an ATR has at most 33 bytes */
  size_t atr_length = 0;
  if (status == CCCD_OK) status = recv_message(d, atr, sizeof atr, &atr_length, &deadline);
  if (status == CCCD_OK && atr_length < 2) {
    set_detail(d, "the card's ATR is too short", 0);
    status = CCCD_ERR_TRANSPORT;
  }
  if (status != CCCD_OK) {
    drop_card(d);
    /* A card that leaves while it is powered up is simply not there (yet): the caller waits on. */
    return status;
  }
  fprintf(stderr, "card connected, ATR of %zu bytes\n", atr_length);
  return CCCD_OK;
}

/* Waits up to `timeout_ms` for a card (the sim's connection) and powers it up. */
static cccd_status accept_card(struct vpcd_driver* d, uint32_t timeout_ms) {
  const struct timespec deadline = deadline_after(timeout_ms);
  for (;;) {
    cccd_status status = wait_ready(d, d->listen_fd, POLLIN, &deadline);
    if (status == CCCD_ERR_TIMEOUT) set_detail(d, "no card in time", 0);
    if (status != CCCD_OK) return status;
    const int fd = accept(d->listen_fd, NULL, NULL);
    if (fd < 0) {
      /* The listening socket is non-blocking: a connection that went away between poll() and accept()
       * gives EAGAIN or ECONNABORTED instead of blocking; wait for the next one. */
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) continue;
      set_detail(d, "accept", errno);
      return CCCD_ERR_TRANSPORT;
    }
    /* vpcd sends each message and waits for the answer: Nagle's algorithm would hold small ones back. */
    const int on = 1;
    if (set_nonblocking(fd) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) {
      set_detail(d, "socket options", errno);
      close(fd);
      return CCCD_ERR_TRANSPORT;
    }
    d->card_fd = fd;
    status = power_on(d);
    if (status == CCCD_ERR_CARD_REMOVED) continue; /* gone again before its ATR: wait for the next */
    return status;
  }
}

/* --- The callbacks ------------------------------------------------------------------------------------ */

static cccd_status driver_transmit(void* user, const uint8_t* command, size_t command_length,
                                   uint8_t* response, size_t response_capacity, size_t* response_length) {
  struct vpcd_driver* d = user;
  d->detail[0] = '\0'; /* the detail always tells about the last callback */
  if (d->card_fd < 0) {
    set_detail(d, "no card connected", 0);
    return CCCD_ERR_TRANSPORT;
  }
  /* A 1-byte message would be a control command; no APDU is shorter than its 4-byte header. */
  if (command_length < 4) {
    set_detail(d, "a command APDU shorter than its header", 0);
    return CCCD_ERR_TRANSPORT;
  }
  const struct timespec deadline = deadline_after(EXCHANGE_TIMEOUT_MS);
  ++d->apdus;
  cccd_status status = send_message(d, command, command_length, &deadline);
  size_t length = 0;
  if (status == CCCD_OK) status = recv_message(d, response, response_capacity, &length, &deadline);
  if (status == CCCD_OK && length < 2) {
    set_detail(d, "a response without its status word", 0);
    status = CCCD_ERR_TRANSPORT;
  }
  if (status != CCCD_OK) {
    /* After a failure in the middle of an exchange a late answer could still arrive and be taken for
     * the answer to the next command: the connection is unusable, so the card counts as gone. */
    drop_card(d);
    return status;
  }
  *response_length = length;
  return CCCD_OK;
}

static cccd_status driver_wait_for_card(void* user, uint32_t timeout_ms) {
  struct vpcd_driver* d = user;
  d->detail[0] = '\0';
  if (d->card_fd >= 0) return CCCD_OK;
  if (timeout_ms == 0) {
    /* "Is a card there now?": only if its connection is already queued. */
    struct pollfd pending = {d->listen_fd, POLLIN, 0};
    int ready;
    do {
      ready = poll(&pending, 1, 0);
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return CCCD_ERR_NO_CARD;
  }
  return accept_card(d, timeout_ms);
}

static cccd_status driver_reconnect(void* user, uint32_t timeout_ms) {
  struct vpcd_driver* d = user;
  d->detail[0] = '\0';
  /* The library also reconnects, with the card still there, to start over on short APDUs: then a power
   * cycle on the same connection is the fresh start it asks for (vpcd's power off resets the card). */
  if (d->card_fd >= 0) {
    const struct timespec deadline = deadline_after(EXCHANGE_TIMEOUT_MS);
    const uint8_t power_off_command = VPCD_POWER_OFF;
    cccd_status status = send_message(d, &power_off_command, 1, &deadline);
    if (status == CCCD_OK) status = power_on(d);
    if (status == CCCD_OK || status == CCCD_ERR_CANCELLED) return status;
    drop_card(d); /* the card went away meanwhile: wait for it like after a removal */
  }
  return accept_card(d, timeout_ms);
}

/* Runs on the thread that called cccd_cancel. Only write(), which is safe from any thread, and a pipe
 * whose read end every wait polls: a blocked poll() returns at once. The byte stays in the pipe, so the
 * cancel also holds for every later wait of this read (this transport serves a single read). */
static void driver_cancel(void* user) {
  struct vpcd_driver* d = user;
  const uint8_t byte = 1;
  ssize_t written;
  do {
    written = write(d->cancel_pipe[1], &byte, 1);
  } while (written < 0 && errno == EINTR);
  /* EAGAIN: the pipe is full of earlier cancels, which is just as cancelled. */
}

static void driver_free(struct vpcd_driver* d) {
  if (d == NULL) return;
  if (d->card_fd >= 0) {
    /* Power the card down politely; no answer is awaited and a failure changes nothing. */
    const uint8_t message[3] = {0, 1, VPCD_POWER_OFF};
    (void)send(d->card_fd, message, sizeof message, MSG_NOSIGNAL);
    close(d->card_fd);
  }
  if (d->listen_fd >= 0) close(d->listen_fd);
  if (d->cancel_pipe[0] >= 0) close(d->cancel_pipe[0]);
  if (d->cancel_pipe[1] >= 0) close(d->cancel_pipe[1]);
  free(d);
}

static void driver_release(void* user) {
  driver_free(user);
}

/* Listens on 127.0.0.1:port (0: any free port, written back to *port). NULL on failure, with errno. */
static struct vpcd_driver* driver_new(uint16_t* port) {
  struct vpcd_driver* d = calloc(1, sizeof *d);
  if (d == NULL) return NULL;
  d->card_fd = -1;
  d->cancel_pipe[0] = d->cancel_pipe[1] = -1;
  d->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  int ok = d->listen_fd >= 0 && pipe(d->cancel_pipe) == 0;
  /* The write end must never block the cancelling thread; FD_CLOEXEC keeps the descriptors out of any
   * program the integrator starts. */
  for (int i = 0; ok && i < 2; ++i) {
    ok = set_nonblocking(d->cancel_pipe[i]) == 0 && fcntl(d->cancel_pipe[i], F_SETFD, FD_CLOEXEC) == 0;
  }
  if (ok) {
    const int on = 1; /* a restarted program may take its port back at once */
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(*port);
    socklen_t length = sizeof address;
    ok = setsockopt(d->listen_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
         fcntl(d->listen_fd, F_SETFD, FD_CLOEXEC) == 0 && set_nonblocking(d->listen_fd) == 0 &&
         bind(d->listen_fd, (const struct sockaddr*)&address, sizeof address) == 0 &&
         listen(d->listen_fd, 4) == 0 && getsockname(d->listen_fd, (struct sockaddr*)&address, &length) == 0;
    if (ok) *port = ntohs(address.sin_port);
  }
  if (!ok) {
    const int saved = errno;
    driver_free(d);
    errno = saved;
    return NULL;
  }
  return d;
}

/* --- Cancelling on SIGINT / SIGTERM ------------------------------------------------------------------ */

/* cccd_cancel is safe from any thread but not from a signal handler, so the signals are blocked in
 * every thread and a dedicated thread takes them with sigwait() and cancels the read. */
struct signal_watch {
  sigset_t signals;
  cccd_cancel_token* token;
  atomic_int read_over; /* set before the main thread wakes the watcher for the last time */
};

static void* watch_signals(void* argument) {
  struct signal_watch* watch = argument;
  for (;;) {
    int signal_number = 0;
    if (sigwait(&watch->signals, &signal_number) != 0) continue;
    if (atomic_load(&watch->read_over)) return NULL;
    fprintf(stderr, "signal %d: cancelling the read\n", signal_number);
    cccd_cancel(watch->token);
  }
}

/* --- The program ------------------------------------------------------------------------------------- */

struct arguments {
  unsigned long port;
  int short_apdus, resume, json;
  unsigned long wait_seconds;
  const char *dump, *can, *id, *birth, *expiry, *trust;
};

static int usage(const char* program) {
  fprintf(stderr,
          "usage: %s [--port N] [--short] [--resume] [--wait SECONDS] [--dump DIR] [--json]\n"
          "       (--can CAN | --id ID --birth YYYY-MM-DD --expiry YYYY-MM-DD) [--trust CSCA]\n",
          program);
  return 2;
}

static int parse_number(const char* text, unsigned long max, unsigned long* out) {
  if (text == NULL || *text < '0' || *text > '9') return 0;
  char* end = NULL;
  errno = 0;
  const unsigned long value = strtoul(text, &end, 10);
  if (errno != 0 || *end != '\0' || value > max) return 0;
  *out = value;
  return 1;
}

static int parse_arguments(int argc, char** argv, struct arguments* a) {
  memset(a, 0, sizeof *a);
  a->wait_seconds = 30;
  for (int i = 1; i < argc; ++i) {
    const char* name = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : NULL;
    const char** text_option = strcmp(name, "--dump") == 0     ? &a->dump
                               : strcmp(name, "--can") == 0    ? &a->can
                               : strcmp(name, "--id") == 0     ? &a->id
                               : strcmp(name, "--birth") == 0  ? &a->birth
                               : strcmp(name, "--expiry") == 0 ? &a->expiry
                               : strcmp(name, "--trust") == 0  ? &a->trust
                                                               : NULL;
    if (text_option != NULL) {
      if (value == NULL) return 0;
      *text_option = value;
      ++i;
    } else if (strcmp(name, "--port") == 0) {
      if (!parse_number(value, 65535, &a->port)) return 0;
      ++i;
    } else if (strcmp(name, "--wait") == 0) {
      if (!parse_number(value, 24UL * 3600, &a->wait_seconds)) return 0;
      ++i;
    } else if (strcmp(name, "--short") == 0) {
      a->short_apdus = 1;
    } else if (strcmp(name, "--resume") == 0) {
      a->resume = 1;
    } else if (strcmp(name, "--json") == 0) {
      a->json = 1;
    } else {
      return 0;
    }
  }
  /* Either the CAN alone or the ID number with both dates. */
  const int by_id = a->id != NULL && a->birth != NULL && a->expiry != NULL;
  const int any_id = a->id != NULL || a->birth != NULL || a->expiry != NULL;
  return a->can != NULL ? !any_id : by_id;
}

static int report_failure(const char* what, cccd_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, cccd_status_name(status), cccd_last_error());
  return 2;
}

/* The vpcd driver as a libcccd transport, or NULL (the reason printed). The transport owns the driver
 * from then on and frees it through `release`; *driver stays usable for its log until the transport is
 * freed. */
static cccd_transport* open_transport(const struct arguments* args, struct vpcd_driver** driver) {
  uint16_t port = (uint16_t)args->port;
  *driver = driver_new(&port);
  if (*driver == NULL) {
    fprintf(stderr, "listen on 127.0.0.1:%lu: %s\n", args->port, strerror(errno));
    return NULL;
  }
  cccd_transport_callbacks callbacks;
  memset(&callbacks, 0, sizeof callbacks); /* whatever a later header adds stays NULL / 0 */
  callbacks.struct_size = sizeof callbacks;
  callbacks.transmit = driver_transmit;
  callbacks.wait_for_card = driver_wait_for_card;
  callbacks.reconnect = driver_reconnect;
  callbacks.cancel = driver_cancel;
  callbacks.release = driver_release;
  /* The limits are fixed before any card is seen: extended length here (the sim's ATR announces it);
   * 0 means short APDUs. If a link refuses an extended APDU the library reconnects and goes on short. */
  callbacks.max_command_data = args->short_apdus ? 0 : 65535;
  callbacks.max_response_data = args->short_apdus ? 0 : 65536;
  cccd_transport* transport = NULL;
  const cccd_status status = cccd_transport_new(&callbacks, *driver, &transport);
  if (status != CCCD_OK) {
    driver_free(*driver); /* never handed over */
    *driver = NULL;
    report_failure("transport", status);
    return NULL;
  }
  printf("listening on 127.0.0.1:%u\n", (unsigned)port);
  fflush(stdout); /* a script waits for this line before it starts the card */
  return transport;
}

/* Reads the card with SIGINT / SIGTERM cancelling the read, and reports. Returns the exit status. */
static int read_card(cccd_transport* transport, const struct vpcd_driver* driver,
                     const cccd_credentials* credentials, const cccd_trust* trust,
                     const cccd_read_options* options, struct signal_watch* watch,
                     const struct arguments* args) {
  pthread_t watcher;
  if (pthread_create(&watcher, NULL, watch_signals, watch) != 0) {
    fprintf(stderr, "cannot start the thread that watches for signals\n");
    return 2;
  }
  cccd_result* result = NULL;
  cccd_status status = cccd_read(transport, credentials, trust, options, &result);
  /* Tell the watcher the read is over and wake it with a signal it takes: it must be gone before the
   * token it cancels is freed. */
  atomic_store(&watch->read_over, 1);
  pthread_kill(watcher, SIGTERM);
  pthread_join(watcher, NULL);
  fprintf(stderr, "%lu command APDUs sent\n", driver->apdus);
  if (status != CCCD_OK) {
    /* The library knows only the status a callback returned; the socket's own reason is here. */
    if (driver->detail[0] != '\0') fprintf(stderr, "transport: %s\n", driver->detail);
    return report_failure("read", status);
  }

  const int verified = cccd_result_verified(result);
  if (args->json) printf("%s\n", cccd_result_json(result)); /* personal data: only when asked for */
  printf("overall: %s\n", verified ? "verified" : "not verified");
  int exit_status = verified ? 0 : 1;
  if (args->dump != NULL) {
    status = cccd_result_write_dump(result, args->dump);
    if (status != CCCD_OK) exit_status = report_failure("dump", status);
  }
  cccd_result_free(result);
  return exit_status;
}

int main(int argc, char** argv) {
  struct arguments args;
  if (!parse_arguments(argc, argv, &args)) return usage(argv[0]);

  /* Block the signals before any thread starts, so that every thread (the library's included) inherits
   * the mask and only the watcher takes them. */
  struct signal_watch watch;
  sigemptyset(&watch.signals);
  sigaddset(&watch.signals, SIGINT);
  sigaddset(&watch.signals, SIGTERM);
  watch.token = NULL;
  atomic_init(&watch.read_over, 0);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &watch.signals, &old_mask);

  /* Every handle starts NULL and each step runs only when the ones before it succeeded; all of them are
   * freed at the end, whichever step failed (the free functions accept NULL). */
  int exit_status = 2;
  cccd_credentials* credentials = NULL;
  cccd_trust* trust = NULL;
  cccd_read_options* options = NULL;
  cccd_cancel_token* token = NULL;
  cccd_transport* transport = NULL;
  struct vpcd_driver* driver = NULL;

  cccd_status status = args.can != NULL
                           ? cccd_credentials_from_can(args.can, &credentials)
                           : cccd_credentials_from_id(args.id, args.birth, args.expiry, &credentials);
  if (status != CCCD_OK) report_failure("credentials", status);

  /* Without a CSCA the document signer cannot be trusted, so the card could never read as verified. */
  if (status == CCCD_OK && args.trust != NULL) {
    status = cccd_trust_new(&trust);
    if (status == CCCD_OK) status = cccd_trust_add_path(trust, args.trust);
    if (status != CCCD_OK) report_failure("trust", status);
  }

  if (status == CCCD_OK) {
    status = cccd_read_options_new(&options);
    if (status == CCCD_OK) status = cccd_cancel_new(&token);
    if (status == CCCD_OK) status = cccd_read_options_set_cancel(options, token);
    /* The card connects when the sim starts: the read waits for it (through wait_for_card). */
    if (status == CCCD_OK) {
      status = cccd_read_options_set_wait_for_card(options, (uint32_t)args.wait_seconds * 1000);
    }
    /* Resuming needs the reconnect callback: a card put back within 10 s is read on where it stopped. */
    if (status == CCCD_OK && args.resume) status = cccd_read_options_set_resume(options, 1, 10000);
    if (status != CCCD_OK) report_failure("options", status);
  }

  if (status == CCCD_OK) transport = open_transport(&args, &driver);
  if (transport != NULL) {
    watch.token = token;
    exit_status = read_card(transport, driver, credentials, trust, options, &watch, &args);
  }

  cccd_transport_free(transport); /* releases the driver: closes its sockets and its pipe */
  cccd_read_options_free(options);
  cccd_cancel_free(token);
  cccd_trust_free(trust);
  cccd_credentials_free(credentials); /* wipes the CAN or the ID number and dates */
  pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
  return exit_status;
}
