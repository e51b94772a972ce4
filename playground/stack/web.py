"""The web server: daphne, with request bodies limited while they stream in, a listen
backlog for bursts, secrets kept out of its access log, and a WebSocket's "not found"
delivered as a close code.

Daphne (through Twisted) reads a whole request body before the application sees any of
it, so a view, or an ASGI middleware, could refuse an oversized upload only once it had
all arrived. Here the limit sits in daphne's request object: past MAX_BODY bytes (or when
Content-Length says so up front) the server answers 413 and closes the connection, and
reads no further.

A consumer that closes a socket before accepting it with a code of its own (4000-4999:
4404 for an unknown run or board) means that code; plain ASGI turns every close before
accept into a 403 at the handshake, which a browser sees only as 1006. Here the handshake
completes and the socket closes with the code, so the page knows to stop for good. A
close without a code (a socket from another origin, playground.socket_origin) is still
refused at the handshake.

autobahn's debug line for each frame sent is formatted whatever the log level; here it is
formatted without colours, which cost a fifth of the process's time in a burst of sockets.

    python -m playground.stack.web -b 127.0.0.1 -p 8000 playground.asgi:application
    python -m playground.stack.web --fd 3 playground.asgi:application  # a shared socket
"""

import io
import json
import os
import re
import sys
import threading
from urllib.parse import unquote_plus

import autobahn.util
import django
from daphne import access, http_protocol, ws_protocol
from daphne import cli as daphne_cli
from daphne.endpoints import build_endpoint_description_strings

from playground import work_pool
from playground.stack.listen import BACKLOG
from sequences.uploads.prepare import MAX_BYTES

MAX_BODY = MAX_BYTES + 64 * 1024  # an upload, and the form fields riding with it
TOO_LARGE = json.dumps(
    {"error": f"The file is larger than {MAX_BYTES // 2**20} MB, the upload limit."}
).encode()


class LimitedRequest(http_protocol.WebRequest):
    refused = False
    received = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django reads forms itself: Twisted's own reading would parse an upload twice, and
        # answer a malformed form with a bare 400 before the API could say what is wrong.
        self._parsePOSTFormSubmission = False

    def gotLength(self, length):
        super().gotLength(length)
        if length is not None and length > MAX_BODY:
            self.refuse()

    def handleContentChunk(self, data):
        if self.refused:
            return
        self.received += len(data)
        if self.received > MAX_BODY:
            self.refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command, path, version):
        if not self.refused:  # a refused request never reaches the application
            super().requestReceived(command, path, version)

    def refuse(self):
        self.refused = True
        self.content = io.BytesIO()  # drop what was buffered
        head = (
            "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(TOO_LARGE)}\r\nConnection: close\r\n\r\n"
        )
        self.channel.transport.write(head.encode() + TOO_LARGE)
        self.channel.transport.loseConnection()


# Query parameters whose values are secrets: the instructor link's `key`.
SECRET_PARAMETERS = {"key"}
QUERY = re.compile(r"\?([^\s\"#]*)")


class RedactedAccessLog(access.AccessLogGenerator):
    """daphne's access log, with the values of secret query parameters left out: whoever
    reads the log must not become the instructor of every workshop in it."""

    def write_entry(self, host, date, request, *args, **kwargs):
        super().write_entry(host, date, QUERY.sub(redacted_query, request), *args, **kwargs)


def redacted_query(match: re.Match) -> str:
    pairs = match.group(1).split("&")
    for i, pair in enumerate(pairs):
        name, equals, _ = pair.partition("=")
        if equals and unquote_plus(name).strip().lower() in SECRET_PARAMETERS:
            pairs[i] = f"{name}=REDACTED"
    return "?" + "&".join(pairs)


def endpoints(*args, **kwargs) -> list[str]:
    """daphne's listening sockets, with room for a burst (a socket passed by --fd was
    opened with that room already: playground.stack.listen)."""
    described = build_endpoint_description_strings(*args, **kwargs)
    return [f"{d}:backlog={BACKLOG}" if d.startswith("tcp:") else d for d in described]


class CodedCloseWebSocket(ws_protocol.WebSocketProtocol):
    def handle_reply(self, message):
        code = message.get("code")
        coded = isinstance(code, int) and 4000 <= code <= 4999
        if (
            message.get("type") == "websocket.close"
            and self.state == self.STATE_CONNECTING
            and coded
        ):
            self.serverAccept()  # completes the handshake at once (the socket is now open)
            self.serverClose(code=code)
            return
        super().handle_reply(message)


def warm_work_pool() -> None:
    """Start the work pool (playground.work_pool) in the background as the server starts,
    so that the first upload or export does not wait for it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    django.setup()
    threading.Thread(target=work_pool.pool().warm, daemon=True).start()


def main():
    # daphne's HTTPFactory builds each request from this module attribute, its
    # WebSocketFactory each socket from its class attribute; its command line builds the
    # access log and the listening sockets from its own.
    http_protocol.WebRequest = LimitedRequest
    ws_protocol.WebSocketFactory.protocol = CodedCloseWebSocket
    daphne_cli.AccessLogGenerator = RedactedAccessLog
    daphne_cli.build_endpoint_description_strings = endpoints
    warm_work_pool()
    # autobahn formats a debug line for every frame it sends, log level or not, and with
    # click installed (Celery brings it) colours each part: measured here, a fifth of the
    # web process's time when 200 sockets read a run's history at once. Plain text instead.
    autobahn.util._HAS_CLICK = False
    daphne_cli.CommandLineInterface().run(sys.argv[1:])


if __name__ == "__main__":
    main()
