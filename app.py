"""hrss-kg 的界面: `streamlit run app.py` (or `make run`).

Routes deep links: `?project=CODE` opens 项目, `?doc=文号` opens 文号, `?q=…` opens 搜索, `?unit=CODE`
opens 单位; every page keeps its own state in the URL.
"""

from __future__ import annotations

import streamlit as st

from pages._ui import PAGES

# The first query parameter present picks the page a bare URL opens.
_ROUTES = (("project", "project"), ("doc", "doc"), ("q", "search"), ("unit", "unit"))


def main() -> None:
    st.set_page_config(page_title="人社预算绩效目标知识图谱", page_icon=":material/hub:", layout="wide")
    route = next((page for param, page in _ROUTES if st.query_params.get(param)), "search")
    pages = {
        key: st.Page(path, title=title, icon=icon, url_path=key, default=(key == route))
        for key, (path, title, icon) in PAGES.items()
    }
    nav = st.navigation({
        "查询": [pages[k] for k in ("search", "doc", "trace", "project")],
        "分析": [pages[k] for k in ("unit", "years", "quality")],
        "工具": [pages[k] for k in ("sparql", "data")],
    })
    st.sidebar.caption("人社部门预算绩效目标 · 知识图谱")
    nav.run()


main()
