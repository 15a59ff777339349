// Blob, File and FormData, including multipart request bodies.
// Checked by nano/test/test_examples.py.

export default {
  async fetch(request) {
    const url = new URL(request.url);

    // #region upload
    if (url.pathname === "/upload" && request.method === "POST") {
      // multipart/form-data or application/x-www-form-urlencoded bodies.
      const form = await request.formData();
      const file = form.get("file");
      return Response.json({
        title: form.get("title"),
        file: file instanceof File ? { name: file.name, type: file.type, size: file.size } : null,
        text: file instanceof File ? await file.text() : null,
      });
    }
    // #endregion upload

    // #region blob
    if (url.pathname === "/report") {
      const blob = new Blob(["id,name\n", "1,ada\n"], { type: "text/csv" });
      const head = await blob.slice(0, 7).text();
      return new Response(blob, {
        headers: { "x-first-line": head, "content-disposition": "attachment; filename=report.csv" },
      });
    }
    // #endregion blob

    return new Response("not found", { status: 404 });
  },
};
