// What a workshop's instructor tells every screen: the spotlit run, and a new preset. The
// board shows them; so does a participant's run page (templates/workshop_notices.html),
// which listens to the board for them alone. Names are always set as text.
import { DEFAULT_PRESET, cellName } from "./constants.js";
import { EventStream, boardPath } from "./event_stream.js";
import { specToHash } from "./state.js";

// The spotlight as a line: "Spotlight: Ada's LSTM on adding (...)", or null when none.
export function spotlightLine(board) {
  const run = board.runs.get(board.spotlight);
  if (!run) return null;
  const who = board.participants.get(run.participant)?.name ?? "someone";
  const link = Object.assign(document.createElement("a"), {
    href: `/runs/${run.id}/`, textContent: `${who}'s ${cellName(run.cell)} on ${run.task}`,
  });
  return ["Spotlight: ", link, " (the instructor asks everyone to look)"];
}

// The build page's address for a run from the preset: its values, hidden and locked controls.
export function presetLink(board) {
  const spec = { dataset: DEFAULT_PRESET.dataset, ...board.preset };
  return "/" + specToHash(spec, { hide: board.hidden, lock: board.locked.map((p) => p.split(".").at(-1)) });
}

export function presetLine(board) {
  const link = Object.assign(document.createElement("a"), { href: presetLink(board), textContent: "Start a run from it" });
  return ["The instructor pushed a new preset: your next run starts from it. ", link];
}

// Fold one board event into what the notices need to know.
export function follow(board, event) {
  if (event.type === "snapshot") {
    board.participants = new Map(event.participants.map((p) => [p.id, p]));
    board.runs = new Map(event.runs.map((r) => [r.id, r]));
    Object.assign(board, { preset: event.preset, locked: event.locked, hidden: event.hidden, spotlight: event.spotlight, status: event.status });
  } else if (event.type === "participant") board.participants.set(event.participant.id, event.participant);
  else if (event.type === "run") board.runs.set(event.run.id, event.run);
  else if (event.type === "spotlight") board.spotlight = event.run;
  else if (event.type === "preset") Object.assign(board, { preset: event.preset, locked: event.locked, hidden: event.hidden });
  else if (event.type === "status") board.status = event.status;
}

export function show(node, parts) {
  node.hidden = !parts;
  if (parts) node.replaceChildren(...parts);
}

// A participant's run page: the spotlight and each new preset, live.
const notices = document.getElementById("workshop-notices");
if (notices) {
  const board = { participants: new Map(), runs: new Map(), preset: {}, locked: [], hidden: [], spotlight: null };
  const spotlight = notices.querySelector(".spotlight");
  const preset = notices.querySelector(".notice");
  new EventStream(boardPath(notices.dataset.code), {
    onEvent: (event) => {
      follow(board, event);
      show(spotlight, spotlightLine(board));
      if (event.type === "preset") show(preset, presetLine(board));
      if (event.type === "status" && event.status === "closed") {
        show(preset, ["This workshop has closed: your next runs are your own again."]);
      }
      notices.dataset.boardSeq = event.seq;
    },
  });
}
