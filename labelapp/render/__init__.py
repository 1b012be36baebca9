"""PDF output: vial and carton label runs, the batch record, and their templates. No Qt here.

Entry points: ``content.label_content`` -> ``label.render_labels`` (serialized label runs),
``worksheet.render_worksheet`` (batch production record), ``templates.default_templates`` (stocks
and layouts from templates/), ``pdfio.write_atomic`` (all-or-nothing files).
"""
