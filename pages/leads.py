"""线索办理（占位页，另一位开发者实现）。"""
import streamlit as st

st.title("线索办理")
st.info("建设中", icon=":material/construction:")
