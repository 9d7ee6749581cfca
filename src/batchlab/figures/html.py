"""A figure as one HTML file that opens offline, with the page's plotly.js bundle inline:
the cartesian bundle (1.5 MB) holds every trace batchlab draws, where the plotly wheel's
``include_plotlyjs=True`` would inline its 4.8 MB full bundle."""

from __future__ import annotations

import plotly.graph_objects as go

from batchlab.web.vendor import PLOTLY_JS


def standalone_html(fig: go.Figure) -> str:
    """The figure's full HTML page, plotly.js included in its head."""
    page = fig.to_html(include_plotlyjs=False, full_html=True)
    head = page.index("</head>")
    script = '<script charset="utf-8">' + PLOTLY_JS.read_text(encoding="utf-8") + "</script>\n"
    return page[:head] + script + page[head:]
