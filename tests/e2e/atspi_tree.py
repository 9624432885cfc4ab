#!/usr/bin/python3
"""Prints the real window's screen-reader tree (AT-SPI) as JSON, as a screen reader reads it.

WebKitGTK's web process speaks AT-SPI itself on the accessibility bus and plugs its root
into the window (the UI process's socket). This reads that root over the same D-Bus
protocol Orca uses: the accessibility bus's address from org.a11y.Bus, the web process's
connection on it, then org.a11y.atspi.Accessible (role, name, attributes, states, children)
node by node (Atspi only names the roles). Debian's python3-gi and gir1.2-atspi-2.0.

Output: {"nodes": [{"depth", "role", "name", "attributes", "states", and "text" for live
regions}, ...]} in document
order, at most --limit nodes (children of a node past --children are left out and counted).
"""

import argparse
import json
import os
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, Gio, GLib  # noqa: E402

ACCESSIBLE = "org.a11y.atspi.Accessible"
ROOT_PREFIX = "/org/a11y/webkit/accessible/"

def call(bus, name, path, iface, method, args=None, reply=None):
    return bus.call_sync(
        name, path, iface, method, args, GLib.VariantType(reply) if reply else None, 0, 10000, None
    ).unpack()


def a11y_bus():
    session = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    address = call(session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", reply="(s)")[0]
    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    return Gio.DBusConnection.new_for_address_sync(address, flags, None, None)


def web_roots(bus):
    """(connection, root path) of each web process's accessible root."""
    names = call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames")[0]
    for name in names:
        if not name.startswith(":"):
            continue
        try:
            xml = call(bus, name, "/org/a11y/webkit/accessible", "org.freedesktop.DBus.Introspectable", "Introspect", reply="(s)")[0]
        except GLib.Error:
            continue
        for node in Gio.DBusNodeInfo.new_for_xml(xml).nodes:
            yield name, ROOT_PREFIX + node.path


def states(bits):
    """The names of the states set in AT-SPI's bit set (two 32-bit words)."""
    out = []
    for word, value in enumerate(bits):
        for bit in range(32):
            if value & (1 << bit):
                out.append(Atspi.StateType(word * 32 + bit).value_nick)
    return out


def walk(bus, name, path, limit, max_children):
    nodes = []
    stack = [(name, path, 0)]
    while stack and len(nodes) < limit:
        owner, where, depth = stack.pop()
        role = Atspi.role_get_name(Atspi.Role(call(bus, owner, where, ACCESSIBLE, "GetRole", reply="(u)")[0]))
        label = call(bus, owner, where, "org.freedesktop.DBus.Properties", "Get", GLib.Variant("(ss)", (ACCESSIBLE, "Name")))[0]
        attributes = call(bus, owner, where, ACCESSIBLE, "GetAttributes", reply="(a{ss})")[0]
        state = call(bus, owner, where, ACCESSIBLE, "GetState", reply="(au)")[0]
        children = call(bus, owner, where, ACCESSIBLE, "GetChildren", reply="(a(so))")[0]
        node = {"depth": depth, "role": role, "name": label, "attributes": attributes, "states": states(state)}
        if "live" in attributes:
            # What the reader would speak from a live region: its text.
            try:
                node["text"] = call(bus, owner, where, "org.a11y.atspi.Text", "GetText", GLib.Variant("(ii)", (0, -1)), "(s)")[0]
            except GLib.Error:
                node["text"] = None
        if len(children) > max_children:
            node["children_left_out"] = len(children) - max_children
        nodes.append(node)
        for child_owner, child_path in reversed(children[:max_children]):
            stack.append((child_owner or owner, child_path, depth + 1))
    return nodes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=4000)
    parser.add_argument("--children", type=int, default=400)
    args = parser.parse_args()
    bus = a11y_bus()
    roots = list(web_roots(bus))
    if not roots:
        sys.exit("no web content on the accessibility bus (is the window open, and AT-SPI on?)")
    # The app has one web view: its root's first child is the document.
    name, root = roots[0]
    json.dump({"bus_name": name, "nodes": walk(bus, name, root, args.limit, args.children)}, sys.stdout)


if __name__ == "__main__":
    os.environ.setdefault("NO_AT_BRIDGE", "1")
    main()
