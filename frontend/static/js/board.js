// A workshop's live board: a snapshot, then each board event (a new participant, a run's
// progress, a spotlight, a new preset, the close). Every name is shown as text, never HTML.
import { api } from "./api.js";
import { showConnection } from "./connection.js";
import { ACTIVE, DEFAULT_PRESET, cellName } from "./constants.js";
import { EventStream, boardPath } from "./event_stream.js";
import { specToHash } from "./state.js";

const $ = (id) => document.getElementById(id);
const code = $("workshop-code").textContent;
const instructor = JSON.parse($("is-instructor").textContent);
const board = { participants: new Map(), runs: new Map(), preset: {}, locked: [], hidden: [], spotlight: null };

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content; // textContent: a name like <script> stays a name
  if (className) node.className = className;
  return node;
}

const fmt = (v) => (v == null ? "–" : Number(v.toPrecision(3)).toString());

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
    table.className = "board";
    table.dataset.task = task;
    const head = document.createElement("tr");
    for (const h of ["#", "who", "cell", "size", "status", "step", "val. loss", "best", ""]) head.append(text("th", h));
    table.append(text("caption", task), head);
    runs.forEach((run, i) => {
      const row = document.createElement("tr");
      row.dataset.run = run.id;
      if (run.id === board.spotlight) row.className = "spotlit";
      const who = board.participants.get(run.participant)?.name ?? "?";
      const link = Object.assign(document.createElement("a"), { href: `/runs/${run.id}/`, textContent: who });
      const whoCell = document.createElement("td");
      whoCell.append(link);
      row.append(text("td", i + 1), whoCell, text("td", run.cell),
        text("td", `${run.layers}×${run.hidden}${run.parameters ? ` · ${run.parameters.toLocaleString()}` : ""}`),
        text("td", run.status, `status-${run.status}`), text("td", `${run.step}/${run.total_steps}`),
        text("td", fmt(run.val_loss)), text("td", fmt(run.best_val_loss)), tools(run));
      table.append(row);
    });
    sections.push(table);
  }
  $("board").replaceChildren(...(sections.length ? sections : [text("p", "No runs yet. They appear here as people train.", "empty")]));
  showSpotlight();
}

function tools(run) {
  const cell = document.createElement("td");
  if (!instructor) return cell;
  const spot = text("button", "Spotlight");
  spot.type = "button";
  spot.dataset.spotlight = run.id;
  spot.addEventListener("click", () => act("spotlight", { run: run.id }));
  cell.append(spot);
  if (ACTIVE.has(run.status)) {
    const stop = text("button", "Stop", "danger");
    stop.type = "button";
    stop.dataset.stop = run.id;
    stop.addEventListener("click", () => act("stop", { run: run.id }));
    cell.append(stop);
  }
  return cell;
}

function showSpotlight() {
  const run = board.runs.get(board.spotlight);
  $("spotlight").hidden = !run;
  if (!run) return;
  const who = board.participants.get(run.participant)?.name ?? "someone";
  $("spotlight").replaceChildren("Spotlight: ", Object.assign(document.createElement("a"), {
    href: `/runs/${run.id}/`, textContent: `${who}'s ${cellName(run.cell)} on ${run.task}`,
  }), " (the instructor asks everyone to look)");
}

function startLink() {
  const link = $("start-run");
  if (link) link.href = "/" + specToHash({ dataset: DEFAULT_PRESET.dataset, ...board.preset }, { hide: board.hidden, lock: board.locked.map((p) => p.split(".").at(-1)) });
}

function apply(event) {
  if (event.type === "snapshot") {
    board.participants = new Map(event.participants.map((p) => [p.id, p]));
    board.runs = new Map(event.runs.map((r) => [r.id, r]));
    Object.assign(board, { preset: event.preset, locked: event.locked, hidden: event.hidden, spotlight: event.spotlight });
    $("workshop-status").textContent = event.status;
  } else if (event.type === "participant") board.participants.set(event.participant.id, event.participant);
  else if (event.type === "run") board.runs.set(event.run.id, event.run);
  else if (event.type === "spotlight") board.spotlight = event.run;
  else if (event.type === "preset") {
    Object.assign(board, { preset: event.preset, locked: event.locked, hidden: event.hidden });
    $("preset-notice").hidden = false;
    $("preset-notice").textContent = "The instructor pushed a new preset: your next run starts from it.";
  } else if (event.type === "status") {
    $("workshop-status").textContent = event.status;
    $("start-run")?.remove();
  }
  document.body.dataset.boardSeq = event.seq;
  startLink();
  render();
}

async function act(action, body) {
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
  $("preset-json").value = JSON.stringify(DEFAULT_PRESET);
  $("clear-spotlight").addEventListener("click", () => act("spotlight", { run: null }));
  $("close-workshop").addEventListener("click", () => window.confirm("Close the workshop? No one can start runs after.") && act("close", {}));
  $("push-preset").addEventListener("click", () => {
    let preset;
    try { preset = JSON.parse($("preset-json").value); } catch {
      $("instructor-error").textContent = "The preset is not valid JSON.";
      $("instructor-error").hidden = false;
      return;
    }
    const list = (id) => $(id).value.split(",").map((s) => s.trim()).filter(Boolean);
    act("preset", { preset, locked: list("preset-locked"), hidden: list("preset-hidden") });
  });
}
// The snapshot on every (re)connect fills any gap.
new EventStream(boardPath(code), {
  onEvent: apply,
  onError: (message) => { $("workshop-status").textContent = message.error; },
  onState: (state) => showConnection($("connection"), state),
});
