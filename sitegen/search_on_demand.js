// Inlined into every page's <head> by sitegen/material.py (SEARCH_ON_DEMAND), before Material's bundle.
//
// Material fetches the search index (search/search_index.json, ~110 KB compressed: more than the
// page, its stylesheets and its scripts together) as soon as a page starts, although most readers
// never open the search.  On a phone that download competes with the page itself.  This holds
// Material's request back until the reader shows they want to search: a press on the search
// button, focus on the search box (also what Material's "/", "s" and "f" keys do), or a page
// opened from a search result (?h=..., whose words Material highlights with the index's rules).
// Material's own search code is unchanged; its request is only sent later.
(() => {
  const INDEX = /\/search\/search_index\.json$/;
  let wanted;
  const searchWanted = new Promise((resolve) => { wanted = resolve; });
  const onIntent = (event) => {
    const target = event.target;
    if (target instanceof Element && target.closest('[for="__search"], #__search, .md-search__input')) wanted();
  };
  for (const type of ["pointerdown", "focusin", "change"]) document.addEventListener(type, onIntent, true);
  if (new URLSearchParams(location.search).has("h")) wanted();

  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.gdSearchIndex = INDEX.test(new URL(url, location.href).pathname);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (body) {
    if (!this.gdSearchIndex) return send.call(this, body);
    searchWanted.then(() => send.call(this, body));
  };
})();
