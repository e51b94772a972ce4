// A chart in one line of words: shown under the chart for everyone, and the chart's own
// accessible name (role="img"), so a screen reader hears the gist, not an SVG's parts.

const number = (v) => (Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? Number(v.toPrecision(3)).toString() : v.toExponential(1));

// "fell from 0.25 to 0.02", "rose from …", "stayed near 0.16": the way a curve went.
export function trend(first, last) {
  if (!Number.isFinite(last)) return `ended at ${last} (the run diverged)`;
  const change = last - first;
  if (Math.abs(change) <= 0.05 * Math.max(Math.abs(first), Math.abs(last))) return `stayed near ${number(last)}`;
  return `${change < 0 ? "fell" : "rose"} from ${number(first)} to ${number(last)}`;
}

export function percent(v) {
  return `${Math.round(100 * v)} %`;
}

export { number as shortNumber };

// Show `text` as the summary of chart `chartId` (its <p id="{chartId}-summary">).
export function summarize(chartId, text) {
  const chart = document.getElementById(chartId);
  const line = document.getElementById(`${chartId}-summary`);
  if (line) line.textContent = text;
  if (!chart) return;
  chart.setAttribute("role", "img");
  chart.setAttribute("aria-label", text);
}
