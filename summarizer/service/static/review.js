// The review workbench's behaviour: keyboard, highlights, decisions. No inline script:
// the page's Content-Security-Policy allows this file only.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const say = (text) => { document.getElementById("status").textContent = text; };

function reviewer() {
  const input = document.getElementById("reviewer");
  const name = input ? input.value.trim() : "";
  if (!name) {
    say("Give your name as reviewer first (top of the page).");
    if (input) input.focus();
  }
  return name;
}

async function post(url, body) {
  const answer = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.detail || `HTTP ${answer.status}`);
  return data;
}

// --- Reviewer name and cheat sheet ---------------------------------------------------

function setUpHeader() {
  const input = document.getElementById("reviewer");
  if (input) {
    input.value = localStorage.getItem("summarizer.reviewer") || "";
    input.addEventListener("change", () => localStorage.setItem("summarizer.reviewer", input.value.trim()));
  }
  const button = document.querySelector(".help-button");
  if (button) button.addEventListener("click", toggleHelp);
}

function toggleHelp() {
  const sheet = document.getElementById("cheatsheet");
  sheet.hidden = !sheet.hidden;
  const button = document.querySelector(".help-button");
  if (button) button.setAttribute("aria-expanded", String(!sheet.hidden));
}

// --- Moving with the keyboard --------------------------------------------------------

function items() {
  return [...document.querySelectorAll("tr.row, article.card")];
}

function move(step) {
  const all = items();
  if (!all.length) return;
  const current = all.indexOf(document.activeElement.closest("tr.row, article.card"));
  const next = all[Math.min(all.length - 1, Math.max(0, current + step))];
  if (next.tagName === "TR") next.querySelector("a").focus(); else next.focus();
  next.scrollIntoView({ block: "nearest" });
}

function currentCard() {
  const focused = document.activeElement && document.activeElement.closest("article.card");
  return focused || document.querySelector("article.card");
}

function onKey(event) {
  const typing = event.target.closest("input, textarea, select");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const card = currentCard();
  const actions = {
    j: () => move(1),
    k: () => move(-1),
    "?": toggleHelp,
    u: () => { window.location.href = "/"; },
    n: addIncident,
    a: () => card && decide(card, "accept"),
    r: () => card && reject(card),
    e: () => card && openEditor(card),
  };
  if (actions[event.key]) {
    event.preventDefault();
    actions[event.key]();
  }
}

// --- Highlights ----------------------------------------------------------------------

function lightUp(key, on) {
  const marks = [...document.querySelectorAll("mark[data-keys]")]
    .filter((mark) => mark.dataset.keys.split(" ").includes(key));
  marks.forEach((mark) => mark.classList.toggle("active", on));
  if (on && marks.length) marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
}

function setUpValues() {
  document.querySelectorAll("button.value").forEach((value) => {
    const key = value.dataset.key;
    ["mouseenter", "focus"].forEach((name) => value.addEventListener(name, () => lightUp(key, true)));
    ["mouseleave", "blur"].forEach((name) => value.addEventListener(name, () => lightUp(key, false)));
  });
}

// --- Decisions -----------------------------------------------------------------------

function articleId() {
  const bench = document.querySelector(".workbench");
  return bench ? bench.dataset.article : null;
}

function recordUrl(card) {
  return `/review/decide?article=${encodeURIComponent(articleId())}&record=${encodeURIComponent(card.dataset.record)}`;
}

async function decide(card, decision, extra = {}) {
  const name = reviewer();
  if (!name) return;
  try {
    await post(recordUrl(card), { reviewer: name, decision, ...extra });
    say(`${card.dataset.record}: ${decision} recorded`);
    window.location.hash = card.dataset.record;
    window.location.reload();
  } catch (error) {
    say(`${card.dataset.record}: ${error.message}`);
    showErrors(card, error.message);
  }
}

function reject(card) {
  if (!reviewer()) return;
  const reason = window.prompt(`Why is ${card.dataset.record} wrong?`);
  if (reason && reason.trim()) decide(card, "reject", { reason: reason.trim() });
}

function openEditor(card) {
  const editor = card.querySelector("form.editor");
  editor.hidden = false;
  editor.querySelector("textarea").focus();
}

function showErrors(card, message) {
  const list = card.querySelector("ul.errors");
  if (!list) return;
  list.replaceChildren(...message.split("\n").map((line) => {
    const item = document.createElement("li");
    item.textContent = line;
    return item;
  }));
}

// The selection in the article as UTF-16 offsets of its text (the server converts).
function selectionOffsets() {
  const text = document.getElementById("text");
  const selection = window.getSelection();
  if (!text || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(text, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  return { start, end: start + range.toString().length };
}

async function useSelection(card) {
  const offsets = selectionOffsets();
  const name = reviewer();
  if (!offsets || offsets.end <= offsets.start) { say("Select some of the article's text first."); return; }
  if (!name) return;
  const field = card.querySelector("select.field").value;
  const url = `/review/selection?article=${encodeURIComponent(articleId())}`;
  try {
    const { value } = await post(url, { reviewer: name, field, ...offsets });
    const area = card.querySelector("textarea.json");
    const record = JSON.parse(area.value);
    if (field === "evidence" || field === "killed" || field === "injured") record[field] = value;
    else if (field === "location") record.location = { ...record.location, text: value, place: value.text };
    else record[field] = [...(record[field] || []), value];
    area.value = JSON.stringify(record, null, 2);
    say(`${field} set to “${value.text}”; save the edit to keep it`);
  } catch (error) {
    showErrors(card, error.message);
  }
}

async function saveEdit(card, event) {
  event.preventDefault();
  let record;
  try {
    record = JSON.parse(card.querySelector("textarea.json").value);
  } catch (error) {
    showErrors(card, `record: not valid JSON (${error.message})`);
    return;
  }
  decide(card, "edit", { record });
}

async function addIncident() {
  const offsets = selectionOffsets();
  const name = reviewer();
  if (!offsets || offsets.end <= offsets.start) { say("Select the passage that tells of the incident first."); return; }
  if (!name) return;
  try {
    const { record_id } = await post(`/review/add?article=${encodeURIComponent(articleId())}`, { reviewer: name, ...offsets });
    window.location.hash = record_id;
    window.location.reload();
  } catch (error) {
    say(error.message);
  }
}

function setUpCards() {
  document.querySelectorAll("article.card").forEach((card) => {
    card.querySelector(".accept").addEventListener("click", () => decide(card, "accept"));
    card.querySelector(".reject").addEventListener("click", () => reject(card));
    card.querySelector(".edit").addEventListener("click", () => openEditor(card));
    card.querySelector(".use-selection").addEventListener("click", () => useSelection(card));
    card.querySelector("form.editor").addEventListener("submit", (event) => saveEdit(card, event));
    card.querySelector(".cancel").addEventListener("click", () => { card.querySelector("form.editor").hidden = true; card.focus(); });
  });
  const add = document.getElementById("add-incident");
  if (add) add.addEventListener("click", addIncident);
  const wanted = decodeURIComponent(window.location.hash.slice(1));
  const card = wanted && document.querySelector(`article.card[data-record="${CSS.escape(wanted)}"]`);
  if (card) card.focus();
}

function setUpQueue() {
  document.querySelectorAll("tr.row").forEach((row) => {
    row.addEventListener("click", (event) => {
      if (!event.target.closest("a")) window.location.href = row.dataset.href;
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpHeader();
  setUpValues();
  setUpCards();
  setUpQueue();
  document.addEventListener("keydown", onKey);
});
