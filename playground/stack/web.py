"""The web server: daphne, with request bodies limited while they stream in, and a
WebSocket's "not found" delivered as a close code.

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

    python -m playground.stack.web -b 127.0.0.1 -p 8000 playground.asgi:application
"""

import io
import json
import sys

from daphne import http_protocol, ws_protocol
from daphne.cli import CommandLineInterface

from sequences.uploads.prepare import MAX_BYTES

MAX_BODY = MAX_BYTES + 64 * 1024  # an upload, and the form fields riding with it
TOO_LARGE = json.dumps(
    {"error": f"The file is larger than {MAX_BYTES // 2**20} MB, the upload limit."}
).encode()


class LimitedRequest(http_protocol.WebRequest):
    refused = False
    received = 0

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


def main():
    # daphne's HTTPFactory builds each request from this module attribute, and its
    # WebSocketFactory each socket from its class attribute.
    http_protocol.WebRequest = LimitedRequest
    ws_protocol.WebSocketFactory.protocol = CodedCloseWebSocket
    CommandLineInterface().run(sys.argv[1:])


if __name__ == "__main__":
    main()
