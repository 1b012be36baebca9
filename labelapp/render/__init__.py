"""PDF output with ReportLab (the only package that imports it). No Qt here.

* ``label``: vial and carton labels; ``label.content.label_content`` -> ``label.render.render_labels``.
* ``worksheet``: the batch production record; ``worksheet.document.render_worksheet``.
* ``templates``: stocks and layouts from templates/; ``templates.loader.default_templates``.
* ``pdfio``: deterministic canvases. Files are written by ``domain.files.atomic_write``.
"""
