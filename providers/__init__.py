"""Provider data, one sub-package per concept (import from the sub-package, not from here):

- `providers.directory`: the directory format: columns, reading and validation, writing, the
  formula guard;
- `providers.geo`: places (the offline gazetteer), the optional online geocoder, locating
  clinics, distances and the radius;
- `providers.curation`: the advocates' workspace (the store interface and its SQLite backend),
  duplicates and merges, and the curation workflows both faces call;
- `providers.sources`: outside sources: the safe URL fetch, the NPI registry, request pacing;
- `providers.settings`: the `CLINIC_COMPARE_*` configuration, read and checked in one place.

Nothing is imported here, so a command that needs only the directory format never loads the
network libraries.
"""
