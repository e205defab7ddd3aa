"""Pages of sessions_app, one module per subject: sessions, feedback, moments, introductions."""
