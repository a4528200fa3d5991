// Makes the survey page the server drew (`manyi-server`'s prerender) answerable before the app
// has arrived. The server writes this file into the page right after the drawn page, allowed by
// its hash in the page's Content-Security-Policy, so it runs as the page is read, before the
// first question is painted: a tap on an option is never a tap on nothing.
//
// Until the app takes over, it does what the app's controls do to the markup (`OptionGroup`: the option chosen is checked,
// selected and the group's tab stop; a star scale fills up to it), and keeps every choice and
// text in localStorage under `manyi.early.v1` so that a reload, after the app failed to arrive,
// shows them again. The app reads the page as it takes over (`src/browser/prerendered.rs`) and
// clears the key once its own draft holds the answers. A press of the submit button is marked
// on the form for the app to act on; the page itself never submits.
{
  const KEY = "manyi.early.v1";
  const main = document.querySelector("main[data-prerendered]");
  const id = main && main.dataset.prerendered;
  const read = () => {
    try {
      const all = JSON.parse(localStorage.getItem(KEY));
      return all && typeof all === "object" ? all : {};
    } catch {
      return {};
    }
  };
  // Storage that is full or refused loses only the copy for a reload: the page still holds the
  // choice, and the app takes it from there.
  const keep = (qid, value) => {
    try {
      const all = read();
      const mine = (all[id] = all[id] && typeof all[id] === "object" ? all[id] : {});
      mine[qid] = value;
      localStorage.setItem(KEY, JSON.stringify(all));
    } catch {}
  };
  const questionOf = (el) => el.closest(".question[data-testid^='question-']");
  const qidOf = (question) => question.dataset.testid.slice("question-".length);
  const choose = (radio) => {
    const group = radio.closest("[role=radiogroup]");
    const radios = [...group.querySelectorAll("[role=radio]")];
    const chosen = radios.indexOf(radio);
    const stars = group.classList.contains("scale-stars");
    radios.forEach((r, i) => {
      r.setAttribute("aria-checked", String(i === chosen));
      r.classList.toggle("selected", i === chosen);
      r.tabIndex = i === chosen ? 0 : -1;
      if (stars) r.classList.toggle("filled", i <= chosen);
    });
  };
  // The app, once it has arrived, takes the drawn page's place when the respondent first touches
  // it (`src/browser/prerendered.rs`). It is told after the event that touched it, and never
  // while a pointer is down: a page replaced between a finger's press and its release would
  // lose the tap.
  let pressing = false;
  let waiting = false;
  const tell = () => {
    waiting = pressing;
    if (pressing || "touched" in main.dataset) return;
    // Marked for an app that arrives later; told to one already waiting.
    main.dataset.touched = "";
    setTimeout(() => main.dispatchEvent(new CustomEvent("manyi:touched")));
  };
  if (main) {
    main.addEventListener("pointerdown", () => (pressing = true));
    const released = () => {
      pressing = false;
      if (waiting) tell();
    };
    addEventListener("pointerup", released);
    addEventListener("pointercancel", released);
    for (const type of ["click", "focusin", "input", "submit"]) main.addEventListener(type, tell);
    main.addEventListener("click", (event) => {
      const radio = event.target.closest("[role=radio]");
      const question = radio && questionOf(radio);
      if (!question || radio.closest("fieldset:disabled")) return;
      choose(radio);
      const qid = qidOf(question);
      keep(qid, { option: radio.dataset.testid.slice(`${qid}-opt-`.length) });
    });
    main.addEventListener("input", (event) => {
      const question = questionOf(event.target);
      if (question) keep(qidOf(question), { text: event.target.value });
    });
    main.addEventListener("submit", (event) => {
      event.preventDefault();
      event.target.dataset.submitted = "";
    });
    // What was chosen before a reload.
    const kept = read()[id];
    for (const [qid, value] of Object.entries(kept && typeof kept === "object" ? kept : {})) {
      const question = main.querySelector(`[data-testid="question-${CSS.escape(qid)}"]`);
      if (!question || !value) continue;
      if (typeof value.option === "string") {
        const radio = question.querySelector(`[data-testid="${CSS.escape(`${qid}-opt-${value.option}`)}"]`);
        if (radio) choose(radio);
      } else if (typeof value.text === "string") {
        const field = question.querySelector(`[data-testid="${CSS.escape(`${qid}-input`)}"]`);
        if (field) field.value = value.text;
      }
    }
  }
}
