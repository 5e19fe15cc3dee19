// Version picker: submit the chosen versions as one tidy parameter (?v=zh-hans,en,en-mt)
// instead of the form's repeated ?v=…&v=…. Without JavaScript the form still works.
(function () {
  const form = document.querySelector("form[data-picker]");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const chosen = Array.from(form.querySelectorAll('input[name="v"]:checked')).map((box) => box.value);
    const url = new URL(form.action, window.location.href);
    if (chosen.length) url.search = "?v=" + chosen.join(",");
    url.hash = window.location.hash;
    window.location.assign(url.toString());
  });
})();
