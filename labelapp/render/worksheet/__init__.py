"""The batch production and control record (21 CFR 211.188): ``document.render_worksheet``."""
