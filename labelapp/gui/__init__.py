"""The desktop GUI (the only package that imports Qt). See ``labelapp.gui.app``."""

from labelapp.gui.qtfix import pin_singletons

pin_singletons()
