"""The style sheet and the search script of the HTML export (static text, no member data)."""

from __future__ import annotations

STYLE_CSS = """\
:root {
  --text: #1e1e1e;
  --background: #ffffff;
  --muted: #555555;
  --accent: #000091;
  --warning-text: #6b3c00;
  --warning-background: #fff4e5;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #eeeeee;
    --background: #161616;
    --muted: #bbbbbb;
    --accent: #9fb6ff;
    --warning-text: #ffd9a8;
    --warning-background: #3a2a12;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0 auto;
  max-width: 48rem;
  padding: 0 1rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 1.125rem;
  line-height: 1.6;
  color: var(--text);
  background: var(--background);
}
a { color: var(--accent); }
a:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999rem; }
.skip:focus { position: static; }
header { border-bottom: 1px solid var(--muted); padding: 1rem 0; }
header .site { font-weight: bold; margin: 0; }
nav ul, ul.tags { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0 1rem; }
main { padding: 1rem 0 2rem; }
ol.steps li { margin-bottom: 0.5rem; }
dl.about dt { font-weight: bold; }
dl.about dd { margin: 0 0 0.5rem 0; }
.badge { font-size: 0.875em; color: var(--warning-text); }
.notice {
  border-left: 4px solid var(--warning-text);
  background: var(--warning-background);
  color: var(--warning-text);
  padding: 0.5rem 1rem;
}
.search input { font-size: inherit; width: 100%; max-width: 30rem; padding: 0.25rem; }
footer { border-top: 1px solid var(--muted); color: var(--muted); padding: 1rem 0; }
"""

SEARCH_JS = """\
// Search over the tutorials: shown only when this script runs; the site works without it.
"use strict";
(function () {
  var section = document.getElementById("search");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  if (!section || !input || !status || !results || !window.fetch) {
    return;
  }
  function fold(text) {
    return text.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
  }
  function show(entries) {
    var query = fold(input.value).split(/\\s+/).filter(Boolean);
    results.textContent = "";
    if (query.length === 0) {
      status.textContent = "";
      return;
    }
    var found = entries.filter(function (entry) {
      return query.every(function (word) { return entry.haystack.indexOf(word) !== -1; });
    });
    var message = found.length === 0 ? section.dataset.none
      : found.length === 1 ? section.dataset.one : section.dataset.other;
    status.textContent = message.replace("{count}", String(found.length));
    found.slice(0, 50).forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.url;
      link.textContent = entry.title;
      item.appendChild(link);
      if (entry.status) {
        var badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = " (" + entry.status + ")";
        item.appendChild(badge);
      }
      results.appendChild(item);
    });
  }
  fetch(section.dataset.index)
    .then(function (response) {
      if (!response.ok) { throw new Error(response.statusText); }
      return response.json();
    })
    .then(function (entries) {
      entries.forEach(function (entry) {
        entry.haystack = fold([entry.title, entry.problem].concat(entry.skills).join(" "));
      });
      section.hidden = false;
      input.addEventListener("input", function () { show(entries); });
      section.querySelector("form").addEventListener("submit", function (event) {
        event.preventDefault();
        show(entries);
      });
      show(entries);
    })
    .catch(function () { section.hidden = true; });
})();
"""
