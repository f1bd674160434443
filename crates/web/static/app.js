// anjuan: keyboard shortcuts on the dossier page and confirmations.
// j / k: next / previous item; c: confirm the item; r: reject it (the
// reason field takes the focus; Enter sends); n / p: next / previous page.
(function () {
  "use strict";
  function items() { return Array.prototype.slice.call(document.querySelectorAll(".item")); }
  function current() {
    var list = items();
    var i = list.indexOf(document.activeElement && document.activeElement.closest(".item"));
    return { list: list, i: i };
  }
  function focusItem(el) { if (el) { el.focus(); el.scrollIntoView({ block: "nearest" }); } }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    var c = current();
    var item = c.i >= 0 ? c.list[c.i] : null;
    switch (e.key) {
      case "j": focusItem(c.list[Math.min(c.i + 1, c.list.length - 1)]); break;
      case "k": focusItem(c.list[Math.max(c.i - 1, 0)]); break;
      case "c": if (item) { var b = item.querySelector("button[value=confirm]"); if (b) b.click(); } break;
      case "r":
        if (item) {
          var form = item.querySelector("form.decide");
          if (form) {
            var reason = form.querySelector("input[name=reason]");
            reason.focus();
            form.dataset.enter = "reject";
            e.preventDefault();
          }
        }
        break;
      case "n": var n = document.querySelector("[data-key=next-page]"); if (n) n.click(); break;
      case "p": var p = document.querySelector("[data-key=prev-page]"); if (p) p.click(); break;
      default: return;
    }
  });
  // Enter in a reason field opened by "r" rejects.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.dataset.confirm && !window.confirm(f.dataset.confirm)) e.preventDefault();
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && t && t.name === "reason") {
      var form = t.form;
      if (form && form.dataset.enter) {
        e.preventDefault();
        var b = form.querySelector("button[value=" + form.dataset.enter + "]");
        if (b) b.click();
      }
    }
  });
  // After a decision the page comes back at the item: focus it.
  window.addEventListener("load", function () {
    if (location.hash.indexOf("#item-") === 0) focusItem(document.getElementById(location.hash.slice(1)));
    var back = document.querySelector("[data-back]");
    if (back) back.addEventListener("click", function (e) { e.preventDefault(); history.back(); });
  });
})();
