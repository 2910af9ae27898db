// The branch page's upload form: the size limit, told before the file is sent.
(function () {
  var form = document.getElementById("upload");
  if (!form) return;
  var input = form.querySelector("input[name=workbook]");
  input.addEventListener("change", function () {
    var big = input.files.length && input.files[0].size > Number(form.dataset.limit);
    document.getElementById("too-large").hidden = !big;
    form.querySelector("button").disabled = big;
  });
})();
