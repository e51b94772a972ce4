// Facts the server defines (statuses, cells, upload fields, the default preset), read from the
// page's "constants" json_script block (playground/page_constants.py), never copied here.

const constants = JSON.parse(document.getElementById("constants").textContent);

export const ACTIVE = new Set(constants.statuses.active); // queued or training
export const FINISHED = new Set(constants.statuses.finished); // will not change again
export const TRYABLE = new Set(constants.statuses.tryable); // finished with a model to try
export const CELLS = constants.cells;
export const CELL_NAMES = constants.cell_names; // "rnn" -> "Vanilla RNN"
export const READERS = new Set(constants.readers); // cells that carry a state step to step
export const DEFAULT_PRESET = constants.default_preset;
export const UPLOAD_FIELDS = constants.upload_fields; // each has an "upload-<field>" input

export const cellName = (cell) => CELL_NAMES[cell] ?? cell;
// A run's last word on its stream: its final status, or the result recorded with it.
export const runEnds = (event) =>
  event.type === "done" || (event.type === "status" && FINISHED.has(event.status));
