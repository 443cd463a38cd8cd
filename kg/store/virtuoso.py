"""Virtuoso's bulk loader: a build's N-Triples loaded through `isql` (`ld_dir` + `rdf_loader_run()`).

The Graph Store Protocol inserts a build transactionally, request by request; Virtuoso's own loader
reads files from a folder the server may read (its `DirsAllowed`) and is the fast path when the
server runs on this machine. It is used when `settings.virtuoso_isql` (HRSS_VIRTUOSO_ISQL,
`host:port` of the SQL port) is set; the account is the endpoint's (HRSS_ENDPOINT_USER /
HRSS_ENDPOINT_PASSWORD, from the environment only). When the isql client is missing or cannot log
in, `kg.store.files.write_store` falls back to the Graph Store endpoint.

isql takes the password on its command line (it has no other non-interactive way), so it is visible
to local users in `ps` for the seconds the client runs: use a loader account on a machine whose
users may see it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.settings import Settings
from kg.store.errors import StoreError

__all__ = ["BulkLoader", "IsqlError", "bulk_loader"]

_CLIENTS = ("isql-vt", "isql-v")  # Debian's name, then the one some packages use (not unixODBC's isql)
_ERROR_MARK = "HRSS-LOAD-ERROR"
_SESSION = ("VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF")


class IsqlError(StoreError):
    """isql could not run, log in, or run a statement."""


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class BulkLoader:
    """isql on a local Virtuoso: `address` is host:port of its SQL port."""

    client: str
    address: str
    user: str
    password: str = field(repr=False)
    load_dir: Path | None = None  # default: the first folder of the server's DirsAllowed we can write
    timeout: float = 3600.0

    def run(self, script: str, timeout: float | None = None) -> str:
        """The output of an isql script; IsqlError when isql fails or a statement raises an error."""
        try:
            done = subprocess.run([self.client, self.address, self.user, self.password, *_SESSION],
                                  input=script, capture_output=True, text=True,
                                  timeout=timeout or self.timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise IsqlError(f"isql {self.address}: {e}") from e
        errors = [ln for ln in done.stderr.splitlines() if ln.startswith("*** Error")]
        if done.returncode != 0 or errors:
            detail = errors[0] if errors else (done.stderr.strip() or f"exit status {done.returncode}")
            raise IsqlError(f"isql {self.address}: {detail}")
        return done.stdout

    def writable_dir(self) -> Path:
        """Where the loader's files go: `load_dir`, else a folder of the server's DirsAllowed."""
        if self.load_dir is not None:
            return self.load_dir
        out = self.run("select cfg_item_value(virtuoso_ini_path(), 'Parameters', 'DirsAllowed');", 60)
        for raw in ",".join(out.splitlines()).split(","):
            d = Path(raw.strip())
            if d.is_absolute() and d.is_dir() and _writable(d):
                return d
        raise IsqlError(f"isql {self.address}: no folder of the server's DirsAllowed ({out.strip()}) "
                        "is an absolute path this process can write; set HRSS_VIRTUOSO_LOAD_DIR")

    def load(self, graph: str, chunks: Iterable[bytes]) -> None:
        """Load N-Triples chunks into the named graph `graph`, then checkpoint.

        The files are written into a fresh folder under the load folder, registered with `ld_dir`,
        loaded by `rdf_loader_run()`, and removed with their `load_list` rows afterwards.
        """
        folder = Path(tempfile.mkdtemp(prefix="hrss-load-", dir=self.writable_dir()))
        try:
            folder.chmod(0o755)  # the server may run as another user
            for n, chunk in enumerate(chunks):
                (folder / f"{n:06d}.nt").write_bytes(chunk)
            where = f"ll_file like {_sql_string(str(folder) + '/%')}"
            out = self.run(
                f"ld_dir({_sql_string(str(folder))}, '*.nt', {_sql_string(graph)});\n"
                "rdf_loader_run();\n"
                "checkpoint;\n"
                f"select '{_ERROR_MARK}', ll_file, ll_error from DB.DBA.load_list "
                f"where {where} and (ll_error is not null or ll_state <> 2);\n"
                f"delete from DB.DBA.load_list where {where};\n")
            failed = [ln.split(_ERROR_MARK, 1)[1].strip() for ln in out.splitlines() if _ERROR_MARK in ln]
            if failed:
                raise IsqlError(f"Virtuoso 批量装载失败: {failed[0]}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _writable(d: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=d):
            return True
    except OSError:
        return False


def bulk_loader(settings: Settings) -> BulkLoader | None:
    """The bulk loader the settings configure (`virtuoso_isql`), or None.

    IsqlError when it is configured but no Virtuoso isql client is installed.
    """
    if not settings.virtuoso_isql:
        return None
    client = next((c for c in map(shutil.which, _CLIENTS) if c), None)
    if client is None:
        raise IsqlError("HRSS_VIRTUOSO_ISQL is set but no isql client (isql-vt) is installed")
    return BulkLoader(client, settings.virtuoso_isql, settings.endpoint_user or "dba",
                      settings.endpoint_password or "", settings.virtuoso_load_dir)
