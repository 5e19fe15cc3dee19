// Sentence alignment: hovering, focusing or tapping a sentence lights it and its counterparts
// in every pane of the clause; clicking puts its anchor (#c-<ref>-s<N>) in the URL; arriving
// at such an anchor lights both sides. Each sentence carries data-s, the numbers of the
// base-text sentences it is aligned with, so any pair of versions meets through the base.
(function () {
  const container = document.querySelector(".panes, .clause-versions");
  if (!container) return;

  function numbers(span) {
    return (span.dataset.s || "").split(" ").filter(Boolean);
  }

  function group(span) {
    return span.closest(".row, .clause-versions");
  }

  function light(span) {
    document.querySelectorAll(".s.lit").forEach(function (el) { el.classList.remove("lit"); });
    const wanted = new Set(numbers(span));
    span.classList.add("lit");
    if (!wanted.size) return;
    group(span).querySelectorAll(".s").forEach(function (other) {
      if (numbers(other).some(function (n) { return wanted.has(n); })) other.classList.add("lit");
    });
  }

  function onSentence(handler) {
    return function (event) {
      const span = event.target.closest(".s");
      if (span && container.contains(span)) handler(span);
    };
  }

  container.addEventListener("mouseover", onSentence(light));
  container.addEventListener("focusin", onSentence(light));
  container.addEventListener("click", onSentence(function (span) {
    light(span);
    const row = span.closest("[id^='c-']");
    const first = numbers(span)[0];
    const rowId = row ? row.id : container.dataset.anchor;
    if (rowId) history.replaceState(null, "", "#" + rowId + (first ? "-s" + first : ""));
  }));

  function fromHash() {
    const match = window.location.hash.match(/^#(c-.+)-s(\d+)$/);
    if (!match) return;
    const row = document.getElementById(match[1]) || container;
    const span = Array.from(row.querySelectorAll(".s")).find(function (el) {
      return numbers(el).includes(match[2]);
    });
    if (!span) return;
    light(span);
    // The browser scrolls to an element with that id itself (CSS leaves room above it); when
    // the Chinese pane is hidden there is none, so bring the lit sentence into view here.
    if (span.id !== match[1] + "-s" + match[2]) span.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
