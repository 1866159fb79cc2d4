// The arrivals board: waiting times that tick, a refresh when the live stream
// (re)connects, browser notifications and an optional chime for new arrivals and
// escalations, and Undo that disappears after 10 seconds. Notification text
// never holds a family's name or topic: it comes from the page's data-text-*.

const UNDO_SECONDS = 10;
const TICK_MS = 15000;

const root = document.querySelector("[data-arrivals]");
const board = document.getElementById("board");

function refresh() {
  document.body.dispatchEvent(new CustomEvent("fd:refresh", { bubbles: true }));
}

// --- the fire roll call's print button ---------------------------------------------
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

if (root && board) {
  const live = root.querySelector("[data-live]");
  const alertsBox = root.querySelector("[data-alerts]");
  const enable = root.querySelector("[data-alerts-enable]");
  const chime = root.querySelector("[data-chime]");
  let renderedAt = performance.now();
  let seen = null; // row key -> level, after the first look
  const asked = new Set(); // rows whose escalation we already asked the server about

  // --- live status: say when the stream is down; catch up when it is back ----------
  document.body.addEventListener("htmx:sseOpen", () => {
    live.textContent = root.dataset.textLive;
    refresh();
  });
  document.body.addEventListener("htmx:sseError", () => {
    live.textContent = root.dataset.textReconnecting;
  });

  // --- a board fetch that failed is tried again --------------------------------------
  // When the server is busy (503 with Retry-After: every board at a busy hub fetches
  // at once) or the network drops, the board would keep its old cards until the next
  // event. It asks again after Retry-After (or 5 s), plus up to as long again at
  // random, so a thousand boards turned away together do not come back together.
  let retry = null;
  function fetchAgainLater(event) {
    if (event.detail.target !== board || retry !== null) return;
    const after = Number(event.detail.xhr?.getResponseHeader("Retry-After")) || 5;
    retry = setTimeout(
      () => {
        retry = null;
        refresh();
      },
      (after + Math.random() * after) * 1000,
    );
  }
  document.body.addEventListener("htmx:responseError", fetchAgainLater);
  document.body.addEventListener("htmx:sendError", fetchAgainLater);

  // --- alerts --------------------------------------------------------------------------
  let audio = null;
  function playChime() {
    if (!chime || !chime.checked) return;
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  }

  function notify(text) {
    playChime();
    if ("Notification" in window && Notification.permission === "granted") {
      // The same tag replaces an earlier alert rather than piling them up.
      new Notification("Front Door", { body: text, tag: "frontdoor-arrivals" });
    }
  }

  if (alertsBox) {
    alertsBox.hidden = false;
    if (chime) {
      chime.checked = localStorage.getItem("frontdoor-chime") === "on";
      chime.addEventListener("change", () => {
        localStorage.setItem("frontdoor-chime", chime.checked ? "on" : "off");
        if (chime.checked) playChime();
      });
    }
    if (enable && "Notification" in window && Notification.permission === "default") {
      enable.hidden = false;
      enable.addEventListener("click", async () => {
        await Notification.requestPermission(); // asked once: the button then goes
        enable.hidden = true;
      });
    }
  }

  function look() {
    const now = new Map();
    for (const row of board.querySelectorAll("[data-row][data-status=waiting]")) {
      now.set(row.dataset.row, Number(row.dataset.level));
    }
    if (seen !== null) {
      let arrived = null;
      let waiting = false;
      for (const [key, level] of now) {
        if (!seen.has(key)) arrived = key;
        else if (level > seen.get(key)) waiting = true;
      }
      if (arrived) {
        notify(arrived.startsWith("help-") ? root.dataset.textHelp : root.dataset.textArrived);
      } else if (waiting) {
        notify(root.dataset.textWaiting);
      }
    }
    seen = now;
  }

  // --- waiting times tick; a row due to turn amber or red asks the server ----------
  function tick() {
    const elapsed = (performance.now() - renderedAt) / 1000;
    let due = false;
    for (const row of board.querySelectorAll("[data-waited]")) {
      const seconds = Number(row.dataset.waited) + elapsed;
      const text = row.querySelector("[data-waited-text]");
      if (text) text.textContent = String(Math.floor(seconds / 60));
      const level = Number(row.dataset.level);
      const expected =
        seconds >= Number(row.dataset.red) ? 2 : seconds >= Number(row.dataset.amber) ? 1 : 0;
      const key = `${row.dataset.row}:${expected}`;
      if (row.dataset.status === "waiting" && expected > level && !asked.has(key)) {
        asked.add(key);
        due = true;
      }
    }
    if (due) refresh();
    fitWall(); // a minute more can take a line more
  }

  // --- the wall display fits the screen ------------------------------------------------
  // Nobody scrolls a wall: when the cards do not fit, the waiting and with-staff
  // sections condense, then their last cards (those with staff first) give way to
  // "+N more". Help requests come first and are never hidden.
  function overflowing() {
    const page = document.documentElement;
    return page.scrollHeight > page.clientHeight;
  }

  function fitWall() {
    const wall = board.querySelector("[data-wall-fit]");
    if (!wall) return;
    wall.classList.remove("fd-wall__board--condensed");
    for (const card of wall.querySelectorAll("[data-row][hidden]")) card.hidden = false;
    for (const more of wall.querySelectorAll("[data-more]")) more.hidden = true;
    if (overflowing()) {
      wall.classList.add("fd-wall__board--condensed");
      for (const section of ["with_staff", "waiting"]) {
        const more = wall.querySelector(`[data-more="${section}"]`);
        const cards = [...wall.querySelectorAll(`[data-section="${section}"] > [data-row]`)];
        let hidden = 0;
        while (more && cards.length && overflowing()) {
          cards.pop().hidden = true;
          hidden += 1;
          more.querySelector("[data-more-count]").textContent = String(hidden);
          more.hidden = false;
        }
      }
    }
    wall.dataset.fitted = "true";
  }

  window.addEventListener("resize", fitWall);
  document.fonts?.ready.then(fitWall);

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target === board) {
      renderedAt = performance.now();
      fitWall();
      look();
    }
    const undo = target.querySelector && target.querySelector("[data-undo]");
    if (undo) setTimeout(() => undo.remove(), UNDO_SECONDS * 1000);
  });

  const undo = root.querySelector("[data-undo]");
  if (undo) setTimeout(() => undo.remove(), UNDO_SECONDS * 1000);
  fitWall();
  look();
  setInterval(tick, TICK_MS);
}
