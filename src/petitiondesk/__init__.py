"""PetitionDesk: watch UK Parliament petitions grow."""

__version__ = "0.1.0"

#: Reverse-DNS application id shared by the desktop entry, metainfo and the running app.
APP_ID = "uk.petitiondesk.PetitionDesk"
APP_NAME = "PetitionDesk"
