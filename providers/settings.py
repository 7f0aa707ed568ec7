"""Configuration from `CLINIC_COMPARE_*` variables, read once by the faces and passed down.

The core never reads the environment itself: `Settings.from_env(os.environ)` is called by
`app.py` / `cli.py`, and tests pass plain dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PREFIX = "CLINIC_COMPARE_"


class SettingsError(ValueError):
    """A configuration variable has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    directory: str = "demo"
    max_upload_mb: int = 20

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        directory = env.get(PREFIX + "DIRECTORY", "").strip() or "demo"
        raw = env.get(PREFIX + "MAX_UPLOAD_MB", "").strip() or "20"
        try:
            max_upload_mb = int(raw)
        except ValueError:
            raise SettingsError(
                f"{PREFIX}MAX_UPLOAD_MB must be a whole number, not '{raw}'"
            ) from None
        if not 1 <= max_upload_mb <= 200:
            raise SettingsError(f"{PREFIX}MAX_UPLOAD_MB must be between 1 and 200")
        return cls(directory=directory, max_upload_mb=max_upload_mb)
