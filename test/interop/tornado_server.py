# Echo server on Tornado, for ticksocket's interop tests. Prints its port on stdout.
# "close CODE REASON" closes with that code and reason; everything else is echoed as received.
import asyncio
import socket

import tornado.web
import tornado.websocket


class Echo(tornado.websocket.WebSocketHandler):
    def on_message(self, message):
        if isinstance(message, str) and message.startswith("close "):
            _, code, reason = message.split(" ", 2)
            self.close(int(code), reason)
        else:
            self.write_message(message, binary=isinstance(message, bytes))


async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    app = tornado.web.Application([(r"/", Echo)], websocket_max_message_size=64 * 1024 * 1024)
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets([sock])
    print(sock.getsockname()[1], flush=True)
    await asyncio.Event().wait()


import tornado.httpserver  # noqa: E402

asyncio.run(main())
