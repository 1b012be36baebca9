"""Label stocks (``stock``) and layouts (``layout``) as data, read from templates/ (``loader``)."""
