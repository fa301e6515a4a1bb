"""Where PetitionDesk keeps its files: one place, so that every command agrees."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from petitiondesk import APP_NAME

DATA_DIR_ENV = "PETITIONDESK_DATA_DIR"
API_BASE_ENV = "PETITIONDESK_API_BASE"
DEFAULT_API_BASE = "https://petition.parliament.uk"
DATABASE_NAME = "petitiondesk.sqlite3"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: `--data-dir`, else $PETITIONDESK_DATA_DIR, else the platform's user data dir."""
    chosen = override or os.environ.get(DATA_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(folder: Path) -> Path:
    return folder / DATABASE_NAME


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def api_base(override: str | None = None) -> str:
    return (override or os.environ.get(API_BASE_ENV) or DEFAULT_API_BASE).rstrip("/")
