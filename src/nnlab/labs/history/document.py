"""A report as a list of blocks, written both as Markdown and as one self-contained HTML page.

The labs build their reports from numbers into a ``Document``; ``to_markdown`` gives ``report.md`` and
``to_html`` gives ``report.html`` with the PNG figures embedded (base64), so the page can be mailed alone.
Inline markup is the small common subset: ``**bold**``, ```code```, ``[text](url)``.
"""
from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Document"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222;
       line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #f4f4f4; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img, svg { max-width: 100%; height: auto; } code { background: #f4f4f4; padding: 0 0.2em; }
"""


def _inline_html(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', out)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d.,]+(e[-+]?\d+)?\s*(%|[kMGTB]|ms|s|MB|GB|KB|kB)?", text.strip()))


@dataclass
class Document:
    """Blocks in order: ("h", level, text), ("p", text), ("ul", items), ("table", headers, rows),
    ("img", path, alt), ("html", html, markdown)."""
    title: str
    blocks: list[tuple] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> "Document":
        self.blocks.append(("h", level, text))
        return self

    def paragraph(self, text: str) -> "Document":
        self.blocks.append(("p", text))
        return self

    def bullets(self, items: list[str]) -> "Document":
        self.blocks.append(("ul", list(items)))
        return self

    def table(self, headers: list[str], rows: list[list]) -> "Document":
        self.blocks.append(("table", list(headers), [[str(c) for c in row] for row in rows]))
        return self

    def image(self, path: str, alt: str) -> "Document":
        """``path`` relative to the report's directory."""
        self.blocks.append(("img", path, alt))
        return self

    def raw(self, html_text: str, markdown: str = "") -> "Document":
        """Markup for the HTML page only (an inline SVG, say), with what Markdown shows instead."""
        self.blocks.append(("html", html_text, markdown))
        return self

    def to_markdown(self) -> str:
        lines = [f"# {self.title}", ""]
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
        return "\n".join(lines)

    def to_html(self, base: str | Path | None = None) -> str:
        """One HTML page; with ``base`` (the report's directory) PNG images are embedded as base64."""
        parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
                 f"<style>{_STYLE}</style></head><body>", f"<h1>{_inline_html(self.title)}</h1>"]
        for block in self.blocks:
            kind = block[0]
            if kind == "h":
                parts.append(f"<h{block[1]}>{_inline_html(block[2])}</h{block[1]}>")
            elif kind == "p":
                parts.append(f"<p>{_inline_html(block[1])}</p>")
            elif kind == "ul":
                parts.append("<ul>" + "".join(f"<li>{_inline_html(i)}</li>" for i in block[1]) + "</ul>")
            elif kind == "table":
                head = "".join(f"<th>{_inline_html(h)}</th>" for h in block[1])
                body = "".join("<tr>" + "".join(f"<td{' class=num' if _is_number(c) else ''}>{_inline_html(c)}</td>"
                                                for c in row) + "</tr>" for row in block[2])
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif kind == "img":
                src = block[1]
                if base is not None and src.endswith(".png") and (Path(base) / src).exists():
                    data = base64.b64encode((Path(base) / src).read_bytes()).decode("ascii")
                    src = f"data:image/png;base64,{data}"
                parts.append(f'<p><img alt="{html.escape(block[2])}" src="{src}"></p>')
            elif kind == "html":
                parts.append(block[1])
        parts.append("</body></html>")
        return "\n".join(parts)

    def write(self, out: str | Path, stem: str = "report") -> list[Path]:
        """Write ``<stem>.md`` and ``<stem>.html`` into ``out``; returns both paths."""
        out = Path(out)
        md, page = out / f"{stem}.md", out / f"{stem}.html"
        md.write_text(self.to_markdown(), encoding="utf-8")
        page.write_text(self.to_html(out), encoding="utf-8")
        return [md, page]
