"""Plotly figure builders: data in, ``go.Figure`` out. They only draw: no losses,
projections or statistics are computed here, and streamlit is never imported."""
