"""Settings as data: one frozen dataclass with defaults, overridable from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Settings", "ROOT", "load_settings"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where data and built indexes live and which engines serve them.

    Environment overrides: HRSS_DATA_DIR, HRSS_INDEX_DIR, HRSS_STORE (memory | oxigraph | a SPARQL
    endpoint URL), HRSS_PROFILE (small | large).
    """

    data_dir: Path = ROOT / "data"
    index_dir: Path = ROOT / "indexes"
    store: str = "memory"
    profile: str = "small"
    sparql_row_cap: int = 10_000
    sparql_timeout_s: float = 30.0
    audit_config: Path | None = None  # overrides kg/audit/config.toml thresholds and severities

    def with_(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(**overrides) -> Settings:
    """Defaults, then the environment, then explicit overrides (None means "not given")."""
    env = {
        "data_dir": os.environ.get("HRSS_DATA_DIR"),
        "index_dir": os.environ.get("HRSS_INDEX_DIR"),
        "store": os.environ.get("HRSS_STORE"),
        "profile": os.environ.get("HRSS_PROFILE"),
    }
    s = Settings()
    s = s.with_(**{k: (Path(v) if k.endswith("_dir") and v else v) for k, v in env.items()})
    return s.with_(**{k: (Path(v) if k.endswith("_dir") and v else v) for k, v in overrides.items()})
