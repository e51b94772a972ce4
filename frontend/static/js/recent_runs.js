// "Your recent runs" on the build page: the server lists them when the page loads; a run
// trained in place joins the top of the list at once, so it can be ticked and compared
// without a reload. Titles are the person's own text: set as text, never as markup.
const $ = (id) => document.getElementById(id);

const picked = () => [...document.querySelectorAll("#recent input.pick:checked")].map((box) => box.value);

function listItem(run, title) {
  const item = document.createElement("li");
  const box = Object.assign(document.createElement("input"), {
    type: "checkbox", className: "pick", value: run.id, id: `pick-${run.id}`,
  });
  box.setAttribute("aria-label", `Compare ${title}`);
  const link = Object.assign(document.createElement("a"), { href: run.url, textContent: title });
  // No status badge: "Runs started here" above follows this run's status live.
  item.append(box, " ", link);
  return item;
}

// The list and its compare button, made when the first run of this page starts.
function list() {
  let runs = document.querySelector("#recent ul.recent-runs");
  if (runs) return runs;
  runs = Object.assign(document.createElement("ul"), { className: "runs recent-runs" });
  const compare = Object.assign(document.createElement("button"), {
    id: "compare-picked", type: "button", disabled: true, textContent: "Compare the ticked runs",
  });
  $("recent").querySelector("p.empty")?.remove();
  $("recent").append(runs, compare);
  return runs;
}

export function rememberRun(run, title) {
  list().prepend(listItem(run, title));
}

// One listener for every box and the button, those of the page and those added later.
export function watchRecentRuns() {
  $("recent").addEventListener("change", (event) => {
    if (event.target.matches("input.pick")) $("compare-picked").disabled = picked().length < 2;
  });
  $("recent").addEventListener("click", (event) => {
    if (event.target.id === "compare-picked") window.location.assign(`/compare/?runs=${picked().join(",")}`);
  });
}
