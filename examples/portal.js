// The example portal's own script (portal.html): logs every widget event and opens the NPS
// survey as a popup from a button, through the loader's JavaScript API.
const MANYI = "http://127.0.0.1:8080";

function log(detail) {
  const list = document.getElementById("event-log");
  if (!list) return;
  const { manyi, type, survey_id, ...rest } = detail;
  const item = document.createElement("li");
  item.textContent = `${survey_id} ${type} ${JSON.stringify(rest)}`;
  list.append(item);
}

for (const type of ["ready", "page", "completed", "opened", "closed"]) {
  document.addEventListener(`manyi:${type}`, (event) => log(event.detail));
}

document.addEventListener("DOMContentLoaded", () => {
  let popup = null;
  document.getElementById("rate-support").addEventListener("click", () => {
    // The loader is there once the page has loaded; the same popup is reopened after a close.
    if (popup) return popup.open();
    popup = window.manyi.open({
      server: MANYI,
      survey: "nps",
      mode: "popup",
      meta: { ticket: "T-5521", channel: "portal-popup" },
      brand: "#0a7d5a",
      radius: "6px",
      font: "Georgia, serif",
      on(type, detail) {
        if (type === "completed") console.info("NPS response", detail.response_id, detail.scores.nps);
      },
    });
  });
});
