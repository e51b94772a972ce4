"""The web tier's listening socket, opened once by the launcher and shared by every web
process (daphne's --fd): one address for the browsers, the kernel handing each new
connection to whichever process accepts first (a busy one accepts later), and the port
held while a web process starts or stops."""

import socket

# Connections waiting to be accepted. Twisted's default, 50, drops the rest of a burst (200
# health checks at once), and each dropped client waits a full second before trying again.
BACKLOG = 1024


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) and listening. IPv4 only: daphne adopts a passed
    socket as AF_INET, and would read an IPv6 client's address wrongly (the per-address
    limits use it)."""
    try:
        address = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)[0][4]
    except socket.gaierror:
        raise OSError(
            f"HOST={host} is not an IPv4 address or name; the web tier listens on IPv4"
        ) from None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # A restarted launcher binds again at once, past connections still in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock
