"""The gradebook as one self-contained HTML page an instructor reads.

On top, the class: per lab the count of each status and the pass rate, one
bar chart of them, and the distribution of each key figure over the graded
folders with the bar's limit drawn in. Below, one row per student: each
lab's verdict, key figures and reason, and a thumbnail of the run's own
samples.png, so the instructor can look where a number surprises them.

Every picture is a PNG (thumbnails: JPEG) embedded as a `data:` URI and the styles are inline:
the file opens without a server or the internet, and can be mailed. All
text from the class folder (student names, reasons) is HTML-escaped: a
folder named `<script>` shows as text.
"""

import base64
import html
import io
import math
from pathlib import Path

import numpy as np

import ganlab.training.figures  # noqa: F401  (selects matplotlib's Agg backend)
from ganlab.grading.gradebook import LABS, STATUSES, summary

THUMBNAIL = 180  # pixels, the longer side of a samples.png thumbnail
COLORS = {"passed": "#2e7d32", "failed": "#c62828", "invalid": "#ef6c00", "missing": "#757575"}
STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: bold; }
.figs { font-size: 0.85em; font-variant-numeric: tabular-nums; }
.reason { font-size: 0.8em; color: #555; max-width: 22em; }
img.thumb { display: block; max-width: 180px; max-height: 180px; margin-top: 4px; }
"""


def png_data_uri(data, kind="png"):
    """Image bytes as a `data:image/png;base64,...` (or jpeg) URI."""
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def _figure_uri(fig):
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, metadata={"Software": None})
    plt.close(fig)
    return png_data_uri(buf.getvalue())


def thumbnail_uri(path, size=THUMBNAIL):
    """A data URI of a JPEG thumbnail of an image file, or None if it cannot be read.

    JPEG (quality 85): a sample grid's thumbnail is 5-6 times smaller than in
    PNG, which keeps the report of a class of 300 near 10 MB.
    """
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.thumbnail((size, size))
            buf = io.BytesIO()
            image.convert("RGB").save(buf, format="JPEG", quality=85)
    except Exception:  # noqa: BLE001  a student's picture may be anything: no thumbnail, no crash
        return None
    return png_data_uri(buf.getvalue(), "jpeg")


def pass_rate_plot(counts):
    """A stacked bar chart of the statuses per lab (a data URI)."""
    import matplotlib.pyplot as plt

    labs = list(counts)
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(labs), 3))
    bottom = np.zeros(len(labs))
    for status in STATUSES:
        values = np.array([counts[lab][status] for lab in labs], float)
        ax.bar(labs, values, bottom=bottom, color=COLORS[status], label=status)
        bottom += values
    ax.set_xlabel("lab")
    ax.set_ylabel("students")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    fig.tight_layout()
    return _figure_uri(fig)


def distribution_plot(book, lab):
    """Histograms of the lab's key figures over its graded folders, the bar's limits dashed."""
    import matplotlib.pyplot as plt

    entry = LABS[lab]
    fig, axes = plt.subplots(1, len(entry.figures), figsize=(2.8 * len(entry.figures), 2.4),
                             squeeze=False)
    for ax, (column, _, limit) in zip(axes[0], entry.figures, strict=True):
        values = [r["labs"][lab]["figures"][column] for r in book["students"].values()
                  if column in r["labs"][lab]["figures"]]
        values = [v for v in values if math.isfinite(v)]
        if values:
            ax.hist(values, bins=min(20, max(5, len(values) // 2)), color="#5c6bc0")
        else:
            ax.text(0.5, 0.5, "no graded folder", ha="center", va="center",
                    transform=ax.transAxes)
        if limit is not None:
            ax.axvline(limit, color="k", linestyle="--", linewidth=1, label="bar")
        ax.set_title(column, fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"lab {lab}: key figures of {entry.folder} (dashed: the bar)", fontsize=9)
    fig.tight_layout()
    return _figure_uri(fig)


def _cell(student_dir, lab, result):
    entry = LABS[lab]
    status = result["status"]
    parts = [f'<span class="status" style="color:{COLORS[status]}">{status}</span>']
    figures = [f"{html.escape(c)} {result['figures'][c]:.4g}" for c in entry.columns
               if c in result["figures"]]
    if figures:
        parts.append('<div class="figs">' + "<br>".join(figures) + "</div>")
    if result.get("reason"):
        parts.append(f'<div class="reason">{html.escape(result["reason"])}</div>')
    if status != "missing":
        uri = thumbnail_uri(student_dir / entry.folder / "samples.png")
        parts.append(f'<img class="thumb" alt="samples.png of lab {lab}" src="{uri}">' if uri
                     else '<div class="reason">(no readable samples.png)</div>')
    return "<td>" + "".join(parts) + "</td>"


def report_html(book, class_dir):
    """The report as an HTML string (see the module docstring)."""
    class_dir = Path(class_dir)
    labs, counts = book["labs"], summary(book)
    n = len(book["students"])
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Gradebook: {html.escape(class_dir.name)}</title>",
           f"<style>{STYLE}</style></head><body>",
           f"<h1>Gradebook: {html.escape(class_dir.name)}</h1>",
           f"<p>{n} students, labs {', '.join(labs)}. Every figure is recomputed by the "
           "lab's grader from the saved networks with fixed seeds.</p>",
           "<h2>Class summary</h2>", "<table><tr><th>lab</th>"]
    out += [f"<th>{s}</th>" for s in STATUSES]
    out.append("<th>pass rate (of the class)</th><th>pass rate (of those handed in)</th></tr>")
    for lab in labs:
        c = counts[lab]
        handed = n - c["missing"]
        rate = f"{c['passed'] / handed:.0%}" if handed else "-"
        out.append(f"<tr><td>{lab} ({LABS[lab].folder})</td>"
                   + "".join(f'<td class="num">{c[s]}</td>' for s in STATUSES)
                   + f'<td class="num">{c["passed"] / n:.0%}</td><td class="num">{rate}</td></tr>')
    out.append("</table>")
    out.append(f'<p><img alt="statuses per lab" src="{pass_rate_plot(counts)}"></p>')
    for lab in labs:
        out.append(f'<p><img alt="key figures of lab {lab}" src="{distribution_plot(book, lab)}"></p>')
    out.append("<h2>Students</h2><table><tr><th>student</th><th>labs passed</th>")
    out += [f"<th>lab {lab}</th>" for lab in labs]
    out.append("</tr>")
    for student in sorted(book["students"]):
        results = book["students"][student]["labs"]
        passed = sum(results[lab]["status"] == "passed" for lab in labs)
        out.append(f"<tr><td>{html.escape(student)}</td><td class=\"num\">{passed}/{len(labs)}</td>"
                   + "".join(_cell(class_dir / student, lab, results[lab]) for lab in labs)
                   + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"


def write_report(book, class_dir, path):
    """Write the HTML report of a gradebook (as `grade_class` returns it) to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(report_html(book, class_dir), encoding="utf-8")
    tmp.replace(path)
    return path
