// The language switcher in the admin header submits on change (no inline handler: the pages'
// Content-Security-Policy allows scripts from this site only).
document.querySelectorAll("#language-switcher select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
