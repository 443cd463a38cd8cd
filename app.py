"""hrss-kg 的界面: `streamlit run app.py` (or `make run`).

Pages live in views/. A bare URL with a deep link opens its page: `?project=CODE` → 项目,
`?doc=文号` → 文号, `?unit=CODE` → 单位 (`?q=…` stays on 搜索), each with its other parameters
(`&region=…` names the region of a unit or project code that several regions use); every page keeps
its own state in the URL.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from views._ui import PAGES

# A local file: a Material icon as page_icon makes every browser fetch it from an outside font host.
_FAVICON = Path(__file__).parent / "views" / "static" / "favicon.png"
# The first of these query parameters present on a bare URL picks the page it opens.
_ROUTES = (("project", "project"), ("doc", "doc"), ("unit", "unit"))


def main() -> None:
    st.set_page_config(page_title="人社预算绩效目标知识图谱", page_icon=str(_FAVICON), layout="wide")
    pages = {
        key: st.Page(path, title=title, icon=icon, url_path=key, default=(key == "search"))
        for key, (path, title, icon) in PAGES.items()
    }
    nav = st.navigation({
        "查询": [pages[k] for k in ("search", "doc", "trace", "project")],
        "分析": [pages[k] for k in ("unit", "years", "quality")],
        "工具": [pages[k] for k in ("sparql", "data")],
    })
    first_run = not st.session_state.get("app-routed")
    st.session_state["app-routed"] = True
    if first_run and nav is pages["search"] and not st.query_params.get("q"):
        route = next((page for param, page in _ROUTES if st.query_params.get(param)), None)
        if route is not None:
            st.switch_page(pages[route], query_params=st.query_params.to_dict())
    st.sidebar.caption("人社部门预算绩效目标 · 知识图谱")
    nav.run()


main()
