"""The report as one HTML page: styles, script, charts and data inline, nothing fetched.

The static parts (header, summary table, charts, leaderboard) are made here, every text through
`html.escape`. The matrix is drawn by the page's script from the data, which rides in a
`<script type="application/json">` element with `<`, `>` and `&` written as JSON escapes, so no
text inside it can close the element or start markup; the script puts every text in the page
with `textContent`, never as HTML. A Content-Security-Policy lets only the page's own script run
(by its hash) and lets nothing load from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from html import escape
from importlib import resources
from typing import Any

from sutui import __version__
from sutui.report import charts
from sutui.report.matrix import Matrix
from sutui.report.sources import Board
from sutui.report.summary import STATUSES, ColumnSummary

SUMMARY_HEADERS = (
    "SUT",
    "answers",
    *STATUSES,
    "cut short",
    "cached",
    "TTFT p50 / p90 / p99",
    "total p50 / p90 / p99",
    "tokens",
    "tokens / answer",
    "tok/s p50",
    "errors",
)


def embed_json(data: Any) -> str:
    """`data` as JSON that is safe inside a <script> element: `</script>` and `<!--` cannot
    appear in it (`<`, `>`, `&` become \\u003c, \\u003e, \\u0026, which JSON reads back)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _asset(name: str) -> str:
    return (resources.files("sutui.report") / name).read_text(encoding="utf-8")


def _seconds(values: Sequence[float | None]) -> str:
    if all(v is None for v in values):
        return "\u2013"
    return " / ".join("\u2013" if v is None else f"{v:.2f}" for v in values) + " s"


def _summary_row(column: ColumnSummary) -> list[str]:
    errors = ", ".join(f"{kind} \u00d7{n}" for kind, n in column.errors.most_common())
    return [
        column.name,
        str(column.answers),
        *(str(column.statuses[s]) for s in STATUSES),
        str(column.truncated),
        str(column.cached),
        _seconds(column.first_token),
        _seconds(column.total),
        str(column.tokens),
        "\u2013" if column.mean_tokens is None else f"{column.mean_tokens:.0f}",
        "\u2013" if column.speed is None else f"{column.speed:.1f}",
        errors or "\u2013",
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], cls: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _figure(svg: str | None, caption: str) -> str:
    if svg is None:
        return ""
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _results(matrix: Matrix, columns: Sequence[ColumnSummary]) -> str:
    summary = _table(SUMMARY_HEADERS, [_summary_row(c) for c in columns], "summary")
    figures = "".join(
        (
            _figure(
                charts.latency(columns),
                "Total time of each done answer, per SUT (the "
                "last bar also counts the answers slower than the slowest p99).",
            ),
            _figure(charts.tokens(columns), "Mean completion tokens per answer."),
            _figure(charts.outcomes(columns), "Answers by outcome: done, and each error kind."),
        )
    )
    return (
        '<section id="summary"><h2>Summary</h2><div class="scroll">'
        f"{summary}</div><p class=note>Times and speeds count done answers; TTFT is "
        "unknown for batch answers (one non-streamed request each). Cut short: finish reason "
        f'<code>length</code> (the token limit).</p></section><section id="charts">'
        f"<h2>Charts</h2>{figures}</section>"
        '<section id="matrix"><h2>Answers</h2><div id="controls"></div>'
        f'<div id="pager"></div><div class="scroll"><table id="grid"></table></div>'
        "<noscript>The answers need JavaScript to show; the data is in this file.</noscript>"
        "</section>"
    )


def _leaderboard(board: Board) -> str:
    return (
        '<section id="leaderboard"><h2>Leaderboard</h2>'
        + _table(board.headers, board.table, "summary")
        + _figure(
            charts.leaderboard(board.points),
            "Bradley-Terry score (point) and its 95% bootstrap interval (line), per SUT.",
        )
        + f"<p class=note>{escape(board.explanation)}</p></section>"
    )


def render(
    matrix: Matrix | None,
    columns: Sequence[ColumnSummary],
    board: Board | None,
    sources: Sequence[str],
    made_at: str,
) -> str:
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
        "img-src data:; form-action 'none'; base-uri 'none'"
    )
    counts = ""
    if matrix is not None:
        counts = (
            f"{len(matrix.rows)} prompt{'s' if len(matrix.rows) != 1 else ''} \u00d7 "
            f"{len(matrix.columns)} SUT{'s' if len(matrix.columns) != 1 else ''}. "
        )
    data = {"matrix": None if matrix is None else {"columns": matrix.columns, "rows": matrix.rows}}
    nav = [("summary", "Summary"), ("charts", "Charts"), ("matrix", "Answers")] if matrix else []
    nav += [("leaderboard", "Leaderboard")] if board else []
    return "".join(
        (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>sutui report</title><style>{_asset('report.css')}</style></head><body>",
            "<header><h1>sutui report</h1><p class=meta>",
            escape(f"{counts}Made {made_at} by sutui {__version__} from: {'; '.join(sources)}."),
            "</p><nav>",
            " · ".join(f'<a href="#{anchor}">{name}</a>' for anchor, name in nav),
            "</nav></header><main>",
            _results(matrix, columns) if matrix is not None else "",
            _leaderboard(board) if board is not None else "",
            '</main><script type="application/json" id="report-data">',
            embed_json(data),
            f"</script><script>{script}</script></body></html>\n",
        )
    )
