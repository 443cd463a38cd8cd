"""What the Streamlit pages need beyond the core: exact amounts, table rows, Sankey flows, uploads.

Nothing here imports Streamlit; pages call these functions and lay out what comes back.

    amounts   format_wan / format_change / to_decimal: amounts exactly as printed ("1,384.00")
    rows      records of the core (projects, indicators, findings, history …) as table rows
    totals    amounts per unit, theme and year
    changes   projects new, gone, grown or shrunk between two years (from the lineage's links)
    flows     plotly Sankey data with short labels and exact amounts in the hover
    notice    a funding notice's header, allocation table (分配数 / 预算数 / 差额 from the trace),
              findings and reconciliation working paper
    source    the lines of a source file a span names
    files     uploads (staged, parsed, added) and graph exports as downloadable bytes
    sparql    a named query as edited and bound; query results as rows
"""
