// "Try it": ask a finished run's model something (POST /api/runs/{id}/predict) and show
// the answer: text it writes, a label with its probabilities, a forecast, the sum of two
// marked numbers, or a string copied or reversed. What the model does not know is shown
// as unknown, never dropped, and an answer built on nothing known says so.
import { api } from "./api.js";
import { TRYABLE } from "./constants.js";
import { plotText } from "./plot_text.js";
import { plotly } from "./plotly_loader.js";
import { summarize } from "./chart_summary.js";
import { AddingSequence } from "./try_adding.js";
import { alphabet, typedSymbols } from "./try_symbols.js";

const $ = (id) => document.getElementById(id);

export function setUpTry(run) {
  const card = $("try-card");
  if (!card) return () => {};
  const kind = card.dataset.kind;
  const options = JSON.parse($("try-options").textContent);
  const adding = kind === "add" ? new AddingSequence($("try-sequence"), options.length) : null;
  $("try-shuffle")?.addEventListener("click", () => adding.shuffle());
  if (kind === "sequence") watchSymbols(options);
  $("try-temperature")?.addEventListener("input", () => { $("try-temperature-value").value = $("try-temperature").value; });
  $("try-go").addEventListener("click", async () => {
    const body = kind === "forecast" ? { steps: Number($("try-steps").value) }
      : kind === "add" ? { input: adding.rows() }
      : { input: $("try-input").value, ...(kind === "write" ? { temperature: Number($("try-temperature").value) } : {}) };
    $("try-go").disabled = true;
    $("try-error").hidden = true;
    try {
      const answer = await api(`/api/runs/${run.id}/predict`, { method: "POST", body: JSON.stringify(body) });
      SHOW[kind](answer);
    } catch (failure) {
      $("try-error").textContent = failure.message;
      $("try-error").hidden = false;
    } finally {
      $("try-go").disabled = kind === "sequence" && !symbolsReadable(options);
    }
  });
  // Shown once the model is there to try: after the run has finished or was cancelled.
  return (status) => { card.hidden = !TRYABLE.has(status); };
}

// Typed tokens, the unknown ones marked (a title says why, for a mouse and a screen reader).
function markedTokens(tokens, joiner) {
  const nodes = [];
  tokens.forEach((token, i) => {
    if (i > 0 && joiner) nodes.push(joiner);
    if (token.known) { nodes.push(token.text); return; }
    const mark = Object.assign(document.createElement("mark"), { className: "unknown", textContent: token.text });
    mark.title = "not in this model's vocabulary";
    nodes.push(mark);
  });
  return nodes;
}

function caution(text) {
  $("try-caution").textContent = text || "";
  $("try-caution").hidden = !text;
}

function showOutput(...nodes) {
  $("try-output").replaceChildren(...nodes);
  $("try-output").hidden = false;
}

const SHOW = {
  write(answer) {
    const prompt = document.createElement("strong");
    // Older answers have no tokens: the prompt as the model read it.
    prompt.append(...(answer.tokens ? markedTokens(answer.tokens, "") : [answer.prompt]));
    showOutput(prompt, answer.output);
    caution(answer.unknown?.length
      ? `Not in this model's vocabulary, so it read the prompt without them: ${answer.unknown.map((t) => JSON.stringify(t)).join(" ")}`
      : "");
  },

  classify(answer) {
    const readAs = answer.tokens ? markedTokens(answer.tokens, " ") : [answer.read];
    if (answer.caution) {
      // No "100 % sure": an answer to nothing it knows is no judgement at all.
      showOutput(`No real answer: it read only `, ...readAs);
      caution(answer.caution);
      $("try-chart").hidden = true;
      return;
    }
    const sure = Math.round(100 * answer.probabilities[answer.output]);
    showOutput(`${answer.output} (${sure} % sure) · read as: `, ...readAs);
    caution(answer.unknown?.length ? `Words it does not know (read as <unk>): ${answer.unknown.join(", ")}` : "");
    $("try-chart").hidden = false;
    plotly.react("try-chart", [{ type: "bar", x: Object.keys(answer.probabilities).map(plotText), y: Object.values(answer.probabilities), marker: { color: "#1b9e77" } }],
      { margin: { t: 10, r: 10, b: 40, l: 50 }, yaxis: { range: [0, 1], title: { text: "probability" } }, xaxis: { type: "category" } });
    summarize("try-chart", `Probabilities: ${Object.entries(answer.probabilities).map(([k, p]) => `${k} ${Math.round(100 * p)} %`).join(", ")}`);
  },

  forecast(answer) {
    $("try-chart").hidden = false;
    const traces = Object.entries(answer.output).map(([name, y]) => ({ y, x: y.map((_, i) => i + 1), name: plotText(`${name} (forecast)`), mode: "lines+markers" }));
    plotly.react("try-chart", traces, { margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: "steps ahead" } } });
    const [name, values] = Object.entries(answer.output)[0];
    summarize("try-chart", `Forecast of ${name}: from ${values[0]} to ${values.at(-1)} over ${values.length} steps`);
  },

  add(answer) {
    const off = Math.abs(answer.output - answer.expected);
    showOutput(`The model says ${answer.output.toFixed(3)}; the marked numbers add up to ${answer.expected.toFixed(3)} ` +
      `(off by ${off.toFixed(3)}).`);
    caution(answer.as_trained ? "" : "The marks are not one in each half: unlike anything it trained on, so expect a guess.");
  },

  sequence(answer) {
    const wrote = document.createElement("span");
    [...answer.output].forEach((symbol, i) => {
      const right = symbol === answer.expected[i];
      wrote.append(right ? symbol : Object.assign(document.createElement("mark"), { className: "wrong", textContent: symbol, title: `should be ${answer.expected[i]}` }));
    });
    showOutput(`read:  ${answer.read}\nwrote: `, wrote, `\nright: ${answer.expected}\n${answer.correct} of ${answer.symbols} symbols right`);
    caution("");
  },
};

// Copy and reverse: each typed symbol shown as it is read, unknown ones marked before sending.
function symbolsReadable(options) {
  const pieces = typedSymbols($("try-input").value, options.symbols);
  return pieces.length > 0 && pieces.length <= options.max_length && pieces.every((p) => p.known);
}

function watchSymbols(options) {
  $("try-alphabet").textContent = alphabet(options.symbols);
  const input = $("try-input");
  const first = Math.min(options.symbols, 10);
  input.value = "0123456789".slice(0, Math.min(first, options.max_length, 5));
  const update = () => {
    const pieces = typedSymbols(input.value, options.symbols);
    const unknown = pieces.filter((p) => !p.known).map((p) => p.text);
    const line = $("try-typed");
    line.replaceChildren(...(pieces.length ? ["It reads: ", ...markedTokens(pieces, " ")] : []));
    if (unknown.length) line.append(` · not among its symbols: ${[...new Set(unknown)].join(" ")}`);
    else if (pieces.length > options.max_length) line.append(` · too long: at most ${options.max_length}`);
    $("try-go").disabled = !symbolsReadable(options);
  };
  input.addEventListener("input", update);
  update();
}
