// On a phone the case list is a stack of cards (ops/casework.css): each cell is labelled with
// its column's name, read from the table's header.
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("result_list");
  if (!table) return;
  var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
    return th.textContent.trim();
  });
  table.querySelectorAll("tbody tr").forEach(function (row) {
    Array.prototype.forEach.call(row.children, function (cell, index) {
      if (names[index]) cell.setAttribute("data-label", names[index]);
    });
  });
});
