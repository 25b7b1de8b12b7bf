// The tablet page only draws the state the counter sends and sends back what the
// customer does: the rules live in the counter's flow (package kioskflow).
"use strict";
let version = 0;
let lastTouch = 0;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "on") e.addEventListener("click", v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function act(body) {
  await fetch("/act", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
}

function category(score) {
  return score <= 6 ? "detractor" : score <= 8 ? "passive" : "promoter";
}

function draw(st) {
  document.documentElement.lang = st.lang;
  document.getElementById("shop").textContent = st.step === "idle" ? "" : st.shop;
  const langs = document.getElementById("langs");
  langs.replaceChildren(...st.langs.map(l => el("button", {class: l === st.lang ? "on" : "", "data-lang": l,
    on: () => act({do: "lang", lang: l})}, l.toUpperCase())));
  const main = document.getElementById("screen");
  main.dataset.step = st.step;
  const t = st.text;
  const parts = [];
  switch (st.step) {
  case "score": {
    if (st.welcome) parts.push(el("p", {class: "banner"}, st.welcome));
    parts.push(el("h1", {}, st.question));
    parts.push(el("div", {class: "keys"}, ...Array.from({length: 11}, (_, n) =>
      el("button", {class: category(n), "data-score": String(n), on: () => act({do: "score", score: n})}, String(n)))));
    parts.push(el("div", {class: "ends"}, el("span", {}, t.not_likely), el("span", {}, t.extremely_likely)));
    break;
  }
  case "comment": {
    const box = el("textarea", {id: "reason", placeholder: t.reason_hint, maxlength: "500", autofocus: ""});
    box.addEventListener("input", () => {
      const now = Date.now();
      if (now - lastTouch > 2000) { lastTouch = now; act({do: "touch"}); }
    });
    parts.push(el("h1", {}, t.reason), box, el("div", {class: "row"},
      el("button", {class: "big secondary", id: "skip", on: () => act({do: "skip"})}, t.skip),
      el("button", {class: "big primary", id: "send", on: () => act({do: "send", text: box.value})}, t.send)));
    break;
  }
  case "thanks":
    parts.push(el("p", {class: "thanks"}, t.thanks), el("p", {}, t.thanks_detail));
    if (st.welcome) parts.push(el("p", {class: "banner"}, st.welcome));
    if (st.notice) parts.push(el("p", {class: "banner notice", id: "notice"}, st.notice));
    parts.push(el("div", {class: "row", style: ""}, el("span"), el("button", {class: "big primary", on: () => act({do: "done"})}, t.done)));
    break;
  default:
    parts.push(el("p", {class: "idle"}, st.shop), el("p", {class: "muted"}, t.idle));
    if (st.notice) parts.push(el("p", {class: "banner notice", id: "notice"}, st.notice));
  }
  main.replaceChildren(...parts);
  const box = document.getElementById("reason");
  if (box) box.focus();
}

// follow long-polls the counter: each answer is the state newer than the one drawn.
async function follow() {
  for (;;) {
    try {
      const r = await fetch("/state?after=" + version);
      if (r.status === 401) { location.reload(); return; }
      const st = await r.json();
      if (st.version !== version) { version = st.version; draw(st); }
    } catch (e) {
      // The counter restarted or the network dropped: try again in a moment.
      await new Promise(ok => setTimeout(ok, 2000));
    }
  }
}

document.addEventListener("click", () => {
  if (document.fullscreenElement === null && document.documentElement.requestFullscreen) {
    document.documentElement.requestFullscreen().catch(() => {});
  }
}, {once: true});
follow();
