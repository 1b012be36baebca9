"""I/O adapters for laboratory instruments, used by services (no GUI, no database, no rendering here).

``mtsics`` reads weights from a Mettler Toledo balance that speaks MT-SICS over a serial port; ``simulator``
serves the same protocol on a pseudo-terminal so the app can be demonstrated, developed and tested without
a balance. An instrument problem always surfaces as one :class:`~labelapp.instruments.mtsics.BalanceError`
whose message is a sentence a technician can act on.
"""
