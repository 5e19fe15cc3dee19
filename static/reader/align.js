// Sentence alignment: hovering, focusing or tapping a sentence lights it and its counterparts
// in every pane of the clause; clicking puts its anchor (#c-<ref>-s<N>) in the URL; arriving
// at such an anchor lights both sides. Each sentence carries data-s, the numbers of the
// base-text sentences it is aligned with, so any pair of versions meets through the base.
//
// Keyboard: each clause row is one tab stop (a roving tabindex), not one stop per sentence.
// Tab lands on the row's current sentence; the arrow keys move between the sentences of the
// clause, across its panes (Home and End go to its first and last); Enter or Space does what a
// click does. A sentence is a button (it acts on the page: it lights its counterparts and links
// to itself) named by its own text, in its own language, and described in English by what it
// does. Without JavaScript sentences are plain text and take no tab stops; anchors still work.
(function () {
  const container = document.querySelector(".panes, .clause-versions");
  if (!container) return;

  // What a sentence stop does, and what its marking means: descriptions for aria-describedby.
  const descriptions = {
    "sentence-help": "Sentence. Enter lights the sentences aligned with it in every version and " +
      "puts its link in the address bar; the arrow keys move to the other sentences of the clause.",
    "sentence-gap": "No counterpart: an omission or an addition.",
    "sentence-low": "The alignment is uncertain.",
  };
  const held = document.createElement("div");
  held.hidden = true;
  held.lang = "en";
  Object.keys(descriptions).forEach(function (id) {
    const p = document.createElement("p");
    p.id = id;
    p.textContent = descriptions[id];
    held.appendChild(p);
  });
  container.appendChild(held);

  function numbers(span) {
    return (span.dataset.s || "").split(" ").filter(Boolean);
  }

  function group(span) {
    return span.closest(".row, .clause-versions");
  }

  // The sentences one can move between in a group: a sentence holding a link (a citation of a
  // library document) stays plain text, since a button cannot hold a link; its link is the stop.
  function stops(row) {
    return Array.from(row.querySelectorAll(".s[role='button']"));
  }

  function rove(span) {
    stops(group(span)).forEach(function (other) { other.tabIndex = other === span ? 0 : -1; });
  }

  document.querySelectorAll(".row, .clause-versions").forEach(function (row) {
    if (!container.contains(row)) return;
    let first = true;
    row.querySelectorAll(".s").forEach(function (span) {
      if (span.querySelector("a, button, input, select, textarea, summary")) return;
      span.setAttribute("role", "button");
      span.tabIndex = first ? 0 : -1;
      first = false;
      const described = ["sentence-help"];
      if (span.classList.contains("gap")) described.push("sentence-gap");
      else if (span.classList.contains("low")) described.push("sentence-low");
      span.setAttribute("aria-describedby", described.join(" "));
    });
  });

  function light(span) {
    document.querySelectorAll(".s.lit").forEach(function (el) { el.classList.remove("lit"); });
    const wanted = new Set(numbers(span));
    span.classList.add("lit");
    if (!wanted.size) return;
    group(span).querySelectorAll(".s").forEach(function (other) {
      if (numbers(other).some(function (n) { return wanted.has(n); })) other.classList.add("lit");
    });
  }

  function choose(span) {
    light(span);
    // The clause's id is on its row (the Chinese sentences carry ids of their own, c-<ref>-s<N>,
    // so the nearest element with an id starting c- may be the sentence itself).
    const row = span.closest(".row");
    const first = numbers(span)[0];
    const rowId = row ? row.id : container.dataset.anchor;
    if (rowId) history.replaceState(null, "", "#" + rowId + (first ? "-s" + first : ""));
  }

  function onSentence(handler) {
    return function (event) {
      const span = event.target.closest(".s");
      if (span && container.contains(span)) handler(span, event);
    };
  }

  container.addEventListener("mouseover", onSentence(light));
  container.addEventListener("focusin", onSentence(function (span) {
    light(span);
    if (span.getAttribute("role") === "button") rove(span);
  }));
  container.addEventListener("click", onSentence(choose));
  container.addEventListener("keydown", onSentence(function (span, event) {
    if (event.target !== span || span.getAttribute("role") !== "button") return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();  // Space would scroll the page
      choose(span);
      return;
    }
    const all = stops(group(span));
    const at = all.indexOf(span);
    const to = {
      ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
      Home: 0, End: all.length - 1,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = all[Math.max(0, Math.min(all.length - 1, to))];
    if (next && next !== span) next.focus();
  }));

  function fromHash() {
    const match = window.location.hash.match(/^#(c-.+)-s(\d+)$/);
    if (!match) return;
    // On a reload the browser would put back the old scroll position, measured while rows off
    // screen were laid out only roughly (reader.css), which can land far from the sentence:
    // the sentence is the place to come back to.
    history.scrollRestoration = "manual";
    let row = document.getElementById(match[1]) || container;
    // A link written before the anchor was fixed named the sentence twice (#c-0.1-s2-s2).
    if (row.classList.contains("s")) row = group(row);
    const span = Array.from(row.querySelectorAll(".s")).find(function (el) {
      return numbers(el).includes(match[2]);
    });
    if (!span) return;
    light(span);
    if (span.getAttribute("role") === "button") rove(span);
    // The browser scrolls to an element with that id itself (CSS leaves room above it); when
    // the Chinese pane is hidden there is none, and a reload restores the old scroll position,
    // which rows laid out lazily may have moved: then bring the lit sentence into view here.
    const box = span.getBoundingClientRect();
    if (span.id !== match[1] + "-s" + match[2] || box.bottom < 0 || box.top > window.innerHeight) {
      span.scrollIntoView({ block: "center" });
    }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
