/* barcamp-search: a little plain JavaScript on top of pages that work without it.
   - the sort menu applies itself when changed;
   - the search box offers completions from /api/suggest (written with textContent/value only);
   - keyboard: "/" focuses the search box; j/k (or arrow keys inside the results) move between
     results, Enter opens the focused one; arrow keys move within a facet list. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) { select.form.submit(); }
      });
    });
  }

  function suggestions() {
    var input = document.getElementById("q");
    var list = document.getElementById("suggestions");
    if (!input || !list || !input.dataset.suggest || !window.fetch) { return; }
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var prefix = input.value.trim();
        if (prefix.length < 2 || prefix === last) { return; }
        last = prefix;
        var url = input.dataset.suggest + "?q=" + encodeURIComponent(prefix);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) {
            if (!data || !Array.isArray(data.suggestions)) { return; }
            list.replaceChildren();
            data.suggestions.forEach(function (item) {
              var option = document.createElement("option");
              option.value = String(item.value);
              option.textContent = String(item.kind);
              list.appendChild(option);
            });
          })
          .catch(function () { /* completions are optional */ });
      }, 150);
    });
  }

  function isTyping(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
      (target && target.isContentEditable);
  }

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll(".results .result-link"));
  }

  function moveResult(step) {
    var links = resultLinks();
    if (!links.length) { return false; }
    var index = links.indexOf(document.activeElement);
    if (index === -1) {
      var inside = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest(".result");
      if (inside) { index = links.indexOf(inside.querySelector(".result-link")); }
    }
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1)
      : Math.min(links.length - 1, Math.max(0, index + step));
    links.forEach(function (link) { link.closest(".result").classList.remove("is-current"); });
    links[next].closest(".result").classList.add("is-current");
    links[next].focus();
    links[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  function moveFacet(step) {
    var active = document.activeElement;
    if (!active || !active.classList || !active.classList.contains("facet-link")) { return false; }
    var facet = active.closest(".facet");
    var links = Array.prototype.slice.call(facet.querySelectorAll(".facet-link"))
      .filter(function (link) { return link.offsetParent !== null; });
    var index = links.indexOf(active);
    var next = links[Math.min(links.length - 1, Math.max(0, index + step))];
    if (next) { next.focus(); }
    return true;
  }

  function keyboard() {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) { return; }
      var key = event.key;
      var handled = false;
      if (key === "/") {
        var input = document.getElementById("q");
        if (input) { input.focus(); input.select(); handled = true; }
      } else if (key === "j" || key === "k") {
        handled = moveResult(key === "j" ? 1 : -1);
      } else if (key === "ArrowDown" || key === "ArrowUp") {
        var step = key === "ArrowDown" ? 1 : -1;
        var active = document.activeElement;
        if (active && active.closest && active.closest(".facet")) {
          handled = moveFacet(step);
        } else if (active && active.closest && active.closest(".results")) {
          handled = moveResult(step);
        }
      }
      if (handled) { event.preventDefault(); }
    });
    document.addEventListener("focusin", function (event) {
      var current = document.querySelector(".result.is-current");
      var result = event.target.closest && event.target.closest(".result");
      if (current && current !== result) { current.classList.remove("is-current"); }
    });
  }

  ready(function () {
    autosubmit();
    suggestions();
    keyboard();
  });
}());
