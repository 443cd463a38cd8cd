"""The `python -m kg` command group and the options its commands share."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ingest.errors import HrssError
from kg.jsonout import dumps
from kg.settings import Settings, load_settings

__all__ = ["cli", "json_option", "settings_options", "fail", "echo_json"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def cli() -> None:
    """hrss-kg: budget performance-goal documents as a knowledge graph, with search and fund tracing.

    \b
        python -m kg build            # data/ → indexes/
        python -m kg search 就业补助
        python -m kg doc "冀财社2021 176"
    """


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def settings_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--data, --indexes, --store and --profile, folded into one `settings` argument."""

    @click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
                  help="Folder of source documents (default: data/).")
    @click.option("--indexes", "index_dir", type=click.Path(path_type=Path), default=None,
                  help="Folder of built indexes (default: indexes/).")
    @click.option("--store", default=None,
                  help="Graph store: memory (default), oxigraph, or a SPARQL 1.1 endpoint URL.")
    @click.option("--profile", type=click.Choice(["small", "large"]), default=None,
                  help="Engines: small = whoosh + in-memory graph (default); "
                       "large = tantivy + Oxigraph (--store still overrides the store).")
    @functools.wraps(f)
    def wrapper(*args: Any, data_dir: Path | None, index_dir: Path | None, store: str | None,
                profile: str | None, **kwargs: Any) -> Any:
        settings: Settings = load_settings(data_dir=data_dir, index_dir=index_dir, store=store,
                                           profile=profile)
        return f(*args, settings=settings, **kwargs)

    return wrapper


def fail(error: HrssError) -> click.ClickException:
    """A core error as a one-line CLI message (no traceback)."""
    return click.ClickException(str(error))


def echo_json(obj: Any, indent: int | None = 2) -> None:
    click.echo(dumps(obj, indent=indent))


def warn(message: str) -> None:
    click.echo(message, err=True)


def main() -> None:
    """Entry point: run the CLI; errors raised on purpose become messages, exit code 1."""
    try:
        prog = Path(sys.argv[0]).name if sys.argv and not sys.argv[0].endswith("__main__.py") else ""
        cli(prog_name=prog or "python -m kg")
    except HrssError as e:  # pragma: no cover - commands convert their own errors
        click.echo(f"错误: {e}", err=True)
        sys.exit(1)
