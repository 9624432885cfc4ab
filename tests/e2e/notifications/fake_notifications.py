"""A desktop notification server for the end-to-end tests: it owns
org.freedesktop.Notifications on the session bus, as a desktop's notification daemon does
(the Desktop Notifications Specification 1.2), and is driven through its standard streams.

Each notification received is printed as one JSON line on stdout:
    {"id": 1, "app": "...", "summary": "...", "body": "...", "actions": ["default", ""]}
A line "click ID" on stdin clicks notification ID the way a daemon reports a click on its
body: the signal ActionInvoked(ID, "default"), then NotificationClosed(ID, 2 = dismissed).
"""

import asyncio
import json
import sys

from dbus_next import BusType
from dbus_next.aio import MessageBus
from dbus_next.service import ServiceInterface, method, signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Notifications(ServiceInterface):
    def __init__(self):
        super().__init__(NAME)
        self.next_id = 1

    @method()
    def GetCapabilities(self) -> "as":
        return ["actions", "body"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["herald-fake-notifications", "Herald", "1.0", "1.2"]

    @method()
    def Notify(
        self,
        app_name: "s",
        replaces_id: "u",
        app_icon: "s",
        summary: "s",
        body: "s",
        actions: "as",
        hints: "a{sv}",
        expire_timeout: "i",
    ) -> "u":
        nid = replaces_id or self.next_id
        self.next_id = max(self.next_id, nid) + 1
        line = {"id": nid, "app": app_name, "summary": summary, "body": body, "actions": actions}
        print(json.dumps(line), flush=True)
        return nid

    @method()
    def CloseNotification(self, nid: "u"):
        self.NotificationClosed(nid, 3)

    @signal()
    def ActionInvoked(self, nid, action) -> "us":
        return [nid, action]

    @signal()
    def NotificationClosed(self, nid, reason) -> "uu":
        return [nid, reason]


async def main():
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    server = Notifications()
    bus.export(PATH, server)
    await bus.request_name(NAME)
    print(json.dumps({"ready": True}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        raw = await reader.readline()
        if not raw:
            return
        words = raw.decode().split()
        if len(words) == 2 and words[0] == "click":
            nid = int(words[1])
            server.ActionInvoked(nid, "default")
            server.NotificationClosed(nid, 2)


if __name__ == "__main__":
    asyncio.run(main())
