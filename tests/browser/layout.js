// What a page must respect on a screen (run by tests/browser/conftest.py on every audited page):
// - the document never scrolls sideways (a wide table scrolls inside its own frame, not the page);
// - on a laptop (wide viewport), the key header cells of every table (Demandé, Attribué, Reste, Décision,
//   totals...) lie inside the viewport and inside their table's frame without scrolling it, and nothing
//   covers them (elementFromPoint at their centre finds the cell itself).
(checkHeaders) => {
  const KEY = /(demandé|attribué|reste|décision|total|proposé|enveloppe|utilisé)/i;
  const root = document.documentElement;
  const problems = [];
  if (root.scrollWidth > root.clientWidth) {
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    problems.push(`the page scrolls sideways (${root.scrollWidth} px for ${root.clientWidth}): ${wide.join(", ")}`);
  }
  if (!checkHeaders) return problems;
  const scroll = [window.scrollX, window.scrollY];
  for (const table of document.querySelectorAll("main table")) {
    const name = (table.caption ? table.caption.innerText : table.id || "table").trim().slice(0, 60);
    const frame = table.closest(".fr-table__container");
    for (const cell of table.querySelectorAll("thead th")) {
      const text = cell.innerText.replace(/\s+/g, " ").trim();
      if (!KEY.test(text)) continue;
      cell.scrollIntoView({ block: "center", inline: "nearest" });
      const box = cell.getBoundingClientRect();
      let why = "";
      if (window.scrollX !== 0 || (frame && frame.scrollLeft !== 0)) why = "only reached by scrolling sideways";
      else if (box.left < 0 || box.right > window.innerWidth) why = "outside the viewport";
      else if (frame) {
        const visible = frame.getBoundingClientRect();
        if (box.left < visible.left - 1 || box.right > visible.right + 1) why = "hidden in the table's frame";
      }
      if (!why) {
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        if (!hit || !cell.contains(hit)) why = `covered by ${hit ? hit.tagName.toLowerCase() + "." + hit.className : "nothing"}`;
      }
      if (why) problems.push(`« ${text} » (${name}): ${why}`);
      window.scrollTo(0, scroll[1]);
      if (frame) frame.scrollLeft = 0;
    }
  }
  window.scrollTo(scroll[0], scroll[1]);
  return problems;
}
