"""Each panel's lecture scenes as data: ``app.lecture.scenes.<panel_id>.SCENES``."""
