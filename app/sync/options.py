"""How a sync run is run, as plain values read from the app's config once per run: `SyncOptions`.

Built by `SyncOptions.from_config(current_app.config)` where a run starts (`runner.execute_run`) and passed down
the call chain, so nothing about a run lives in module state. The keys and their defaults (today's behaviour):

- `SYNC_PAGE_SIZE` (None): products per page; None asks for as many as Shopify's cost cap allows. Tests pin it
  to cut a small catalog in several pages.
- `SYNC_VARIANTS_FIRST` (None): the variants the first products page asks for per product; None is the
  runner's `VARIANTS_FIRST`. Later pages ask for what the catalog's pages so far show is cheapest.
- `SYNC_CLIENT_OPTIONS` ({}): extra `ShopifyClient` keyword arguments (a `sleep` that records instead of
  sleeping, a `session` that meters the points a benchmark used).
- `SYNC_BULK_CONCURRENCY` (5): how many of a run's bulk exports may be out at Shopify at once (Shopify
  allows five bulk queries per shop since 2026-01); 1 runs them one after the other.
- `SYNC_AFTER_PAGE_COMMIT` (None): called with (run context, page number) after every committed page of the
  paged path; a test raises from it to stand for a worker killed at that point.

Must not read anything else, and must not be mutated: a run's options are fixed when it starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class SyncOptions:
    page_size: int | None = None
    variants_first: int | None = None
    client_options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    after_page_commit: Callable[[Any, int], None] | None = None
    bulk_concurrency: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SyncOptions:
        return cls(
            page_size=config.get("SYNC_PAGE_SIZE"),
            variants_first=config.get("SYNC_VARIANTS_FIRST"),
            client_options=MappingProxyType(dict(config.get("SYNC_CLIENT_OPTIONS") or {})),
            after_page_commit=config.get("SYNC_AFTER_PAGE_COMMIT"),
            bulk_concurrency=int(config.get("SYNC_BULK_CONCURRENCY") or 5),
        )
