"""A report as a list of blocks, written both as Markdown (``report.md``) and as an HTML page (``report.html``).

The labs build their reports from numbers into a ``Document``: headings, paragraphs, bullet lists, tables,
figures, Markdown written by the lab, and claims (see ``nnlab.claims``), which are the only blocks that state a
finding. Inline markup is the small common subset: ``**bold**``, ```code```, ``[text](url)``; a ``markdown``
block may use any CommonMark with tables. Figures are linked, not embedded: they lie beside the page.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

__all__ = ["Document", "STYLE", "markdown_to_html", "inline_html"]

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222;
       line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #f4f4f4; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img, svg { max-width: 100%; height: auto; } code { background: #f4f4f4; padding: 0 0.2em; }
nav { font-size: 0.95em; margin-bottom: 1em; } .meta { color: #555; }
ul.claims { list-style: none; padding-left: 0; } ul.claims li { margin: 0.35em 0; }
li.headline { font-weight: 500; }
.claim-status { display: inline-block; min-width: 6.5em; font-size: 0.85em; font-weight: 600; border-radius: 3px;
                padding: 0 0.4em; margin-right: 0.3em; text-align: center; }
.claim-status.holds { background: #dff3e0; color: #17621f; }
.claim-status.does-not-hold { background: #fde2e0; color: #8a1c13; }
.claim-status.not-shown { background: #eee; color: #555; }
.claim-status.theory { background: #e3ecfb; color: #1d4a8f; }
.interrupted { background: #fff3cd; border: 1px solid #e0c46c; padding: 0.5em 1em; }
pre.messages { background: #f8f8f8; border: 1px solid #ddd; padding: 0.6em; white-space: pre-wrap; }
"""


def inline_html(text: str) -> str:
    """The inline subset (``**bold**``, ```code```, ``[text](url)``) as HTML, everything else escaped."""
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', out)


def markdown_to_html(text: str) -> str:
    """CommonMark with tables (markdown-it, which rich already installs); raw HTML in the text is escaped."""
    from markdown_it import MarkdownIt
    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    # numbers right-aligned in tables, as the structured tables do
    return re.sub(r"<td>([^<]*)</td>", lambda m: f"<td{' class=num' if _is_number(m[1]) else ''}>{m[1]}</td>",
                  rendered)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d.,]+(e[-+]?\d+)?\s*(%|[kMGTB]|ms|s|MB|GB|KB|kB)?", text.strip()))


@dataclass
class Document:
    """Blocks in order: ("h", level, text), ("p", text), ("ul", items), ("table", headers, rows),
    ("img", path, alt), ("html", html, markdown), ("md", markdown), ("claims", ids or None)."""
    title: str
    blocks: list[tuple] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> Document:
        self.blocks.append(("h", level, text))
        return self

    def paragraph(self, text: str) -> Document:
        self.blocks.append(("p", text))
        return self

    def bullets(self, items: list[str]) -> Document:
        self.blocks.append(("ul", list(items)))
        return self

    def table(self, headers: list[str], rows: list[list]) -> Document:
        self.blocks.append(("table", list(headers), [[str(c) for c in row] for row in rows]))
        return self

    def image(self, path: str, alt: str) -> Document:
        """``path`` relative to the report's directory."""
        self.blocks.append(("img", path, alt))
        return self

    def raw(self, html_text: str, markdown: str = "") -> Document:
        """Markup for the HTML page only (an inline SVG, say), with what Markdown shows instead."""
        self.blocks.append(("html", html_text, markdown))
        return self

    def markdown(self, text: str) -> Document:
        """Markdown written by the lab (sections, tables, figures as ``![alt](file.png)``)."""
        self.blocks.append(("md", text))
        return self

    def claims(self, ids: list[str] | None = None) -> Document:
        """The run's claims named by ``ids`` (all by default, headlines first), each with its status."""
        self.blocks.append(("claims", None if ids is None else list(ids)))
        return self

    # -- rendering
    def to_markdown(self, claims=None, title: bool = True) -> str:
        lines = [f"# {self.title}", ""] if title else []
        for block in self.blocks:
            kind = block[0]
            if kind == "h":
                lines += ["#" * block[1] + " " + block[2], ""]
            elif kind == "p":
                lines += [block[1], ""]
            elif kind == "ul":
                lines += [f"- {item}" for item in block[1]] + [""]
            elif kind == "table":
                headers, rows = block[1], block[2]
                cell = lambda c: c.replace("|", "\\|")
                lines.append("| " + " | ".join(map(cell, headers)) + " |")
                lines.append("|" + "|".join("---:" if rows and all(_is_number(r[i]) for r in rows) else "---"
                                            for i in range(len(headers))) + "|")
                lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows] + [""]
            elif kind == "img":
                lines += [f"![{block[2]}]({block[1]})", ""]
            elif kind == "html" and block[2]:
                lines += [block[2], ""]
            elif kind == "md":
                lines += [block[1].strip("\n"), ""]
            elif kind == "claims" and claims is not None:
                lines += [claims.markdown(block[1]), ""]
        return "\n".join(lines)

    def to_html_body(self, claims=None, title: bool = True) -> str:
        """The blocks as HTML, without the page around them."""
        parts = [f"<h1>{inline_html(self.title)}</h1>"] if title else []
        for block in self.blocks:
            kind = block[0]
            if kind == "h":
                parts.append(f"<h{block[1]}>{inline_html(block[2])}</h{block[1]}>")
            elif kind == "p":
                parts.append(f"<p>{inline_html(block[1])}</p>")
            elif kind == "ul":
                parts.append("<ul>" + "".join(f"<li>{inline_html(i)}</li>" for i in block[1]) + "</ul>")
            elif kind == "table":
                head = "".join(f"<th>{inline_html(h)}</th>" for h in block[1])
                body = "".join("<tr>" + "".join(f"<td{' class=num' if _is_number(c) else ''}>{inline_html(c)}</td>"
                                                for c in row) + "</tr>" for row in block[2])
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif kind == "img":
                parts.append(f'<p><img alt="{html.escape(block[2])}" src="{html.escape(block[1])}"></p>')
            elif kind == "html":
                parts.append(block[1])
            elif kind == "md":
                parts.append(markdown_to_html(block[1]))
            elif kind == "claims" and claims is not None:
                parts.append(claims.html(block[1]))
        return "\n".join(parts)

    def images(self) -> list[str]:
        """The figure files the document shows (``img`` blocks and Markdown images)."""
        found = [b[1] for b in self.blocks if b[0] == "img"]
        for b in self.blocks:
            text = b[1] if b[0] == "md" else b[2] if b[0] == "html" else ""
            found += re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
        return found
