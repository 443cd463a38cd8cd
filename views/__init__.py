"""Streamlit pages of hrss-kg, one module per page; `_ui` holds what they share.

Not named `pages/`: Streamlit would then serve a deep link such as /project?project=… with its
legacy pages-directory navigation until app.py had run once.
"""
