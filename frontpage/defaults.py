"""The front page's zones before editors arrange it: the data migration creates them, and
a site with none (a fresh test database, every zone deleted) shows them rather than
nothing."""

DEFAULT_FRONT_ZONES = (
    {"title": "Top stories", "layout": "lead", "position": 10, "size": 5},
    {"title": "Latest", "layout": "grid", "position": 20, "size": 8},
)
