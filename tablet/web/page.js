// The tablet page only draws the state the counter sends and sends back what the
// customer does: the rules live in the counter's flow (package kioskflow).
"use strict";
let version = 0;
let lastTouch = 0;
// A browser gives the camera's live picture only to a secure context: localhost or
// HTTPS. On a shop's plain-http network the tablet takes a photo of the card instead,
// with its own camera app.
const liveCamera = window.isSecureContext && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
const cameraFor = 30000; // ms of live picture before giving up on a customer who left
let camera = null; // the live camera while open: {stream, until}

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
    if (st.selfScan) {
      parts.push(liveCamera ? el("button", {class: "big primary", id: "scan", on: openCamera}, t.scan)
        : el("label", {class: "big primary", id: "scan", for: "photo"}, t.scan));
    }
    if (st.notice) parts.push(el("p", {class: "banner notice", id: "notice"}, st.notice));
  }
  document.getElementById("camera-hint").textContent = t.camera_hint;
  document.getElementById("camera-cancel").textContent = t.cancel;
  document.getElementById("camera-photo").textContent = t.photo;
  if (st.step !== "idle") closeCamera();
  main.replaceChildren(...parts);
  const box = document.getElementById("reason");
  if (box) box.focus();
}

function sleep(ms) {
  return new Promise(ok => setTimeout(ok, ms));
}

// shrink draws source (a video or a photo) at most side pixels across, as a JPEG.
function shrink(source, width, height, side) {
  const scale = Math.min(1, side / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
  return new Promise(ok => canvas.toBlob(ok, "image/jpeg", 0.9));
}

// scan sends a picture to the counter, which reads the card and credits the visit; it
// reports whether a card was read.
async function scan(blob, photo) {
  const r = await fetch(photo ? "/scan?photo=1" : "/scan", {method: "POST", headers: {"Content-Type": "image/jpeg"}, body: blob});
  if (r.status === 401) { location.reload(); return false; }
  return r.ok && (await r.json()).read;
}

async function openCamera() {
  if (camera) return;
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({audio: false,
      video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}}});
  } catch (e) {
    // No camera, or the customer said no: a photo still works.
    document.getElementById("photo").click();
    return;
  }
  const cam = {stream, until: Date.now() + cameraFor};
  camera = cam;
  const video = document.getElementById("video");
  video.srcObject = stream;
  document.getElementById("camera").hidden = false;
  while (camera === cam && Date.now() < cam.until) {
    if (video.readyState < 2) { await sleep(100); continue; }
    try {
      if (await scan(await shrink(video, video.videoWidth, video.videoHeight, 1280), false)) break;
    } catch (e) {
      await sleep(1000); // the network dropped: the next frame tries again
    }
  }
  if (camera === cam) closeCamera();
}

function closeCamera() {
  if (!camera) return;
  for (const track of camera.stream.getTracks()) track.stop();
  camera = null;
  document.getElementById("video").srcObject = null;
  document.getElementById("camera").hidden = true;
}

document.getElementById("camera-cancel").addEventListener("click", closeCamera);
document.getElementById("photo").addEventListener("change", async e => {
  const file = e.target.files[0];
  e.target.value = "";
  if (!file) return;
  closeCamera();
  let picture = file; // a format this browser cannot draw goes as it is: the counter says it read nothing
  try {
    const bitmap = await createImageBitmap(file);
    picture = await shrink(bitmap, bitmap.width, bitmap.height, 1600);
  } catch (err) { /* sent as it is */ }
  try {
    await scan(picture, true);
  } catch (err) {
    // The network dropped: the customer tries again.
  }
});

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
