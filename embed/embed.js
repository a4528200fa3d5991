/*! manyi embed loader. CSSOM styles only (strict CSP). Docs: README.md, "Embedding". */
// Shows a manyi survey in an iframe of the server's /embed/{survey} page: inline in an element,
// as a popup, or behind a floating button or side tab. No dependencies, no inline scripts, no
// markup from strings; every style is set through the CSSOM (el.style), which a
// Content-Security-Policy without 'unsafe-inline' allows. scripts/build-loader.mjs drops these
// whole-line comments from the served file, which must stay within 3 KB gzip.
(() => {
  const W = window;
  const D = document;
  // The tag that loaded this file: its data-* attributes configure a widget, its src names the
  // manyi server.
  const script = D.currentScript;
  // The loader's own labels, in the app's languages: zh-CN, zh-TW, en.
  const LABELS = {
    button: ["意见反馈", "意見回饋", "Feedback"],
    close: ["关闭", "關閉", "Close"],
    title: ["问卷", "問卷", "Survey"],
  };
  const label = (key, lang) =>
    LABELS[key][/^zh-(tw|hk|mo|hant)/i.test(lang) ? 1 : /^zh/i.test(lang) ? 0 : 2];

  // Host storage: display rules, and the frame's data when its own storage is blocked.
  const storage = (use) => {
    try {
      return use(localStorage);
    } catch {}
  };
  const flag = (survey, name, set) => {
    const key = `manyi.embed.${name}.${survey}`;
    return storage((s) => (set && s.setItem(key, 1), s.getItem(key) == 1));
  };

  const make = (tag, style, parent) => {
    const el = D.createElement(tag);
    Object.assign(el.style, style);
    parent?.append(el);
    return el;
  };

  // Shows survey `options.survey`; returns { frame, open, close } (open and close for the
  // popup, button and tab modes), or null when a display rule says not to show it.
  function open(options) {
    const o = { mode: "inline", ...options };
    const { survey, mode } = o;
    if (!survey) throw Error("manyi: no survey");
    if ((o.once && flag(survey, "seen")) || (o.hideAfterSubmit && flag(survey, "done"))) return null;
    const server = new URL(o.server || script?.src || location.href).origin;
    const lang = o.lang || D.documentElement.lang || navigator.language;
    const radius = o.radius || "12px";
    const dark = o.theme ? o.theme == "dark" : matchMedia("(prefers-color-scheme:dark)").matches;

    // Query: language and the response's meta. Fragment (never sent): the frame's settings,
    // among them this page's origin, the only one the frame will talk to once the server's
    // allowed list confirms it.
    const query = new URLSearchParams(o.meta);
    if (o.lang) query.set("lang", o.lang);
    const settings = new URLSearchParams({ origin: location.origin });
    for (const key of ["brand", "radius", "font", "theme"]) if (o[key]) settings.set(key, o[key]);

    const frame = make("iframe", { display: "block", width: "100%", height: "20rem", border: 0 });
    frame.title = o.title || label("title", lang);
    frame.src = `${server}/embed/${encodeURIComponent(survey)}?${query}#${settings}`;

    // When the browser refuses the frame its own storage (third-party storage blocked), the
    // frame keeps its draft and outbox here, under keys prefixed with the server's origin: it
    // asks for them ("storage") and sends each change ("store"). tell() sends the frame its
    // values: all of them (`all`, the answer to its request), or those under `keys` after a
    // change in another tab or frame.
    const prefix = server + " ";
    const tell = (keys, all) => {
      const items = {};
      for (const key of keys) {
        if (key.startsWith(prefix)) items[key.slice(prefix.length)] = storage((s) => s.getItem(key));
      }
      frame.contentWindow?.postMessage({ manyi: 1, type: "storage", items, all }, server);
    };
    W.addEventListener("storage", ({ key }) => key && tell([key]));

    const emit = (type, data) => {
      const detail = { ...data, manyi: 1, type, survey_id: survey };
      o.on?.(type, detail);
      D.dispatchEvent(new CustomEvent("manyi:" + type, { detail }));
    };
    // Only messages from this survey's own frame, from the manyi server's origin, are heard;
    // ready, resize, page and completed are passed on to the page as manyi:<type> events.
    W.addEventListener("message", ({ origin, source, data }) => {
      if (origin != server || source != frame.contentWindow || data?.manyi != 1) return;
      const { type, value, height } = data;
      const key = prefix + data.key;
      if (type == "storage") return tell(storage(Object.keys) || [], 1);
      // Escape pressed inside the frame closes a popup or panel as it does outside.
      if (type == "escape") return widget.close?.();
      if (type == "store") {
        storage((s) => (value == null ? s.removeItem(key) : s.setItem(key, value)));
        // Told to this server's other frames on the page, as to other tabs.
        return W.dispatchEvent(new StorageEvent("storage", { key, newValue: value }));
      }
      // The frame is as tall as its content, so it never scrolls.
      if (type == "resize" && height > 0) frame.style.height = Math.ceil(height) + "px";
      if (type == "completed") flag(survey, "done", 1);
      emit(type, data);
    });

    const widget = { frame };
    if (mode == "inline") {
      let target = typeof o.target == "string" ? D.querySelector(o.target) : o.target;
      if (!target && !o.target && D.body.contains(script)) script.after((target = make("div")));
      if (!target) throw Error("manyi: no element " + o.target);
      target.append(frame);
      flag(survey, "seen", 1);
      return widget;
    }

    // Popup, button, tab: a panel with a close button; the panel scrolls when the survey is
    // taller than the window. The popup's panel sits on a backdrop, near the top so that it
    // does not move as the frame's height follows the pages; the button's and tab's panels
    // have a fixed height for the same reason.
    const popup = mode == "popup";
    const fixed = { position: "fixed", zIndex: 2147483000 };
    const panel = make("div", {
      ...fixed,
      display: "flex",
      flexDirection: "column",
      width: `min(${popup ? 40 : 24}rem,calc(100% - 2rem))`,
      [popup ? "maxHeight" : "height"]: popup ? "90vh" : "min(40rem,calc(100vh - 6rem))",
      background: dark ? "#11151b" : "#f6f7f9",
      borderRadius: radius,
      boxShadow: "0 8px 32px #0006",
      overflow: "hidden",
    });
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", frame.title);
    const shut = make("button", {
      alignSelf: "end",
      minHeight: "44px",
      padding: "0 16px",
      border: 0,
      background: "none",
      color: dark ? "#fff" : "#000",
      font: "16px sans-serif",
    }, panel);
    shut.textContent = label("close", lang);
    shut.onclick = () => widget.close();
    make("div", { overflow: "auto" }, panel).append(frame);

    let root = panel;
    let toggle;
    let shown;
    let before;
    if (popup) {
      panel.setAttribute("aria-modal", true);
      Object.assign(panel.style, { position: "relative", margin: "5vh auto auto" });
      root = make("div", { ...fixed, inset: 0, background: "#0008" });
      root.append(panel);
      root.onclick = (event) => event.target == root && widget.close();
    } else {
      const tab = mode == "tab";
      toggle = make("button", {
        ...fixed,
        ...(tab ? { right: 0, top: "40%", writingMode: "vertical-rl" } : { right: "1rem", bottom: "1rem" }),
        padding: "12px 16px",
        border: 0,
        borderRadius: radius,
        background: o.brand || "#1d5fd1",
        color: "#fff",
        font: "600 16px " + (o.font || "sans-serif"),
      });
      toggle.textContent = o.label || label("button", lang);
      toggle.onclick = () => (shown ? widget.close() : widget.open());
      Object.assign(panel.style, tab
        ? { right: "3.5rem", top: "50%", transform: "translateY(-50%)" }
        : { right: "1rem", bottom: "5rem" });
    }
    D.addEventListener("keydown", (event) => event.key == "Escape" && widget.close());
    const show = (on) => {
      shown = on;
      root.style.display = on ? "flex" : "none";
      toggle?.setAttribute("aria-expanded", on);
    };
    widget.open = () => {
      if (shown) return;
      before = D.activeElement;
      // Added once: moving a frame reloads it.
      root.isConnected || D.body.append(root);
      show(true);
      flag(survey, "seen", 1);
      frame.focus();
      emit("opened");
    };
    widget.close = () => {
      if (!shown) return;
      show(false);
      before?.focus?.();
      emit("closed");
    };
    const start = () => (toggle ? (show(false), D.body.append(toggle)) : widget.open());
    o.delay > 0 ? setTimeout(start, o.delay * 1000) : start();
    return widget;
  }

  W.manyi ||= { open };
  // <script src=".../embed.js" data-survey="…" …> starts a widget; data-meta-KEY="value"
  // attributes become the response's meta.
  const data = script?.dataset;
  if (data?.survey) {
    const o = { ...data, meta: {}, once: "once" in data, hideAfterSubmit: "hideAfterSubmit" in data };
    for (const { name, value } of script.attributes) {
      if (name.startsWith("data-meta-")) o.meta[name.slice(10)] = value;
    }
    D.readyState == "loading" ? D.addEventListener("DOMContentLoaded", () => open(o)) : open(o);
  }
})();
