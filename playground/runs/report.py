"""A run as one standalone HTML page: its settings, result and curves, with the charts built
here by the plotly package and plotly.js inlined, so the file opens offline.

`page` takes plain data (the run's facts and logged points), so that it can be built in
a work pool process (playground.runs.builds); `report_html` reads them from a run."""

import html

import plotly.graph_objects as go
import plotly.io as pio


def metric_points(run) -> list[dict]:
    """Every logged point of the run, in step order. A run resumed from a checkpoint logged
    the steps after it again: the later points replace the earlier ones from that step on."""
    points: list[dict] = []
    for event in run.events.filter(type="metrics").order_by("seq"):
        arriving = event.data.get("points") or [event.data]
        while points and points[-1]["step"] >= arriving[0]["step"]:
            points.pop()
        points.extend(arriving)
    return points


def plot_text(text: str) -> str:
    """Text for a chart. Plotly renders some tags found in chart text (<a href>, <b>, <br>)
    and decodes &lt; &gt; &amp; (not &quot;), so < > & go as entities: it shows as typed."""
    return html.escape(text, quote=False)


def chart(title: str, points: list[dict], series: dict, log: bool = False) -> go.Figure:
    figure = go.Figure()
    for key, name in series.items():
        kept = [p for p in points if p.get(key) is not None]
        if kept:
            x, y = [p["step"] for p in kept], [p[key] for p in kept]
            figure.add_trace(go.Scatter(x=x, y=y, name=plot_text(name), mode="lines"))
    figure.update_layout(
        title=plot_text(title), xaxis_title="step", height=360, margin=dict(t=50, b=40)
    )
    if log:
        figure.update_yaxes(type="log")
    return figure


def table(rows: dict) -> str:
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
        if v is not None
    )
    return f"<table>{cells}</table>"


def facts(run) -> dict:
    """What the report says about the run besides its curves."""
    fields = ("title", "status", "error", "step", "total_steps", "result", "spec")
    return {name: getattr(run, name) for name in fields}


def report_html(run) -> str:
    return page(facts(run), metric_points(run))


def page(run: dict, points: list[dict]) -> str:
    """The report of a run (its `facts`), with its logged `points`."""
    figures = [
        chart("Loss", points, {"loss": "training loss", "val_loss": "validation loss"}),
        chart("Gradient norm", points, {"grad_norm": "‖∇‖"}, log=True),
    ]
    if any(p.get("val_accuracy") is not None for p in points):
        figures.append(chart("Validation accuracy", points, {"val_accuracy": "accuracy"}))
    plots = "".join(
        pio.to_html(figure, full_html=False, include_plotlyjs=(i == 0))  # plotly.js once, inline
        for i, figure in enumerate(figures)
    )
    spec = run["spec"]
    settings = {
        "dataset": spec["dataset"],
        "paradigm": spec["paradigm"],
        **spec["model"],
        **{f"training.{k}": v for k, v in spec["training"].items()},
    }
    title = html.escape(run["title"])
    error = f" ({html.escape(run['error'])})" if run["error"] else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;margin:1rem 0}}th,td{{text-align:left;padding:.2rem .8rem;
border-bottom:1px solid #ddd}}th{{font-weight:600}}</style></head><body>
<h1>{title}</h1>
<p>Status: <strong>{html.escape(run["status"])}</strong>{error}
· step {run["step"]} of {run["total_steps"]}</p>
<h2>Result</h2>{table(run["result"] or {})}
{plots}
<h2>Settings</h2>{table(settings)}
</body></html>"""
