// anjuan: keyboard shortcuts on the dossier page and confirmations.
// j / k: next / previous item; c: confirm the item; r: reject it (the
// reason field takes the focus; Enter sends); n / p: next / previous page;
// s: submit the review; N (shift+n): the next open dossier (decisions are
// saved as they are made). The focused item's boxes are lit on the page; "画框"
// draws a box on the page for a deduction the reviewer adds.
(function () {
  "use strict";
  function items() { return Array.prototype.slice.call(document.querySelectorAll(".item")); }
  function current() {
    var list = items();
    var i = list.indexOf(document.activeElement && document.activeElement.closest(".item"));
    return { list: list, i: i };
  }
  function light(item) {
    var rects = document.querySelectorAll(".pageview rect");
    for (var i = 0; i < rects.length; i++) rects[i].classList.toggle("on", !!item && rects[i].getAttribute("data-item") === item);
  }
  function focusItem(el) {
    if (el) { el.focus(); el.scrollIntoView({ block: "nearest" }); light(el.getAttribute("data-item")); }
  }
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
      case "s": var sb = document.getElementById("submit-review"); if (sb) sb.click(); break;
      case "N": var nd = document.querySelector("[data-key=next-dossier]"); if (nd) nd.click(); break;
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
  document.addEventListener("focusin", function (e) {
    var it = e.target && e.target.closest && e.target.closest(".item");
    if (it) light(it.getAttribute("data-item"));
  });
  // Zoom.
  document.addEventListener("click", function (e) {
    var z = e.target.closest && e.target.closest("[data-zoom]");
    if (z && z.tagName === "BUTTON") {
      var fig = document.getElementById("pageview");
      if (fig) fig.setAttribute("data-zoom", z.getAttribute("data-zoom"));
    }
  });
  // Drawing a box for an added deduction: the box goes into the item's form
  // as "page,x0,y0,x1,y1" in the page's pixels (the frame of the OCR boxes).
  var drawing = null;
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-draw]");
    var fig = document.getElementById("pageview");
    if (!b || !fig) return;
    drawing = { form: b.form, button: b };
    fig.classList.add("drawing");
  });
  function pagePoint(svg, e) {
    var r = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
    var x = Math.round((e.clientX - r.left) / r.width * vb.width);
    var y = Math.round((e.clientY - r.top) / r.height * vb.height);
    return { x: Math.max(0, Math.min(vb.width, x)), y: Math.max(0, Math.min(vb.height, y)) };
  }
  document.addEventListener("mousedown", function (e) {
    var svg = e.target.closest && e.target.closest(".pageview svg");
    if (!drawing || !svg) return;
    e.preventDefault();
    var p0 = pagePoint(svg, e);
    var rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("class", "drawn on");
    svg.appendChild(rect);
    function place(ev) {
      var p1 = pagePoint(svg, ev);
      rect.setAttribute("x", Math.min(p0.x, p1.x)); rect.setAttribute("y", Math.min(p0.y, p1.y));
      rect.setAttribute("width", Math.abs(p1.x - p0.x)); rect.setAttribute("height", Math.abs(p1.y - p0.y));
      return p1;
    }
    place(e);
    function move(ev) { place(ev); }
    function up(ev) {
      document.removeEventListener("mousemove", move);
      document.removeEventListener("mouseup", up);
      var p1 = place(ev), fig = document.getElementById("pageview");
      fig.classList.remove("drawing");
      var x0 = Math.min(p0.x, p1.x), x1 = Math.max(p0.x, p1.x), y0 = Math.min(p0.y, p1.y), y1 = Math.max(p0.y, p1.y);
      if (x1 - x0 < 4 || y1 - y0 < 4) { svg.removeChild(rect); drawing = null; return; }
      drawing.form.querySelector("input[name=mark]").value = [fig.getAttribute("data-page"), x0, y0, x1, y1].join(",");
      drawing.button.classList.add("done");
      drawing.button.textContent = "已画框 Box drawn";
      drawing = null;
    }
    document.addEventListener("mousemove", move);
    document.addEventListener("mouseup", up);
  });
})();
// Reports: a table's column sorts by a click (or Enter) on its heading,
// numbers by value, text in Chinese order; a total row stays last. The
// print button prints the page.
(function () {
  "use strict";
  function key(td) {
    if (!td) return "";
    var n = td.getAttribute("data-num");
    return n !== null ? parseFloat(n) : td.textContent.trim();
  }
  function sortBy(th) {
    var table = th.closest("table");
    var col = parseInt(th.getAttribute("data-col"), 10);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var heads = table.querySelectorAll("th[data-col]");
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var total = rows.filter(function (r) { return r.classList.contains("total"); });
    rows = rows.filter(function (r) { return !r.classList.contains("total"); });
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return asc ? c : -c;
    });
    rows.concat(total).forEach(function (r) { body.appendChild(r); });
  }
  document.addEventListener("click", function (e) {
    var th = e.target.closest && e.target.closest("table.sortable th[data-col]");
    if (th) sortBy(th);
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("keydown", function (e) {
    var th = e.target.closest && e.target.closest("table.sortable th[data-col]");
    if (th && e.key === "Enter") sortBy(th);
  });
})();
