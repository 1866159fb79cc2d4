// The foyer kiosk's behaviour. Everything works without it (forms post, +/-
// buttons submit, text boxes take any keyboard); with it, the screen:
//   - shows the time;
//   - asks "Are you still there?" after a while without a touch, then resets;
//   - goes back to the start by itself when a task is finished;
//   - reads a barcode scanner (it types the QR code fast and presses Enter);
//   - works its on-screen keyboards and +/- counters;
//   - shows "Please tell reception you're here" when the server cannot be
//     reached, and recovers by itself.
// It stores nothing in the browser, and clears the browser's storage on reset.

// A scanner types a whole code, on average faster than this per character (people
// do not), then Enter. A pause this long starts a new burst of typing.
const SCAN_AVERAGE_MS = 40;
const SCAN_PAUSE_MS = 500;
const SCAN_MIN_LENGTH = 8;
const PING_EVERY_MS = 4000;
const PING_TIMEOUT_MS = 4000;

let timers = [];
let leaving = false;
let polling = null;
let onActivity = () => {};

const kiosk = () => document.getElementById("kiosk");
const main = () => document.getElementById("main-content");
const resetUrl = () => kiosk()?.dataset.resetUrl || "/kiosk/reset";
const pingUrl = () => kiosk()?.dataset.pingUrl || "/kiosk/ping";

function later(callback, ms) {
  const timer = setTimeout(callback, ms);
  timers.push(timer);
  return timer;
}

function every(callback, ms) {
  const timer = setInterval(callback, ms);
  timers.push(timer);
  return timer;
}

function clearTimers() {
  for (const timer of timers) {
    clearTimeout(timer);
    clearInterval(timer);
  }
  timers = [];
}

function wipeStorage() {
  try {
    sessionStorage.clear();
    localStorage.clear();
  } catch {
    // storage switched off: nothing to clear
  }
}

// --- is the server there? ------------------------------------------------------------

async function reachable() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PING_TIMEOUT_MS);
  try {
    const response = await fetch(pingUrl(), {
      cache: "no-store",
      credentials: "same-origin",
      signal: controller.signal,
    });
    // Any answer from the app (even "not set up") means it is there;
    // a proxy's "bad gateway" means it is not.
    return ![502, 503, 504].includes(response.status);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function showOffline() {
  const box = document.getElementById("kiosk-offline");
  if (!box) return;
  clearTimers();
  closeIdleWarning();
  box.hidden = false;
  if (polling) return;
  polling = setInterval(async () => {
    if (await reachable()) {
      clearInterval(polling);
      polling = null;
      wipeStorage();
      location.replace(resetUrl());
    }
  }, PING_EVERY_MS);
}

// --- going back to the start, leaving nothing behind -----------------------------------

async function goHome() {
  if (leaving) return;
  leaving = true;
  if (!(await reachable())) {
    leaving = false;
    showOffline();
    return;
  }
  wipeStorage();
  main()?.replaceChildren(); // nothing typed survives in a back-forward snapshot
  location.replace(resetUrl()); // replace: Back cannot return to this screen
}

// --- "Are you still there?" ------------------------------------------------------------

function idleDialog() {
  return document.getElementById("kiosk-idle");
}

function closeIdleWarning() {
  const dialog = idleDialog();
  if (dialog?.open) dialog.close();
}

function startIdle(root) {
  const idle = Number(root.dataset.idleSeconds || 0);
  const warning = Number(root.dataset.idleWarningSeconds || 20);
  if (!idle) return;
  const quietReset = root.dataset.screen === "home"; // the start screen just refreshes
  let idleTimer = null;
  let countdown = null;

  const arm = () => {
    clearTimeout(idleTimer);
    idleTimer = later(quietReset ? goHome : warn, idle * 1000);
  };
  const warn = () => {
    const dialog = idleDialog();
    if (!dialog) return goHome();
    const count = dialog.querySelector("[data-kiosk-countdown]");
    let left = warning;
    if (count) count.textContent = String(left);
    dialog.showModal();
    countdown = every(() => {
      left -= 1;
      if (count) count.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        clearInterval(countdown);
        goHome();
      }
    }, 1000);
  };
  const stay = idleDialog()?.querySelector("[data-kiosk-stay]");
  stay?.addEventListener("click", () => {
    clearInterval(countdown);
    closeIdleWarning();
    arm();
  });
  idleDialog()?.addEventListener("cancel", (event) => event.preventDefault());
  onActivity = () => {
    if (!idleDialog()?.open) arm();
  };
  arm();
}

function startAutoHome(root) {
  const seconds = Number(root.dataset.autoHome || 0);
  if (!seconds) return;
  const timer = later(goHome, seconds * 1000);
  const more = root.querySelector("[data-kiosk-more-time]");
  if (more) {
    more.hidden = false;
    more.addEventListener("click", () => {
      clearTimeout(timer);
      more.hidden = true;
    });
  }
}

// --- the time ------------------------------------------------------------------------------

function startClock(root) {
  const clock = root.querySelector("[data-kiosk-clock]");
  if (!clock) return;
  let format;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || "en", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: clock.dataset.timezone || "Europe/London",
    });
  } catch {
    return;
  }
  const tick = () => {
    clock.textContent = format.format(new Date());
  };
  tick();
  every(tick, 15000);
}

// --- the barcode scanner ----------------------------------------------------------------------

let burst = "";
let lastKey = 0;
let burstStartedAt = 0;
let burstInput = null;
let burstStart = null;

function isTextInput(element) {
  return element instanceof HTMLInputElement && element.type === "text";
}

function submitScan(code) {
  const form = document.getElementById("kiosk-scan");
  const input = form?.querySelector("input[name=code]");
  if (!form || !input) return;
  input.value = code;
  form.requestSubmit();
  input.value = ""; // the code was read when the form was sent; never keep it
}

document.addEventListener(
  "keydown",
  (event) => {
    onActivity();
    if (kiosk()?.dataset.scan !== "on") return;
    const now = performance.now();
    if (event.key === "Enter") {
      const scanned = burst;
      const average = (lastKey - burstStartedAt) / Math.max(scanned.length - 1, 1);
      burst = "";
      if (
        scanned.length >= SCAN_MIN_LENGTH &&
        average < SCAN_AVERAGE_MS &&
        now - lastKey < SCAN_PAUSE_MS
      ) {
        event.preventDefault();
        event.stopPropagation();
        if (burstInput && burstStart !== null) burstInput.value = burstStart;
        submitScan(scanned);
      }
      return;
    }
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    if (now - lastKey > SCAN_PAUSE_MS) {
      burst = "";
      burstStartedAt = now;
      burstInput = isTextInput(document.activeElement) ? document.activeElement : null;
      burstStart = burstInput ? burstInput.value : null;
    }
    burst += event.key;
    lastKey = now;
  },
  true,
);

for (const type of ["pointerdown", "touchstart", "input", "wheel"]) {
  document.addEventListener(type, () => onActivity(), { passive: true, capture: true });
}

// --- on-screen keyboards -------------------------------------------------------------------------

const REFERENCE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]$/;
const POSTCODE_KEY = /^[0-9A-Z]$/;

// A postcode is shown with its space before the last three ("NG3 9ZA"); the server
// reads it with or without.
function spacedPostcode(letters) {
  return letters.length > 4 ? `${letters.slice(0, -3)} ${letters.slice(-3)}` : letters;
}

function typeInto(input, board, key) {
  const kind = board.dataset.keyboard;
  const limit = Number(input.getAttribute("maxlength") || 50);
  if (kind === "reference") {
    const letters = input.value.replace(/[\s-]/g, "").toUpperCase();
    if (!REFERENCE.test(key) || letters.length >= 8) return;
    const next = letters + key;
    input.value = next.length > 4 ? `${next.slice(0, 4)} ${next.slice(4)}` : next;
  } else if (kind === "postcode") {
    const letters = input.value.replace(/\s/g, "").toUpperCase();
    if (!POSTCODE_KEY.test(key) || letters.length >= 7) return;
    input.value = spacedPostcode(letters + key);
  } else if (kind === "digits") {
    if (!/^\d$/.test(key) || input.value.length >= Math.min(limit, 13)) return;
    input.value += key;
  } else {
    if (input.value.length >= limit) return;
    if (key === " " && (input.value === "" || input.value.endsWith(" "))) return;
    const startOfWord = input.value === "" || /[\s-]$/.test(input.value);
    input.value += startOfWord ? key.toLocaleUpperCase() : key.toLocaleLowerCase();
  }
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function deleteFrom(input, board) {
  if (board.dataset.keyboard === "reference") {
    const letters = input.value.replace(/[\s-]/g, "").slice(0, -1);
    input.value = letters.length > 4 ? `${letters.slice(0, 4)} ${letters.slice(4)}` : letters;
  } else if (board.dataset.keyboard === "postcode") {
    input.value = spacedPostcode(input.value.replace(/\s/g, "").slice(0, -1));
  } else {
    input.value = input.value.slice(0, -1);
  }
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

// The name keyboard shows one page at a time: "own-0", "own-1" (the family's
// script and its more letters) or "latin-0", "latin-1" (A to Z, then accents).
function showPage(board, alphabet, index) {
  board.dataset.alphabet = alphabet;
  for (const page of board.querySelectorAll("[data-keyboard-page]")) {
    page.hidden = page.dataset.keyboardPage !== `${alphabet}-${index}`;
  }
  for (const more of board.querySelectorAll("[data-key-action=page]")) {
    more.hidden = more.dataset.forAlphabet !== alphabet;
    more.setAttribute("aria-pressed", String(index === 1));
    for (const label of more.querySelectorAll("[data-page-label]")) {
      label.hidden = Number(label.dataset.pageLabel) !== index;
    }
  }
  for (const label of board.querySelectorAll("[data-alphabet-label]")) {
    label.hidden = label.dataset.alphabetLabel !== alphabet;
  }
}

function switchPage(board, button) {
  showPage(board, board.dataset.alphabet, button.getAttribute("aria-pressed") === "true" ? 0 : 1);
}

function switchAlphabet(board, button) {
  const latin = board.dataset.alphabet !== "latin";
  button.setAttribute("aria-pressed", String(latin));
  showPage(board, latin ? "latin" : "own", 0);
}

function showBoardFor(root, input) {
  for (const board of root.querySelectorAll("[data-keyboard]")) {
    board.hidden = board.dataset.keyboardFor !== input.id;
  }
}

function startKeyboards(root) {
  const inputs = [...root.querySelectorAll("[data-keyboard-input]")];
  if (!inputs.length) return;
  for (const input of inputs) {
    input.setAttribute("inputmode", "none"); // our keyboard, not the system's
    input.addEventListener("focus", () => showBoardFor(root, input));
  }
  showBoardFor(root, inputs[0]);
}

document.addEventListener("click", (event) => {
  const key = event.target.closest?.("[data-key], [data-key-action]");
  const board = key?.closest("[data-keyboard]");
  if (!key || !board) return;
  const input = document.getElementById(board.dataset.keyboardFor);
  if (!input) return;
  const action = key.dataset.keyAction;
  if (action === "delete") deleteFrom(input, board);
  else if (action === "page") switchPage(board, key);
  else if (action === "alphabet") switchAlphabet(board, key);
  else typeInto(input, board, key.dataset.key);
});

// --- +/- counters ------------------------------------------------------------------------------

function counterParts(counter) {
  return {
    input: counter.querySelector("input[type=hidden]"),
    output: counter.querySelector("output"),
    fewer: counter.querySelector("[data-step='-1']"),
    more: counter.querySelector("[data-step='1']"),
  };
}

function refreshCounters(form) {
  const counters = [...form.querySelectorAll("[data-counter]")];
  const total = counters.reduce((sum, c) => sum + Number(counterParts(c).input.value), 0);
  const maxTotal = Number(form.dataset.maxTotal || Infinity);
  for (const counter of counters) {
    const { input, output, fewer, more } = counterParts(counter);
    const value = Number(input.value);
    output.textContent = String(value);
    fewer.setAttribute("aria-disabled", String(value <= Number(input.dataset.min || 0)));
    more.setAttribute(
      "aria-disabled",
      String(value >= Number(input.dataset.max || 10) || total >= maxTotal),
    );
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-step]");
  const counter = button?.closest("[data-counter]");
  if (!button || !counter) return;
  event.preventDefault(); // count here instead of sending the form
  if (button.getAttribute("aria-disabled") === "true") return;
  const { input } = counterParts(counter);
  const min = Number(input.dataset.min || 0);
  const max = Number(input.dataset.max || 10);
  input.value = String(Math.min(max, Math.max(min, Number(input.value) + Number(button.dataset.step))));
  refreshCounters(counter.closest("form"));
});

// --- links and forms that leave the screen --------------------------------------------------------

document.addEventListener("click", (event) => {
  const home = event.target.closest?.("[data-kiosk-home]");
  if (!home) return;
  event.preventDefault();
  goHome();
});

// Language and display forms reload the whole page (they change <html>):
// check the server is there first, so a failure shows our calm screen.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.getAttribute("hx-boost") !== "false") return;
  event.preventDefault();
  const button = event.submitter;
  if (!(await reachable())) return showOffline();
  if (button?.name) {
    const chosen = document.createElement("input");
    chosen.type = "hidden";
    chosen.name = button.name;
    chosen.value = button.value;
    form.append(chosen);
  }
  form.submit();
});

// --- htmx: errors are pages too; no connection is the calm screen -------------------------------

document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if ([502, 503, 504].includes(status)) {
    event.detail.shouldSwap = false;
    showOffline();
  } else if (status >= 400) {
    event.detail.shouldSwap = true; // our error pages are whole kiosk screens
    event.detail.isError = false;
  }
});

for (const type of ["htmx:sendError", "htmx:timeout"]) {
  document.addEventListener(type, showOffline);
}

document.addEventListener("htmx:afterSettle", () => {
  start();
  window.scrollTo(0, 0);
  main()?.focus({ preventScroll: true });
});

// A page brought back from the back-forward cache starts again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) goHome();
});
window.addEventListener("pagehide", (event) => {
  if (event.persisted) main()?.replaceChildren();
});

// --- each screen ---------------------------------------------------------------------------------

function start() {
  clearTimers();
  closeIdleWarning();
  onActivity = () => {};
  leaving = false;
  const root = kiosk();
  if (!root?.dataset.resetUrl) return; // not a paired screen
  if (root.dataset.screen === "busy") return showOffline(); // the database was busy: wait for it
  if (root.dataset.screen === "home") wipeStorage();
  startClock(root);
  startIdle(root);
  startAutoHome(root);
  startKeyboards(root);
  for (const form of root.querySelectorAll("form")) {
    if (form.querySelector("[data-counter]")) refreshCounters(form);
  }
}

start();
