"""Vial (unit) and carton labels: content from a batch, preflight, fitting to a layout, serialized runs.

``content.label_content`` -> ``render.render_labels`` (a deterministic PDF of N serialized labels).
"""
