// A workshop's live board: a snapshot, then each board event (a new participant, a run's
// progress, a spotlight, a new preset, the close). Every name is shown as text, never HTML.
import { api } from "./api.js";
import { showConnection } from "./connection.js";
import { ACTIVE } from "./constants.js";
import { EventStream, boardPath } from "./event_stream.js";
import { fillPresetForm, readPresetForm } from "./preset_form.js";
import { addPoints, drawCurves, setCurves } from "./room_curves.js";
import { follow, presetLine, presetLink, show, spotlightLine } from "./workshop_notices.js";

const $ = (id) => document.getElementById(id);
const code = $("workshop-code").textContent;
const instructor = JSON.parse($("is-instructor").textContent);
const presetForm = document.querySelector("[data-preset-form]");
const board = {
  participants: new Map(), runs: new Map(), preset: {}, locked: [], hidden: [], spotlight: null,
  baselines: {}, status: "open",
};

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content; // textContent: a name like <script> stays a name
  if (className) node.className = className;
  return node;
}

const COLUMNS = [
  ["#", "col-place"], ["who", "col-who"], ["cell", "col-cell"], ["size", "col-size"], ["status", "col-status"],
  ["step", "col-step"], ["val. loss", "col-val"], ["best", "col-best"], ["", "col-tools"],
];
const fmt = (v) => (v == null ? "–" : Number(v.toPrecision(3)).toString());
const closed = () => board.status !== "open";

function render() {
  $("people").replaceChildren(...[...board.participants.values()].map((p) => text("li", p.name)));
  const tasks = new Map();
  for (const run of board.runs.values()) {
    if (!tasks.has(run.task)) tasks.set(run.task, []);
    tasks.get(run.task).push(run);
  }
  const sections = [];
  for (const [task, runs] of tasks) {
    runs.sort((a, b) => (a.best_val_loss ?? Infinity) - (b.best_val_loss ?? Infinity));
    const table = document.createElement("table");
    table.className = instructor ? "board with-tools" : "board";
    table.dataset.task = task;
    const head = document.createElement("tr");
    COLUMNS.forEach(([title, column]) => head.append(text("th", title, column)));
    table.append(text("caption", task), head);
    runs.forEach((run, i) => {
      const row = document.createElement("tr");
      row.dataset.run = run.id;
      if (run.id === board.spotlight) row.className = "spotlit";
      const who = board.participants.get(run.participant)?.name ?? "?";
      const link = Object.assign(document.createElement("a"), { href: `/runs/${run.id}/`, textContent: who });
      const whoCell = document.createElement("td");
      whoCell.append(link);
      const size = `${run.layers}×${run.hidden}${run.parameters ? ` · ${run.parameters.toLocaleString()}` : ""}`;
      row.append(text("td", i + 1), whoCell, text("td", run.cell), text("td", size),
        text("td", run.status, `status-${run.status}`), text("td", `${run.step}/${run.total_steps}`),
        text("td", fmt(run.val_loss)), text("td", fmt(run.best_val_loss)), tools(run));
      // Each cell names its column, so a narrow screen can leave some out (workshop.css).
      [...row.children].forEach((cell, c) => cell.classList.add(COLUMNS[c][1]));
      table.append(row);
    });
    sections.push(table);
  }
  $("board").replaceChildren(...(sections.length ? sections : [text("p", "No runs yet. They appear here as people train.", "empty")]));
  show($("spotlight"), spotlightLine(board));
  drawCurves(board);
}

function tools(run) {
  const cell = document.createElement("td");
  if (!instructor) return cell;
  const spot = text("button", "Spotlight");
  spot.type = "button";
  spot.dataset.spotlight = run.id;
  spot.disabled = closed();
  spot.addEventListener("click", () => act("spotlight", { run: run.id }));
  cell.append(spot);
  if (ACTIVE.has(run.status)) {
    const stop = text("button", "Stop", "danger");
    stop.type = "button";
    stop.dataset.stop = run.id;
    stop.disabled = closed();
    const who = board.participants.get(run.participant)?.name ?? "this participant";
    stop.addEventListener("click", () => {
      // A stopped run cannot be resumed: one slip of the mouse must not end someone's run.
      if (window.confirm(`Stop ${who}'s run? It ends now as cancelled and cannot be resumed.`)) act("stop", { run: run.id });
    });
    cell.append(stop);
  }
  return cell;
}

// After the close, the instructor's tools are off, and say why.
function showStatus() {
  $("workshop-status").textContent = board.status;
  if (!closed()) return;
  $("start-run")?.remove();
  const tools = $("instructor-tools");
  if (!tools) return;
  for (const control of tools.querySelectorAll("button, input, select")) control.disabled = true;
  $("preset-box").open = false;
  $("closed-line").hidden = false;
}

function apply(event) {
  follow(board, event);
  if (event.type === "snapshot") {
    board.baselines = event.baselines;
    setCurves(event.curves);
    // Filled once: a reconnect's snapshot must not undo the instructor's edits in progress.
    if (presetForm && !presetForm.dataset.filled) {
      fillPresetForm(presetForm, board);
      presetForm.dataset.filled = "yes";
    }
  } else if (event.type === "run") addPoints(event.run.id, event.points);
  else if (event.type === "preset") show($("preset-notice"), presetLine(board));
  document.body.dataset.boardSeq = event.seq;
  const start = $("start-run");
  if (start) start.href = presetLink(board);
  showStatus();
  render();
}

async function act(action, body) {
  $("instructor-error").hidden = true;
  try {
    await api(`/api/workshops/${code}/${action}`, { method: "POST", body: JSON.stringify(body) });
  } catch (failure) {
    $("instructor-error").textContent = failure.message;
    $("instructor-error").hidden = false;
  }
}

$("join-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api(`/api/workshops/${code}/join`, { method: "POST", body: JSON.stringify({ name: $("join-name").value }) });
    window.location.reload();
  } catch (failure) {
    $("join-error").textContent = failure.message;
    $("join-error").hidden = false;
  }
});
if (instructor) {
  $("clear-spotlight").addEventListener("click", () => act("spotlight", { run: null }));
  $("close-workshop").addEventListener("click", () => window.confirm("Close the workshop? No one can start runs after.") && act("close", {}));
  $("push-preset").addEventListener("click", () => act("preset", readPresetForm(presetForm)));
}
// The snapshot on every (re)connect fills any gap.
new EventStream(boardPath(code), {
  onEvent: apply,
  onError: (message) => { $("workshop-status").textContent = message.error; },
  onState: (state) => showConnection($("connection"), state),
});
