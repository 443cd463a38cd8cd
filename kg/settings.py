"""Settings as data: one frozen dataclass with defaults, overridable from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest.errors import HrssError

__all__ = ["Settings", "ROOT", "HOME", "PROFILES", "SettingsError", "load_settings"]

ROOT = Path(__file__).resolve().parent.parent
# A checkout keeps data/ and indexes/ beside kg/; an installed `hrss-kg` uses the working directory.
HOME = ROOT if (ROOT / "pyproject.toml").exists() else Path.cwd()

# The scale configuration is one setting. "small" (default): pure-Python engines, right for a county
# or a city. "large": Rust engines for a province — tantivy for search, Oxigraph for the graph. The
# segmenter is rjieba in both whenever it is installed (it gives jieba's tokens, faster).
PROFILES: dict[str, dict[str, str]] = {
    "small": {"search": "whoosh", "store": "memory"},
    "large": {"search": "tantivy", "store": "oxigraph"},
}


class SettingsError(HrssError, ValueError):
    """A setting has a value hrss-kg does not know."""


@dataclass(frozen=True)
class Settings:
    """Where data and built indexes live and which engines serve them.

    Environment overrides: HRSS_DATA_DIR, HRSS_INDEX_DIR, HRSS_STORE (memory | oxigraph | a SPARQL
    endpoint URL), HRSS_PROFILE (small | large), HRSS_LOCK_TIMEOUT (seconds), HRSS_<LIMIT> for
    the query and export limits (HRSS_SPARQL_TIMEOUT_S, HRSS_SPARQL_MEMORY_MB, …), HRSS_ENDPOINT_*
    for a SPARQL server's paths and account, HRSS_VIRTUOSO_ISQL / HRSS_VIRTUOSO_LOAD_DIR for
    Virtuoso's bulk loader.
    """

    data_dir: Path = HOME / "data"
    index_dir: Path = HOME / "indexes"
    store: str = "memory"
    profile: str = "small"
    sparql_row_cap: int = 10_000
    sparql_timeout_s: float = 30.0
    # User SPARQL (kg sparql, the SPARQL page, kg serve) runs in worker processes within these limits
    sparql_max_chars: int = 100_000  # a longer query is refused before parsing
    sparql_max_depth: int = 40  # nested { ( [ groups; rdflib fails past ~50, pyoxigraph crashes ~2,200
    sparql_memory_mb: int = 1024  # heap a worker may add over what the opened store uses
    sparql_workers: int = 2  # worker processes kept warm; more concurrent queries wait
    export_jsonld_max_triples: int = 500_000  # JSON-LD is built in memory: larger graphs are refused
    # A SPARQL server's paths, when they are not Oxigraph's …/query, …/update, …/store (Virtuoso:
    # /sparql, /sparql-auth, /sparql-graph-crud-auth), and the account that may write to it.
    endpoint_query_path: str | None = None
    endpoint_update_path: str | None = None
    endpoint_store_path: str | None = None
    endpoint_user: str | None = None  # from HRSS_ENDPOINT_USER, never written into a build
    endpoint_password: str | None = field(default=None, repr=False)  # from HRSS_ENDPOINT_PASSWORD
    # A Virtuoso on this machine loads a build through its bulk loader (isql on host:port of its SQL
    # port, the endpoint's account) from a folder of its DirsAllowed (default: the first one we can
    # write); without isql the build goes through the Graph Store endpoint.
    virtuoso_isql: str | None = None  # HRSS_VIRTUOSO_ISQL, e.g. 127.0.0.1:1111
    virtuoso_load_dir: Path | None = None  # HRSS_VIRTUOSO_LOAD_DIR
    audit_config: Path | None = None  # overrides kg/audit/config.toml thresholds and severities
    lock_timeout_s: float = 60.0  # how long `kg build` / `kg add` wait for another one to finish

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise SettingsError(f"unknown profile {self.profile!r}; profiles: {', '.join(PROFILES)}")

    @property
    def search_backend(self) -> str:
        """The search engine of the profile ("whoosh" or "tantivy")."""
        return PROFILES[self.profile]["search"]

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _seconds(text: str | None) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as e:
        raise SettingsError(f"HRSS_LOCK_TIMEOUT must be a number of seconds, not {text!r}") from e
    if not value >= 0:
        raise SettingsError(f"HRSS_LOCK_TIMEOUT must be 0 or more seconds, not {text!r}")
    return value


# Query and export limits a deployment may set: HRSS_SPARQL_TIMEOUT_S=10 and so on.
_LIMITS = {"sparql_row_cap": int, "sparql_timeout_s": float, "sparql_max_chars": int,
           "sparql_max_depth": int, "sparql_memory_mb": int, "sparql_workers": int,
           "export_jsonld_max_triples": int}


def _limits_from_env() -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    for name, kind in _LIMITS.items():
        raw = os.environ.get(f"HRSS_{name.upper()}")
        if raw in (None, ""):
            continue
        try:
            out[name] = kind(raw)
        except ValueError as e:
            raise SettingsError(f"HRSS_{name.upper()}={raw!r}: expected a number") from e
    return out


def load_settings(**overrides: Any) -> Settings:
    """Defaults, then the environment, then explicit overrides (None means "not given").

    The store follows the profile ("large" → oxigraph) unless HRSS_STORE or `store` names one.
    """
    env: dict[str, Any] = {
        "data_dir": os.environ.get("HRSS_DATA_DIR"),
        "index_dir": os.environ.get("HRSS_INDEX_DIR"),
        "store": os.environ.get("HRSS_STORE"),
        "profile": os.environ.get("HRSS_PROFILE"),
        "lock_timeout_s": _seconds(os.environ.get("HRSS_LOCK_TIMEOUT")),
        **{k: os.environ.get(f"HRSS_{k.upper()}") for k in (
            "endpoint_query_path", "endpoint_update_path", "endpoint_store_path", "endpoint_user",
            "endpoint_password", "virtuoso_isql", "virtuoso_load_dir")},
    }
    profile = overrides.get("profile") or env["profile"]
    if profile and not (overrides.get("store") or env["store"]):
        env["store"] = PROFILES[profile]["store"] if profile in PROFILES else None
    s = Settings()
    s = s.with_(**{k: (Path(v) if k.endswith("_dir") and v else v) for k, v in env.items()})
    s = s.with_(**_limits_from_env())
    return s.with_(**{k: (Path(v) if k.endswith("_dir") and v else v) for k, v in overrides.items()})
