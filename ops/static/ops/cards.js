// On a phone the case list and a case page's tables are stacks of cards (ops/casework.css): each
// cell is labelled with its column's name, read from the table's header. A case page's new rows
// are copies of its labelled template row, so they carry the labels too. Empty cells are marked
// so that a card leaves them out.
document.addEventListener("DOMContentLoaded", function () {
  function label(table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (names[index]) cell.setAttribute("data-label", names[index]);
        // A card leaves out what a table must show as "-": nothing to read there.
        var text = cell.textContent.trim();
        if ((text === "" || text === "-" || text === "—") &&
            !cell.querySelector("input:not([type=hidden]), select, textarea, img, a")) {
          cell.classList.add("empty-cell");
        }
      });
    });
  }
  var list = document.getElementById("result_list");
  if (list) label(list);
  document.querySelectorAll(".inline-group .tabular table").forEach(label);
});
