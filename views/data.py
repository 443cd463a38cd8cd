"""导入与导出: upload a document, see its warnings, add it without restarting; export the graph."""

from __future__ import annotations

import streamlit as st

from ingest.errors import HrssError
from ingest.regions import RegionIndex
from views.model.files import (
    EXPORT_FORMATS,
    UPLOAD_SUFFIXES,
    accept_upload,
    discard_upload,
    export_bytes,
    parse_upload,
    stage_upload,
    upload_loaded,
    upload_region,
)
from views.model.rows import diagnostic_rows
from views import _ui


@st.cache_resource(show_spinner=False)
def regions() -> RegionIndex:
    """The regions data shipped in ontology/ (read once per process)."""
    return RegionIndex.load()


st.title("导入与导出")
s = _ui.settings()
version = _ui.build_version(s)


def run_build() -> None:
    from kg.build import build

    with st.spinner("正在构建图谱、索引与资金脉络…"):
        try:
            report = build(s)
        except HrssError as e:
            _ui.show_error(e)
            return
    st.session_state["data-built"] = report.path.name


st.markdown("#### 导入")
if version is None:
    st.warning(_ui.NOT_BUILT, icon=":material/info:")
    if st.button(_ui.md_text(f"从 {s.data_dir} 构建"), key="data-build", type="primary"):
        run_build()
        st.rerun()
else:
    st.caption(_ui.md_text(f"当前版本：{version}（数据目录 {s.data_dir}）"))

kinds = "、".join(UPLOAD_SUFFIXES)
up = st.file_uploader(f"上传绩效目标文件（{kinds}；文本为 UTF-8 / GB18030）", key="data-upload",
                      type=[x.lstrip(".") for x in UPLOAD_SUFFIXES])
state = st.session_state.get("data-staged")
if up is not None and (state is None or state["id"] != up.file_id):
    try:
        staged = stage_upload(s, up.name, up.getvalue())
    except HrssError as e:
        _ui.show_error(e)
        st.stop()
    state = {"id": up.file_id, "staged": staged, "result": parse_upload(staged), "done": None}
    st.session_state["data-staged"] = state

if up is not None and state is not None:
    result = state["result"]
    diags = diagnostic_rows(result.diagnostics)
    n_projects = sum(1 for p in result.projects if p.project_code and p.year)
    st.markdown(f"**{_ui.md_text(up.name)}**：{n_projects} 个项目，{len(result.narrative)} 段说明，"
                f"{len(diags)} 条提示")
    if diags:
        st.text("\n".join(d["位置"] for d in diags))
    if state["done"]:
        st.success(_ui.md_text(state["done"]), icon=":material/check_circle:")
    elif upload_loaded(result):
        text = st.text_input("地区（可选：地区编码或全称，如 130731 或 涿鹿县）", key="data-region",
                             help="写入 data/sources.csv 的 region_code，与 `kg add --region` 相同；"
                                  "文件中自己写明的地点优先")
        bad = False
        try:
            region = upload_region(text, regions())
        except HrssError as e:  # named no region or several: said, and nothing is added
            _ui.show_error(e)
            region, bad = None, True
        if region is not None:
            st.caption(_ui.md_text(f"地区：{region[1]}（{region[0]}）"))
        if st.button("加入图谱与索引", key="data-add", type="primary", icon=":material/add:", disabled=bad):
            with st.spinner("正在加入并发布新版本…"):
                try:
                    done = accept_upload(s, state["staged"], region[0] if region else None)
                except HrssError as e:
                    _ui.show_error(e)
                    st.stop()
            if done.new:
                st.session_state["data-built"] = done.version
                where = f"，地区 {region[1]}" if region else ""
                state["done"] = (f"已加入 {up.name}（保存为 {done.path.name}{where}），新版本 "
                                 f"{done.version}；各页面已使用新数据。")
            else:
                state["done"] = f"{up.name} 的内容已经导入过（{done.path.name}），没有重复加入。"
            st.rerun()
    else:
        discard_upload(state["staged"])
        st.error("这个文件没有读到可用的项目（缺项目编码或年度），未加入；已载入的数据保持不变。",
                 icon=":material/block:")

st.markdown("#### 导出")
if version is None:
    st.stop()
store = _ui.store()
fmt = st.selectbox("格式", list(EXPORT_FORMATS), key="data-format", format_func=lambda f: EXPORT_FORMATS[f][0])
if st.button("生成导出文件", key="data-export", icon=":material/download:"):
    data, name, mime = _ui.safe(export_bytes, store, fmt)
    st.download_button(f"下载 {name}", data, name, mime, key="data-export-dl", icon=":material/download:")
