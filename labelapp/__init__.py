"""labelapp: batch entry, calculations, labels and batch records for a 503B outsourcing facility."""

__version__ = "0.1.0"
