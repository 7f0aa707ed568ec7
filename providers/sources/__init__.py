"""Outside sources: the safe URL fetch, the NPI registry client, and request pacing.

Every request here goes to an address given as an argument (so tests point it at 127.0.0.1),
keeps to a polite rate, and fails with a `ClinicCompareError` subclass whose message says why.
"""

from providers.sources.fetch import Fetched, FetchError, fetch_directory, is_public
from providers.sources.pacing import Pacer
from providers.sources.registry import (
    DEFAULT_URL as NPI_REGISTRY_URL,
)
from providers.sources.registry import (
    NpiRecord,
    NpiRegistry,
    RegistryError,
    Verification,
    verify,
)

__all__ = [
    "NPI_REGISTRY_URL",
    "FetchError",
    "Fetched",
    "NpiRecord",
    "NpiRegistry",
    "Pacer",
    "RegistryError",
    "Verification",
    "fetch_directory",
    "is_public",
    "verify",
]
