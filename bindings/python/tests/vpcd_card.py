"""A card served by `cccd-sim serve` over the vsmartcard vpcd protocol, driven from Python.

This plays the reader driver's side (as examples/custom_transport.c does in C): it listens on
127.0.0.1, the sim connects as the card in the field, and every message both ways is a 2-byte
big-endian length and that many bytes. A 1-byte message to the card is a control command (0x00 power
off, 0x01 power on, 0x04 get ATR, answered with the ATR); a longer one is a command APDU, answered by the
response APDU. Its methods are the callbacks of a cccd.Transport.
"""

import socket
import struct
import subprocess

import cccd

POWER_OFF, POWER_ON, GET_ATR = 0x00, 0x01, 0x04
EXCHANGE_TIMEOUT_S = 15.0


class VpcdCard:
    def __init__(self, sim, card_folder, sim_options=()):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        port = self._listener.getsockname()[1]
        self._connection = None
        self.apdus = 0
        self._sim = subprocess.Popen(
            [sim, "serve", str(card_folder), "--vpcd", f"127.0.0.1:{port}", *sim_options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    # --- the transport's callbacks ---------------------------------------------------------------

    def transmit(self, command):
        if self._connection is None:
            raise cccd.TransportError("no card connected")
        self.apdus += 1
        try:
            self._send(command)
            return self._receive()
        except BaseException:
            self._drop()  # a late answer would be taken for the next command's: the card counts as gone
            raise

    def wait_for_card(self, timeout_ms):
        if self._connection is not None:
            return
        self._listener.settimeout(timeout_ms / 1000)
        try:
            connection, _ = self._listener.accept()
        except socket.timeout:
            raise cccd.CardTimeoutError("no card in time") from None
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.settimeout(EXCHANGE_TIMEOUT_S)
        self._connection = connection
        self._send(bytes([POWER_ON]))
        self._send(bytes([GET_ATR]))
        if len(self._receive()) < 2:
            raise cccd.TransportError("the card's ATR is too short")

    # --- the vpcd framing ------------------------------------------------------------------------

    def _send(self, payload):
        self._connection.sendall(struct.pack(">H", len(payload)) + payload)

    def _receive_exactly(self, size):
        data = bytearray()
        while len(data) < size:
            try:
                chunk = self._connection.recv(size - len(data))
            except socket.timeout:
                raise cccd.CardTimeoutError("the card did not answer in time") from None
            if not chunk:
                raise cccd.CardRemovedError("the card left the field (connection closed)")
            data += chunk
        return bytes(data)

    def _receive(self):
        (length,) = struct.unpack(">H", self._receive_exactly(2))
        return self._receive_exactly(length)

    def _drop(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self):
        """Powers the card off, closes the sockets and stops the sim this object started."""
        if self._connection is not None:
            try:
                self._send(bytes([POWER_OFF]))
            except OSError:
                pass
        self._drop()
        self._listener.close()
        if self._sim.poll() is None:
            self._sim.terminate()
        try:
            self._sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._sim.kill()
            self._sim.wait()
        finally:
            self._sim.stderr.close()

    def transport(self, **limits):
        """This card as a cccd.Transport (extended length unless limits say otherwise)."""
        limits.setdefault("max_command_data", 65535)
        limits.setdefault("max_response_data", 65536)
        return cccd.Transport(self.transmit, wait_for_card=self.wait_for_card, **limits)
