"""Streamlit pages of hrss-kg, one module per page; `_ui` holds what they share."""
