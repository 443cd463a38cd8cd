"""Several users at once (issue 17): a small bounded run of bench.ui_load against a real server."""

from __future__ import annotations

from bench.ui_load import PAGES, run_load, sample_server


def test_sessions_browse_without_errors_while_a_slow_sparql_query_runs():
    with sample_server() as url:
        # a generous bound: the sessions stop after one round of the pages, in a few seconds
        result = run_load(url, sessions=3, seconds=60, max_views=len(PAGES), sparql_timeout_s=2.0)
    assert result.browse["views"] == 3 * len(PAGES)  # every session showed every page
    assert result.browse["errors"] == 0, result.browse["error_samples"]
    assert result.alone["errors"] == 0
    assert set(result.browse["pages"]) == {"search", "trace", "project"}
    # the slow query ran and ended at its time limit with a message, not a broken page
    assert result.sparql["views"] >= 1 and result.sparql["errors"] == 0, result.sparql
    assert result.sparql_said and all("超时" in s or "时间" in s for s in result.sparql_said), result.sparql_said
