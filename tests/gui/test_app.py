"""The running app reports the same id and icon as its desktop entry, so the window gets both."""

from petitiondesk import APP_ID, APP_NAME
from petitiondesk.gui.app import _application


def test_application_identity_and_icon(qapp):
    app = _application()
    assert app.desktopFileName() == APP_ID
    assert app.applicationName() == APP_NAME
    icon = app.windowIcon()
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).isNull()
