"""Where the sources live and how politely to ask them (from the environment).

Why a frozen dataclass read once: tests and the benchmark point the tools at a local
server and shorten the delays by building a config, never by patching module globals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from maaza_core import paths

DEFAULT_ARXIV_URL = "https://export.arxiv.org/api/query"
DEFAULT_S2_URL = "https://api.semanticscholar.org/graph/v1"
# Where `bib check` stores records fetched for files other than the committed library.
CHECK_CACHE_DIR = paths.BUILD_DIR / "bib-check-cache"


@dataclass(frozen=True)
class SourceConfig:
    """Endpoints, batching and retry policy for the arXiv and Semantic Scholar clients."""

    arxiv_url: str = DEFAULT_ARXIV_URL  # ARXIV_API_URL: the export API's query endpoint
    s2_url: str = DEFAULT_S2_URL  # S2_API_URL: the Graph API base, ending in /graph/v1
    s2_api_key: str | None = field(default=None, repr=False)  # S2_API_KEY; never printed
    arxiv_delay: float = 3.0  # seconds between arXiv requests (arXiv's terms of use ask 3)
    # The export API answers at most 2,000 results per page; 100 ids keep URLs short
    # (100 ids x ~11 chars = ~1.1 kB of query string) and cover this library in 1 call.
    arxiv_batch: int = 100
    s2_batch: int = 500  # the batch endpoint's limit per POST
    retries: int = 3  # extra tries after a failed request (429, 5xx, connection)
    # 429 backoff: waits of backoff, 2*backoff, 4*backoff ... seconds, capped at 60.
    backoff: float = 2.0
    timeout: float = 30.0  # seconds to wait for a response before giving up

    @classmethod
    def from_env(cls, **overrides: object) -> SourceConfig:
        """Endpoints and key from ARXIV_API_URL, S2_API_URL, S2_API_KEY; delays from
        BIB_ARXIV_DELAY / BIB_BACKOFF (for tests and mirrors), then explicit overrides."""
        env = os.environ
        values: dict[str, object] = {
            "arxiv_url": env.get("ARXIV_API_URL") or DEFAULT_ARXIV_URL,
            "s2_url": env.get("S2_API_URL") or DEFAULT_S2_URL,
            "s2_api_key": env.get("S2_API_KEY") or None,
        }
        if env.get("BIB_ARXIV_DELAY"):
            values["arxiv_delay"] = float(env["BIB_ARXIV_DELAY"])
        if env.get("BIB_BACKOFF"):
            values["backoff"] = float(env["BIB_BACKOFF"])
        if env.get("BIB_TIMEOUT"):
            values["timeout"] = float(env["BIB_TIMEOUT"])
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
