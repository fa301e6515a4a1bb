"""Notifiers: freedesktop notifications over a private session bus with a stand-in server, the tray's
messages, and the fake one the other tests use."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from petitiondesk.core.alerts import Announcement
from petitiondesk.gui.notifier import FakeNotifier, FreedesktopNotifier, NullNotifier, plain

# Replies as a notification server does, prints each Notify as JSON, and reports a click on the
# first notification at once (ActionInvoked).
SERVER = textwrap.dedent(
    """
    import json, sys
    from jeepney import DBusAddress, HeaderFields, new_method_return, new_signal
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection
    conn = open_dbus_connection("SESSION")
    conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.Notifications"))
    print("ready", flush=True)
    serial = 41
    while True:
        msg = conn.receive()
        member = msg.header.fields.get(HeaderFields.member)
        if member == "GetCapabilities":
            conn.send(new_method_return(msg, "as", (["actions", "body", "body-markup"],)))
        elif member == "Notify":
            serial += 1
            print(json.dumps([msg.header.fields[HeaderFields.signature], *msg.body]), flush=True)
            conn.send(new_method_return(msg, "u", (serial,)))
            here = DBusAddress("/org/freedesktop/Notifications", interface="org.freedesktop.Notifications")
            conn.send(new_signal(here, "ActionInvoked", "us", (serial, "default")))
    """
)


@pytest.fixture
def session_bus(monkeypatch):
    """A private D-Bus session bus with the stand-in notification server on it."""
    if not shutil.which("dbus-daemon"):
        pytest.fail("dbus-daemon is needed for this test (apt-get install dbus)")
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    yield server
    server.kill()
    server.wait(timeout=10)
    daemon.kill()
    daemon.wait(timeout=10)


def test_a_notification_reaches_the_desktop_as_plain_text_and_a_click_opens_its_petition(qtbot, session_bus):
    notifier = FreedesktopNotifier()
    try:
        announcement = Announcement("Ban <b>x</b>\x1b[2J", "Reached 10,000 signatures.\u202e", 700123, ())
        with qtbot.waitSignal(notifier.activated, timeout=10_000) as clicked:
            notifier.notify(announcement)
        assert clicked.args == [700123]
        signature, app, replaces, _icon, title, body, actions, _hints, timeout = json.loads(
            session_bus.stdout.readline())
        assert signature == "susssasa{sv}i" and (app, replaces, timeout) == ("PetitionDesk", 0, -1)
        assert title == "Ban <b>x</b>"  # the summary line is never markup; escape sequences are gone
        assert body == "Reached 10,000 signatures."
        assert actions == ["default", "Open"]
    finally:
        notifier.close()


def test_markup_in_the_body_is_escaped_for_servers_that_read_markup(qtbot, session_bus):
    notifier = FreedesktopNotifier()
    try:
        notifier.notify(Announcement("While you were away: 1 alert", "<i>Ban x</i> & more: closed", None, ()))
        body = json.loads(session_bus.stdout.readline())[5]
        assert body == "&lt;i&gt;Ban x&lt;/i&gt; &amp; more: closed"
    finally:
        notifier.close()


def test_without_a_session_bus_the_notifier_says_so_and_nothing_breaks(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    notifier = FreedesktopNotifier()
    try:
        with qtbot.waitSignal(notifier.failed, timeout=10_000) as failed:
            notifier.notify(Announcement("t", "b", 1, ()))
        assert failed.args[0].startswith("Desktop notifications are unavailable")
        notifier.notify(Announcement("t", "b", 1, ()))  # ignored, no exception
    finally:
        notifier.close()


def test_the_fake_and_null_notifiers():
    fake = FakeNotifier()
    opened = []
    fake.activated.connect(opened.append)
    fake.notify(Announcement("A", "b", 5, ()))
    fake.notify(Announcement("Summary", "b", None, ()))
    fake.click(0)
    fake.click(1)  # a summary of several petitions opens none
    assert opened == [5]
    NullNotifier().notify(Announcement("A", "b", 5, ()))


def test_long_summaries_are_cut_at_a_line():
    body = "\n".join(f"Petition {i}: reached 10,000 signatures" for i in range(100))
    title, cut = plain(Announcement("While you were away: 100 alerts", body, None, ()))
    assert len(cut) <= 1000 and cut.endswith("\n…")
    assert cut.splitlines()[-2] == body.splitlines()[len(cut.splitlines()) - 2]
