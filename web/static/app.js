/* barcamp-search: a little plain JavaScript on top of pages that work without it.
   - the sort menu is applied by its button only, as without JavaScript: a menu that
     submits itself on "change" navigates as soon as the arrow keys move in it (WCAG 3.2.2);
   - results as you type: on the search page, typing updates the results region (results,
     facets, total) in place from a server-rendered fragment (/search?...&fragment=1, with
     instant=1 while typing), parsed with DOMParser and moved into the page; the address
     bar follows (replaceState while typing, pushState when a search is committed with
     Enter, so Back goes to the previous committed search); the new total is announced in
     an aria-live region; a newer request aborts the older one and a sequence number drops
     any late answer;
   - the search box is an ARIA combobox: completions from /api/suggest (words, tags,
     speakers, post titles) in a listbox written with textContent only; ↑/↓ move, Enter
     picks (a post title opens the post), Escape closes;
   - keyboard: "/" focuses the search box; j/k (or arrow keys inside the results) move between
     results, Enter opens the focused one; arrow keys move within a facet list;
   - after a facet click the focus returns to that facet value (the link's #fragment);
   - a facet's values past the first ten are fetched from /api/facets when its "More …"
     is opened (without the script, a link asks the page for all of them). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var DELAY = 150;  // ms of quiet typing before asking the server

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // --- the search state as a URL ---------------------------------------------------------

  function formParams(form) {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.type === "submit") { return; }
      if (field.value.trim() !== "") { params.append(field.name, field.value); }
    });
    return params;
  }

  function formUrl(form) {
    var query = formParams(form).toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  function here() {
    return window.location.pathname + window.location.search;
  }

  function isLocalOrWeb(url) {
    return typeof url === "string" &&
      ((url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\") ||
       /^https?:\/\//i.test(url));
  }

  // --- results as you type ---------------------------------------------------------------

  function Results(form, input) {
    this.form = form;
    this.input = input;
    this.live = document.getElementById("live-status");
    this.sequence = 0;
    this.controller = null;
    this.shown = here();            // the search the region shows (path + query)
    this.committed = window.location.href;  // the URL of the last committed search
    this.onNavigate = function () {};  // set by searchBox: forget what was being typed
    var self = this;
    window.addEventListener("popstate", function () {
      if (here() === self.shown) { return; }  // a #fragment link: same search
      self.onNavigate();
      self.committed = window.location.href;
      self.input.value = new URLSearchParams(window.location.search).get("q") || "";
      self.load(here(), { instant: false, history: null, fallback: true });
    });
  }

  Results.prototype.region = function () {
    return document.getElementById("results-region");
  };

  // typing: results for the text so far, the unfinished word as a prefix
  Results.prototype.typed = function () {
    this.load(formUrl(this.form), { instant: true, history: "replace" });
  };

  // Enter or a chosen completion: a search of its own in the history
  Results.prototype.commit = function () {
    var url = formUrl(this.form);
    var target = new URL(url, window.location.href).href;
    if (window.location.href !== this.committed) {
      // the entry showed the typing: give it back its committed search before adding one
      window.history.replaceState(null, "", this.committed);
    }
    if (target !== this.committed) {
      window.history.pushState(null, "", url);
    }
    this.committed = target;
    this.load(url, { instant: false, history: null, fallback: true });
  };

  Results.prototype.load = function (url, options) {
    var self = this;
    var sequence = ++this.sequence;
    if (this.controller) { this.controller.abort(); }
    var controller = window.AbortController ? new AbortController() : null;
    this.controller = controller;
    var fetchUrl = url + (url.indexOf("?") === -1 ? "?" : "&") +
      (options.instant ? "instant=1&" : "") + "fragment=1";
    var region = this.region();
    if (region) { region.setAttribute("aria-busy", "true"); }
    fetch(fetchUrl, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        return response.text().then(function (text) {
          return { ok: response.ok, text: text };
        });
      })
      .then(function (answer) {
        if (sequence !== self.sequence) { return; }  // a newer request was made
        var doc = new DOMParser().parseFromString(answer.text, "text/html");
        if (answer.ok && self.swap(doc)) {
          self.shown = url;
          if (options.history === "replace") {
            window.history.replaceState(null, "", url);
          }
          return;
        }
        if (options.fallback) { window.location.assign(url); return; }
        self.failed(doc);
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        if (sequence !== self.sequence) { return; }
        if (options.fallback) { window.location.assign(url); return; }
        self.failed(null);
      });
  };

  // move the fragment's region (and footer links) into the page: parsed, never written
  Results.prototype.swap = function (doc) {
    var fresh = doc.getElementById("results-region");
    var old = this.region();
    if (!fresh || !old) { return false; }
    // the filters drawer (on a phone) stays as the reader left it
    var drawer = old.querySelector("#filters");
    var freshDrawer = fresh.querySelector("#filters");
    if (drawer && freshDrawer) { freshDrawer.open = drawer.open; }
    old.replaceWith(document.adoptNode(fresh));
    if (fresh.dataset.title) { document.title = fresh.dataset.title; }
    var feed = document.querySelector('link[rel="alternate"][type="application/atom+xml"]');
    if (feed && fresh.dataset.feed) { feed.setAttribute("href", fresh.dataset.feed); }
    var links = doc.getElementById("machine-links");
    var oldLinks = document.getElementById("machine-links");
    if (links && oldLinks) { oldLinks.replaceWith(document.adoptNode(links)); }
    this.announce(fresh.dataset.count || "");
    return true;
  };

  // a query the server refused (e.g. a wildcard too short) or a network error: say so,
  // keep the box and its text as they are
  Results.prototype.failed = function (doc) {
    var old = this.region();
    if (!old) { return; }
    var found = doc && doc.querySelector(".error-message");
    var message = found ? found.textContent : (this.input.dataset.failed || "");
    var region = document.createElement("div");
    region.id = "results-region";
    region.className = "layout";
    var area = document.createElement("section");
    area.className = "results-area message";
    var text = document.createElement("p");
    text.className = "error-message";
    text.textContent = message;
    area.appendChild(text);
    region.appendChild(area);
    old.replaceWith(region);
    this.announce(message);
  };

  Results.prototype.announce = function (text) {
    if (this.live) { this.live.textContent = text; }
  };

  // --- completions: the ARIA combobox pattern ---------------------------------------------

  function Combobox(input, pick) {
    this.input = input;
    this.list = document.getElementById("suggestions");
    this.pick = pick;
    this.items = [];
    this.active = -1;
    this.sequence = 0;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    var self = this;
    input.addEventListener("keydown", function (event) { self.key(event); });
    input.addEventListener("blur", function () { self.close(); });
    // a click on an option must not take the focus from the box
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest && event.target.closest("[role=option]");
      if (option) { self.choose(Number(option.dataset.index)); }
    });
  }

  Combobox.prototype.isOpen = function () {
    return !this.list.hidden;
  };

  Combobox.prototype.open = function () {
    if (!this.items.length) { return; }
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    this.setActive(-1);
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
  };

  Combobox.prototype.clear = function () {
    this.sequence += 1;  // an answer on its way is no longer wanted
    this.items = [];
    this.close();
    this.list.replaceChildren();
    delete this.list.dataset.query;
  };

  Combobox.prototype.refresh = function (text) {
    var self = this;
    if (text.trim().length < 2) { this.clear(); return; }
    var sequence = ++this.sequence;
    var url = this.input.dataset.suggest + "?q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (sequence !== self.sequence || !data || !Array.isArray(data.suggestions)) { return; }
        self.render(data.suggestions);
        self.list.dataset.query = text;  // what the options complete
      })
      .catch(function () { /* completions are optional */ });
  };

  Combobox.prototype.render = function (suggestions) {
    var self = this;
    this.setActive(-1);
    this.items = suggestions;
    this.list.replaceChildren();
    suggestions.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.className = "suggestion suggestion-" + String(item.kind);
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(index);
      var value = document.createElement("span");
      value.className = "suggestion-value";
      value.textContent = String(item.value);
      var kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = self.input.dataset["kind" + capitalize(String(item.kind))] || "";
      option.appendChild(value);
      option.appendChild(document.createTextNode(" "));
      option.appendChild(kind);
      self.list.appendChild(option);
    });
    if (suggestions.length && document.activeElement === this.input) {
      this.open();
    } else {
      this.close();
    }
  };

  Combobox.prototype.setActive = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    if (this.active >= 0 && options[this.active]) {
      options[this.active].setAttribute("aria-selected", "false");
      options[this.active].classList.remove("is-active");
    }
    this.active = index;
    if (index >= 0 && options[index]) {
      options[index].setAttribute("aria-selected", "true");
      options[index].classList.add("is-active");
      options[index].scrollIntoView({ block: "nearest" });
      this.input.setAttribute("aria-activedescendant", options[index].id);
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.move = function (step) {
    var count = this.items.length;
    if (!count) { return; }
    if (!this.isOpen()) { this.open(); }
    // from none, ↓ goes to the first and ↑ to the last; past either end, back to none
    var next = this.active + step;
    if (this.active === -1 && step < 0) { next = count - 1; }
    if (next >= count || next < -1) { next = -1; }
    this.setActive(next);
  };

  Combobox.prototype.key = function (event) {
    if (event.altKey && event.key === "ArrowDown") {
      this.open();
      event.preventDefault();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) { return; }
    switch (event.key) {
      case "ArrowDown":
        this.move(1);
        event.preventDefault();
        break;
      case "ArrowUp":
        if (this.isOpen()) { this.move(-1); event.preventDefault(); }
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        } else {
          this.close();  // the form submits
        }
        break;
      case "Escape":
        if (this.isOpen()) {
          event.preventDefault();  // (a search box would also clear its text)
          this.close();
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  Combobox.prototype.choose = function (index) {
    var item = this.items[index];
    if (!item) { return; }
    this.close();
    if (item.kind === "title" && isLocalOrWeb(item.url)) {
      window.location.assign(item.url);  // a post: open it
      return;
    }
    this.input.value = String(item.value);
    this.pick();
  };

  function capitalize(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  function searchBox() {
    var input = document.getElementById("q");
    var form = input && input.form;
    if (!input || !form || !window.fetch || !window.URLSearchParams || !window.DOMParser) {
      return;
    }
    var results = document.getElementById("results-region") && window.history.pushState
      ? new Results(form, input) : null;
    var combobox = null;
    var timer = null;

    function submit() {
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }

    if (document.getElementById("suggestions") && input.dataset.suggest) {
      combobox = new Combobox(input, submit);
    }
    if (results) {
      results.onNavigate = function () {
        window.clearTimeout(timer);
        if (combobox) { combobox.clear(); }
      };
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (combobox) { combobox.refresh(input.value); }
        if (results) { results.typed(); }
      }, DELAY);
    });
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      if (combobox) { combobox.clear(); }
      if (!results) { return; }  // another page: the form goes to the search page
      event.preventDefault();
      results.commit();
    });
  }

  // --- keyboard navigation ------------------------------------------------------------------

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

  function safeDecode(text) {
    try { return decodeURIComponent(text); } catch (error) { return text; }
  }

  // after a facet click (or a chip's removal) the page opens at that facet value's link
  // (the #fragment): give it the focus, as if the page had not been reloaded
  function focusFacet() {
    var id = window.location.hash.slice(1);
    var target = id && (document.getElementById(id) || document.getElementById(safeDecode(id)));
    if (target && target.classList && target.classList.contains("facet-link")) {
      target.focus();
    } else if (id === "facets" && target) {
      var first = target.querySelector("a, summary, input, select, button");
      if (first) { first.focus(); }
    }
  }

  // --- facet values past the first ones, on demand ----------------------------------------

  // the id views.facet_id gives a value's link (its #fragment brings the focus back to it)
  function facetId(name, value) {
    return "f-" + name + "-" + encodeURIComponent(value);
  }

  // the URL of this search with a value of a facet added (or, selected, removed), page 1
  function facetHref(name, value, selected) {
    var params = new URLSearchParams(window.location.search);
    var kept = new URLSearchParams();
    params.forEach(function (v, k) {
      if (k === "page" || k === "more") { return; }
      if (selected && k === name && v === value) { return; }
      kept.append(k, v);
    });
    if (!selected) { kept.append(name, value); }
    var query = kept.toString();
    return window.location.pathname + (query ? "?" + query : "") + "#" + facetId(name, value);
  }

  function facetItem(name, item) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.className = "facet-link" + (item.selected ? " selected" : "");
    link.id = facetId(name, String(item.value));
    link.href = facetHref(name, String(item.value), item.selected);
    var value = document.createElement("span");
    value.className = "facet-value";
    if (item.selected) {
      link.setAttribute("aria-current", "true");
      var mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = "✓ ";
      value.appendChild(mark);
    }
    value.appendChild(document.createTextNode(String(item.value)));
    var count = document.createElement("span");
    count.className = "facet-count";
    count.textContent = String(item.count);
    link.appendChild(value);
    link.appendChild(document.createTextNode(" "));
    link.appendChild(count);
    li.appendChild(link);
    return li;
  }

  // opening a facet's "More …" fetches its values from /api/facets (the link inside, for
  // pages without JavaScript, is replaced by them)
  function loadMoreFacets(details) {
    if (details.dataset.loaded || !details.dataset.src || !window.fetch) { return; }
    details.dataset.loaded = "1";
    var name = details.dataset.facet;
    var facet = details.closest(".facet");
    var shown = {};
    Array.prototype.forEach.call(facet.querySelectorAll(".facet-link"), function (link) {
      shown[link.id] = true;
    });
    fetch(details.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !Array.isArray(data.values)) { throw new Error("no values"); }
        var list = document.createElement("ul");
        list.className = "facet-values";
        list.dataset.facet = name;
        data.values.forEach(function (item) {
          if (!shown[facetId(name, String(item.value))]) {
            list.appendChild(facetItem(name, item));
          }
        });
        var link = details.querySelector(".facet-more-link");
        if (link) { link.replaceWith(list); } else { details.appendChild(list); }
        if (list.children.length > FILTER_FROM) { addFacetFilter(details, list); }
      })
      .catch(function () {
        delete details.dataset.loaded;  // the link stays: it works without the script
      });
  }

  var FILTER_FROM = 10;  // values loaded past which a box filters them

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // a box above a long list of loaded values keeps those containing what is typed
  function addFacetFilter(details, list) {
    var id = "facet-filter-" + details.dataset.facet;
    var label = document.createElement("label");
    label.className = "facet-filter-label";
    label.htmlFor = id;
    label.textContent = details.dataset.filterLabel || "";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "facet-filter";
    input.autocomplete = "off";
    input.addEventListener("input", function () {
      var wanted = folded(input.value.trim());
      Array.prototype.forEach.call(list.children, function (item) {
        var value = item.querySelector(".facet-value");
        item.hidden = Boolean(wanted) && folded(value ? value.textContent : "").indexOf(wanted) === -1;
      });
    });
    list.parentNode.insertBefore(label, list);
    list.parentNode.insertBefore(input, list);
  }

  function moreFacets() {
    // "toggle" does not bubble: listen in the capture phase, for regions swapped in later
    document.addEventListener("toggle", function (event) {
      var details = event.target;
      if (details && details.classList && details.classList.contains("facet-more") && details.open) {
        loadMoreFacets(details);
      }
    }, true);
  }

  ready(function () {
    searchBox();
    keyboard();
    moreFacets();
    focusFacet();
  });
}());
