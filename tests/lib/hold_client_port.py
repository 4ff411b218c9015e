# Usage: /usr/bin/python3 tests/lib/hold_client_port.py PORT
# Holds a connected TCP client socket whose local port is PORT (on 127.0.0.1), the way any client
# connection on the machine may happen to, until killed. Prints "held" once it does, or "busy" when
# something else has the port already. No SO_REUSEADDR, as an ordinary client: a server that then binds
# PORT fails (tests/lib/pcscd_stack.sh holds Debian's vpcd port 35963 so that a pcscd configured with it
# would have no reader, and the test would fail at once instead of now and then).
import signal
import socket
import sys

port = int(sys.argv[1])
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
client = socket.socket()
try:
    client.bind(("127.0.0.1", port))
except OSError:
    print("busy", flush=True)
    sys.exit(0)
client.connect(listener.getsockname())
accepted, _ = listener.accept()
print("held", flush=True)
signal.pause()
