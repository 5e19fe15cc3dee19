// Version picker: submit the chosen versions as one tidy parameter (?v=zh-hans,en,en-mt, plus
// pinyin=1 / variants=1 when those aids are on) instead of the form's repeated ?v=…&v=….
// Without JavaScript the form still works.
(function () {
  const form = document.querySelector("form[data-picker]");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const chosen = Array.from(form.querySelectorAll('input[name="v"]:checked')).map((box) => box.value);
    const url = new URL(form.action, window.location.href);
    const params = [];
    if (chosen.length) params.push("v=" + chosen.join(","));
    ["pinyin", "variants"].forEach(function (aid) {
      const box = form.querySelector('input[name="' + aid + '"]');
      if (box && box.checked) params.push(aid + "=1");
    });
    url.search = params.length ? "?" + params.join("&") : "";
    url.hash = window.location.hash;
    window.location.assign(url.toString());
  });
})();
