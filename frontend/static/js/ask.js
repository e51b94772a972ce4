// "Ask the model why": look inside a run's trained model (POST /api/runs/{id}/look) on an
// input a person edits, at a kept snapshot of its weights, with interventions and one step's
// arithmetic. Every "inside the model" panel is drawn again for what was asked (probes.js).
import { api } from "./api.js";
import { AskInput } from "./ask_input.js";
import { Interventions, parseList, plainField, showDifference } from "./ask_interventions.js";
import { showExplained } from "./ask_explain.js";
import { CheckpointSlider } from "./checkpoint_slider.js";
import { FINISHED } from "./constants.js";

const $ = (id) => document.getElementById(id);
const EDIT_PAUSE_MS = 400; // a look once typing pauses, not one per key
const RUNNING_REFRESH_MS = 3000; // how often a training run's snapshots are asked for, at most

// What the model answers, in a sentence (the answer is shaped as Try it's for the task).
export function answerText(answer) {
  const out = answer.output;
  const few = (values) => values.slice(0, 12).map((v) => (typeof v === "number" ? Number(v.toPrecision(4)) : v)).join(", ") + (values.length > 12 ? " …" : "");
  if (answer.probabilities) return `the model answers ${out} (${Math.round(100 * answer.probabilities[out])} % sure)`;
  if (answer.symbols !== undefined) {
    return `the model writes ${out || "nothing"}: ${answer.correct} of ${answer.symbols} symbols right (right would be ${answer.expected})`;
  }
  if (answer.next) return `the model's next token is ${JSON.stringify(out)} (${Math.round(100 * answer.next[out])} %)`;
  if (typeof out === "number" && answer.expected !== undefined) {
    return `the model answers ${out.toFixed(3)}; the marked numbers add up to ${answer.expected.toFixed(3)}`;
  }
  if (Array.isArray(out)) return `the model answers ${few(out.flat())}`;
  if (out && typeof out === "object") return `the model answers ${Object.entries(out).map(([name, values]) => `${name}: ${few(values)}`).join("; ")}`;
  return `the model answers ${out}`;
}

function answerBlock(title, answer, id) {
  const block = document.createElement("div");
  block.append(Object.assign(document.createElement("h3"), { textContent: title }));
  block.append(Object.assign(document.createElement("p"), { id, textContent: answerText(answer) }));
  return block;
}

export function setUpAsk(run, probes, { onStep }) {
  const card = $("ask-card");
  if (!card) return { refresh() {}, sawProbe() {} };
  const options = JSON.parse($("ask-options").textContent);
  const tryOptions = JSON.parse($("try-options").textContent);
  let explaining = null; // the arithmetic asked for, sent with every look until Back
  let asked = 0; // each look's number: only the newest answer is shown
  let pause = null;
  let firstProbe = null;
  let shownStep; // the snapshot the loss chart's cursor marks

  const input = new AskInput(options.input, tryOptions, () => {
    clearTimeout(pause);
    pause = setTimeout(look, EDIT_PAUSE_MS);
  });
  const changes = new Interventions(options, () => look());
  const slider = new CheckpointSlider(run, (step) => {
    shownStep = step;
    onStep(step);
    look();
  });

  function request() {
    const body = { step: slider.step(), interventions: changes.changes };
    const typed = input.value();
    if (typed !== undefined) body.input = typed;
    if (explaining) body.explain = explaining;
    return body;
  }

  // A sentence from the server goes beside the part of the form it names.
  function showError(message, place) {
    const named = message.startsWith("interventions") ? "change-error" : message.startsWith("explain") ? "explain-error" : "ask-error";
    const where = $(place || named) ? place || named : "ask-error";
    for (const id of ["ask-error", "change-error", "explain-error"]) {
      if (!$(id)) continue;
      $(id).textContent = id === where ? plainField(message) : "";
      $(id).hidden = id !== where;
    }
  }

  async function look() {
    clearTimeout(pause);
    let body;
    try {
      body = request();
    } catch (failure) {
      showError(failure.message);
      return;
    }
    const mine = ++asked;
    card.setAttribute("aria-busy", "true");
    try {
      const looked = await api(`/api/runs/${run.id}/look`, { method: "POST", body: JSON.stringify(body) });
      if (mine === asked) show(looked);
    } catch (failure) {
      if (mine !== asked) return;
      showError(failure.message);
      // The last answer was to another question: it must not read as this one's.
      $("ask-answer").hidden = true;
    } finally {
      if (mine === asked) card.removeAttribute("aria-busy");
    }
  }

  function show(looked) {
    showError("");
    probes.showLooked(looked);
    const answer = $("ask-answer");
    answer.hidden = false;
    answer.classList.toggle("side-by-side", Boolean(looked.before));
    if (looked.before) {
      const count = changes.changes.length;
      answer.replaceChildren(
        answerBlock(`Before: as trained to step ${looked.step}`, looked.before.output, "ask-before"),
        answerBlock(`After: with ${count} intervention${count === 1 ? "" : "s"}`, looked.output, "ask-output"),
      );
    } else {
      answer.replaceChildren(Object.assign(document.createElement("p"), { id: "ask-output", textContent: answerText(looked.output) }));
      answer.prepend(Object.assign(document.createElement("span"), { className: "hint", textContent: `Weights from step ${looked.step}: ` }));
    }
    const box = $("ask-difference-box");
    if (box) {
      box.hidden = !looked.difference;
      if (looked.difference) drawDifference(looked);
    }
    if (looked.explain) showExplained($("ask-explain"), looked.explain);
  }

  let lastLooked = null;
  function drawDifference(looked) {
    lastLooked = looked;
    showDifference(looked.difference, $("probe-map").value, (time) => probes.labels(looked.probe, time));
  }
  $("probe-map").addEventListener("change", () => {
    if (lastLooked && !$("ask-difference-box").hidden) drawDifference(lastLooked);
  });

  function back() {
    clearTimeout(pause);
    asked++; // an answer still on its way is no longer wanted
    if (firstProbe) input.startFrom(firstProbe);
    changes.clear();
    explaining = null;
    showError("");
    $("ask-answer").hidden = true;
    if ($("ask-difference-box")) $("ask-difference-box").hidden = true;
    if ($("ask-explain")) $("ask-explain").replaceChildren();
    card.removeAttribute("aria-busy");
    probes.clearLooked();
  }

  function explain() {
    try {
      const units = parseList($("explain-units").value, "Units");
      if (!units) throw new Error("Units: name at least one unit, e.g. 0, 3.");
      const t = $("explain-t").valueAsNumber;
      if (!Number.isInteger(t)) throw new Error("Time step t: type a whole number.");
      explaining = { t, layer: Number($("explain-layer").value), units };
    } catch (failure) {
      showError(failure.message, "explain-error");
      return;
    }
    look();
  }

  $("ask-go").addEventListener("click", look);
  // Enter in a one-line input looks at once (a textarea keeps Enter for new lines).
  $("ask-input")?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "INPUT") look();
  });
  $("ask-back").addEventListener("click", back);
  if ($("explain-go")) {
    $("explain-layer").replaceChildren(...Array.from({ length: options.layers }, (_, i) => new Option(`${i}`, i)));
    $("explain-go").addEventListener("click", explain);
    // A click on a cell of a gate or state heatmap asks for that step and unit.
    probes.onCell = ({ t, unit, layer }) => {
      $("explain-t").value = t;
      $("explain-units").value = unit;
      $("explain-layer").value = layer;
      explain();
    };
  }

  let refreshed = 0;
  async function refresh(status) {
    const now = Date.now();
    if (!FINISHED.has(status) && now - refreshed < RUNNING_REFRESH_MS) return;
    refreshed = now;
    try {
      const steps = await slider.refresh();
      card.hidden = !steps.length;
      if (steps.length && slider.step() !== shownStep) {
        shownStep = slider.step();
        onStep(shownStep);
      }
    } catch (failure) {
      showError(failure.message);
    }
  }

  return {
    // Called on each status and each probe event: a run shows the panel once it keeps weights.
    refresh: (status) => { if (status !== "queued") refresh(status); },
    sawProbe(event) {
      if (firstProbe) return;
      firstProbe = event;
      if (!input.edited) input.startFrom(event);
    },
  };
}
