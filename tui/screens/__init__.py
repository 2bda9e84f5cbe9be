"""One module per screen; each screen shows the app's current document (``app.current``)."""
