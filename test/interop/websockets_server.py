# Echo server on the `websockets` library (asyncio), for ticksocket's interop tests.
# Prints its port on stdout. Commands (text): "fragments" sends a message in three fragments,
# "close CODE REASON" closes with that code and reason; everything else is echoed as received.
import asyncio
import sys

import websockets


async def handler(websocket, path=None):
    async for message in websocket:
        if message == "fragments":
            await websocket.send(["frag", "mented ", "message"])
        elif isinstance(message, str) and message.startswith("close "):
            _, code, reason = message.split(" ", 2)
            await websocket.close(int(code), reason)
        else:
            await websocket.send(message)


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


asyncio.run(main())
