"""Widgets of the interface: the virtualised table, the source pane, the navigation bar, the
year chart."""
